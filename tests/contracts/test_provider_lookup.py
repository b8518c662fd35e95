"""The ProviderLookup contract, run against every adapter: the directory (seed + a tenant's
entries) and HTTP against a fake external directory serving the same entries. Then what the HTTP
adapter does when the service misbehaves: never raise, answer None and log why."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest
from structlog.testing import capture_logs

from domain.credits.providers import SEED_PROVIDERS, ProviderDirectory, ProviderEntry
from domain.credits.verification import ProviderMatch
from services.core.directory.lookup import (
    ChainedLookup,
    DirectoryLookup,
    HttpProviderLookup,
    ProviderLookup,
    build_provider_lookup,
)
from services.core.settings import load_settings
from tests.fakes.provider_directory import FakeDirectoryServer, fake_directory_server

pytestmark = pytest.mark.integration
LAKESIDE = ProviderEntry(
    provider_id="tenant-lakeside-imaging-education",
    name="Lakeside Imaging Education",
    aliases=("LIE CE",),
    credit_types=("sdms",),
    reference="SDMS approval letter on file",
    origin="tenant",
)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeDirectoryServer]:
    with fake_directory_server(ProviderDirectory.with_tenant([LAKESIDE])) as fake:
        yield fake


@pytest.fixture(params=["directory", "http"])
def lookup(request: pytest.FixtureRequest, server: FakeDirectoryServer) -> ProviderLookup:
    if request.param == "directory":
        return DirectoryLookup([LAKESIDE])
    return HttpProviderLookup(server.url(), timeout_s=2.0)


@pytest.mark.parametrize(
    ("printed", "provider_id"),
    [
        ("Society of Diagnostic Medical Sonography", "sdms"),
        ("SDMS", "sdms"),
        ("The Pegasus Lectures, Inc.", "pegasus-lectures"),
        ("Gulfcoast Ultrasound Institute, Tampa, FL 33612", "gulfcoast-ultrasound-institute"),
        ("Lakeside Imaging Education", "tenant-lakeside-imaging-education"),
        ("lie ce", "tenant-lakeside-imaging-education"),
    ],
)
async def test_a_listed_provider_is_found_with_its_canonical_name_and_aliases(
    lookup: ProviderLookup, printed: str, provider_id: str
) -> None:
    match = await lookup.find(printed)
    assert match is not None
    entry = next(e for e in (*SEED_PROVIDERS, LAKESIDE) if e.provider_id == provider_id)
    assert (match.provider_id, match.name, match.aliases) == (
        provider_id,
        entry.name,
        entry.aliases,
    )
    assert match.source


@pytest.mark.parametrize(
    "printed", ["Acme Academy, SDMS approved", "American College of Cardiology", "", "   "]
)
async def test_an_unlisted_or_blank_name_finds_nothing(
    lookup: ProviderLookup, printed: str
) -> None:
    assert await lookup.find(printed) is None


async def test_the_name_travels_intact_as_a_query_parameter(server: FakeDirectoryServer) -> None:
    lookup = HttpProviderLookup(server.url(), timeout_s=2.0)
    printed = "AHRA: The Association for Medical Imaging Management & Co?  #1"
    match = await lookup.find(printed)
    assert match is not None
    assert (match.provider_id, match.source) == ("ahra", "http:127.0.0.1")
    assert server.queries[-1] == "AHRA: The Association for Medical Imaging Management & Co? #1"


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/slow", "provider look-up failed"),
        ("/broken", "provider look-up refused"),
        ("/redirect", "provider look-up refused"),
        ("/oversized", "provider look-up refused"),
        ("/nonsense", "provider look-up answered nonsense"),
        ("/wrong-shape", "provider look-up answered nonsense"),
    ],
)
async def test_a_misbehaving_service_answers_none_and_is_logged(
    server: FakeDirectoryServer, path: str, logged: str
) -> None:
    lookup = HttpProviderLookup(server.url(path), timeout_s=0.3)
    with capture_logs() as logs:
        assert await lookup.find("SDMS") is None
    assert [entry["event"] for entry in logs] == [logged]
    assert logs[0]["url"] == server.url(path)


async def test_an_unreachable_service_answers_none_and_is_logged() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    lookup = HttpProviderLookup(f"http://127.0.0.1:{closed_port}/providers", timeout_s=0.5)
    with capture_logs() as logs:
        assert await lookup.find("SDMS") is None
    assert [entry["event"] for entry in logs] == ["provider look-up failed"]


async def test_a_shared_client_is_used_and_left_open(server: FakeDirectoryServer) -> None:
    async with httpx.AsyncClient() as client:
        lookup = HttpProviderLookup(server.url(), client=client)
        assert await lookup.find("SVU") is not None
        assert not client.is_closed


class _Fixed:
    def __init__(self, answer: ProviderMatch | None) -> None:
        self.answer, self.asked = answer, 0

    async def find(self, name: str) -> ProviderMatch | None:
        self.asked += 1
        return self.answer


async def test_a_chain_answers_with_the_first_lookup_that_finds_the_provider() -> None:
    remote = ProviderMatch(provider_id="remote-1", name="Remote CE", source="http:example")
    nothing, first, second = _Fixed(None), _Fixed(remote), _Fixed(remote)
    assert await ChainedLookup(nothing, first, second).find("Remote CE") == remote
    assert (nothing.asked, first.asked, second.asked) == (1, 1, 0)
    assert await ChainedLookup(nothing).find("Remote CE") is None


async def test_the_configured_lookup_asks_the_directory_first_then_the_service(
    server: FakeDirectoryServer,
) -> None:
    settings = load_settings({"CMELEDGER_PROVIDER_LOOKUP_URL": server.url()})
    lookup = build_provider_lookup(settings, [])
    seed = await lookup.find("SDMS")
    assert seed is not None
    assert seed.source == "seed"
    remote = await lookup.find("Lakeside Imaging Education")
    assert remote is not None
    assert (remote.provider_id, remote.source) == (LAKESIDE.provider_id, "http:127.0.0.1")
