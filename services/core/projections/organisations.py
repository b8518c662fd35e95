"""Read models ``organisations`` and ``memberships`` (with the organisation's name, so a user
can pick among their organisations at sign-in)."""

from __future__ import annotations

from collections.abc import Sequence

from services.core.db import Tx
from services.core.eventsourcing.store import RecordedEvent


class Organisations:
    name = "organisations"
    tables: tuple[str, ...] = ("invitations", "memberships", "organisations")
    event_types: frozenset[str] | None = frozenset(
        {
            "organisations.OrganisationOpened",
            "organisations.MemberAdded",
            "organisations.MemberRoleChanged",
            "organisations.MemberRemoved",
            "organisations.MemberInvited",
            "organisations.InvitationAccepted",
            "organisations.InvitationRevoked",
            "organisations.AuditorAccessChanged",
            "organisations.TimeZoneChosen",
            "organisations.PendingCreditsCountingChosen",
        }
    )

    async def apply(self, tx: Tx, events: Sequence[RecordedEvent]) -> None:
        tenant = tx.require_tenant()
        for event in events:
            data = event.data
            match event.event_type:
                case "organisations.OrganisationOpened":
                    await tx.pg.execute(
                        "INSERT INTO organisations (tenant_id, name, slug) VALUES ($1, $2, $3)",
                        tenant,
                        data["name"],
                        data["slug"],
                    )
                case "organisations.MemberAdded":
                    await tx.pg.execute(
                        "INSERT INTO memberships (tenant_id, user_id, email, role,"
                        " organisation_name, person_id, access_until, time_zone)"
                        " SELECT $1, $2, $3, $4, name, $5, $6::text::timestamptz, time_zone"
                        " FROM organisations WHERE tenant_id = $1",
                        tenant,
                        data["user_id"],
                        data["email"],
                        data["role"],
                        data.get("person_id") or data["user_id"],
                        data.get("access_until"),
                    )
                case "organisations.TimeZoneChosen":
                    for table in ("organisations", "memberships"):
                        await tx.pg.execute(
                            f"UPDATE {table} SET time_zone = $2 WHERE tenant_id = $1",  # noqa: S608
                            tenant,
                            data["time_zone"],
                        )
                case "organisations.PendingCreditsCountingChosen":
                    await tx.pg.execute(
                        "UPDATE organisations SET count_pending_credits = $2 WHERE tenant_id = $1",
                        tenant,
                        data["count_pending"],
                    )
                case "organisations.AuditorAccessChanged":
                    await tx.pg.execute(
                        "UPDATE memberships SET access_until = $3::text::timestamptz"
                        " WHERE tenant_id = $1 AND user_id = $2",
                        tenant,
                        data["user_id"],
                        data["access_until"],
                    )
                case "organisations.MemberRoleChanged":
                    await tx.pg.execute(
                        "UPDATE memberships SET role = $3 WHERE tenant_id = $1 AND user_id = $2",
                        tenant,
                        data["user_id"],
                        data["role"],
                    )
                case "organisations.MemberRemoved":
                    await tx.pg.execute(
                        "DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2",
                        tenant,
                        data["user_id"],
                    )
                case "organisations.MemberInvited":
                    await tx.pg.execute(
                        "INSERT INTO invitations (tenant_id, invitation_id, email, role,"
                        " token_hash, expires_at, status)"
                        " VALUES ($1, $2, $3, $4, $5, $6::text::timestamptz, 'pending')",
                        tenant,
                        data["invitation_id"],
                        data["email"],
                        data["role"],
                        data["token_hash"],
                        data["expires_at"],
                    )
                case "organisations.InvitationAccepted" | "organisations.InvitationRevoked":
                    status = "accepted" if event.event_type.endswith("Accepted") else "revoked"
                    await tx.pg.execute(
                        "UPDATE invitations SET status = $3"
                        " WHERE tenant_id = $1 AND invitation_id = $2",
                        tenant,
                        data["invitation_id"],
                        status,
                    )
