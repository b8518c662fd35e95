"""Who has access: auditor access (owners grant it by invitation with an end date, extend it or
end it; admins see it), organisation settings (its name and address, members and their roles)
and each member's own mail preferences.

Members and invitations are read from the organisation's own history (the ``organisation``
stream folded with the domain's ``evolve``), so the page shows exactly what the decisions see;
every change goes through the same organisation handlers as the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response, Template

from domain.notifications.preferences import MAIL_CATEGORIES, MailCategory
from domain.organisations.organisation import (
    LONGEST_AUDIT,
    ChangeAuditorAccess,
    ChangeMemberRole,
    Member,
    Organisation,
    RemoveMember,
    Role,
    evolve,
)
from domain.shared.errors import DomainError
from domain.shared.event import fold
from services.api.auth import requires_role
from services.api.controllers.invitations import actor
from services.api.idempotency import request_command_id
from services.api.portal import vocabulary
from services.api.portal.forms import Form, read_form
from services.api.portal.pages import page, principal, see_other
from services.api.portal.staff import MANAGERS, invitation_link, invite_field
from services.api.portal.standing import day_text
from services.core.db import Tx
from services.core.eventstore import EventStore
from services.core.handlers import organisations as org
from services.core.handlers.organisations import ORGANISATION_STREAM
from services.core.identity import IdentityError
from services.core.mail import send_quietly
from services.core.notifications.preferences import change_mail_preferences, mail_preferences
from services.core.staff_invitations import SentInvitation, invite

OWNERS = requires_role("owner")
ROLE_CHOICES: Mapping[Role, str] = {
    role: vocabulary.ROLES[role] for role in ("employee", "admin", "owner")
}
"""Roles a member can be given here (auditors come and go by invitation, with an end date)."""
MAIL: Mapping[MailCategory, tuple[str, str]] = {
    "deadline_reminders": (
        "Deadline reminders",
        "As a deadline with credits missing comes near, and while it is overdue.",
    ),
    "weekly_digest": (
        "Weekly digest",
        "Owners and admins: the organisation's week in one mail.",
    ),
    "certificate_notifications": (
        "Certificate outcomes",
        "When a certificate of yours is verified, needs review or is rejected.",
    ),
}


async def organisation_state(tx: Tx, store: EventStore) -> Organisation:
    """The organisation as its history says it is now."""
    found = fold(evolve, map(store.decode, await store.read_stream(tx, ORGANISATION_STREAM)))
    assert found is not None  # every tenant's history opens with its organisation
    return found


def end_of_day(day: date) -> datetime:
    """Access "until" a day lasts to that day's end, UTC."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


def latest_access_day(now: datetime) -> date:
    """The last day an auditor's access can be granted or extended to from ``now``."""
    return (now + LONGEST_AUDIT).date() - timedelta(days=1)


def until_text(moment: datetime) -> str:
    """An end of access as people say it: "the end of 2 Oct 2026" for a midnight (UTC), else
    the day and the time."""
    moment = moment.astimezone(UTC)
    if moment.time() == time():
        return f"the end of {day_text(moment.date() - timedelta(days=1))}"
    return f"{day_text(moment.date())}, {moment:%H:%M} UTC"


def grant_form() -> Form:
    """The grant form, proposing thirty days."""
    return Form("grant", {"until": (datetime.now(UTC) + timedelta(days=30)).date().isoformat()})


def access_day(form: Form, now: datetime) -> date | None:
    """The end day typed, or None with the problem recorded on the form."""
    day = form.day("until", "last day of access")
    if day is None:
        return None
    if day < now.date():
        form.fail("until", "Choose today or a later day (to end access now, use End access)")
    elif day > latest_access_day(now):
        form.fail("until", "Auditor access lasts at most a year at a time: choose an earlier day")
    return day if form.ok else None


class AccessPages(Controller):
    path = "/access"
    include_in_schema = False

    @get("", guards=[MANAGERS])
    async def access(self, request: Request[Any, Any, Any], state: State) -> Template:
        """Auditors with their access window, and the auditor invitations still open."""
        return await self._page(request, state, grant_form())

    async def _page(
        self,
        request: Request[Any, Any, Any],
        state: State,
        grant: Form,
        *,
        change: Form | None = None,
        changed: UUID | None = None,
        sent: SentInvitation | None = None,
        status: int = 200,
    ) -> Template:
        now = datetime.now(UTC)
        async with state.database.transaction(principal(request).tenant_id) as tx:
            organisation = await organisation_state(tx, state.store)
        auditors = sorted(
            (m for m in organisation.members.values() if m.role == "auditor"),
            key=lambda m: (m.access_until or now) < now,
        )
        return await page(
            request,
            "organisation/access.html",
            auditors=auditors,
            invitations=[
                i
                for i in organisation.invitations.values()
                if i.role == "auditor" and i.status == "pending" and i.expires_at > now
            ],
            grant=grant,
            change=change or Form("change"),
            changed=changed,
            sent=sent,
            link=sent and invitation_link(state.settings.public_url, sent.invited.token),
            may_change=principal(request).role == "owner",
            now=now,
            latest=latest_access_day(now),
            until_text=until_text,
            status=status,
        )

    @post("", guards=[OWNERS])
    async def grant(self, request: Request[Any, Any, Any], state: State) -> Response[Any]:
        """Invite an auditor with read-only access until the end of the day chosen."""
        me = principal(request)
        now = datetime.now(UTC)
        form = await read_form(request, "grant")
        email = form.text("email", "auditor's email address", max_length=254)
        day = access_day(form, now)
        if form.ok and day is not None:
            try:
                async with state.database.transaction(me.tenant_id) as tx:
                    sent = await invite(
                        tx,
                        state.store,
                        state.settings,
                        email=email,
                        role="auditor",
                        by_role=me.role,
                        access_until=end_of_day(day),
                        metadata=actor(request),
                        command_id=request_command_id(request),
                    )
            except (DomainError, IdentityError) as exc:
                form.refuse(exc, invite_field(exc))
            else:
                shown = await self._page(request, state, grant_form(), sent=sent, status=201)
                shown.background = BackgroundTask(send_quietly, state.mailer, sent.message)
                return shown
        return await self._page(request, state, form, status=422)

    @post("/{user_id:uuid}/extension", guards=[OWNERS])
    async def extend(
        self, request: Request[Any, Any, Any], state: State, user_id: FromPath[UUID]
    ) -> Response[Any]:
        """Move the auditor's last day of access (up to a year from now)."""
        form = await read_form(request, "change")
        day = access_day(form, datetime.now(UTC))
        if day is not None:
            done = await self._change(request, state, user_id, end_of_day(day), form)
            if done:
                return see_other(request, "/access", notice="saved")
        return await self._page(
            request, state, grant_form(), change=form, changed=user_id, status=422
        )

    @post("/{user_id:uuid}/end", guards=[OWNERS])
    async def end(
        self, request: Request[Any, Any, Any], state: State, user_id: FromPath[UUID]
    ) -> Response[Any]:
        """End the auditor's access now; their reads stay in the history."""
        form = Form("change")
        if await self._change(request, state, user_id, datetime.now(UTC), form):
            return see_other(request, "/access", notice="saved")
        return await self._page(
            request, state, grant_form(), change=form, changed=user_id, status=422
        )

    async def _change(
        self,
        request: Request[Any, Any, Any],
        state: State,
        user_id: UUID,
        until: datetime,
        form: Form,
    ) -> bool:
        me = principal(request)
        try:
            async with state.database.transaction(me.tenant_id) as tx:
                await org.change_organisation(
                    tx,
                    state.store,
                    ChangeAuditorAccess(user_id=user_id, access_until=until, by_role=me.role),
                    actor(request),
                    command_id=request_command_id(request),
                )
        except DomainError as exc:
            form.refuse(exc)
            return False
        return True


class SettingsPages(Controller):
    path = "/settings"
    include_in_schema = False
    guards = [MANAGERS]  # noqa: RUF012 (Litestar layer)

    @get("")
    async def settings(self, request: Request[Any, Any, Any], state: State) -> Template:
        return await self._page(request, state)

    async def _page(
        self,
        request: Request[Any, Any, Any],
        state: State,
        *,
        form: Form | None = None,
        changed: UUID | None = None,
        status: int = 200,
    ) -> Template:
        async with state.database.transaction(principal(request).tenant_id) as tx:
            organisation = await organisation_state(tx, state.store)
        return await page(
            request,
            "organisation/settings.html",
            organisation=organisation,
            members=sorted(
                (m for m in organisation.members.values() if m.role != "auditor"),
                key=lambda m: (m.role != "owner", m.role != "admin", m.email),
            ),
            auditors=sum(1 for m in organisation.members.values() if m.role == "auditor"),
            roles=ROLE_CHOICES,
            may_change=principal(request).role == "owner",
            form=form or Form("role"),
            changed=changed,
            status=status,
        )

    @post("/members/{user_id:uuid}/role", guards=[OWNERS])
    async def change_role(
        self, request: Request[Any, Any, Any], state: State, user_id: FromPath[UUID]
    ) -> Response[Any]:
        """Give a member another role (an organisation keeps at least one owner)."""
        me = principal(request)
        form = await read_form(request, "role")
        role = form.choice("role", "role", ROLE_CHOICES)
        if role is not None:
            try:
                async with state.database.transaction(me.tenant_id) as tx:
                    await org.change_organisation(
                        tx,
                        state.store,
                        ChangeMemberRole(user_id=user_id, role=role, by_role=me.role),
                        actor(request),
                        command_id=request_command_id(request),
                    )
            except DomainError as exc:
                form.refuse(exc, "role")
            else:
                if user_id == me.user_id and role != me.role:
                    return see_other(request, "/dashboard")
                return see_other(request, "/settings", notice="saved")
        return await self._page(request, state, form=form, changed=user_id, status=422)

    @get("/members/{user_id:uuid}/removal")
    async def removal(
        self, request: Request[Any, Any, Any], state: State, user_id: FromPath[UUID]
    ) -> Template:
        """Ask to confirm removing a member, with a reason."""
        return await self._removal_page(request, state, user_id, Form("removal"))

    async def _removal_page(
        self,
        request: Request[Any, Any, Any],
        state: State,
        user_id: UUID,
        form: Form,
        *,
        status: int = 200,
    ) -> Template:
        async with state.database.transaction(principal(request).tenant_id) as tx:
            member = await _member(tx, state.store, user_id)
        return await page(
            request, "organisation/removal.html", member=member, form=form, status=status
        )

    @post("/members/{user_id:uuid}/removal")
    async def remove(
        self, request: Request[Any, Any, Any], state: State, user_id: FromPath[UUID]
    ) -> Response[Any]:
        """Remove the member now: their sessions and API tokens here end with it; their staff
        record and history stay. Owners remove anyone, admins employees; the last owner stays."""
        me = principal(request)
        form = await read_form(request, "removal")
        reason = form.text("reason", "reason", max_length=500)
        if form.ok:
            try:
                async with state.database.transaction(me.tenant_id) as tx:
                    await org.remove_member(
                        tx,
                        state.store,
                        RemoveMember(user_id=user_id, by_role=me.role, reason=reason),
                        now=datetime.now(UTC),
                        command_id=request_command_id(request),
                        metadata=actor(request),
                    )
            except DomainError as exc:
                form.refuse(exc)
            else:
                if user_id == me.user_id:
                    return see_other(request, "/sign-in")
                return see_other(request, "/settings", notice="saved")
        return await self._removal_page(request, state, user_id, form, status=422)


async def _member(tx: Tx, store: EventStore, user_id: UUID) -> Member:
    found = (await organisation_state(tx, store)).members.get(user_id)
    if found is None:
        raise NotFoundException("no such member in this organisation")
    return found


class MailPreferencesPage(Controller):
    path = "/mail-preferences"
    include_in_schema = False

    @get("")
    async def preferences(self, request: Request[Any, Any, Any], state: State) -> Template:
        """Which optional mail the member receives from this organisation."""
        me = principal(request)
        async with state.database.transaction(me.tenant_id) as tx:
            found = (await mail_preferences(tx, [me.user_id]))[me.user_id]
        values: dict[str, str | list[str]] = {
            "wanted": [c for c in MAIL_CATEGORIES if found.wants(c)]
        }
        return await page(
            request, "organisation/mail.html", form=Form("mail", values), categories=MAIL
        )

    @post("")
    async def change(self, request: Request[Any, Any, Any], state: State) -> Response[Any]:
        """Turn each optional mail on (ticked) or off."""
        me = principal(request)
        form = await read_form(request, "mail")
        wanted = form.choices("wanted", "mail", MAIL)
        if not form.ok:
            return await page(
                request, "organisation/mail.html", form=form, categories=MAIL, status=422
            )
        async with state.database.transaction(me.tenant_id) as tx:
            await change_mail_preferences(
                tx,
                state.store,
                user_id=me.user_id,
                wanted={c: c in wanted for c in MAIL_CATEGORIES},
                via="settings",
                metadata=actor(request),
                command_id=request_command_id(request),
            )
        return see_other(request, "/mail-preferences", notice="saved")
