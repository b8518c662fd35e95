"""Staff pages for owners and admins (auditors read): the staff list with filters, search and
pages, a person's record as they see it themselves, their assignment, deactivation and
reactivation, and inviting people (with the invitations still open).

The list is ``staff_queries.staff_page`` (keyset pages: "next" links carry the cursor); the
person's standing is the dashboard's (``standing.cards`` and the obligation card macro).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Response, Template

from domain.compliance.evaluation import unsupported_credentials
from domain.compliance.packs import RULE_PACKS
from domain.organisations.organisation import (
    AlreadyInvited,
    AlreadyMember,
    RevokeInvitation,
    Role,
    RoleNotAllowed,
)
from domain.people.person import AssignPerson, DeactivatePerson, ReactivatePerson
from domain.shared.errors import DomainError
from services.api.auth import requires_role
from services.api.controllers.invitations import actor
from services.api.controllers.people import person_or_404
from services.api.idempotency import request_command_id
from services.api.portal import vocabulary
from services.api.portal.forms import Form, read_form
from services.api.portal.pages import page, principal, safe_next, see_other
from services.api.portal.standing import cards
from services.core import queries, staff_queries
from services.core.credits.use_cases import credit_acceptance
from services.core.db import Tx
from services.core.handlers import organisations as org
from services.core.handlers import people as people_handlers
from services.core.identity import IdentityError, InvalidEmail
from services.core.mail import send_quietly
from services.core.projections.certificates import certificates_of
from services.core.staff_invitations import NewStaff, SentInvitation, invite
from services.core.staff_queries import Activity, InvalidCursor, StaffFilter

READERS = requires_role("owner", "admin", "auditor")
MANAGERS = requires_role("owner", "admin")
PAGE_SIZE = 25
ACTIVITIES: Mapping[Activity, str] = {
    "active": "Active staff",
    "deactivated": "Deactivated staff",
    "all": "Everyone",
}
DUE_WITHIN: Mapping[str, str] = {
    "30": "Within 30 days",
    "60": "Within 60 days",
    "90": "Within 90 days",
    "180": "Within 6 months",
}
INVITABLE: Mapping[Role, tuple[Role, ...]] = {
    "owner": ("employee", "admin", "owner"),
    "admin": ("employee",),
}
"""The roles each manager may invite people with here (auditors: on the access page)."""

K = TypeVar("K", bound=str)


def optional_choice(form: Form, name: str, label: str, options: Mapping[K, Any]) -> K | None:
    """The chosen option, None when nothing is chosen (a value not offered is an error)."""
    return form.choice(name, label, options) if form.value(name) else None


def staff_filter(form: Form) -> StaffFilter:
    """The list's filter from the query as typed; problems are recorded on the form."""
    due = optional_choice(form, "due", "deadline window", DUE_WITHIN)
    return StaffFilter(
        activity=optional_choice(form, "activity", "staff to list", ACTIVITIES) or "active",
        status=optional_choice(form, "status", "status", vocabulary.STATUSES),
        body=optional_choice(form, "body", "certifying body", vocabulary.BODIES),
        credential=form.text("credential", "credential", required=False, max_length=20).upper()
        or None,
        department=form.text("department", "department", required=False) or None,
        site=form.text("site", "site", required=False) or None,
        search=form.text("q", "search", required=False) or None,
        due_within_days=int(due) if due else None,
    )


def staff_filters_url(form: Form, **changes: str) -> str:
    """The list's address with the filters as typed, and ``changes`` (e.g. a cursor)."""
    query = {name: form.value(name) for name in form.values if form.value(name)}
    query.pop("cursor", None)
    query.update(changes)
    return "/staff" + (f"?{urlencode(query)}" if query else "")


def invite_field(exc: Exception) -> str | None:
    """The field of the invitation form a refusal is about."""
    if isinstance(exc, InvalidEmail | AlreadyMember | AlreadyInvited):
        return "email"
    return "role" if isinstance(exc, RoleNotAllowed) else None


def invitation_link(public_url: str, token: str) -> str:
    """The link of the invitation mail, to show once to whoever invited."""
    return f"{public_url.rstrip('/')}/accept-invitation?token={token}"


def invite_form_values(person_email: str | None) -> Form:
    return Form("invite", {"role": "employee", "email": person_email or ""})


async def _open_invitations(tx: Tx) -> list[Any]:
    return list(
        await tx.pg.fetch(
            "SELECT invitation_id, email, role, expires_at FROM invitations"
            " WHERE tenant_id = $1 AND status = 'pending' AND expires_at > now()"
            " ORDER BY expires_at DESC",
            tx.require_tenant(),
        )
    )


class StaffPages(Controller):
    path = "/staff"
    include_in_schema = False

    @get("", guards=[READERS])
    async def staff_list(self, request: Request[Any, Any, Any], state: State) -> Template:
        """The staff by name, filtered and searched, a page at a time."""
        form = Form("staff", dict(request.query_params))
        selected = staff_filter(form)
        cursor = form.value("cursor") or None
        found = None
        async with state.database.transaction(principal(request).tenant_id) as tx:
            placements = await staff_queries.placements(tx)
            if form.ok:
                try:
                    found = await staff_queries.staff_page(
                        tx,
                        selected,
                        today=datetime.now(UTC).date(),
                        limit=PAGE_SIZE,
                        cursor=cursor,
                    )
                except InvalidCursor:
                    form.fail(
                        None, "This page link is out of date: start again from the first page"
                    )
        return await page(
            request,
            "staff/list.html",
            form=form,
            found=found,
            departments={name: name for name in placements.departments},
            sites={name: name for name in placements.sites},
            activities=ACTIVITIES,
            due_within=DUE_WITHIN,
            next_url=staff_filters_url(form, cursor=found.next_cursor)
            if found and found.next_cursor
            else None,
            first_url=staff_filters_url(form) if cursor else None,
            status=200 if form.ok else 400,
        )

    @get("/{person_id:uuid}", guards=[READERS])
    async def person(
        self, request: Request[Any, Any, Any], state: State, person_id: FromPath[UUID]
    ) -> Template:
        """The person's standing as they see it, their credits and certificates, and (for
        owners and admins) the forms to change their assignment, deactivate or invite them."""
        return await self._person(request, state, person_id)

    async def _person(
        self,
        request: Request[Any, Any, Any],
        state: State,
        person_id: UUID,
        *,
        status: int = 200,
        **forms: Form,
    ) -> Template:
        today = datetime.now(UTC).date()
        async with state.database.transaction(principal(request).tenant_id) as tx:
            person = await person_or_404(tx, person_id)
            credits = await queries.my_credits(tx, person_id)
            obligations = await queries.my_obligations(tx, person_id, today=today)
            certificates = await certificates_of(tx, person_id)
            account = await tx.pg.fetchrow(
                "SELECT email, role FROM memberships WHERE tenant_id = $1 AND person_id = $2",
                tx.require_tenant(),
                person_id,
            )
        current, previous = cards(obligations, credits, today)
        in_force = [o for o in obligations if o.period == "current"]
        assignment = Form(
            "assign",
            {
                "department": person.department or "",
                "site": person.site or "",
                "employee_number": person.employee_number or "",
            },
        )
        return await page(
            request,
            "staff/person.html",
            person=person,
            current=current,
            previous=previous,
            unsupported=unsupported_credentials(person, RULE_PACKS, today=today),
            credits=credits,
            acceptance={c.credit_id: credit_acceptance(in_force, c.credit_id) for c in credits},
            certificates={c.credit_id: c for c in certificates if c.credit_id is not None},
            loose_certificates=[c for c in certificates if c.credit_id is None],
            account=account,
            manager=request.user.role in INVITABLE,
            assign=forms.get("assign", assignment),
            change=forms.get("change", Form("change")),
            invitation=forms.get("invitation", invite_form_values(person.email)),
            today=today,
            status=status,
        )

    @post("/{person_id:uuid}/assignment", guards=[MANAGERS])
    async def assign(
        self, request: Request[Any, Any, Any], state: State, person_id: FromPath[UUID]
    ) -> Response[Any]:
        """Set the department, site and employee number (blank clears one)."""
        form = await read_form(request, "assign")
        command = AssignPerson(
            department=form.text("department", "department", required=False) or None,
            site=form.text("site", "site", required=False) or None,
            employee_number=form.text(
                "employee_number", "employee number", required=False, max_length=50
            )
            or None,
        )
        if form.ok and await self._run(request, state, person_id, command, form):
            return see_other(request, f"/staff/{person_id}", notice="saved")
        return await self._person(request, state, person_id, status=422, assign=form)

    @post("/{person_id:uuid}/deactivation", guards=[MANAGERS])
    async def deactivate(
        self, request: Request[Any, Any, Any], state: State, person_id: FromPath[UUID]
    ) -> Response[Any]:
        """Take the person off the active staff, with a reason; their history stays."""
        return await self._change_activity(request, state, person_id, DeactivatePerson)

    @post("/{person_id:uuid}/reactivation", guards=[MANAGERS])
    async def reactivate(
        self, request: Request[Any, Any, Any], state: State, person_id: FromPath[UUID]
    ) -> Response[Any]:
        """Put the person back on the active staff, with a reason."""
        return await self._change_activity(request, state, person_id, ReactivatePerson)

    async def _change_activity(
        self,
        request: Request[Any, Any, Any],
        state: State,
        person_id: UUID,
        command: type[DeactivatePerson | ReactivatePerson],
    ) -> Response[Any]:
        form = await read_form(request, "change")
        reason = form.text("reason", "reason", max_length=500)
        if form.ok and await self._run(request, state, person_id, command(reason=reason), form):
            return see_other(request, f"/staff/{person_id}", notice="saved")
        return await self._person(request, state, person_id, status=422, change=form)

    async def _run(
        self,
        request: Request[Any, Any, Any],
        state: State,
        person_id: UUID,
        command: people_handlers.PersonCommand | DeactivatePerson,
        form: Form,
    ) -> bool:
        """Run ``command`` on the person; False when refused (the refusal is on the form).
        Deactivating also removes the member account linked to the record."""
        me = principal(request)
        try:
            async with state.database.transaction(me.tenant_id) as tx:
                await person_or_404(tx, person_id)
                if isinstance(command, DeactivatePerson):
                    await people_handlers.deactivate_person(
                        tx,
                        state.store,
                        person_id,
                        command,
                        by_role=me.role,
                        now=datetime.now(UTC),
                        command_id=request_command_id(request),
                        metadata=actor(request),
                    )
                else:
                    await people_handlers.change_person(
                        tx,
                        state.store,
                        person_id,
                        command,
                        command_id=request_command_id(request),
                        metadata=actor(request),
                    )
        except DomainError as exc:
            form.refuse(exc)
            return False
        return True

    @get("/invite", guards=[MANAGERS])
    async def invite_page(self, request: Request[Any, Any, Any], state: State) -> Template:
        return await self._invite_page(request, state, invite_form_values(None))

    async def _invite_page(
        self,
        request: Request[Any, Any, Any],
        state: State,
        form: Form,
        *,
        sent: SentInvitation | None = None,
        revoke: Form | None = None,
        status: int = 200,
    ) -> Template:
        async with state.database.transaction(principal(request).tenant_id) as tx:
            invitations = await _open_invitations(tx)
        return await page(
            request,
            "staff/invite.html",
            form=form,
            roles={r: vocabulary.ROLES[r] for r in INVITABLE[principal(request).role]},
            sent=sent,
            link=sent and invitation_link(state.settings.public_url, sent.invited.token),
            invitations=invitations,
            revoke=revoke or Form("revoke"),
            status=status,
        )

    @post("/invite", guards=[MANAGERS])
    async def invite(self, request: Request[Any, Any, Any], state: State) -> Response[Any]:
        """Invite someone by email; with a name, their staff record is created at once. From a
        person's page, the invitation is for that record. The link is mailed and shown once."""
        me = principal(request)
        form = await read_form(request, "invite")
        email = form.text("email", "email address", max_length=254)
        roles = {r: vocabulary.ROLES[r] for r in INVITABLE[me.role]}
        role = form.choice("role", "role", roles)
        person_id = None
        if form.value("person_id"):
            try:
                person_id = UUID(form.value("person_id"))
            except ValueError:
                form.fail(None, "This form is damaged: open the person's page again")
        name = form.text("full_name", "full name", required=False)
        staff = None
        if name and person_id is None:
            staff = NewStaff(
                full_name=name,
                department=form.text("department", "department", required=False) or None,
                site=form.text("site", "site", required=False) or None,
                employee_number=form.text(
                    "employee_number", "employee number", required=False, max_length=50
                )
                or None,
            )
        if form.ok and role is not None:
            try:
                async with state.database.transaction(me.tenant_id) as tx:
                    sent = await invite(
                        tx,
                        state.store,
                        state.settings,
                        email=email,
                        role=role,
                        by_role=me.role,
                        person_id=person_id,
                        staff=staff,
                        metadata=actor(request),
                        command_id=request_command_id(request),
                    )
            except (DomainError, IdentityError) as exc:
                form.refuse(exc, invite_field(exc))
            else:
                shown = await self._invite_page(
                    request, state, invite_form_values(None), sent=sent, status=201
                )
                shown.background = BackgroundTask(send_quietly, state.mailer, sent.message)
                return shown
        if person_id is not None:
            return await self._person(request, state, person_id, status=422, invitation=form)
        return await self._invite_page(request, state, form, status=422)

    @post("/invitations/{invitation_id:uuid}/revoke", guards=[MANAGERS])
    async def revoke(
        self, request: Request[Any, Any, Any], state: State, invitation_id: FromPath[UUID]
    ) -> Response[Any]:
        """Revoke an open invitation: its link stops working. Back to the invitations, or to
        the page named by the form's ``back``."""
        me = principal(request)
        form = await read_form(request, "revoke")
        try:
            async with state.database.transaction(me.tenant_id) as tx:
                await org.change_organisation(
                    tx,
                    state.store,
                    RevokeInvitation(invitation_id=invitation_id, by_role=me.role),
                    actor(request),
                    command_id=request_command_id(request),
                )
        except DomainError as exc:
            form.refuse(exc)
            return await self._invite_page(
                request, state, invite_form_values(None), revoke=form, status=422
            )
        back = form.value("back")
        return see_other(request, safe_next(back) if back else "/staff/invite", notice="saved")
