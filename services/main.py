"""The ``cmeledger`` command: one entry point for every process and maintenance task."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar
from uuid import UUID

import click
import msgspec
import structlog

from services.core.db import Database
from services.core.logging import configure_logging
from services.core.metrics import serve_metrics
from services.core.registry import build_event_store
from services.core.settings import Settings, SettingsError, load_settings

T = TypeVar("T")
MIGRATIONS = Path(__file__).parent / "core" / "migrations"


def _run(coro_factory: Callable[[Database], Awaitable[T]], settings: Settings) -> T:
    async def main() -> T:
        database = Database(settings)
        try:
            return await coro_factory(database)
        finally:
            await database.dispose()

    return asyncio.run(main())


async def list_tenants(database: Database) -> list[UUID]:
    """Every registered tenant (the registry is global; its rows carry no tenant data)."""
    async with database.transaction(None) as tx:
        rows = await tx.pg.fetch("SELECT tenant_id FROM tenants ORDER BY tenant_id")
    return [row["tenant_id"] for row in rows]


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """CME Ledger: continuing-education compliance for imaging staff."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.ClickException(f"invalid setting: {exc}") from None
    configure_logging(settings)
    ctx.obj = settings


@main.command()
@click.option(
    "--to",
    "revision",
    default="heads",
    show_default=True,
    help="Stop at this revision (a release that contracts migrates in two steps).",
)
@click.pass_obj
def migrate(settings: Settings, revision: str) -> None:
    """Apply database migrations as the owner role."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["owner_database_url"] = settings.owner_database_url
    config.attributes["app_role"] = settings.app_role
    command.upgrade(config, revision)
    structlog.get_logger("cmeledger").info("migrated", revision=revision)


@main.command()
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="API processes sharing the port (each builds the app from CMELEDGER_* settings).",
)
@click.pass_obj
def serve(settings: Settings, workers: int) -> None:
    """Serve the API on CMELEDGER_HOST:CMELEDGER_PORT."""
    import uvicorn

    from services.api.app import create_app

    if workers == 1:
        serve_metrics(settings)
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)
    else:
        # Worker processes each have their own metrics registry and one port cannot serve them
        # all: in production each API process runs alone in its container (metrics included);
        # several workers on one port are for one host without metrics (benchmarks, small sites).
        uvicorn.run(
            "services.api.app:app_from_environment",
            factory=True,
            workers=workers,
            host=settings.host,
            port=settings.port,
            log_config=None,
        )


@main.command("verify-chain")
@click.option("--tenant", type=click.UUID, help="Verify one tenant (default: every tenant).")
@click.pass_obj
def verify_chain_command(settings: Settings, tenant: UUID | None) -> None:
    """Recompute every tenant's hash chain; exit 1 at the first broken link."""
    from services.core.eventsourcing.chain_check import verify_chain

    store = build_event_store()

    async def verify(database: Database) -> bool:
        intact = True
        for tenant_id in [tenant] if tenant else await list_tenants(database):
            async with database.transaction(tenant_id) as tx:
                report = await verify_chain(tx, store)
            click.echo(msgspec.json.encode(report).decode())
            intact = intact and report.ok
        return intact

    if not _run(verify, settings):
        sys.exit(1)


@main.command("rebuild-projections")
@click.option("--tenant", type=click.UUID, help="Rebuild one tenant (default: every tenant).")
@click.pass_obj
def rebuild_projections(settings: Settings, tenant: UUID | None) -> None:
    """Drop and replay every projection, one tenant per transaction; report events/s."""
    from services.core.projections import ProjectionRunner

    store = build_event_store()
    assert isinstance(store.projections, ProjectionRunner)
    runner = store.projections

    async def rebuild(database: Database) -> None:
        total, started = 0, time.perf_counter()
        for tenant_id in [tenant] if tenant else await list_tenants(database):
            async with database.transaction(tenant_id) as tx:
                await store.lock_head(tx)
                replayed = await runner.rebuild(tx)
            total += replayed
            click.echo(f"tenant {tenant_id}: {replayed} events replayed")
        elapsed = time.perf_counter() - started
        rate = total / elapsed if elapsed else 0.0
        click.echo(f"rebuilt {total} events in {elapsed:.2f} s ({rate:,.0f} events/s)")

    _run(rebuild, settings)


@main.command()
@click.option("--tenant", type=click.UUID, help="Re-evaluate one tenant (default: every tenant).")
@click.option("--person", type=click.UUID, help="Re-evaluate one person (default: everyone).")
@click.pass_obj
def reevaluate(settings: Settings, tenant: UUID | None, person: UUID | None) -> None:
    """Re-run evaluate() as of today with the current rule packs and store the obligations
    (after a rule pack version changes, or to move people into their new cycle)."""
    from services.core.eventsourcing.store import utc_now
    from services.core.projections.obligations import evaluate_people

    store = build_event_store()

    async def run(database: Database) -> None:
        today = utc_now().date()
        for tenant_id in [tenant] if tenant else await list_tenants(database):
            async with database.transaction(tenant_id) as tx:
                await store.lock_head(tx)  # no append re-evaluates anyone meanwhile
                people = (
                    [person]
                    if person
                    else await tx.pg.fetchval(
                        "SELECT coalesce(array_agg(person_id), '{}') FROM people"
                        " WHERE tenant_id = $1",
                        tenant_id,
                    )
                )
                count = await evaluate_people(tx, dict.fromkeys(people, today))
            click.echo(f"tenant {tenant_id}: {count} people re-evaluated as of {today}")

    _run(run, settings)


@main.command()
@click.option("--poll-interval", default=5.0, show_default=True, help="Seconds between polls.")
@click.pass_obj
def relay(settings: Settings, poll_interval: float) -> None:
    """Publish subscribed events to the broker (woken by NOTIFY, polling as a fallback)."""
    from services.worker.actors import declare_actors
    from services.worker.broker import build_broker
    from services.worker.relay import Relay

    broker = build_broker(settings)
    subscriptions = declare_actors(broker, queue_name=settings.broker_queue)
    serve_metrics(settings)

    async def run(database: Database) -> None:
        await Relay(database, broker, subscriptions).run(
            lambda: list_tenants(database), poll_interval=poll_interval
        )

    try:
        _run(run, settings)
    finally:
        broker.close()


@main.command()
@click.option("--actor", "actor_name", required=True, help="e.g. verify_certificate")
@click.option("--tenant", type=click.UUID, help="One organisation (default: all).")
@click.pass_obj
def republish(settings: Settings, actor_name: str, tenant: UUID | None) -> None:
    """Publish past events again for one actor (a backfill after subscribing it, e.g. to verify
    certificates uploaded before verification existed); duplicates are ignored by the actor."""
    from services.worker.actors import declare_actors
    from services.worker.broker import build_broker
    from services.worker.relay import Relay

    broker = build_broker(settings)
    subscriptions = declare_actors(broker, queue_name=settings.broker_queue)

    async def run(database: Database) -> int:
        relay = Relay(database, broker, subscriptions)
        tenants = [tenant] if tenant else await list_tenants(database)
        return sum([await relay.republish(t, actor_name) for t in tenants])

    try:
        click.echo(f"{_run(run, settings)} messages published for {actor_name}")
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    finally:
        broker.close()


@main.command()
@click.option("--interval", default=60.0, show_default=True, help="Seconds between ticks.")
@click.option("--once", is_flag=True, help="Run one tick and exit.")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="With --once: tick as at this day's run hour (CMELEDGER_REMINDER_HOUR_UTC).",
)
@click.pass_obj
def scheduler(settings: Settings, interval: float, once: bool, day: datetime | None) -> None:
    """Enqueue the periodic runs: daily deadline reminders and the weekly digest, once per
    organisation and day however many schedulers run."""
    from services.worker.actors import declare_actors
    from services.worker.broker import build_broker
    from services.worker.scheduler import Scheduler

    if day is not None and not once:
        raise click.UsageError("--date needs --once")
    broker = build_broker(settings)
    declare_actors(broker, queue_name=settings.broker_queue)
    if not once:
        serve_metrics(settings)

    async def run(database: Database) -> None:
        periodic = Scheduler(database, broker, settings)
        if not once:
            await periodic.run(lambda: list_tenants(database), interval=interval)
            return
        now = None if day is None else periodic.at_hour(day.date())
        click.echo(f"{await periodic.tick(await list_tenants(database), now)} runs enqueued")

    try:
        _run(run, settings)
    finally:
        broker.close()


@main.command()
@click.option("--threads", default=4, show_default=True, help="Worker threads.")
@click.pass_obj
def worker(settings: Settings, threads: int) -> None:
    """Run the Dramatiq actors in this process until SIGINT/SIGTERM."""
    import signal
    import threading

    import dramatiq

    from services.core.reading.process import start_fork_server
    from services.worker.actors import declare_actors
    from services.worker.broker import SHUTDOWN_TIMEOUT_MS, build_broker

    start_fork_server()
    serve_metrics(settings)
    broker = build_broker(settings)
    declare_actors(broker, queue_name=settings.broker_queue)
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    dramatiq_worker = dramatiq.Worker(broker, worker_threads=threads)
    dramatiq_worker.start()
    structlog.get_logger("cmeledger").info("worker started", actors=broker.get_declared_actors())
    stopping.wait()
    dramatiq_worker.stop(timeout=SHUTDOWN_TIMEOUT_MS)
    broker.close()


@main.command("dead-letters")
@click.option("--tenant", type=click.UUID, required=True)
@click.option("--replay", is_flag=True, help="Put the tenant's dead letters back on the queue.")
@click.pass_obj
def dead_letters_command(settings: Settings, tenant: UUID, replay: bool) -> None:
    """List a tenant's messages in the dead-letter queue of CMELEDGER_BROKER_QUEUE (with
    --replay: put them back on the queue and list those replayed)."""
    import pika

    from services.core.operations.dead_letters import DeadLetter, scan

    async def run(database: Database) -> list[DeadLetter]:
        replayed: list[DeadLetter] = []
        async with database.transaction(tenant) as tx:
            kept = await scan(
                tx,
                pika.URLParameters(settings.broker_url),
                settings.broker_queue,
                replay=lambda _letter: replay,
                on_replayed=replayed.append,
            )
        return replayed if replay else kept

    for letter in _run(run, settings):
        click.echo(msgspec.json.encode(letter).decode())


@main.group()
def billing() -> None:
    """Billing maintenance."""


@billing.command("reconcile")
@click.option("--tenant", type=click.UUID, help="One organisation (default: every one).")
@click.pass_obj
def billing_reconcile(settings: Settings, tenant: UUID | None) -> None:
    """Compare each organisation's seats with its Stripe subscription and repair a drift
    (recorded in its history), as the daily run does."""
    from uuid import uuid5

    from services.core.application import Actor, Application
    from services.core.billing.jobs import reconcile
    from services.core.eventsourcing.store import utc_now
    from services.worker.runtime import MESSAGE_NAMESPACE, command_ids_from

    store = build_event_store()
    started = utc_now().isoformat()

    async def run(database: Database) -> None:
        application = Application(database=database, store=store, settings=settings)
        for tenant_id in [tenant] if tenant else await list_tenants(database):
            run_id = uuid5(MESSAGE_NAMESPACE, f"{tenant_id}:billing reconcile:{started}")
            actor = Actor(role="system", name="billing_reconcile", tenant_id=tenant_id)
            found = await application.use_cases(actor, command_ids_from(run_id)).run(
                reconcile, str(run_id)
            )
            click.echo(f"tenant {tenant_id}: {msgspec.json.encode(found).decode()}")

    _run(run, settings)


@main.command()
@click.option(
    "--to",
    "target",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="A new (or empty) directory for the backup.",
)
@click.pass_obj
def backup(settings: Settings, target: Path) -> None:
    """Back up the database (pg_dump, custom format) and every certificate file, with a
    manifest of their SHA-256 hashes; as the backup role (CMELEDGER_BACKUP_DATABASE_URL)."""
    from services.core.blobs import build_blob_store
    from services.core.operations import backup as backups

    try:
        manifest = asyncio.run(
            backups.backup(settings.backup_database_url, build_blob_store(settings), target)
        )
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"backed up migration {manifest.migration}: database {manifest.database.bytes} bytes, "
        f"{len(manifest.blobs)} certificate files, to {target}"
    )


@main.command()
@click.option(
    "--from",
    "source",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="A directory written by `cmeledger backup`.",
)
@click.option(
    "--database",
    required=True,
    help="An existing, empty database owned by the owner role, on the backup role's server.",
)
@click.pass_obj
def restore(settings: Settings, source: Path, database: str) -> None:
    """Check a backup against its manifest, restore its database into DATABASE (all or
    nothing) and its certificate files into the configured store; then run verify-chain."""
    from services.core.blobs import build_blob_store
    from services.core.operations import backup as backups

    try:
        manifest = asyncio.run(
            backups.restore(
                settings.backup_database_url, build_blob_store(settings), source, database
            )
        )
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"restored migration {manifest.migration} from {manifest.created_at:%Y-%m-%d %H:%M} UTC "
        f"into {database}, with {len(manifest.blobs)} certificate files"
    )


@main.command("seed-demo")
@click.pass_obj
def seed_demo_command(settings: Settings) -> None:
    """Create the demo organisation (or complete it) and print its four logins; refused in
    production."""
    from services.core.blobs import build_blob_store
    from services.core.demo_seed import DemoRefused, logins_table, seed_demo

    store, blobs = build_event_store(), build_blob_store(settings)
    try:
        created = _run(lambda database: seed_demo(settings, database, store, blobs), settings)
    except DemoRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(logins_table(created))


if __name__ == "__main__":
    main()
