"""A fake external provider directory: a small HTTP server on 127.0.0.1 that answers
``GET /providers?name=...`` from a ``ProviderDirectory``, as ``HttpProviderLookup`` expects,
plus paths that misbehave (slow, failing, nonsense, oversized, redirecting)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import msgspec

from domain.credits.providers import ProviderDirectory

SLOW_SECONDS = 2.0


@dataclass
class FakeDirectoryServer:
    base_url: str
    queries: list[str] = field(default_factory=list)
    """The ``name`` parameter of every request, in order."""

    def url(self, path: str = "/providers") -> str:
        return self.base_url + path


@contextmanager
def fake_directory_server(directory: ProviderDirectory) -> Iterator[FakeDirectoryServer]:
    """Serve ``directory`` on a free port for the duration of the block."""
    fake = FakeDirectoryServer(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            name = parse_qs(url.query).get("name", [""])[0]
            fake.queries.append(name)
            if url.path == "/providers":
                match = directory.find(name)
                if match is None:
                    self._answer(404, b'{"detail": "no such provider"}')
                else:
                    self._answer(200, msgspec.json.encode(match))
            elif url.path == "/slow":
                time.sleep(SLOW_SECONDS)
                self._answer(200, b"null")
            elif url.path == "/broken":
                self._answer(500, b'{"detail": "database is down"}')
            elif url.path == "/nonsense":
                self._answer(200, b"<html>not json</html>")
            elif url.path == "/wrong-shape":
                self._answer(200, json.dumps({"id": 7, "title": "SDMS"}).encode())
            elif url.path == "/oversized":
                self._answer(200, b"[" + b" " * (128 * 1024) + b"]")
            elif url.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", fake.url())
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._answer(404, b"null")

        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
