"""Reading the billing read models (``billing_accounts``, ``billing_invoices``) and the seats."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from domain.billing.account import BillingAccount, Invoice, Subscription
from services.core.db import Database, Tx

CUSTOMER_SETTING = "app.stripe_customer_id"
"""The transaction setting the ``by_stripe_customer`` policy reads."""


READ_ACCOUNT = "SELECT * FROM billing_accounts WHERE tenant_id = $1"
LOCK_ACCOUNT = READ_ACCOUNT + " FOR UPDATE"


class AccountRow(msgspec.Struct, frozen=True, kw_only=True):
    account: BillingAccount
    seats_pushed_at: datetime | None


def _account(row: asyncpg.Record) -> AccountRow:
    data = dict(row)
    data["interval"], data["trial_end"] = data["plan_interval"], data["subscription_trial_end"]
    if data["subscription_id"] is not None:
        data["subscription"] = msgspec.convert(data, Subscription)
    return AccountRow(
        account=msgspec.convert(data, BillingAccount),
        seats_pushed_at=data["seats_pushed_at"],
    )


async def account(tx: Tx, *, lock: bool = False) -> AccountRow | None:
    """The organisation's billing account (None before its trial started); with ``lock``, held
    until the transaction ends, so billing jobs of one organisation run one at a time."""
    tenant = tx.require_tenant()
    if lock:
        await tx.pg.execute(
            "INSERT INTO billing_accounts (tenant_id) VALUES ($1) ON CONFLICT DO NOTHING", tenant
        )
    row = await tx.pg.fetchrow(LOCK_ACCOUNT if lock else READ_ACCOUNT, tenant)
    return None if row is None else _account(row)


async def active_seats(tx: Tx) -> int:
    """The organisation's active staff records: its seats."""
    return int(
        await tx.pg.fetchval(
            "SELECT count(*) FROM people WHERE tenant_id = $1 AND active", tx.require_tenant()
        )
    )


async def invoices(tx: Tx) -> list[Invoice]:
    rows = await tx.pg.fetch(
        "SELECT invoice_id, status, amount_due, amount_paid, currency, created"
        " FROM billing_invoices WHERE tenant_id = $1 ORDER BY created DESC LIMIT 24",
        tx.require_tenant(),
    )
    return [Invoice(**dict(row)) for row in rows]


async def tenant_of_customer(database: Database, customer_id: str) -> UUID | None:
    """The organisation whose Stripe customer is ``customer_id`` (the row-level security policy
    ``by_stripe_customer`` shows that one row to whoever names the customer)."""
    async with database.transaction(None) as tx:
        await tx.pg.execute("SELECT set_config($1, $2, true)", CUSTOMER_SETTING, customer_id)
        found = await tx.pg.fetchval(
            "SELECT tenant_id FROM billing_accounts WHERE customer_id = $1", customer_id
        )
    return found if isinstance(found, UUID) else None
