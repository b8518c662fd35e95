"""Staff roster import: parse and validate a CSV file of staff and their credentials (no I/O).

``parse_roster(data)`` turns the raw bytes into typed ``RosterRow``s and per-line errors; a file
that cannot be read as a roster at all (not UTF-8, not CSV, unknown or missing columns, no
rows, the same employee number or email twice) raises ``RosterRejected``. ``plan_row`` decides
the events that bring one person to what their row states, with the person aggregate's own
deciders, so every business rule of a single change also holds for an import.

Columns (docs/staff-import.md): ``employee_number``, ``email``, ``full_name`` (required
headers), and optionally ``department``, ``site``, ``birth_month``, ``registry_ids``
(``BODY:ID; ...``) and ``credentials`` (``BODY:CODE:YYYY-MM-DD[:SPEC+SPEC]; ...``).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from typing import cast, get_args
from uuid import UUID

import msgspec

from domain.people.credentials import STATE_BOARDS, Body, Specialty
from domain.people.person import (
    AddCredential,
    AddSpecialty,
    AssignPerson,
    InvalidPersonData,
    Person,
    PersonRefused,
    RecordBirthMonth,
    RecordRegistryId,
    RegisterPerson,
    decide_add_credential,
    decide_add_specialty,
    decide_assign_person,
    decide_record_birth_month,
    decide_record_registry_id,
    decide_register_person,
    evolve,
    normal_email,
)
from domain.shared.errors import DomainError
from domain.shared.event import Event, fold

REQUIRED_COLUMNS = ("employee_number", "email", "full_name")
OPTIONAL_COLUMNS = ("department", "site", "birth_month", "registry_ids", "credentials")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_ROWS = 50_000
_BODIES: frozenset[str] = frozenset(get_args(Body))
_SPECIALTIES: frozenset[str] = frozenset(get_args(Specialty))


class RosterRejected(DomainError):
    """The file as a whole is not a roster this import can read; nothing is stored."""


class RosterRow(msgspec.Struct, frozen=True, kw_only=True):
    """One well-formed line (``line`` counts the header as line 1); blank cells are None."""

    line: int
    full_name: str
    employee_number: str | None = None
    email: str | None = None
    department: str | None = None
    site: str | None = None
    birth_month: int | None = None
    registry_ids: dict[Body, str] = msgspec.field(default_factory=dict)
    credentials: tuple[AddCredential, ...] = ()
    """As the commands that add them; ``plan_row`` adds those not held yet."""


class LineErrors(msgspec.Struct, frozen=True, kw_only=True):
    line: int
    errors: list[str]


class Roster(msgspec.Struct, frozen=True, kw_only=True):
    """The file's well-formed rows and, per malformed line, what is wrong with it."""

    rows: list[RosterRow]
    invalid: list[LineErrors]


def parse_roster(data: bytes, *, max_rows: int = MAX_ROWS) -> Roster:
    """Read a whole roster file. Raises ``RosterRejected`` for a file-level problem."""
    if b"\x00" in data:
        raise RosterRejected("this is not a CSV text file (it contains binary data)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterRejected(f"the file must be UTF-8 encoded (byte {exc.start} is not)") from exc
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise RosterRejected(f"this is not a readable CSV file: {exc}") from exc
    if not records:
        raise RosterRejected("the file is empty")
    header = [name.strip().lower() for name in records[0]]
    _check_header(header)
    body = [(n, r) for n, r in enumerate(records[1:], start=2) if any(c.strip() for c in r)]
    if not body:
        raise RosterRejected("the file has a header but no rows")
    if len(body) > max_rows:
        raise RosterRejected(f"at most {max_rows} rows per file, this one has {len(body)}")
    rows: list[RosterRow] = []
    invalid: list[LineErrors] = []
    for line, record in body:
        if len(record) != len(header):
            invalid.append(
                LineErrors(line=line, errors=[f"{len(record)} cells, expected {len(header)}"])
            )
            continue
        row, errors = _row(line, dict(zip(header, record, strict=True)))
        if errors:
            invalid.append(LineErrors(line=line, errors=errors))
        elif row is not None:
            rows.append(row)
    _check_duplicates(rows)
    return Roster(rows=rows, invalid=invalid)


def _check_header(header: list[str]) -> None:
    unknown = [name for name in dict.fromkeys(header) if name not in COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    repeated = sorted(name for name, count in Counter(header).items() if count > 1)
    problems = []
    if unknown:
        problems.append(f"unknown columns: {_first_names(unknown)}")
    if missing:
        problems.append(f"missing columns: {', '.join(missing)}")
    if repeated:
        problems.append(f"repeated columns: {_first_names(repeated)}")
    if problems:
        raise RosterRejected(f"{'; '.join(problems)} (expected: {', '.join(COLUMNS)})")


def _first_names(names: list[str], shown: int = 20) -> str:
    """The first ``shown`` of ``names``, and how many more there are."""
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" (and {more} more)" if more > 0 else "")


def _check_duplicates(rows: list[RosterRow]) -> None:
    seen: dict[tuple[str, str], int] = {}
    clashes = []
    for row in rows:
        for key in (("employee number", row.employee_number), ("email", row.email)):
            if key[1] is None:
                continue
            first = seen.setdefault((key[0], key[1]), row.line)
            if first != row.line:
                clashes.append(f"{key[0]} {key[1]} on lines {first} and {row.line}")
    if clashes:
        raise RosterRejected("duplicates within the file: " + "; ".join(clashes[:20]))


def _row(line: int, cells: dict[str, str]) -> tuple[RosterRow | None, list[str]]:
    def cell(name: str) -> str | None:
        return cells.get(name, "").strip() or None

    errors: list[str] = []

    def attempt(parse: Callable[[], object]) -> object:
        try:
            return parse()
        except (PersonRefused, ValueError) as exc:
            errors.append(str(exc))
            return None

    full_name = cell("full_name")
    if full_name is None:
        errors.append("full_name is required")
    employee_number, email = cell("employee_number"), attempt(lambda: normal_email(cell("email")))
    if employee_number is None and email is None and not errors:
        errors.append("an employee_number or an email is required")
    birth_month = attempt(lambda: _birth_month(cell("birth_month")))
    registry_ids = attempt(lambda: _registry_ids(cell("registry_ids")))
    credentials = attempt(lambda: _credentials(cell("credentials")))
    if errors or full_name is None:
        return None, errors
    return (
        RosterRow(
            line=line,
            full_name=full_name,
            employee_number=employee_number,
            email=cast(str | None, email),
            department=cell("department"),
            site=cell("site"),
            birth_month=cast(int | None, birth_month),
            registry_ids=cast(dict[Body, str], registry_ids),
            credentials=cast(tuple[AddCredential, ...], credentials),
        ),
        [],
    )


def _birth_month(value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 12:
        raise ValueError(f"birth_month must be 1-12, not {value!r}")
    return int(value)


def _items(value: str | None) -> list[list[str]]:
    return [
        [p.strip() for p in item.split(":")] for item in (value or "").split(";") if item.strip()
    ]


def _body(value: str) -> Body:
    if value not in _BODIES:
        raise ValueError(f"unknown body {value!r} (one of {', '.join(sorted(_BODIES))})")
    return cast(Body, value)


def _registry_ids(value: str | None) -> dict[Body, str]:
    found: dict[Body, str] = {}
    for parts in _items(value):
        if len(parts) != 2 or not parts[1]:
            raise ValueError(f"registry id {':'.join(parts)!r} is not BODY:ID")
        found[_body(parts[0])] = parts[1]
    return found


def _credentials(value: str | None) -> tuple[AddCredential, ...]:
    entries = []
    for parts in _items(value):
        if len(parts) not in (3, 4):
            raise ValueError(f"credential {':'.join(parts)!r} is not BODY:CODE:YYYY-MM-DD[:SPECS]")
        try:
            earned_on = date.fromisoformat(parts[2])
        except ValueError:
            raise ValueError(f"earned date {parts[2]!r} is not YYYY-MM-DD") from None
        specialties = [s.strip() for s in parts[3].split("+")] if len(parts) == 4 else []
        if unknown := [s for s in specialties if s not in _SPECIALTIES]:
            raise ValueError(f"unknown specialty {', '.join(unknown)}")
        entries.append(
            AddCredential(
                body=_body(parts[0]),
                code=parts[1],
                earned_on=earned_on,
                specialties=tuple(cast(Specialty, s) for s in specialties),
            )
        )
    return tuple(entries)


def plan_row(
    state: Person | None,
    row: RosterRow,
    *,
    person_id: UUID,
    now: datetime,
    ids: Callable[[], UUID],
) -> list[Event]:
    """The events that make ``state`` (None: register ``person_id``) hold what ``row`` states:
    department and site as given, employee number and birth month and registry ids when given,
    credentials and specialties not yet held (national ones before state licences). Never
    renames, removes, changes a held credential, or (re)activates. Returns [] when nothing
    changes; raises a ``PersonRefused`` when a decider refuses."""
    events: list[Event] = []

    def run(decide: Callable[..., list[Event]], command: object) -> None:
        nonlocal state
        decided = decide(state, command, now=now, ids=ids)
        events.extend(decided)
        state = fold(evolve, decided, state)

    if state is None:
        run(
            decide_register_person,
            RegisterPerson(
                person_id=person_id,
                full_name=row.full_name,
                department=row.department,
                site=row.site,
                employee_number=row.employee_number,
                email=row.email,
            ),
        )
    else:
        run(
            decide_assign_person,
            AssignPerson(
                department=row.department,
                site=row.site,
                employee_number=row.employee_number or state.employee_number,
            ),
        )
    if row.birth_month is not None:
        run(decide_record_birth_month, RecordBirthMonth(birth_month=row.birth_month))
    for body, registry_id in row.registry_ids.items():
        run(decide_record_registry_id, RecordRegistryId(body=body, registry_id=registry_id))
    for entry in sorted(row.credentials, key=lambda c: c.body in STATE_BOARDS):
        _plan_credential(run, _current(state), entry)
    return events


def _current(state: Person | None) -> Person:
    if state is None:  # plan_row registers first, so this cannot happen
        raise InvalidPersonData("the person is not registered")
    return state


def _plan_credential(
    run: Callable[[Callable[..., list[Event]], object], None],
    person: Person,
    entry: AddCredential,
) -> None:
    held = next(
        (c for c in person.credentials if (c.body, c.code) == (entry.body, entry.code)), None
    )
    if held is None:
        run(decide_add_credential, entry)
        return
    carried = {s.specialty for s in held.specialties}
    for specialty in entry.specialties:
        if specialty not in carried:
            run(
                decide_add_specialty,
                AddSpecialty(
                    credential_id=held.credential_id, specialty=specialty, earned_on=entry.earned_on
                ),
            )
