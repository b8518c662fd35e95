"""structlog, configured once per process.

Console output in development, JSON in production. Context (request id, tenant id, correlation
id) is bound with ``structlog.contextvars`` at the edges and merged into every line; stdlib
loggers (uvicorn, sqlalchemy, dramatiq) are routed through the same processors.

Tracebacks are rendered as plain text without local variables (locals hold request bodies,
cookies and tokens), and ``redact_secrets`` then masks secrets in every line, whatever its origin.
"""

from __future__ import annotations

import logging
import logging.config
import re
from collections.abc import Mapping
from typing import Any

import structlog

from services.core.settings import Settings

REDACTED = "[redacted]"

SECRET_KEY = re.compile(
    r"cookie|authorization|passw|token|secret|csrf|session|api[-_]?key", re.IGNORECASE
)
"""Names whose values are never logged: a key of a logged mapping, a header name, or a
``name=value`` / ``name: value`` inside a logged string."""

_SECRET_IN_TEXT = re.compile(
    r"(?P<name>[\w-]{0,40}(?:cookie|authorization|passw|token|secret|csrf|session|api[-_]?key)[\w-]{0,40})"
    r"(?P<quote>['\"]?)(?P<sep>\s*[:=]\s*)(?P<open>['\"]?)"
    r"(?P<value>(?:bearer\s+|basic\s+)?[^\s'\",;&)\]}]+)",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(?P<scheme>bearer|basic)\s+[^\s'\",;&)\]}]+", re.IGNORECASE)


def _redact_text(text: str) -> str:
    text = _SECRET_IN_TEXT.sub(
        lambda m: f"{m['name']}{m['quote']}{m['sep']}{m['open']}{REDACTED}", text
    )
    return _BEARER.sub(lambda m: f"{m['scheme']} {REDACTED}", text)


def _redact(value: Any) -> Any:
    if isinstance(value, str):
        return _redact_text(value)
    if isinstance(value, bytes):
        return _redact_text(value.decode("latin-1"))
    if isinstance(value, Mapping):
        return {
            key: REDACTED
            if isinstance(key, str | bytes) and _is_secret_name(key)
            else _redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        if len(value) == 2 and isinstance(value[0], str | bytes) and _is_secret_name(value[0]):
            return (value[0], REDACTED)  # a (name, value) header pair
        return [_redact(item) for item in value]
    return value


def _is_secret_name(name: str | bytes) -> bool:
    return (
        SECRET_KEY.search(name.decode("latin-1") if isinstance(name, bytes) else name) is not None
    )


def redact_secrets(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """A structlog processor masking secrets anywhere in a line: values of secret-named keys
    (nested mappings, ``(name, value)`` header pairs) and ``name=value``, ``name: value`` and
    ``Bearer ...`` inside strings (messages, rendered tracebacks). Runs after tracebacks are
    rendered to text, so they are masked too."""
    return {
        key: REDACTED if key not in _KEPT and _is_secret_name(key) else _redact(value)
        for key, value in event_dict.items()
    }


_KEPT = frozenset({"_record", "_from_structlog"})
"""ProcessorFormatter's own keys, which it needs unchanged."""


def configure_logging(settings: Settings) -> None:
    """Configure structlog and the stdlib root logger. Safe to call more than once."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,  # plain text: never local variables
        redact_secrets,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if settings.resolved_log_format == "json"
        else structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=settings.environment == "production",
    )
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "structlog": {
                    "()": structlog.stdlib.ProcessorFormatter,
                    "processors": [
                        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                        renderer,
                    ],
                    "foreign_pre_chain": shared,
                }
            },
            "handlers": {"default": {"class": "logging.StreamHandler", "formatter": "structlog"}},
            "root": {"handlers": ["default"], "level": settings.log_level},
            "loggers": {
                name: {"handlers": [], "propagate": True}
                for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "dramatiq", "pika")
            },
        }
    )
    logging.getLogger("pika").setLevel(logging.WARNING)
