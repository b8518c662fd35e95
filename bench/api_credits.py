"""API throughput benchmark: credits recorded per second through HTTP by concurrent clients.

    .venv/bin/python -m bench.api_credits [--clients 20] [--seconds 20] [--workers 2]
        [--database cmeledger_apibench]

Serves the API with ``cmeledger serve --workers N`` against a fresh database
(``cmeledger_apibench`` unless named; the production store: hash chain, row-level security,
every inline projection). Each client is an owner's API token recording credits for its own
person, as an integration would. The baseline, measured in the same run with the same clients
and processes, is ``GET /health``: the floor that HTTP and the server impose. Prints JSON:
credits/s and latency percentiles next to the baseline's, and checks afterwards that every
credit answered 201 is stored exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from uuid import uuid4

import httpx

from bench.database import fresh_database, settings_for
from services.core.db import Database
from services.core.settings import Settings
from tests.live_server import serving_process, unthrottled
from tests.support import credit_body

DATABASE = "cmeledger_apibench"
PASSWORD = "correct horse battery"


async def client_token(http: httpx.AsyncClient, base: str, n: int) -> tuple[str, str]:
    """A new organisation's owner: (API token secret, id of their person with an ARDMS RVT)."""
    await http.get(f"{base}/health")
    csrf = {"x-csrftoken": http.cookies["csrftoken"]}
    opened = await http.post(
        f"{base}/api/v1/organisations",
        headers=csrf,
        json={
            "organisation_name": f"Load Imaging {n}",
            "slug": f"load-{n}-{uuid4().hex[:8]}",
            "email": f"owner-{n}-{uuid4().hex[:8]}@example.org",
            "password": PASSWORD,
        },
    )
    opened.raise_for_status()
    person = await http.post(f"{base}/api/v1/people", headers=csrf, json={"full_name": "Ada Load"})
    person.raise_for_status()
    person_id = person.json()["person_id"]
    credential = await http.post(
        f"{base}/api/v1/people/{person_id}/credentials",
        headers=csrf,
        json={"body": "ARDMS", "code": "RVT", "earned_on": "2024-03-15", "specialties": ["VT"]},
    )
    credential.raise_for_status()
    token = await http.post(
        f"{base}/api/v1/tokens", headers=csrf, json={"name": "load", "scopes": ["read", "write"]}
    )
    token.raise_for_status()
    return token.json()["secret"], person_id


Request = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


async def drive(
    clients: list[tuple[httpx.AsyncClient, Request]], seconds: float, expect: int
) -> dict[str, float]:
    """Every client sends its request in a loop for ``seconds``; figures of the answers."""
    latencies: list[float] = []
    failures = 0
    stop = time.monotonic() + seconds

    async def loop(http: httpx.AsyncClient, request: Request) -> None:
        nonlocal failures
        n = 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            response = await request(http, n)
            latencies.append(time.perf_counter() - started)
            failures += response.status_code != expect
            n += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop(http, request) for http, request in clients))
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "failures": failures,
        "per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(cuts[49] * 1000, 1),
        "p95_ms": round(cuts[94] * 1000, 1),
        "p99_ms": round(cuts[98] * 1000, 1),
    }


async def stored_credits(settings: Settings) -> int:
    """Credits recorded in the database, over every tenant."""
    database = Database(settings)
    try:
        async with database.transaction(None) as tx:
            tenants = [row[0] for row in await tx.pg.fetch("SELECT tenant_id FROM tenants")]
        total = 0
        for tenant in tenants:
            async with database.transaction(tenant) as tx:
                total += await tx.pg.fetchval(
                    "SELECT count(*) FROM events WHERE event_type = 'credits.CreditRecorded'"
                )
        return total
    finally:
        await database.dispose()


async def run(
    clients: int, seconds: float, workers: int, port: int, database: str = DATABASE
) -> dict[str, object]:
    settings = settings_for(database)
    config = await fresh_database(settings)
    with serving_process(unthrottled(settings), port, workers=workers) as (base, _):
        limits = httpx.Limits(max_connections=1)
        sessions = [httpx.AsyncClient(timeout=30, limits=limits) for _ in range(clients)]
        try:
            owners = await asyncio.gather(
                *(client_token(http, base, n) for n, http in enumerate(sessions))
            )
            for http, (secret, _) in zip(sessions, owners, strict=True):
                http.cookies.clear()
                http.headers["authorization"] = f"Bearer {secret}"

            def recorder(person_id: str) -> Request:
                async def send(http: httpx.AsyncClient, n: int) -> httpx.Response:
                    return await http.post(
                        f"{base}/api/v1/people/{person_id}/credits", json=credit_body(n)
                    )

                return send

            async def health(http: httpx.AsyncClient, n: int) -> httpx.Response:
                return await http.get(f"{base}/health")

            baseline = await drive([(http, health) for http in sessions], seconds / 2, 200)
            credits = await drive(
                [(http, recorder(p)) for http, (_, p) in zip(sessions, owners, strict=True)],
                seconds,
                201,
            )
        finally:
            await asyncio.gather(*(http.aclose() for http in sessions))
    stored = await stored_credits(settings)
    return {
        "clients": clients,
        "api_processes": workers,
        "seconds": seconds,
        "baseline_get_health": baseline,
        "record_credit": credits,
        "ratio_to_baseline": round(credits["per_s"] / baseline["per_s"], 3),
        "stored_equals_answered": stored == credits["requests"] - credits["failures"],
        "postgres": config,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database", default=DATABASE, help="dropped and created afresh")
    args = parser.parse_args()
    figures = asyncio.run(run(args.clients, args.seconds, args.workers, args.port, args.database))
    print(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()
