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

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from litestar import Request
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.plugins.htmx import ClientRedirect
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Response, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.template.config import TemplateConfig
from litestar.types import ExceptionHandlersMap

from domain import vocabulary
from domain.organisations.organisation import Role
from domain.shared.errors import DomainError
from services.api.application import application_of
from services.api.auth import Principal
from services.api.errors import to_problem
from services.api.idempotency import one_time_key
from services.api.use_cases import provide_use_cases
from services.core.accounts.identity import IdentityError
from services.core.accounts.signing_in import memberships_of_user
from services.core.billing.banner import billing_notice
from services.core.eventsourcing.store import ConcurrencyConflict
from services.core.mail_templates import credits_text, day_text

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


MY_RECORD = (
    NavItem("Dashboard", "/dashboard"),
    NavItem("Credits", "/credits"),
    NavItem("Record a credit", "/credits/new"),
    NavItem("Profile", "/profile"),
    NavItem("Transcripts", "/transcripts"),
)
"""The pages about the member's own CE record."""

ORGANISATION = (
    NavItem("Organisation", "/organisation"),
    NavItem("Staff", "/staff"),
    NavItem("Reviews", "/reviews"),
    NavItem("Reports", "/reports"),
    NavItem("Audit trail", "/audit"),
)
"""The pages about the organisation's staff, for owners, admins and (reading) auditors."""

MANAGING = (
    *ORGANISATION,
    NavItem("Access", "/access"),
    NavItem("Settings", "/settings"),
    NavItem("Billing", "/billing"),
)

NAVIGATION: Mapping[Role, tuple[NavItem, ...]] = {
    "owner": (*MY_RECORD, *MANAGING),
    "admin": (*MY_RECORD, *MANAGING),
    "employee": MY_RECORD,
    "auditor": (*ORGANISATION, NavItem("Chain", "/audit/chain")),
}
"""The main navigation per role, in order (auditors have no record of their own)."""

HOME = "/dashboard"
"""Where signing in lands."""

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


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja2 over ``templates/`` (autoescaped), with the portal's filters and vocabularies."""

    def prepare(engine: JinjaTemplateEngine) -> None:
        env = engine.engine
        env.filters.update(day=day_text, credits=credits_text)
        env.globals.update(labels=vocabulary, home=HOME, one_time_key=one_time_key)
        env.trim_blocks = env.lstrip_blocks = True

    return TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=prepare)


def principal(request: Request[Any, Any, Any]) -> Principal:
    """The signed-in member (every page that is not ``exclude_from_auth`` has one)."""
    user = request.scope.get("user")
    if not isinstance(user, Principal):
        raise NotAuthorizedException("sign in to see this page")
    return user


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
    if me is not None and not (partial and is_htmx(request)):
        layout["organisations"] = await memberships_of_user(
            application_of(request.app).database, me.user_id
        )
        if me.role in ("owner", "admin"):
            layout["billing_notice"] = await provide_use_cases(request).run(billing_notice, None)
    name = partial if partial and is_htmx(request) else template
    return Template(template_name=name, context={**layout, **context}, status_code=status)


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
    if isinstance(exc, DomainError | IdentityError):
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


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    NotAuthorizedException: _to_sign_in,
    HTTPException: error_page,
    DomainError: error_page,
    IdentityError: error_page,
    ConcurrencyConflict: error_page,
    HTTP_500_INTERNAL_SERVER_ERROR: error_page,
}
"""HTML for every error of a portal route (the API keeps its problem details)."""
