"""The portal's page foundation: templates, the layout every page shares (navigation per role,
organisation switcher), rendering full pages or HTMX partials, redirects after a change, and the
HTML answers to errors.

A page handler:
- reads ``request.user`` (a ``Principal``; pages that need no sign-in set
  ``exclude_from_auth=True``) and calls the same core handlers and queries as the API;
- answers ``await page(request, "area/name.html", ...)``, naming a ``partial`` template to send
  instead when the request comes from HTMX;
- after a successful change answers ``see_other(request, "/somewhere")`` (303, or HX-Redirect);
- on a refusal re-renders the form (``forms.Form``) with the message and what was typed, with
  the status the API would answer (422 for input the portal itself refuses).
Errors that escape a handler become HTML pages (``EXCEPTION_HANDLERS``), never problem JSON, and
a visitor who is not signed in is sent to the sign-in page and back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Generic, NamedTuple, Protocol, TypeVar
from urllib.parse import quote, urlencode, urlsplit
from uuid import UUID
from zoneinfo import ZoneInfo

from jinja2 import pass_context
from litestar import Request, route
from litestar.enums import HttpMethod
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import ClientRedirect
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Response, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.template.config import TemplateConfig
from litestar.types import ExceptionHandlersMap

from domain import vocabulary
from domain.organisations.organisation import Role
from domain.shared.errors import Refusal
from services.api.application import application_of
from services.api.auth import Principal, retrieve_principal
from services.api.errors import http_to_problem, to_problem
from services.api.idempotency import one_time_key
from services.api.portal import terms
from services.api.portal.forms import DAY_HINT, MOMENT_HINT, Form
from services.api.use_cases import provide_use_cases
from services.core.accounts.identity import Membership
from services.core.accounts.signing_in import memberships_of_user
from services.core.application import UseCase, UseCases
from services.core.billing.banner import billing_notice
from services.core.eventsourcing.store import ConcurrencyConflict
from services.core.mail_templates import credits_text, day_text
from services.core.staff.listing import InvalidCursor

PORTAL = Path(__file__).parent
TEMPLATES = PORTAL / "templates"
STATIC = PORTAL / "static"
HTMX_DIST = PORTAL.parents[2] / "node_modules" / "htmx.org" / "dist"
"""htmx as installed from the npm lock (``scripts/bootstrap``), served under ``/static``."""

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""Pages load only their own scripts and styles: no inline code, nothing from elsewhere."""

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
"""Sent with every page, error pages included."""


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str


@dataclass(frozen=True)
class NavGroup:
    label: str
    items: tuple[NavItem, ...]


MY_RECORD = NavGroup(
    "My record",
    (
        NavItem("My standing", "/dashboard"),
        NavItem("Credits", "/credits"),
        NavItem("Record a credit", "/credits/new"),
        NavItem("Profile", "/profile"),
        NavItem("Transcripts", "/transcripts"),
    ),
)
"""The pages about the member's own CE record."""

_ORGANISATION_PAGES = (
    NavItem("Overview", "/organisation"),
    NavItem("Staff", "/staff"),
    NavItem("Reviews", "/reviews"),
    NavItem("Reports", "/reports"),
    NavItem("Audit trail", "/audit"),
)
MANAGING = NavGroup(
    "Organisation",
    (
        *_ORGANISATION_PAGES,
        NavItem("Access", "/access"),
        NavItem("Settings", "/settings"),
        NavItem("Billing", "/billing"),
    ),
)
"""The pages about the organisation's staff, for owners and admins."""

AUDITING = NavGroup("Organisation", (*_ORGANISATION_PAGES, NavItem("Chain", "/audit/chain")))
"""What auditors read (they have no record of their own)."""

NAVIGATION: Mapping[Role, tuple[NavGroup, ...]] = {
    "owner": (MANAGING, MY_RECORD),
    "admin": (MANAGING, MY_RECORD),
    "employee": (MY_RECORD,),
    "auditor": (AUDITING,),
}
"""The main navigation per role, in groups, the group of the landing page first."""

LANDING: Mapping[Role, str] = {
    "owner": "/organisation",
    "admin": "/organisation",
    "auditor": "/audit",
    "employee": "/dashboard",
}
"""Where each role starts: owners and admins on the organisation, auditors on the audit
trail, employees on their own standing."""

HOME = "/"
"""Where signing in lands: it sends each member to their role's ``LANDING``."""

NOTICES: dict[str, str] = {
    "signed-out": "You are signed out.",
    "password-changed": "Your password is changed. Sign in with the new one.",
    "verification-sent": "A confirmation link is on its way to your address.",
    "saved": "Saved.",
    "retracted": "The credit is retracted; it no longer counts anywhere.",
    "amended": "The credit is amended. It will be checked again.",
    "certificate-added": "The certificate is stored with the credit.",
}
"""Messages a redirect can ask the next page to show (``see_other(..., notice=key)``)."""


DISPLAY_ZONE = UTC
"""The time zone times are shown in (pages name it next to every time)."""


@pass_context
def day_filter(context: Mapping[str, Any], value: date, time: bool = False) -> str:
    """The one way pages show a day or a moment: "7 Dec 2026", and with ``time`` a moment as
    "7 Dec 2026, 03:44 UTC" (a moment's day is its day in the zone shown). ISO dates are for
    exports and the API only."""
    if not isinstance(value, datetime):
        return day_text(value)
    zone = context.get("time_zone", DISPLAY_ZONE)
    moment = value.astimezone(zone)
    return (
        f"{day_text(moment.date())}, {moment:%H:%M} {moment.tzname()}"
        if time
        else day_text(moment.date())
    )


LIST_PAGE = 10
"""Items of a long list on one page (``paged``)."""


@dataclass(frozen=True)
class ListPage:
    items: list[Any]
    number: int
    pages: int
    previous_url: str | None
    next_url: str | None


@pass_context
def paged(
    context: Mapping[str, Any], items: list[Any], key: str, per_page: int = LIST_PAGE
) -> ListPage:
    """One page of a long list already in the page (a person's credits ...), the page number
    read from the query parameter ``key``; the links keep the other parameters and land on
    ``#key``."""
    request: Request[Any, Any, Any] = context["request"]
    pages = max(1, -(-len(items) // per_page))
    try:
        number = min(max(1, int(request.query_params.get(key, "1"))), pages)
    except ValueError:
        number = 1

    def link(to: int) -> str:
        query = {**dict(request.query_params), key: str(to)}
        return f"{request.url.path}?{urlencode(query)}#{key}"

    return ListPage(
        items=items[(number - 1) * per_page : number * per_page],
        number=number,
        pages=pages,
        previous_url=link(number - 1) if number > 1 else None,
        next_url=link(number + 1) if number < pages else None,
    )


class CursorPage(Protocol):
    @property
    def next_cursor(self) -> str | None: ...


C = TypeVar("C")
P = TypeVar("P", bound=CursorPage)


@dataclass(frozen=True)
class KeysetPage(Generic[P]):
    found: P | None
    """None when the form's filters or its cursor were refused (the problem is on the form)."""
    next_url: str | None
    first_url: str | None
    """Back to the first page, when this is not it."""


async def keyset_page(
    form: Form,
    use_cases: UseCases,
    use_case: UseCase[C, P],
    query: Callable[[str | None], C],
    url: Callable[[str | None], str],
) -> KeysetPage[P]:
    """One page of a list read a page at a time, at the form's ``cursor``, if the form has no
    problems: ``query`` of the cursor is what ``use_case`` runs, ``url`` of a cursor (None: the
    first page) is the page's address with the same filters. An out-of-date cursor is a
    problem of the form."""
    cursor = form.value("cursor") or None
    found = None
    if form.ok:
        try:
            found = await use_cases.run(use_case, query(cursor))
        except InvalidCursor:
            form.fail(None, "This page link is out of date: start again from the first page")
    next_cursor = found.next_cursor if found else None
    return KeysetPage(
        found=found,
        next_url=url(next_cursor) if next_cursor else None,
        first_url=url(None) if cursor else None,
    )


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja2 over ``templates/`` (autoescaped), with the portal's filters and vocabularies."""

    def prepare(engine: JinjaTemplateEngine) -> None:
        env = engine.engine
        env.filters.update(day=day_filter, credits=credits_text)
        env.globals.update(
            labels=vocabulary,
            home=HOME,
            one_time_key=one_time_key,
            paged=paged,
            glossary=terms.BY_KEY,
            cycle_terms=terms.CYCLE_TERM,
            day_hints={False: DAY_HINT, True: MOMENT_HINT},
        )
        env.trim_blocks = env.lstrip_blocks = True

    return TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=prepare)


def principal(request: Request[Any, Any, Any]) -> Principal:
    """The signed-in member (every page that is not ``exclude_from_auth`` has one)."""
    user = request.scope.get("user")
    if not isinstance(user, Principal):
        raise NotAuthorizedException("sign in to see this page")
    return user


async def signed_in_member(request: Request[Any, Any, Any]) -> Principal | None:
    """The signed-in member, also on a page that needs no sign-in (None: nobody is)."""
    user = request.scope.get("user")
    if isinstance(user, Principal):
        return user
    session = request.scope.get("session")
    if not isinstance(session, dict) or "user_id" not in session:
        return None
    found = await retrieve_principal(session, request)
    if found is not None:
        request.scope["user"] = found
    return found


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


def _layout(request: Request[Any, Any, Any]) -> dict[str, Any]:
    user = request.scope.get("user")
    me = user if isinstance(user, Principal) else None
    return {
        "me": me,
        "nav": NAVIGATION[me.role] if me else (),
        "current_path": request.url.path,
        "organisations": [],
        "notice": NOTICES.get(request.query_params.get("done", "")),
    }


async def page(
    request: Request[Any, Any, Any],
    template: str,
    *,
    partial: str | None = None,
    status: int = 200,
    **context: Any,
) -> Template:
    """Render ``template`` inside the layout, or only ``partial`` for an HTMX request."""
    layout = _layout(request)
    me = layout["me"]
    if me is not None:
        memberships = await memberships_of_user(application_of(request.app).database, me.user_id)
        layout["time_zone"] = _zone_of(memberships, me.tenant_id)
        if not (partial and is_htmx(request)):
            layout["organisations"] = memberships
            if me.role in ("owner", "admin"):
                layout["billing_notice"] = await provide_use_cases(request).run(
                    billing_notice, None
                )
    name = partial if partial and is_htmx(request) else template
    return Template(template_name=name, context={**layout, **context}, status_code=status)


def _zone_of(memberships: Sequence[Membership], tenant_id: UUID) -> ZoneInfo:
    zones = [m.time_zone for m in memberships if m.tenant_id == tenant_id]
    return ZoneInfo(zones[0] if zones else "UTC")


async def organisation_zone(request: Request[Any, Any, Any]) -> ZoneInfo:
    """The time zone the signed-in member's organisation chose: pages show times in it and
    read the moments typed into them in it."""
    me = principal(request)
    database = application_of(request.app).database
    return _zone_of(await memberships_of_user(database, me.user_id), me.tenant_id)


CONFIRM_FIELD = "confirmed"
"""Set by the second step of a destructive action (``confirm_first``)."""


class Question(NamedTuple):
    """What a confirmation step asks: ``{}`` in the title and the consequence stands for what
    the action is about (a person's name, an address)."""

    title: str
    consequence: str
    button: str
    """Goes ahead."""


async def confirm_first(
    request: Request[Any, Any, Any], form: Form, question: Question, back: str, about: str = ""
) -> Template | None:
    """The confirmation step of an action that cannot be taken back, without any script: a
    page asking ``question`` about ``about``, carrying what was typed, with its button to go
    ahead and a way ``back``. None when the form already comes from that page."""
    if form.value(CONFIRM_FIELD) == "yes":
        return None
    carried = [
        (name, value)
        for name, values in form.values.items()
        if name != CONFIRM_FIELD
        for value in ([values] if isinstance(values, str) else values)
    ]
    return await page(
        request,
        "confirm.html",
        title=question.title.format(about),
        consequence=question.consequence.format(about),
        button=question.button,
        back=back,
        action=request.url.path,
        carried=carried,
        confirm_field=CONFIRM_FIELD,
    )


def see_other(
    request: Request[Any, Any, Any], location: str, *, notice: str | None = None
) -> Response[Any]:
    """After a change: 303 to ``location`` (HTMX: ``HX-Redirect``, which htmx follows), where
    the ``NOTICES`` message ``notice`` is shown."""
    if notice is not None:
        assert notice in NOTICES, notice
        path, hash_mark, fragment = location.partition("#")
        path += ("&" if "?" in path else "?") + f"done={notice}"
        location = path + hash_mark + fragment
    if is_htmx(request):
        return ClientRedirect(location)
    return Redirect(location, status_code=303)


def safe_next(target: str | None) -> str:
    """``target`` if it is a path of this site, else the home page (no open redirects)."""
    if not target:
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return HOME
    return target


def _to_sign_in(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = "/sign-in" if request.method != "GET" else f"/sign-in?next={quote(here, safe='')}"
    return see_other(request, location)


_TITLES = {
    400: "This request could not be read",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "Changed meanwhile",
    410: "Gone",
    413: "Too large",
    415: "Not a supported file",
    422: "Not accepted",
    429: "Too many requests",
}


def error_page(request: Request[Any, Any, Any], exc: Exception) -> Template:
    """An HTML page for an error no page handled: its status, a title and what to do, with the
    pages' security headers (an exception's answer does not get the router's headers)."""
    if isinstance(exc, Refusal):
        problem = to_problem(exc)
        status, detail = problem.status_code, str(problem.detail)
    elif isinstance(exc, ConcurrencyConflict):
        status, detail = (
            409,
            "The record changed while this was handled. Nothing was stored; try again.",
        )
    elif isinstance(exc, HTTPException):
        status, detail = exc.status_code, exc.detail
    else:
        status, detail = HTTP_500_INTERNAL_SERVER_ERROR, "Something went wrong on our side."
    if detail == "CSRF token verification failed":
        detail = "This form has expired. Go back, reload the page and send it again."
    return Template(
        headers={**SECURITY_HEADERS, "Cache-Control": "no-store"},
        template_name="error.html",
        context={
            **_layout(request),
            "status": status,
            "title": _TITLES.get(status, "Something went wrong"),
            "detail": detail[:1].upper() + detail[1:],
            "request_id": request.scope.get("state", {}).get("request_id"),
        },
        status_code=status,
    )


@route("/{rest:path}", http_method=list(HttpMethod), exclude_from_auth=True)
async def unknown_page(request: Request[Any, Any, Any], rest: FromPath[str]) -> None:
    """Any other address outside the API: the HTML "Not found" page, in the signed-in layout
    when the visitor is signed in (routing's own 404 would be problem JSON, without it)."""
    if rest.startswith(("api/", "static/")) or rest == "api":
        raise http_to_problem(NotFoundException(f"no resource at /{rest}"))
    await signed_in_member(request)
    raise NotFoundException("There is no page at this address. Check the link, or start again.")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    NotAuthorizedException: _to_sign_in,
    HTTPException: error_page,
    Refusal: error_page,
    ConcurrencyConflict: error_page,
    HTTP_500_INTERNAL_SERVER_ERROR: error_page,
}
"""HTML for every error of a portal route (the API keeps its problem details)."""
