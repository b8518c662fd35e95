"""OpenTelemetry tracing behind ``CMELEDGER_OTEL_TRACES_ENDPOINT``: with it set, each API request
becomes a server span named after its route template, sent over OTLP/HTTP to the collector (here
a local HTTP server that keeps what it receives); health checks are not traced."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import msgspec
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from services.core.settings import Settings
from tests.e2e.conftest import connected_client, sign_up

pytestmark = pytest.mark.e2e


class Collector(BaseHTTPRequestHandler):
    received: ClassVar[list[ExportTraceServiceRequest]] = []

    def do_POST(self) -> None:
        request = ExportTraceServiceRequest()
        request.ParseFromString(self.rfile.read(int(self.headers["Content-Length"])))
        Collector.received.append(request)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return


@pytest.fixture
def collector() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Collector.received.clear()
    yield f"http://127.0.0.1:{server.server_port}/v1/traces"
    server.shutdown()
    server.server_close()


def span_names() -> list[str]:
    return [
        span.name
        for request in Collector.received
        for resource in request.resource_spans
        for scope in resource.scope_spans
        for span in scope.spans
    ]


async def test_requests_are_traced_by_route_when_an_endpoint_is_set(
    migrated: Settings, collector: str
) -> None:
    settings = msgspec.structs.replace(migrated, otel_traces_endpoint=collector)
    async with connected_client(settings) as client:
        await sign_up(client)
        created = await client.post("/api/v1/people", json={"full_name": "Ada Byrne"})
        person_id = created.json()["person_id"]
        assert (await client.get(f"/api/v1/people/{person_id}")).status_code == 200
    # Leaving the client shut the app down, which sent the batched spans.
    names = span_names()
    assert "GET /api/v1/people/{person_id}" in names
    assert "POST /api/v1/organisations" in names
    assert not any(person_id in name or "/health" in name for name in names)


async def test_nothing_is_sent_without_an_endpoint(migrated: Settings, collector: str) -> None:
    assert migrated.otel_traces_endpoint is None
    async with connected_client(migrated) as client:
        await sign_up(client)
    assert span_names() == []
