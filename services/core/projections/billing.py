"""Read models ``billing_accounts`` (one row per organisation) and ``billing_invoices``."""

from __future__ import annotations

from collections.abc import Sequence

from services.core.db import Tx
from services.core.eventsourcing.store import RecordedEvent

UPSERT = "INSERT INTO billing_accounts (tenant_id) VALUES ($1) ON CONFLICT (tenant_id) DO NOTHING"


class BillingAccounts:
    name = "billing"
    tables: tuple[str, ...] = ("billing_invoices", "billing_accounts")
    event_types: frozenset[str] | None = frozenset(
        {
            "billing.TrialStarted",
            "billing.CustomerLinked",
            "billing.SubscriptionObserved",
            "billing.PaymentOverdue",
            "billing.PaymentRestored",
            "billing.InvoiceObserved",
            "billing.SeatsPushed",
            "billing.SeatDriftRepaired",
        }
    )

    async def apply(self, tx: Tx, events: Sequence[RecordedEvent]) -> None:
        tenant = tx.require_tenant()
        for event in events:
            data = event.data
            await tx.pg.execute(UPSERT, tenant)
            match event.event_type:
                case "billing.TrialStarted":
                    await self._set(
                        tx, "trial_ends_at = $2::text::timestamptz", data["trial_ends_at"]
                    )
                case "billing.CustomerLinked":
                    await self._set(tx, "customer_id = $2", data["customer_id"])
                case "billing.SubscriptionObserved":
                    sub = data["subscription"]
                    await tx.pg.execute(
                        "UPDATE billing_accounts SET subscription_id = $2, status = $3,"
                        " plan_interval = $4, quantity = $5,"
                        " current_period_end = $6::text::timestamptz,"
                        " subscription_trial_end = $7::text::timestamptz,"
                        " cancel_at_period_end = $8 WHERE tenant_id = $1",
                        tenant,
                        sub["subscription_id"],
                        sub["status"],
                        sub.get("interval"),
                        sub["quantity"],
                        sub.get("current_period_end"),
                        sub.get("trial_end"),
                        sub.get("cancel_at_period_end", False),
                    )
                case "billing.PaymentOverdue":
                    await self._set(tx, "overdue_since = $2::text::timestamptz", data["since"])
                case "billing.PaymentRestored":
                    await self._set(tx, "overdue_since = $2", None)
                case "billing.SeatsPushed" | "billing.SeatDriftRepaired":
                    await tx.pg.execute(
                        "UPDATE billing_accounts SET seats = $2, seats_pushed_at = $3"
                        " WHERE tenant_id = $1",
                        tenant,
                        data["quantity"],
                        event.recorded_at,
                    )
                case "billing.InvoiceObserved":
                    invoice = data["invoice"]
                    await tx.pg.execute(
                        "INSERT INTO billing_invoices (tenant_id, invoice_id, status, amount_due,"
                        " amount_paid, currency, created)"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7::text::timestamptz)"
                        " ON CONFLICT (tenant_id, invoice_id) DO UPDATE SET status = $3,"
                        " amount_due = $4, amount_paid = $5",
                        tenant,
                        invoice["invoice_id"],
                        invoice["status"],
                        invoice["amount_due"],
                        invoice["amount_paid"],
                        invoice["currency"],
                        invoice["created"],
                    )

    @staticmethod
    async def _set(tx: Tx, assignment: str, value: object) -> None:
        await tx.pg.execute(
            f"UPDATE billing_accounts SET {assignment} WHERE tenant_id = $1",  # noqa: S608 (constant)
            tx.require_tenant(),
            value,
        )
