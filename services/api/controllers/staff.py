"""Staff management: CSV import, deactivation and reactivation, the staff list and seats.

Owners and admins import and (de)activate; auditors also read the list and seats; employees
get 403. People of another organisation do not exist (404, by RLS).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.plugins.problem_details import ProblemDetailsException

from domain.compliance.status import Status
from domain.people.credentials import Body
from domain.shared.limits import CODE_LENGTH, NAME_LENGTH
from services.api.auth import Principal, requires_role
from services.api.errors import PROBLEM_TYPE
from services.api.files import download
from services.api.params import check_days, day_parameter
from services.api.schemas import from_view
from services.api.schemas.people import Person, StatusChange
from services.core.application import UseCases
from services.core.csv_export import MEDIA_TYPE
from services.core.notifications.manual import RemindersSent, SendReminders, send_reminders
from services.core.staff import use_cases as staff
from services.core.staff.listing import (
    Activity,
    InvalidCursor,
    Seats,
    StaffFilter,
    StaffPage,
    StaffSort,
)
from services.core.staff.roster import ImportMode, ImportReport
from services.core.staff.use_cases import ChangeActivity, ExportStaff, ImportStaff, ListStaff

MANAGERS = requires_role("owner", "admin")
READERS = requires_role("owner", "admin", "auditor")
CSV_TYPES = ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel")


async def _csv_bytes(request: Request[Principal, Any, Any]) -> bytes:
    """The uploaded file: the ``file`` part of a multipart form, or a text/csv body."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        upload = (await request.form()).get("file")
        if not isinstance(upload, UploadFile):
            raise ValidationException("send the CSV as the multipart field 'file'")
        return await upload.read()
    if content_type in CSV_TYPES:
        return await request.body()
    raise ProblemDetailsException(
        status_code=415,
        title="unsupported media type",
        detail="send the CSV as text/csv or as the multipart field 'file'",
        type_=PROBLEM_TYPE + "unsupported_media_type",
    )


async def staff_filter(
    activity: Annotated[
        Activity, QueryParameter(description="active (default), deactivated or all")
    ] = "active",
    status: Annotated[
        Status | None, QueryParameter(description="An obligation with this status")
    ] = None,
    certifying_body: Annotated[
        Body | None, QueryParameter(name="body", description="Holds a credential of")
    ] = None,
    credential: Annotated[
        str | None,
        QueryParameter(max_length=CODE_LENGTH, description="Holds this credential code, e.g. RDMS"),
    ] = None,
    department: Annotated[str | None, QueryParameter(max_length=NAME_LENGTH)] = None,
    site: Annotated[str | None, QueryParameter(max_length=NAME_LENGTH)] = None,
    search: Annotated[
        str | None,
        QueryParameter(max_length=200, description="In the name, email or employee number"),
    ] = None,
    due_within_days: Annotated[
        int | None,
        QueryParameter(ge=0, le=3660, description="An obligation due within N days"),
    ] = None,
) -> StaffFilter:
    """The staff list's filters from the query (the list and its CSV take the same)."""
    return StaffFilter(
        activity=activity,
        status=status,
        body=certifying_body,
        credential=credential,
        department=department,
        site=site,
        search=search,
        due_within_days=due_within_days,
    )


class StaffController(Controller):
    path = "/api/v1"
    tags = ("staff",)

    @post("/staff/import", guards=[MANAGERS], status_code=200)
    async def import_staff(
        self,
        request: Request[Principal, Any, Any],
        use_cases: NamedDependency[UseCases],
        mode: Annotated[
            ImportMode,
            QueryParameter(
                description="all_or_nothing: store nothing if any row is invalid; "
                "valid_rows: store the valid rows"
            ),
        ] = "all_or_nothing",
        dry_run: Annotated[
            bool, QueryParameter(description="Validate and report only; store nothing")
        ] = False,
    ) -> ImportReport:
        """Import staff and their credentials from CSV (docs/staff-import.md): a report per
        row; a file-level problem (encoding, columns, duplicates, not a CSV) stores nothing;
        an all-or-nothing file with invalid rows is refused (422, the report in ``report``)."""
        report = await use_cases.run(
            staff.import_staff,
            ImportStaff(csv=await _csv_bytes(request), mode=mode, dry_run=dry_run),
        )
        if not dry_run and not report.applied:
            raise ProblemDetailsException(
                status_code=422,
                title="roster rows invalid",
                detail=f"{report.invalid} of {report.rows} rows are invalid; nothing was stored",
                type_=PROBLEM_TYPE + "roster_rows_invalid",
                extra={"report": msgspec.to_builtins(report)},
            )
        return report

    @get("/staff", guards=[READERS], dependencies={"selected": Provide(staff_filter)})
    async def staff(
        self,
        use_cases: NamedDependency[UseCases],
        selected: NamedDependency[StaffFilter],
        as_of: Annotated[date | None, day_parameter("Default: today")] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=1000)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        sort: Annotated[
            StaffSort | None,
            QueryParameter(
                description="deadline (default): the soonest deadline of the cycles the filter"
                " selected first (``deadline`` of each item), none last; or name. With a"
                " ``cursor``, the cursor's own sort unless given (another sort is a 400)"
            ),
        ] = None,
    ) -> StaffPage:
        """The organisation's staff by deadline (soonest first) or by name, filtered, a page at a
        time (``next_cursor``)."""
        check_days(as_of=as_of)
        command = ListStaff(selected=selected, limit=limit, cursor=cursor, as_of=as_of, sort=sort)
        try:
            return await use_cases.run(staff.list_staff, command)
        except InvalidCursor as exc:
            raise ValidationException(str(exc)) from exc

    @get(
        "/staff.csv",
        guards=[READERS],
        dependencies={"selected": Provide(staff_filter)},
        media_type=MEDIA_TYPE,
    )
    async def staff_csv(
        self,
        use_cases: NamedDependency[UseCases],
        selected: NamedDependency[StaffFilter],
        as_of: Annotated[date | None, day_parameter("Default: today")] = None,
    ) -> Response[bytes]:
        """Everyone the staff list gives for the same filters, as one CSV file: one row per
        person and cycle, formula-safe."""
        check_days(as_of=as_of)
        found = await use_cases.run(staff.export_staff, ExportStaff(selected=selected, as_of=as_of))
        return download(found.content, found.filename)

    @post("/people/{person_id:uuid}/reminder", guards=[MANAGERS], status_code=200)
    async def remind_one(
        self, use_cases: NamedDependency[UseCases], person_id: FromPath[UUID]
    ) -> RemindersSent:
        """Mail the person a reminder of their cycles still short, now (once a day at most;
        recorded; at most ``PER_HOUR`` reminders an hour per organisation, else 429)."""
        return await use_cases.run(send_reminders, SendReminders(person_id=person_id))

    @post(
        "/staff/reminders",
        guards=[MANAGERS],
        status_code=200,
        dependencies={"selected": Provide(staff_filter)},
    )
    async def remind_list(
        self, use_cases: NamedDependency[UseCases], selected: NamedDependency[StaffFilter]
    ) -> RemindersSent:
        """Mail a reminder to everyone the staff list gives for the same filters who has a
        cycle short; the answer names who got one and who did not, and why."""
        return await use_cases.run(send_reminders, SendReminders(selected=selected))

    @get("/staff/seats", guards=[READERS])
    async def seats(self, use_cases: NamedDependency[UseCases]) -> Seats:
        """Active staff records (the seats billing counts) and deactivated ones."""
        return await use_cases.run(staff.staff_seats, None)

    @post("/people/{person_id:uuid}/deactivation", guards=[MANAGERS])
    async def deactivate(
        self,
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
        data: JSONBody[StatusChange],
    ) -> Person:
        """Take a person off the active staff (history kept); already inactive: no change. The
        member account linked to the record is removed at once, with its sessions and API
        tokens (``MemberRemoved``); admins cannot deactivate an owner's or admin's record."""
        person = await use_cases.run(
            staff.deactivate_person, ChangeActivity(person_id=person_id, reason=data.reason)
        )
        return from_view(person, Person)

    @post("/people/{person_id:uuid}/reactivation", guards=[MANAGERS])
    async def reactivate(
        self,
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
        data: JSONBody[StatusChange],
    ) -> Person:
        """Put a deactivated person back on the active staff; already active: no change. Access
        is not restored: the person is invited again for a new account link."""
        person = await use_cases.run(
            staff.reactivate_person, ChangeActivity(person_id=person_id, reason=data.reason)
        )
        return from_view(person, Person)
