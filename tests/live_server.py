"""The app served for real on a local port, for tests that need a server a browser or an HTTP
fuzzer can reach: uvicorn in a thread of this process (its own event loop), or ``cmeledger
serve`` as processes of their own (tests across API processes, and the benchmarks)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import msgspec
import uvicorn

from services.api.app import create_app
from services.core.settings import Settings
from tests.conftest import ROOT, settings_env

START_BOUND_S = 180
"""How long a served process may take to answer: a bound for a hang, as start-up is slow on a
loaded machine."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def unthrottled(settings: Settings, **changes: object) -> Settings:
    """``settings`` with ``changes`` and rate limits no test run reaches."""
    return msgspec.structs.replace(
        settings,
        rate_limit_per_user_per_minute=100_000,
        rate_limit_per_tenant_per_minute=100_000,
        **changes,
    )


@contextlib.contextmanager
def serving(settings: Settings, port: int) -> Iterator[str]:
    """The app of ``settings`` served on ``port`` until the block ends; its base URL."""
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_config=None)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def serving_process(
    settings: Settings, port: int, *, workers: int = 1, **env: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``cmeledger serve --workers N`` of ``settings`` (rate limits and secret key included,
    and the extra ``CMELEDGER_*`` variables ``env``) on ``port``, once it answers ``/health``,
    until the block ends: (its base URL, the server's process). Raises ``RuntimeError`` if
    the process exits or does not answer within ``START_BOUND_S``."""
    process = subprocess.Popen(
        [sys.executable, "-m", "services.main", "serve", "--workers", str(workers)],
        env={
            **settings_env(settings),
            "CMELEDGER_PORT": str(port),
            "CMELEDGER_SECRET_KEY": settings.secret_key,
            "CMELEDGER_LOG_LEVEL": "WARNING",
            "CMELEDGER_RATE_LIMIT_PER_USER_PER_MINUTE": str(
                settings.rate_limit_per_user_per_minute
            ),
            "CMELEDGER_RATE_LIMIT_PER_TENANT_PER_MINUTE": str(
                settings.rate_limit_per_tenant_per_minute
            ),
            **env,
        },
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_health(base, process)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_for_health(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_BOUND_S
    while True:
        if process.poll() is not None:
            raise RuntimeError("the API process exited")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the API process did not answer within {START_BOUND_S} s")
        time.sleep(0.1)
