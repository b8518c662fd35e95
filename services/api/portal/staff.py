"""Staff pages for owners and admins (auditors read): the staff list with filters, search and
pages, a person's record as they see it themselves, their assignment, deactivation and
reactivation, and inviting people (with the invitations still open).

The list, the person's record, deactivation and reactivation run the staff use cases
(``services.core.staff.use_cases``, as the JSON API does; keyset pages: "next" links carry the
cursor); the person's standing is the dashboard's (``standing.cards`` and the obligation card
macro).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Response, Template

from domain import vocabulary
from domain.organisations.organisation import (
    AlreadyInvited,
    AlreadyMember,
    Role,
    RoleNotAllowed,
)
from domain.people.person import AssignPerson
from services.api.application import mail_after_answer, public_link
from services.api.auth import requires_role
from services.api.files import download
from services.api.portal.forms import Form, read_form, submit
from services.api.portal.pages import (
    Question,
    confirm_first,
    keyset_page,
    page,
    principal,
    safe_next,
    see_other,
)
from services.api.portal.standing import standing_shown
from services.core.accounts.identity import InvalidEmail
from services.core.application import UnitOfWork, UseCases
from services.core.credits.use_cases import credit_acceptance
from services.core.csv_export import MEDIA_TYPE
from services.core.organisation import use_cases as organisation
from services.core.organisation.invitations import NewStaff, SentInvitation
from services.core.organisation.use_cases import Invite
from services.core.people import use_cases as people
from services.core.people.use_cases import ChangePerson
from services.core.people.views import Person
from services.core.staff import use_cases as staff
from services.core.staff.listing import DEFAULT_SORT, Activity, StaffFilter, StaffSort
from services.core.staff.use_cases import ChangeActivity, ExportStaff, ListStaff

READERS = requires_role("owner", "admin", "auditor")
MANAGERS = requires_role("owner", "admin")
PAGE_SIZE = 25
ACTIVITIES: Mapping[Activity, str] = {
    "active": "Active staff",
    "deactivated": "Deactivated staff",
    "all": "Everyone",
}
SORTS: Mapping[StaffSort, str] = {"name": "name", "deadline": "deadline, soonest first"}
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


def staff_sort(form: Form) -> StaffSort:
    """The order asked for in the query, else the list's default (``DEFAULT_SORT``)."""
    return optional_choice(form, "sort", "order", SORTS) or DEFAULT_SORT


def staff_filters_url(form: Form, path: str = "/staff", **changes: str) -> str:
    """The list's address (or ``path``) with the filters as typed, and ``changes`` (e.g. a
    cursor)."""
    query = {name: form.value(name) for name in form.values if form.value(name)}
    query.pop("cursor", None)
    query.update(changes)
    return path + (f"?{urlencode(query)}" if query else "")


def invite_field(exc: Exception) -> str | None:
    """The field of the invitation form a refusal is about."""
    if isinstance(exc, InvalidEmail | AlreadyMember | AlreadyInvited):
        return "email"
    return "role" if isinstance(exc, RoleNotAllowed) else None


def placement(form: Form) -> dict[str, str | None]:
    """Where a person works, as the form gives it: department, site and employee number (a
    blank one is None)."""
    return {
        "department": form.text("department", "department", required=False) or None,
        "site": form.text("site", "site", required=False) or None,
        "employee_number": form.text(
            "employee_number", "employee number", required=False, max_length=50
        )
        or None,
    }


def invitation_link(request: Request[Any, Any, Any], sent: SentInvitation | None) -> str | None:
    """The link of the invitation mail just sent, to show once to whoever invited."""
    if sent is None:
        return None
    return public_link(request, f"/accept-invitation?token={sent.invited.token}")


DEACTIVATING = Question(
    "Deactivate {}?",
    "{} leaves the staff lists, counts and seats; any account they have loses access to this"
    " organisation at once. Their history stays, and you can reactivate them later.",
    "Yes, deactivate",
)


def invite_form_values(person_email: str | None) -> Form:
    return Form("invite", {"role": "employee", "email": person_email or ""})


class StaffPages(Controller):
    path = "/staff"

    @get("", guards=[READERS])
    async def staff_list(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Template:
        """The staff by name or deadline (links in the column headings), filtered and
        searched, a page at a time."""
        form = Form("staff", dict(request.query_params))
        selected = staff_filter(form)
        sort = staff_sort(form)
        placements = await use_cases.run(staff.staff_placements, None)
        listed = await keyset_page(
            form,
            use_cases,
            staff.list_staff,
            lambda cursor: ListStaff(selected=selected, limit=PAGE_SIZE, cursor=cursor, sort=sort),
            lambda cursor: staff_filters_url(form, **({"cursor": cursor} if cursor else {})),
        )
        return await page(
            request,
            "staff/list.html",
            form=form,
            found=listed.found,
            departments={name: name for name in placements.departments},
            sites={name: name for name in placements.sites},
            activities=ACTIVITIES,
            due_within=DUE_WITHIN,
            next_url=listed.next_url,
            first_url=listed.first_url,
            export_url=staff_filters_url(form, "/staff/export.csv"),
            sort=sort,
            sorts=SORTS,
            sort_urls={order: staff_filters_url(form, sort=order) for order in SORTS},
            status=200 if form.ok else 400,
        )

    @get("/export.csv", guards=[READERS])
    async def export(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Response[Any]:
        """Everyone the list shows for the same filters, as one CSV file."""
        form = Form("staff", dict(request.query_params))
        selected = staff_filter(form)
        if not form.ok:
            return see_other(request, staff_filters_url(form))
        found = await use_cases.run(staff.export_staff, ExportStaff(selected=selected))
        return download(found.content, found.filename, MEDIA_TYPE)

    @get("/{person_id:uuid}", guards=[READERS])
    async def person(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
    ) -> Template:
        """The person's standing as they see it, their credits and certificates, and (for
        owners and admins) the forms to change their assignment, deactivate or invite them."""
        return await self._person(request, use_cases, person_id)

    async def _person(
        self,
        request: Request[Any, Any, Any],
        use_cases: UseCases,
        person_id: UUID,
        *,
        status: int = 200,
        **forms: Form,
    ) -> Template:
        record = await use_cases.run(staff.staff_record, person_id)
        person, credits = record.person, record.credits
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
            **standing_shown(record),
            credits=credits,
            acceptance={
                c.credit_id: credit_acceptance(
                    record.obligations,
                    c.credit_id,
                    record.certificates,
                    count_pending=record.count_pending,
                )
                for c in credits
            },
            certificates={c.credit_id: c for c in record.certificates if c.credit_id is not None},
            loose_certificates=[c for c in record.certificates if c.credit_id is None],
            account=record.account,
            manager=request.user.role in INVITABLE,
            assign=forms.get("assign", assignment),
            change=forms.get("change", Form("change")),
            invitation=forms.get("invitation", invite_form_values(person.email)),
            status=status,
        )

    @post("/{person_id:uuid}/assignment", guards=[MANAGERS])
    async def assign(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
    ) -> Response[Any]:
        """Set the department, site and employee number (blank clears one)."""
        form = await read_form(request, "assign")
        command = AssignPerson(**placement(form))
        await submit(
            form, use_cases, people.change_person, ChangePerson(person_id=person_id, change=command)
        )
        return await self._after(request, use_cases, person_id, form)

    @post("/{person_id:uuid}/deactivation", guards=[MANAGERS])
    async def deactivate(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
    ) -> Response[Any]:
        """Take the person off the active staff, with a reason, once confirmed; their history
        stays. Their member account, if any, is removed."""
        return await self._change_activity(
            request, use_cases, person_id, staff.deactivate_person, confirm=True
        )

    @post("/{person_id:uuid}/reactivation", guards=[MANAGERS])
    async def reactivate(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
    ) -> Response[Any]:
        """Put the person back on the active staff, with a reason."""
        return await self._change_activity(request, use_cases, person_id, staff.reactivate_person)

    async def _change_activity(
        self,
        request: Request[Any, Any, Any],
        use_cases: UseCases,
        person_id: UUID,
        use_case: Callable[[UnitOfWork, ChangeActivity], Awaitable[Person]],
        *,
        confirm: bool = False,
    ) -> Response[Any]:
        """Run ``use_case`` with the form's reason (after a confirmation step if ``confirm``);
        a refusal is shown on the form."""
        form = await read_form(request, "change")
        reason = form.text("reason", "reason", max_length=500)
        if form.ok and confirm:
            name = (await use_cases.run(people.view_person, person_id)).full_name
            back = f"/staff/{person_id}#activity"
            asked = await confirm_first(request, form, DEACTIVATING, back, name)
            if asked is not None:
                return asked
        await submit(form, use_cases, use_case, ChangeActivity(person_id=person_id, reason=reason))
        return await self._after(request, use_cases, person_id, form)

    async def _after(
        self, request: Request[Any, Any, Any], use_cases: UseCases, person_id: UUID, form: Form
    ) -> Response[Any]:
        """On to the person's page, saved, when ``form``'s change was made, else their page
        again with the refused form."""
        if form.ok:
            return see_other(request, f"/staff/{person_id}", notice="saved")
        return await self._person(request, use_cases, person_id, status=422, **{form.prefix: form})

    @get("/invite", guards=[MANAGERS])
    async def invite_page(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
    ) -> Template:
        return await self._invite_page(request, use_cases, invite_form_values(None))

    async def _invite_page(
        self,
        request: Request[Any, Any, Any],
        use_cases: UseCases,
        form: Form,
        *,
        sent: SentInvitation | None = None,
        revoke: Form | None = None,
        status: int = 200,
    ) -> Template:
        invitations = await use_cases.run(organisation.open_invitations, None)
        return await page(
            request,
            "staff/invite.html",
            form=form,
            roles={r: vocabulary.ROLES[r] for r in INVITABLE[principal(request).role]},
            sent=sent,
            link=invitation_link(request, sent),
            invitations=invitations,
            revoke=revoke or Form("revoke"),
            status=status,
        )

    @post("/invite", guards=[MANAGERS])
    async def invite(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
    ) -> Response[Any]:
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
            staff = NewStaff(full_name=name, **placement(form))
        if role is not None:
            invite = Invite(email=email, role=role, person_id=person_id, staff=staff)
            sent = await submit(form, use_cases, organisation.invite, invite, field=invite_field)
            if sent is not None:
                shown = await self._invite_page(
                    request, use_cases, invite_form_values(None), sent=sent, status=201
                )
                shown.background = mail_after_answer(request, sent.message)
                return shown
        if person_id is not None:
            return await self._person(request, use_cases, person_id, status=422, invitation=form)
        return await self._invite_page(request, use_cases, form, status=422)

    @post("/invitations/{invitation_id:uuid}/revoke", guards=[MANAGERS])
    async def revoke(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        invitation_id: FromPath[UUID],
    ) -> Response[Any]:
        """Revoke an open invitation: its link stops working. Back to the invitations, or to
        the page named by the form's ``back``."""
        form = await read_form(request, "revoke")
        await submit(form, use_cases, organisation.revoke_invitation, invitation_id)
        if not form.ok:
            return await self._invite_page(
                request, use_cases, invite_form_values(None), revoke=form, status=422
            )
        back = form.value("back")
        return see_other(request, safe_next(back) if back else "/staff/invite", notice="saved")
