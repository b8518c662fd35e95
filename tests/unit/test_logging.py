"""Logging: stdlib and server records go through structlog with the bound context."""

from __future__ import annotations

import json
import logging

import pytest
import structlog

from services.core.logging import configure_logging
from services.core.settings import load_settings

pytestmark = pytest.mark.unit


def _logging_in(environment: str) -> None:
    """Configure logging as the app does in ``environment`` (production needs a secret key)."""
    configure_logging(
        load_settings({"CMELEDGER_ENVIRONMENT": environment, "CMELEDGER_SECRET_KEY": "s" * 40})
    )


def test_stdlib_records_are_json_with_context_in_production(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _logging_in("production")
    structlog.contextvars.bind_contextvars(request_id="r-1", tenant_id="t-1", correlation_id="c-1")
    try:
        logging.getLogger("uvicorn.error").warning("server says %s", "hello")
        structlog.get_logger("cmeledger").info("app says", detail=3)
    finally:
        structlog.contextvars.clear_contextvars()
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(line["event"], line["logger"], line["level"]) for line in lines] == [
        ("server says hello", "uvicorn.error", "warning"),
        ("app says", "cmeledger", "info"),
    ]
    for line in lines:
        assert (line["request_id"], line["tenant_id"], line["correlation_id"]) == (
            "r-1",
            "t-1",
            "c-1",
        )
    assert lines[1]["detail"] == 3


def test_development_logs_are_human_readable(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(load_settings({}))
    structlog.get_logger("cmeledger").info("readable", person="p-1")
    err = capsys.readouterr().err
    assert "readable" in err
    assert "person" in err
    with pytest.raises(json.JSONDecodeError):
        json.loads(err.splitlines()[-1])


SECRETS = ("s3ss10n-id", "csrf-t0ken", "b3arer-t0ken", "hunter2-pass", "x-ap1-key")


@pytest.mark.parametrize("environment", ["development", "production"])
def test_secrets_are_masked_in_every_line_whatever_its_origin(
    capsys: pytest.CaptureFixture[str], environment: str
) -> None:
    _logging_in(environment)
    structlog.get_logger("cmeledger").warning(
        "request failed",
        headers=[(b"cookie", b"cmeledger_session=s3ss10n-id"), (b"accept", b"text/html")],
        body={"email": "a@example.org", "user": {"Password": "hunter2-pass"}},
        X_CSRFToken="csrf-t0ken",
    )
    logging.getLogger("uvicorn.error").error(
        "upstream said: Authorization: Bearer b3arer-t0ken; cookie: csrftoken=csrf-t0ken",
    )
    logging.getLogger("uvicorn.access").info('"GET /unsubscribe?token=x-ap1-key HTTP/1.1" 200')
    err = capsys.readouterr().err
    assert "a@example.org" in err, "what is not secret stays"
    assert "text/html" in err
    assert [secret for secret in SECRETS if secret in err] == []
    assert err.count("[redacted]") >= len(SECRETS)


def _fail_holding_a_secret() -> None:
    session_cookie = "cmeledger_session=s3ss10n-id"  # a local variable of the failing frame
    raise RuntimeError(f"failed after {len(session_cookie)} characters")


@pytest.mark.parametrize("environment", ["development", "production"])
def test_tracebacks_carry_no_local_variables(
    capsys: pytest.CaptureFixture[str], environment: str
) -> None:
    _logging_in(environment)
    try:
        _fail_holding_a_secret()
    except RuntimeError:
        structlog.get_logger("cmeledger").exception("handler failed")
    err = capsys.readouterr().err
    assert "RuntimeError: failed after 28 characters" in err
    assert "_fail_holding_a_secret" in err
    assert "s3ss10n-id" not in err
    assert "session_cookie =" not in err
