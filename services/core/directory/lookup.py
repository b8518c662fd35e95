"""Provider look-up: which CE provider a name printed on a certificate stands for.

``ProviderLookup`` is the port; ``DirectoryLookup`` answers from the seed directory and a
tenant's own entries, ``HttpProviderLookup`` asks an external directory service, and
``ChainedLookup`` asks several in turn (the first answer wins). A look-up never raises to its
caller: a failing service is logged and counts as "not found", so the certificate goes to
review instead of being verified.

The HTTP contract: ``GET {base_url}?name=<printed name>`` answers 200 with
``{"provider_id": str, "name": str, "aliases": [str, ...]}`` (``aliases`` optional) for a
match, and 404 (or 200 with ``null``) for none.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol
from urllib.parse import urlsplit

import httpx
import msgspec
import structlog
from rapidfuzz import fuzz

from domain.credits.names import ocr_fold
from domain.credits.providers import ProviderDirectory, ProviderEntry
from domain.credits.verification import ProviderMatch
from services.core.settings import Settings

MAX_QUERY_CHARS = 200
MAX_RESPONSE_BYTES = 64 * 1024
log = structlog.get_logger("cmeledger.providers")


class ProviderLookup(Protocol):
    async def find(self, name: str) -> ProviderMatch | None:
        """The provider ``name`` stands for, or None (also when the look-up failed)."""
        ...


def provider_similarity(a: str, b: str) -> float:
    """``domain.credits.names.similarity`` by rapidfuzz: the same measure (twice the letters in
    common over the letters of both, once OCR confusions are folded), many times faster."""
    return fuzz.ratio(ocr_fold(a), ocr_fold(b)) / 100


class DirectoryLookup:
    """The seed directory with a tenant's entries; misread words compared by rapidfuzz."""

    def __init__(self, tenant_entries: Iterable[ProviderEntry] = ()) -> None:
        self._directory = ProviderDirectory.with_tenant(tenant_entries, provider_similarity)

    async def find(self, name: str) -> ProviderMatch | None:
        return self._directory.find(name)


class _Answer(msgspec.Struct, frozen=True):
    provider_id: str
    name: str
    aliases: tuple[str, ...] = ()


class HttpProviderLookup:
    """An external directory over HTTP (see the module docstring). ``source`` names it in the
    matches it returns; ``client`` may be shared, else one is opened per look-up."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float = 5.0,
        source: str | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.base_url = base_url
        self.timeout_s = timeout_s
        self.source = source or f"http:{urlsplit(base_url).hostname}"
        self._client = client

    async def find(self, name: str) -> ProviderMatch | None:
        query = " ".join(name.split())[:MAX_QUERY_CHARS]
        if not query:
            return None
        try:
            if self._client is not None:
                response = await self._get(self._client, query)
            else:
                async with httpx.AsyncClient() as client:
                    response = await self._get(client, query)
        except httpx.HTTPError as exc:
            log.warning("provider look-up failed", url=self.base_url, error=repr(exc))
            return None
        if response.status_code == 404:
            return None
        if response.status_code != 200 or len(response.content) > MAX_RESPONSE_BYTES:
            log.warning(
                "provider look-up refused",
                url=self.base_url,
                status=response.status_code,
                size=len(response.content),
            )
            return None
        try:
            answer = msgspec.json.decode(response.content, type=_Answer | None)
        except msgspec.DecodeError as exc:
            log.warning("provider look-up answered nonsense", url=self.base_url, error=str(exc))
            return None
        if answer is None:
            return None
        return ProviderMatch(
            provider_id=answer.provider_id,
            name=answer.name,
            source=self.source,
            aliases=answer.aliases,
        )

    async def _get(self, client: httpx.AsyncClient, query: str) -> httpx.Response:
        return await client.get(
            self.base_url,
            params={"name": query},
            timeout=self.timeout_s,
            headers={"Accept": "application/json"},
            follow_redirects=False,
        )


class ChainedLookup:
    """Asks each look-up in turn; the first that finds the provider answers."""

    def __init__(self, *lookups: ProviderLookup) -> None:
        self.lookups = lookups

    async def find(self, name: str) -> ProviderMatch | None:
        for lookup in self.lookups:
            if (match := await lookup.find(name)) is not None:
                return match
        return None


def build_provider_lookup(
    settings: Settings,
    tenant_entries: Iterable[ProviderEntry] = (),
    *,
    client: httpx.AsyncClient | None = None,
) -> ProviderLookup:
    """The directory with the tenant's entries, then the HTTP directory if one is configured
    (``CMELEDGER_PROVIDER_LOOKUP_URL``)."""
    directory = DirectoryLookup(tenant_entries)
    if settings.provider_lookup_url is None:
        return directory
    remote = HttpProviderLookup(
        settings.provider_lookup_url, timeout_s=settings.provider_lookup_timeout_s, client=client
    )
    return ChainedLookup(directory, remote)
