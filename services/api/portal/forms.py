"""Forms: what a person typed, read back field by field into typed values, and what is wrong.

A ``Form`` keeps every value as typed, so a refused form is shown again exactly as it was sent
(passwords excepted: templates never echo them). Each reader (``text``, ``day``, ``amount`` ...)
returns the typed value, or records a message for the field and returns None; ``refuse`` records
a refusal of the domain or of identity checks. The templates' macros (``macros/forms.html``) show
a summary of the problems at the top, linked to the fields, and each message at its field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any, TypeVar

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.exceptions import ClientException

from domain.shared.errors import DomainError
from domain.shared.limits import EARLIEST_DAY, LATEST_DAY, parse_decimal
from services.api.idempotency import FORM_KEY_FIELD, remember_form_key
from services.api.input_limits import NUL, NUL_REFUSED
from services.core.accounts.identity import IdentityError
from services.core.application import AccessDenied, NotFound, UseCase, UseCases

K = TypeVar("K", bound=str)
C = TypeVar("C")
R = TypeVar("R")
Refusal = DomainError | IdentityError
NOT_FIELDS = frozenset({"_csrf_token", FORM_KEY_FIELD})


class Form:
    """One form's values (as typed) and problems (by field; ``None``: the whole form)."""

    def __init__(self, prefix: str, values: Mapping[str, str | list[str]] | None = None) -> None:
        self.prefix = prefix
        """Makes the field ids unique on a page with several forms."""
        self.values: dict[str, str | list[str]] = dict(values or {})
        self.errors: dict[str | None, str] = {}
        self.files: dict[str, list[UploadFile]] = {}

    @property
    def ok(self) -> bool:
        return not self.errors

    def field_id(self, name: str) -> str:
        return f"{self.prefix}-{name.replace('_', '-')}"

    def value(self, name: str) -> str:
        found = self.values.get(name, "")
        return found if isinstance(found, str) else (found[0] if found else "")

    def selected(self, name: str) -> list[str]:
        found = self.values.get(name, [])
        return [found] if isinstance(found, str) else list(found)

    def fail(self, name: str | None, message: str) -> None:
        """Record ``message`` for the field ``name`` (the first message per field stays)."""
        self.errors.setdefault(name, message[:1].upper() + message[1:])

    def refuse(self, exc: Refusal, name: str | None = None) -> None:
        """Record a refusal by the domain or identity checks, at ``name`` when it is clear which
        field it is about."""
        self.fail(name, str(exc))

    def text(self, name: str, label: str, *, required: bool = True, max_length: int = 200) -> str:
        value = self.value(name).strip()
        if required and not value:
            self.fail(name, f"Enter the {label}")
        elif len(value) > max_length:
            self.fail(name, f"The {label} must be at most {max_length} characters")
        return value

    def password(self, name: str, missing: str) -> str:
        """A password as typed (never trimmed); ``missing`` is the message when it is empty."""
        value = self.value(name)
        if not value:
            self.fail(name, missing)
        return value

    def day(self, name: str, label: str) -> date | None:
        value = self.value(name).strip()
        if not value:
            self.fail(name, f"Enter the {label}")
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            self.fail(name, f"Enter the {label} as a date, like 2026-10-02")
            return None
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            self.fail(name, f"Enter the {label} between {EARLIEST_DAY} and {LATEST_DAY}")
            return None
        return day

    def moment(self, name: str, label: str, zone: tzinfo = UTC) -> datetime | None:
        """A date and time read in ``zone`` (the organisation's), in UTC, in the same range as
        days."""
        try:
            typed = datetime.fromisoformat(self.value(name).strip())
            found = typed.replace(tzinfo=zone).astimezone(UTC)
        except ValueError:
            self.fail(name, f"Enter the {label} as a date and time, like 2026-10-02 14:30")
            return None
        if not EARLIEST_DAY <= found.date() <= LATEST_DAY:
            self.fail(name, f"Enter the {label} between {EARLIEST_DAY} and {LATEST_DAY}")
            return None
        return found

    def amount(self, name: str, label: str, *, required: bool = True) -> Decimal | None:
        value = self.value(name).strip().replace(",", ".")
        if not value:
            if required:
                self.fail(name, f"Enter the {label}")
            return None
        found = parse_decimal(value)
        if found is None:
            self.fail(name, f"Enter the {label} as a number, like 1.25")
        return found

    def choice(self, name: str, label: str, options: Mapping[K, Any]) -> K | None:
        value = self.value(name)
        for option in options:
            if option == value:
                return option
        self.fail(name, f"Choose the {label}")
        return None

    def choices(
        self, name: str, label: str, options: Mapping[K, Any], *, at_least_one: bool = False
    ) -> list[K]:
        chosen = [option for option in options if option in self.selected(name)]
        if len(chosen) != len(set(self.selected(name))):
            self.fail(name, f"Choose the {label} from the list")
        elif at_least_one and not chosen:
            self.fail(name, f"Choose at least one {label}")
        return chosen


async def read_form(request: Request[Any, Any, Any], prefix: str) -> Form:
    """The submitted form: text values as typed (repeated names as lists), files apart; its
    one-time key becomes the request's idempotency key. A NUL character in any text value
    refuses the whole form (400: PostgreSQL cannot store it)."""
    data = await request.form()
    remember_form_key(request.scope, data.get(FORM_KEY_FIELD))
    form = Form(prefix)
    for name in data:
        if name in NOT_FIELDS:
            continue
        values = data.getall(name)
        files = [v for v in values if isinstance(v, UploadFile)]
        if files:
            form.files[name] = files
        texts = [v for v in values if isinstance(v, str)]
        if any(NUL in text for text in [name, *texts]):
            raise ClientException(f"The form is refused: {NUL_REFUSED}")
        if texts:
            form.values[name] = texts if len(texts) > 1 else texts[0]
    return form


async def submit(
    form: Form,
    use_cases: UseCases,
    use_case: UseCase[C, R],
    command: C,
    *,
    field: Callable[[Refusal], str | None] | str | None = None,
) -> R | None:
    """Run ``use_case`` with ``command`` if ``form`` has no problems: its result, or None with
    the domain's (or identity checks') refusal on the form, at the field ``field`` names (a
    name, or a function of the refusal). Whether it ran is ``form.ok`` afterwards. Access
    refusals are not the form's: ``AccessDenied`` and ``NotFound`` propagate (403, 404)."""
    if not form.ok:
        return None
    try:
        return await use_cases.run(use_case, command)
    except (AccessDenied, NotFound):
        raise
    except (DomainError, IdentityError) as exc:
        form.refuse(exc, field(exc) if callable(field) else field)
        return None
