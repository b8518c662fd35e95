"""Who has access: auditor access (owners grant it by invitation with an end date, extend it or
end it; admins see it), organisation settings (its name and address, members and their roles)
and each member's own mail preferences.

Members and invitations are read from the organisation's own history, so the page shows exactly
what the decisions see; every change runs the same use case as the API
(``services.core.organisation.use_cases``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import partial
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, available_timezones

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Response, Template

from domain import vocabulary
from domain.notifications.preferences import MAIL_CATEGORIES, MailCategory
from domain.organisations.organisation import LONGEST_AUDIT, Role
from services.api import application as clock
from services.api.application import mail_after_answer
from services.api.auth import requires_role
from services.api.portal.forms import Form, read_form, submit
from services.api.portal.pages import (
    Question,
    confirm_first,
    organisation_zone,
    page,
    principal,
    see_other,
)
from services.api.portal.staff import MANAGERS, invitation_link, invite_field
from services.core.accounts import mail_preferences
from services.core.accounts.mail_preferences import PreferenceChange
from services.core.application import UseCases
from services.core.mail_templates import day_text
from services.core.organisation import use_cases as organisation
from services.core.organisation.invitations import SentInvitation
from services.core.organisation.use_cases import (
    CountPendingCredits,
    EndMembership,
    GiveRole,
    Invite,
    SetAuditorAccess,
    SetTimeZone,
)

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


def end_of_day(day: date, zone: tzinfo = UTC) -> datetime:
    """Access "until" a day lasts to that day's end in ``zone`` (the organisation's)."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)


def latest_access_day(now: datetime) -> date:
    """The last day an auditor's access can be granted or extended to from ``now``."""
    return (now + LONGEST_AUDIT).date() - timedelta(days=1)


def until_text(moment: datetime, zone: tzinfo = UTC) -> str:
    """An end of access as people say it: "the end of 2 Oct 2026" for a midnight in ``zone``,
    else the day and the time there."""
    moment = moment.astimezone(zone)
    if moment.time() == time():
        return f"the end of {day_text(moment.date() - timedelta(days=1))}"
    return f"{day_text(moment.date())}, {moment:%H:%M} {moment.tzname()}"


def grant_form(now: datetime) -> Form:
    """The grant form, proposing thirty days."""
    return Form("grant", {"until": (now + timedelta(days=30)).date().isoformat()})


def access_day(form: Form, now: datetime, zone: tzinfo = UTC) -> date | None:
    """The end day typed (a day in ``zone``), or None with the problem recorded on the form."""
    day = form.day("until", "last day of access")
    if day is None:
        return None
    if day < now.astimezone(zone).date():
        form.fail("until", "Choose today or a later day (to end access now, use End access)")
    elif day > latest_access_day(now):
        form.fail("until", "Auditor access lasts at most a year at a time: choose an earlier day")
    return day if form.ok else None


class AccessPages(Controller):
    path = "/access"

    @get("", guards=[MANAGERS])
    async def access(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Template:
        """Auditors with their access window, and the auditor invitations still open."""
        return await self._page(request, use_cases)

    async def _page(
        self,
        request: Request[Any, Any, Any],
        use_cases: UseCases,
        grant: Form | None = None,
        *,
        change: Form | None = None,
        changed: UUID | None = None,
        sent: SentInvitation | None = None,
        status: int = 200,
    ) -> Template:
        now = clock.now(request)
        found = await use_cases.run(organisation.organisation, None)
        zone = ZoneInfo(found.time_zone)
        auditors = sorted(
            (m for m in found.members.values() if m.role == "auditor"),
            key=lambda m: (m.access_until or now) < now,
        )
        return await page(
            request,
            "organisation/access.html",
            auditors=auditors,
            invitations=[
                i
                for i in found.invitations.values()
                if i.role == "auditor" and i.status == "pending" and i.expires_at > now
            ],
            grant=grant if grant is not None else grant_form(now),
            change=change or Form("change"),
            changed=changed,
            sent=sent,
            link=invitation_link(request, sent),
            may_change=principal(request).role == "owner",
            now=now,
            latest=latest_access_day(now),
            until_text=partial(until_text, zone=zone),
            status=status,
        )

    @post("", guards=[OWNERS])
    async def grant(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Response[Any]:
        """Invite an auditor with read-only access until the end of the day chosen."""
        form = await read_form(request, "grant")
        email = form.text("email", "auditor's email address", max_length=254)
        zone = await organisation_zone(request)
        day = access_day(form, clock.now(request), zone)
        if day is not None:
            invite = Invite(email=email, role="auditor", access_until=end_of_day(day, zone))
            sent = await submit(form, use_cases, organisation.invite, invite, field=invite_field)
            if sent is not None:
                shown = await self._page(request, use_cases, sent=sent, status=201)
                shown.background = mail_after_answer(request, sent.message)
                return shown
        return await self._page(request, use_cases, form, status=422)

    @post("/{user_id:uuid}/extension", guards=[OWNERS])
    async def extend(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        user_id: FromPath[UUID],
    ) -> Response[Any]:
        """Move the auditor's last day of access (up to a year from now)."""
        form = await read_form(request, "change")
        zone = await organisation_zone(request)
        day = access_day(form, clock.now(request), zone)
        if day is not None:
            done = await _change_access(use_cases, user_id, end_of_day(day, zone), form)
            if done:
                return see_other(request, "/access", notice="saved")
        return await self._page(request, use_cases, change=form, changed=user_id, status=422)

    @post("/{user_id:uuid}/end", guards=[OWNERS])
    async def end(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        user_id: FromPath[UUID],
    ) -> Response[Any]:
        """End the auditor's access now, once confirmed; their reads stay in the history."""
        form = await read_form(request, "change")
        auditor = await use_cases.run(organisation.member, user_id)
        asked = await confirm_first(request, form, ENDING_ACCESS, "/access", auditor.email)
        if asked is not None:
            return asked
        if await _change_access(use_cases, user_id, None, form):
            return see_other(request, "/access", notice="saved")
        return await self._page(request, use_cases, change=form, changed=user_id, status=422)


ENDING_ACCESS = Question(
    "End the access of {}?",
    "{} can no longer read this organisation's records from now on; their sessions and API"
    " tokens here end. What they read stays in the history. You can open their access again"
    " later.",
    "Yes, end access now",
)


async def _change_access(
    use_cases: UseCases, user_id: UUID, until: datetime | None, form: Form
) -> bool:
    """Set the auditor's end of access (None: now); False with a refusal on ``form``."""
    change = SetAuditorAccess(user_id=user_id, access_until=until)
    await submit(form, use_cases, organisation.change_auditor_access, change)
    return form.ok


TIME_ZONES = sorted(available_timezones())
"""The names a time zone may be chosen from (the zone database's)."""
PENDING_CHOICES: Mapping[str, str] = {
    "wait": "Count only verified credits: a credit awaiting a certificate check counts once"
    " verified (recommended: a registry audit asks for the certificates)",
    "count": "Count credits awaiting a certificate check too (statuses still show them as pending)",
}


class SettingsPages(Controller):
    path = "/settings"
    guards = [MANAGERS]  # noqa: RUF012 (Litestar layer)

    @get("")
    async def settings(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Template:
        return await self._page(request, use_cases)

    async def _page(
        self,
        request: Request[Any, Any, Any],
        use_cases: UseCases,
        *,
        zone_form: Form | None = None,
        form: Form | None = None,
        changed: UUID | None = None,
        pending_form: Form | None = None,
        status: int = 200,
    ) -> Template:
        found = await use_cases.run(organisation.organisation, None)
        counted = "count" if found.count_pending_credits else "wait"
        return await page(
            request,
            "organisation/settings.html",
            organisation=found,
            zone_form=zone_form or Form("zone", {"time_zone": found.time_zone}),
            zones=TIME_ZONES,
            members=sorted(
                (m for m in found.members.values() if m.role != "auditor"),
                key=lambda m: (m.role != "owner", m.role != "admin", m.email),
            ),
            auditors=sum(1 for m in found.members.values() if m.role == "auditor"),
            roles=ROLE_CHOICES,
            may_change=principal(request).role == "owner",
            form=form or Form("role"),
            pending_form=pending_form or Form("pending", {"count_pending": counted}),
            pending_choices=PENDING_CHOICES,
            changed=changed,
            status=status,
        )

    @post("/time-zone")
    async def choose_time_zone(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Response[Any]:
        """Choose the time zone the organisation's pages show times in."""
        form = await read_form(request, "zone")
        zone = form.text("time_zone", "time zone", max_length=64)
        choice = SetTimeZone(time_zone=zone)
        await submit(form, use_cases, organisation.choose_time_zone, choice, field="time_zone")
        if form.ok:
            return see_other(request, "/settings", notice="saved")
        return await self._page(request, use_cases, zone_form=form, status=422)

    @post("/members/{user_id:uuid}/role", guards=[OWNERS])
    async def change_role(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        user_id: FromPath[UUID],
    ) -> Response[Any]:
        """Give a member another role (an organisation keeps at least one owner)."""
        me = principal(request)
        form = await read_form(request, "role")
        role = form.choice("role", "role", ROLE_CHOICES)
        if role is not None:
            change = GiveRole(user_id=user_id, role=role)
            await submit(form, use_cases, organisation.change_role, change, field="role")
            if form.ok:
                if user_id == me.user_id and role != me.role:
                    return see_other(request, "/dashboard")
                return see_other(request, "/settings", notice="saved")
        return await self._page(request, use_cases, form=form, changed=user_id, status=422)

    @post("/pending-credits", guards=[OWNERS])
    async def choose_pending_counting(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Response[Any]:
        """Choose whether credits awaiting a certificate check count toward statuses."""
        form = await read_form(request, "pending")
        chosen = form.choice("count_pending", "pending credits", PENDING_CHOICES)
        if chosen is None:
            return await self._page(request, use_cases, pending_form=form, status=422)
        await use_cases.run(
            organisation.choose_pending_counting,
            CountPendingCredits(count_pending=chosen == "count"),
        )
        return see_other(request, "/settings", notice="saved")

    @get("/members/{user_id:uuid}/removal")
    async def removal(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        user_id: FromPath[UUID],
    ) -> Template:
        """Ask to confirm removing a member, with a reason."""
        return await self._removal_page(request, use_cases, user_id, Form("removal"))

    async def _removal_page(
        self,
        request: Request[Any, Any, Any],
        use_cases: UseCases,
        user_id: UUID,
        form: Form,
        *,
        status: int = 200,
    ) -> Template:
        member = await use_cases.run(organisation.member, user_id)
        return await page(
            request, "organisation/removal.html", member=member, form=form, status=status
        )

    @post("/members/{user_id:uuid}/removal")
    async def remove(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        user_id: FromPath[UUID],
    ) -> Response[Any]:
        """Remove the member now: their sessions and API tokens here end with it; their staff
        record and history stay. Owners remove anyone, admins employees; the last owner stays."""
        me = principal(request)
        form = await read_form(request, "removal")
        reason = form.text("reason", "reason", max_length=500)
        removal = EndMembership(user_id=user_id, reason=reason)
        await submit(form, use_cases, organisation.remove_member, removal)
        if form.ok:
            if user_id == me.user_id:
                return see_other(request, "/sign-in")
            return see_other(request, "/settings", notice="saved")
        return await self._removal_page(request, use_cases, user_id, form, status=422)


class MailPreferencesPage(Controller):
    path = "/mail-preferences"

    @get("")
    async def preferences(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Template:
        """Which optional mail the member receives from this organisation."""
        found = await use_cases.run(mail_preferences.my_mail_preferences, None)
        values: dict[str, str | list[str]] = {
            "wanted": [c for c in MAIL_CATEGORIES if found.wants(c)]
        }
        return await page(
            request, "organisation/mail.html", form=Form("mail", values), categories=MAIL
        )

    @post("")
    async def change(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Response[Any]:
        """Turn each optional mail on (ticked) or off."""
        form = await read_form(request, "mail")
        wanted = form.choices("wanted", "mail", MAIL)
        if not form.ok:
            return await page(
                request, "organisation/mail.html", form=form, categories=MAIL, status=422
            )
        await use_cases.run(
            mail_preferences.change_my_mail_preferences,
            PreferenceChange(wanted={c: c in wanted for c in MAIL_CATEGORIES}),
        )
        return see_other(request, "/mail-preferences", notice="saved")
