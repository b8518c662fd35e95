"""The app served for real: uvicorn in a thread of this process (its own event loop) on a free
local port, for tests that need a server a browser or an HTTP fuzzer can reach."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import msgspec
import uvicorn

from services.api.app import create_app
from services.core.settings import Settings


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
