"""The Litestar application: JSON API and health endpoints."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import msgspec
import structlog
from litestar import Litestar, Request, get
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.exceptions import HTTPException, MethodNotAllowedException, NotFoundException
from litestar.middleware import ASGIMiddleware, DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin
from litestar.plugins.problem_details import ProblemDetailsPlugin
from litestar.plugins.prometheus import PrometheusConfig
from litestar.response import Response
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR, HTTP_503_SERVICE_UNAVAILABLE
from litestar.stores.registry import StoreRegistry
from litestar.types import ASGIApp, Receive, Scope, Send
from opentelemetry import trace

from services.api.application import app_state, application_of
from services.api.auth import CookieCSRFMiddleware, api_token_openapi, session_auth
from services.api.controllers.account import AccountController, ApiTokenController
from services.api.controllers.audit import AuditController
from services.api.controllers.billing_webhook import stripe_webhook
from services.api.controllers.calendar import CalendarController
from services.api.controllers.certificates import certificate_routes
from services.api.controllers.dead_letters import DeadLetterController
from services.api.controllers.invitations import InvitationController
from services.api.controllers.mail_preferences import (
    MailPreferencesController,
    UnsubscribeController,
)
from services.api.controllers.members import MembersController
from services.api.controllers.people import OrganisationController, PeopleController
from services.api.controllers.providers import ProviderController
from services.api.controllers.reports import ReportController
from services.api.controllers.reviews import ReviewController
from services.api.controllers.session import SessionController
from services.api.controllers.staff import StaffController
from services.api.controllers.transcripts import TranscriptController
from services.api.errors import (
    http_to_problem,
    internal_error_problem,
    log_unexpected,
    problem_details_config,
)
from services.api.idempotency import IdempotencyMiddleware, document_idempotency_key
from services.api.input_limits import GuardedRequest, UnstorableInputMiddleware
from services.api.openapi import document_problems
from services.api.portal import portal_routes, template_config
from services.api.portal.pages import error_page
from services.api.rate_limits import RateLimitMiddleware
from services.api.reading_jobs import ReadingJobs
from services.api.sessions import PostgresSessionStore
from services.api.use_cases import ACCOUNT_USE_CASES
from services.core.application import Application
from services.core.db import Database
from services.core.logging import configure_logging
from services.core.mail import Mailer, build_mailer
from services.core.registry import build_event_store
from services.core.settings import Settings, load_settings
from services.core.tracing import build_tracer_provider

REQUEST_METRICS = PrometheusConfig(
    app_name="cmeledger",
    prefix="cmeledger",
    group_path=True,  # label by route template (/api/v1/people/{person_id}), never by raw path
    exclude_unhandled_paths=True,
)
"""``cmeledger_request_duration_seconds{method, path, status_code}`` and friends, served on the
metrics port (``services.core.metrics``), not by this app."""


class SpanByRoute(ASGIMiddleware):
    """Names the request's server span after its route template and sets ``http.route`` (the
    tracing middleware wraps the app before routing, so it only knows the raw path, which would
    carry ids and make one span name per person)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        route = scope.get("path_template")
        if route:
            span = trace.get_current_span()
            span.update_name(f"{scope.get('method', '')} {route}".strip())
            span.set_attribute("http.route", route)
        await next_app(scope, receive, send)


class Health(msgspec.Struct):
    status: str


class Readiness(msgspec.Struct):
    status: str
    database: str
    broker: str


class RequestContextMiddleware(ASGIMiddleware):
    """Binds the request id (the client's ``X-Request-ID`` or a new one) and the correlation id
    (``X-Correlation-ID``, else the request id) to every log line of the request. The tenant id
    is bound where the caller's membership is resolved."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        headers = dict(scope.get("headers", []))
        request_id = headers.get(b"x-request-id", b"").decode("latin-1")[:64] or uuid4().hex
        correlation_id = headers.get(b"x-correlation-id", b"").decode("latin-1")[:64]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            request_id=request_id, correlation_id=correlation_id or request_id
        )
        scope.setdefault("state", {})["request_id"] = request_id
        try:
            await next_app(scope, receive, send)
        finally:
            structlog.contextvars.clear_contextvars()


API_PATHS = ("/api/", "/health", "/ready", "/schema", "/static/")
"""Paths that answer errors as problem details; every other address is the portal's."""


def _http_problem(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    return http_to_problem(exc).to_response(request)


def _by_path(
    api_answer: Callable[[Request[Any, Any, Any], Any], Response[Any]],
) -> Callable[[Request[Any, Any, Any], Any], Response[Any]]:
    """An error outside any route (an unknown address, a method no route has, a failure before
    routing): problem details under ``API_PATHS``, else the portal's HTML error page."""

    def answer(request: Request[Any, Any, Any], exc: Any) -> Response[Any]:
        path = request.scope.get("path", "")
        if path == "/api" or path.startswith(API_PATHS):
            return api_answer(request, exc)
        return error_page(request, exc)

    return answer


@get("/health", sync_to_thread=False, tags=["operations"])
def health() -> Health:
    """Liveness: the process serves requests."""
    return Health(status="ok")


async def _broker_reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(parts.hostname, parts.port or 5672), timeout=2
        )
    except (OSError, TimeoutError):
        return False
    writer.close()
    await writer.wait_closed()
    return True


@get("/ready", tags=["operations"])
async def ready(request: Request[Any, Any, Any]) -> Response[Readiness]:
    """Readiness: the database answers and the broker accepts connections."""
    application = application_of(request.app)
    settings = application.settings
    try:
        await asyncio.wait_for(application.database.ping(), timeout=2)
        db_status = "ok"
    except Exception:  # any failure means not ready; the reason is logged
        structlog.get_logger().warning("database not ready", exc_info=True)
        db_status = "unavailable"
    broker_status = "ok" if await _broker_reachable(settings.broker_url) else "unavailable"
    ok = db_status == broker_status == "ok"
    return Response(
        Readiness(status="ok" if ok else "unavailable", database=db_status, broker=broker_status),
        status_code=200 if ok else HTTP_503_SERVICE_UNAVAILABLE,
    )


def create_app(
    settings: Settings, database: Database | None = None, mailer: Mailer | None = None
) -> Litestar:
    """The composition root of the API process (``mailer``: SMTP per settings by default)."""
    configure_logging(settings)
    db = database or Database(settings)
    store = build_event_store()

    tracer_provider = build_tracer_provider(settings, "serve")
    tracing = (
        []
        if tracer_provider is None
        else [
            OpenTelemetryPlugin(
                OpenTelemetryConfig(
                    tracer_provider=tracer_provider,
                    exclude=["/health", "/ready"],
                    exclude_spans=["receive", "send"],
                )
            )
        ]
    )

    async def close_database() -> None:
        if database is None:
            await db.dispose()

    async def flush_traces() -> None:
        if tracer_provider is not None:
            await asyncio.to_thread(tracer_provider.shutdown)  # sends what is batched

    # CSRF guards cookie authentication only; API-token requests skip it (services/api/auth.py).
    csrf = DefineMiddleware(
        CookieCSRFMiddleware,
        config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.resolved_cookie_secure,
            cookie_samesite="lax",
        ),
    )
    token_components, token_security = api_token_openapi()
    app = Litestar(
        route_handlers=[
            health,
            ready,
            SessionController,
            InvitationController,
            MembersController,
            AuditController,
            PeopleController,
            OrganisationController,
            StaffController,
            AccountController,
            ApiTokenController,
            TranscriptController,
            CalendarController,
            certificate_routes(settings),
            ReviewController,
            ReportController,
            ProviderController,
            portal_routes(settings),
            DeadLetterController,
            MailPreferencesController,
            UnsubscribeController,
            stripe_webhook,
        ],
        middleware=[
            REQUEST_METRICS.middleware,
            *([] if tracer_provider is None else [SpanByRoute()]),
            RequestContextMiddleware(),
            UnstorableInputMiddleware(),
            RateLimitMiddleware(settings, db),
            csrf,
            IdempotencyMiddleware(),
        ],
        request_class=GuardedRequest,
        dependencies=ACCOUNT_USE_CASES,  # ``use_cases`` and ``account_use_cases`` for every route
        on_app_init=[session_auth(settings).on_app_init],
        stores=StoreRegistry({"sessions": PostgresSessionStore(db, store.clock)}),
        openapi_config=OpenAPIConfig(
            title="CME Ledger API",
            version="1",
            path="/schema",
            use_handler_docstrings=True,
            components=token_components,
            security=token_security,
        ),
        plugins=[ProblemDetailsPlugin(problem_details_config()), *tracing],
        exception_handlers={
            NotFoundException: _by_path(_http_problem),
            MethodNotAllowedException: _by_path(_http_problem),
            HTTP_500_INTERNAL_SERVER_ERROR: _by_path(internal_error_problem),
        },
        template_config=template_config(),
        state=State(
            app_state(
                Application(database=db, store=store, settings=settings),
                mailer or build_mailer(settings),
                ReadingJobs(settings),
            )
        ),
        on_shutdown=[close_database, flush_traces],
        logging_config=None,  # configure_logging owns the stdlib loggers
        after_exception=[log_unexpected],
        debug=False,
    )
    document_problems(app.openapi_schema)
    document_idempotency_key(app.openapi_schema)
    return app


def app_from_environment() -> Litestar:
    """The app of one API worker process (``cmeledger serve --workers N``): settings from the
    ``CMELEDGER_*`` environment, as the parent process read them."""
    return create_app(load_settings())
