"""Staff CSV import in three steps: upload the file, read the preview (what each row would do,
and what is wrong with each invalid one: ``import_roster`` dry run), then apply it.

The preview carries the file itself (base64, in the apply form), so applying needs no second
upload; applying validates every row again against the staff as they are then, in one
transaction (``services.core.staff.roster``): a file whose rows turned invalid meanwhile is
shown again, and nothing is stored unless the chosen mode allows it.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
from collections.abc import Mapping
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Template

from domain.people.roster_import import COLUMNS, RosterRejected
from services.api.portal.events import event_label
from services.api.portal.forms import Form, read_form
from services.api.portal.pages import page
from services.api.portal.staff import MANAGERS
from services.core.application import UseCases
from services.core.staff.roster import ImportMode, ImportReport, RowOutcome
from services.core.staff.use_cases import ImportStaff, import_staff

OUTCOMES: Mapping[RowOutcome, str] = {
    "create": "New person",
    "update": "Changes",
    "unchanged": "Nothing to change",
    "invalid": "Not valid",
}
MODES: Mapping[ImportMode, str] = {
    "all_or_nothing": "Import every row",
    "valid_rows": "Import the valid rows only",
}


def people_by_line(data: bytes) -> dict[int, dict[str, str]]:
    """Who each line of a file ``parse_roster`` accepted names, as typed (invalid lines too):
    ``full_name``, ``employee_number`` and ``email`` by line number (the header is line 1)."""
    records = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    header = [name.strip().lower() for name in records[0]]
    return {
        line: {
            name: cell.strip()
            for name, cell in zip(header, record, strict=False)
            if name in ("full_name", "employee_number", "email")
        }
        for line, record in enumerate(records[1:], start=2)
    }


class RosterPages(Controller):
    path = "/staff/import"
    guards = [MANAGERS]  # noqa: RUF012 (Litestar layer)

    @get("")
    async def upload_page(self, request: Request[Any, Any, Any]) -> Template:
        return await self._upload(request, Form("import"))

    async def _upload(
        self, request: Request[Any, Any, Any], form: Form, status: int = 200
    ) -> Template:
        return await page(request, "staff/import.html", form=form, columns=COLUMNS, status=status)

    @post("")
    async def preview(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Template:
        """Check the uploaded file row by row; store nothing."""
        form = await read_form(request, "import")
        uploads = [u for u in form.files.get("file", []) if u.filename]
        if not uploads:
            form.fail("file", "Choose the CSV file to import")
            return await self._upload(request, form, 422)
        data = await uploads[0].read()
        return await self._checked(request, use_cases, form, data, mode=None)

    @post("/apply")
    async def apply(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Template:
        """Store the previewed file's rows as the chosen mode says."""
        form = await read_form(request, "import")
        mode = form.choice("mode", "how to import", MODES)
        try:
            data = base64.b64decode(form.value("roster"), validate=True)
        except (binascii.Error, ValueError):
            data = b""
        if not data:
            form.fail("file", "The previewed file was lost: upload it again")
        if not form.ok or mode is None:
            return await self._upload(request, form, 422)
        return await self._checked(request, use_cases, form, data, mode=mode)

    async def _checked(
        self,
        request: Request[Any, Any, Any],
        use_cases: UseCases,
        form: Form,
        data: bytes,
        *,
        mode: ImportMode | None,
    ) -> Template:
        """The preview (``mode`` None: a dry run) or the outcome of applying ``data``."""
        command = ImportStaff(csv=data, mode=mode or "all_or_nothing", dry_run=mode is None)
        try:
            report = await use_cases.run(import_staff, command)
        except RosterRejected as exc:
            form.refuse(exc, "file")
            return await self._upload(request, form, 422)
        return await self._report(request, report, data, refused=mode is not None)

    async def _report(
        self,
        request: Request[Any, Any, Any],
        report: ImportReport,
        data: bytes,
        *,
        refused: bool,
    ) -> Template:
        return await page(
            request,
            "staff/import_report.html",
            report=report,
            people=people_by_line(data),
            outcomes=OUTCOMES,
            modes=MODES,
            change_label=event_label,
            roster=base64.b64encode(data).decode() if not report.applied else "",
            refused=refused and not report.applied,
            status=422 if refused and not report.applied else 200,
        )
