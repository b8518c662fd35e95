"""The web portal: server-rendered pages (Jinja2, with HTMX for partial updates) on the API's
Litestar app, calling the same core handlers and queries as the JSON API.

``portal_routes(settings)`` gives the pages and their static files (own CSS and script, htmx
from the npm lock); ``template_config()`` the template engine. How to write a page:
``pages.py``; forms: ``forms.py``; the layout and macros: ``templates/base.html`` and
``templates/macros/``.
"""

from __future__ import annotations

from litestar import Router
from litestar.datastructures import CacheControlHeader, ResponseHeader
from litestar.di import Provide
from litestar.plugins.htmx import HTMXRequest
from litestar.static_files import create_static_files_router

from services.api.controllers.certificates import ENVELOPE_BYTES
from services.api.portal.account import AccountPages
from services.api.portal.credits import CERTIFICATE_FIELDS, CreditPages
from services.api.portal.dashboard import DashboardPage
from services.api.portal.employer import EMPLOYER_PAGES
from services.api.portal.glossary import GlossaryPage, RulesPage
from services.api.portal.pages import (
    EXCEPTION_HANDLERS,
    HTMX_DIST,
    SECURITY_HEADERS,
    STATIC,
    template_config,
    unknown_page,
)
from services.api.portal.profile import ProfilePages
from services.api.portal.transcripts import TranscriptPage
from services.core.blobs import BlobStore, build_blob_store
from services.core.settings import Settings

__all__ = ["portal_routes", "template_config"]

PAGE_HEADERS = [ResponseHeader(name=name, value=value) for name, value in SECURITY_HEADERS.items()]


def portal_routes(settings: Settings, blobs: BlobStore | None = None) -> Router:
    """The pages (errors answered as HTML, never cached: they show personal records) and
    ``/static`` (no sign-in needed). A page may carry every certificate field's file at the
    upload limit; ``blobs`` defaults to ``settings.blob_backend``."""
    store = blobs or build_blob_store(settings)
    pages = Router(
        path="/",
        route_handlers=[
            AccountPages,
            DashboardPage,
            CreditPages,
            ProfilePages,
            TranscriptPage,
            GlossaryPage,
            RulesPage,
            *EMPLOYER_PAGES,
            unknown_page,
        ],
        include_in_schema=False,
        request_class=HTMXRequest,
        exception_handlers=EXCEPTION_HANDLERS,
        response_headers=PAGE_HEADERS,
        cache_control=CacheControlHeader(no_store=True),
        request_max_body_size=len(CERTIFICATE_FIELDS) * settings.max_upload_bytes + ENVELOPE_BYTES,
        dependencies={"blobs": Provide(lambda: store, sync_to_thread=False)},
    )
    static = create_static_files_router(
        path="/static",
        directories=[STATIC, HTMX_DIST],
        name="portal-static",
        opt={"exclude_from_auth": True},
        cache_control=CacheControlHeader(max_age=3600),
    )
    return Router(path="/", route_handlers=[pages, static], include_in_schema=False)
