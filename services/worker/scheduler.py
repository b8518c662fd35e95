"""The scheduler: enqueues the periodic runs, one Dramatiq message per tenant, job and day.

Due at a moment ``now`` (UTC): the deadline reminders and the billing reconciliation of
``now``'s day, from ``settings.reminder_hour_utc`` on; the weekly digest of the latest
``settings.digest_weekday`` up to that day, from that day's hour on, so a digest missed while no
scheduler ran goes out late rather than never (only the latest week's: an older one would be stale).

Once per (tenant, job, day): the scheduler records the run in the tenant's ``scheduled_runs``
and enqueues its message (waiting for RabbitMQ's confirm) in one transaction. A second scheduler
blocks on that row until the first commits, then skips the run; if the enqueue fails nothing is
recorded and the next tick tries again; a crash between the confirm and the commit enqueues the
run again next tick under the same message id (derived from tenant, job and day), and the
actors are idempotent. Reminders of a day no run reached are not lost either: the next day's
run sends the most urgent reminder still due (``domain.notifications.reminders``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, time
from uuid import UUID

import dramatiq
import structlog
from dramatiq.errors import BrokerConnectionError

from domain.notifications.digest import digest_day
from services.core.db import Database
from services.core.eventsourcing.store import Clock, utc_now
from services.core.settings import WEEKDAYS, Settings
from services.worker.runtime import Run, run_message_id

REMINDERS = "send_reminders"
DIGEST = "send_digest"
RECONCILE = "reconcile_billing"

log = structlog.get_logger("cmeledger.scheduler")


def due_runs(now: datetime, *, hour: int, weekday: int) -> list[Run]:
    """The runs due at ``now`` (see the module's docstring); ``weekday``: Monday is 0."""
    now = now.astimezone(UTC)
    today, started = now.date(), now.hour >= hour
    week_day = digest_day(today, weekday)
    runs = [Run(REMINDERS, today), Run(RECONCILE, today)] if started else []
    if week_day < today or started:
        runs.append(Run(DIGEST, week_day))
    return runs


class Scheduler:
    def __init__(
        self,
        database: Database,
        broker: dramatiq.Broker,
        settings: Settings,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self.database = database
        self.broker = broker
        self.hour = settings.reminder_hour_utc
        self.weekday = WEEKDAYS.index(settings.digest_weekday)
        self.clock = clock
        self._enqueued: set[tuple[UUID, Run]] = set()
        """Runs this process enqueued or found enqueued (saves asking the database again)."""

    def at_hour(self, day: date) -> datetime:
        """The moment of ``day``'s runs (for running the tick of a given day)."""
        return datetime.combine(day, time(hour=self.hour), UTC)

    async def tick(self, tenants: Sequence[UUID], now: datetime | None = None) -> int:
        """Enqueue every run due at ``now`` (default: the clock's) for each of ``tenants`` that
        no scheduler enqueued before; the number of messages enqueued."""
        runs = due_runs(now or self.clock(), hour=self.hour, weekday=self.weekday)
        self._enqueued = {done for done in self._enqueued if done[1] in runs}
        enqueued = 0
        for tenant in tenants:
            for run in runs:
                if (tenant, run) not in self._enqueued:
                    enqueued += await self._enqueue_once(tenant, run)
                    self._enqueued.add((tenant, run))
        if enqueued:
            log.info("runs enqueued", messages=enqueued, runs=[r.actor_name for r in runs])
        return enqueued

    async def _enqueue_once(self, tenant: UUID, run: Run) -> bool:
        message_id = run_message_id(tenant, run)
        async with self.database.transaction(tenant) as tx:
            first = await tx.pg.fetchval(
                "INSERT INTO scheduled_runs (tenant_id, job, run_on) VALUES ($1, $2, $3)"
                " ON CONFLICT DO NOTHING RETURNING true",
                tenant,
                run.actor_name,
                run.run_on,
            )
            if not first:
                return False
            message = self.broker.get_actor(run.actor_name).message_with_options(
                kwargs={
                    "tenant_id": str(tenant),
                    "run_on": run.run_on.isoformat(),
                    "correlation_id": message_id,
                },
                tenant_id=str(tenant),
                correlation_id=message_id,
            )
            await asyncio.to_thread(self.broker.enqueue, message.copy(message_id=message_id))
        return True

    async def run(
        self,
        list_tenants: Callable[[], Awaitable[list[UUID]]],
        *,
        interval: float = 60.0,
        stop: asyncio.Event | None = None,
    ) -> None:
        """Tick every ``interval`` seconds until ``stop`` is set; an unreachable broker is
        logged and tried again next tick."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                await self.tick(await list_tenants())
            except BrokerConnectionError:
                log.warning("broker unreachable; trying again next tick", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
