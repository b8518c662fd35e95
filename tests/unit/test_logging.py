"""Logging: stdlib and server records go through structlog with the bound context."""

from __future__ import annotations

import json
import logging

import pytest
import structlog

from services.core.logging import configure_logging
from services.core.settings import load_settings

pytestmark = pytest.mark.unit


def test_stdlib_records_are_json_with_context_in_production(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(
        load_settings({"CMELEDGER_ENVIRONMENT": "production", "CMELEDGER_SECRET_KEY": "s" * 40})
    )
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
