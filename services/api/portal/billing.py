"""The billing page: owners manage (Checkout, Customer Portal), admins see the state; auditors
and employees have no billing page. Everything shown comes from the ``overview`` use case."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Response, Template

from domain.billing.plans import Interval
from domain.shared.errors import DomainError
from services.api.application import application_of
from services.api.auth import requires_role
from services.api.portal.forms import read_form
from services.api.portal.pages import CONTENT_SECURITY_POLICY, page
from services.core.application import UseCases
from services.core.billing.stripe_gateway import StripeUnavailable
from services.core.billing.use_cases import (
    OpenPortal,
    StartCheckout,
    open_portal,
    overview,
    start_checkout,
)
from services.core.settings import Settings

OWNERS = requires_role("owner")
INTERVALS: dict[Interval, str] = {"month": "Monthly", "year": "Annual"}


STRIPE_PAGES = ("https://checkout.stripe.com", "https://billing.stripe.com")
"""Where Checkout and the Customer Portal live: the billing page's forms end there."""


def billing_policy(settings: Settings) -> str:
    """The pages' Content-Security-Policy, with Stripe's pages (or the local Stripe's) allowed
    as where a form may lead: the browser applies ``form-action`` to the redirect too."""
    allowed = [*STRIPE_PAGES]
    if settings.stripe_api_base:
        parts = urlsplit(settings.stripe_api_base)
        allowed.append(f"{parts.scheme}://{parts.netloc}")
    return CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", "form-action 'self' " + " ".join(allowed)
    )


def _return_url(request: Request[Any, Any, Any]) -> str:
    settings = application_of(request.app).settings
    return settings.public_url.rstrip("/") + "/billing"


class BillingPages(Controller):
    path = "/billing"
    guards = [requires_role("owner", "admin")]  # noqa: RUF012 (Litestar layer)

    async def _page(
        self,
        request: Request[Any, Any, Any],
        use_cases: UseCases,
        *,
        error: str | None = None,
        status: int = 200,
    ) -> Template:
        shown = await page(
            request,
            "billing.html",
            billing=await use_cases.run(overview, None),
            checkout=request.query_params.get("checkout"),
            error=error,
            status=status,
        )
        shown.headers["Content-Security-Policy"] = billing_policy(
            application_of(request.app).settings
        )
        return shown

    @get("")
    async def show(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Template:
        return await self._page(request, use_cases)

    @post("/checkout", guards=[OWNERS])
    async def checkout(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Response[Any]:
        """Send the owner to Stripe Checkout for the plan chosen."""
        form = await read_form(request, "checkout")
        interval = form.choice("interval", "billing interval", INTERVALS)
        if interval is None:
            return await self._page(
                request, use_cases, error="Choose monthly or annual billing.", status=422
            )
        try:
            url = await use_cases.run(
                start_checkout, StartCheckout(interval=interval, return_url=_return_url(request))
            )
        except (DomainError, StripeUnavailable) as exc:
            return await self._page(request, use_cases, error=_message(exc), status=422)
        return Redirect(url, status_code=303)

    @post("/portal", guards=[OWNERS])
    async def portal(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Response[Any]:
        """Send the owner to Stripe's Customer Portal (cards, invoices, cancellation)."""
        await read_form(request, "portal")
        try:
            url = await use_cases.run(open_portal, OpenPortal(return_url=_return_url(request)))
        except (DomainError, StripeUnavailable) as exc:
            return await self._page(request, use_cases, error=_message(exc), status=422)
        return Redirect(url, status_code=303)


def _message(exc: Exception) -> str:
    if isinstance(exc, StripeUnavailable):
        return "Stripe is not answering just now; nothing was changed. Try again in a minute."
    return str(exc)
