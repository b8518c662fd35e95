"""``POST /webhooks/stripe``: Stripe's deliveries, translated to ``billing.webhooks.receive``.

No session, no CSRF token (Stripe signs the body instead); a bad or stale signature is a 400
problem and nothing is stored; anything accepted, a duplicate or an event about a customer we
do not know is acknowledged with 200, so Stripe stops retrying it.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.plugins.problem_details import ProblemDetailsException

from services.api.application import application_of
from services.api.errors import PROBLEM_TYPE
from services.api.schemas.billing import Acknowledged
from services.api.use_cases import request_id
from services.core.billing import webhooks
from services.core.billing.webhooks import BadSignature

MAX_WEBHOOK_BYTES = 512 * 1024


@post(
    "/webhooks/stripe",
    exclude_from_auth=True,
    exclude_from_csrf=True,
    status_code=200,
    tags=["billing"],
    request_max_body_size=MAX_WEBHOOK_BYTES,
    summary="Stripe webhook endpoint",
)
async def stripe_webhook(request: Request[Any, Any, Any]) -> Acknowledged:
    """A Stripe event, signed with the endpoint's secret (``Stripe-Signature``)."""
    application = application_of(request.app)
    try:
        receipt = await webhooks.receive(
            application,
            await request.body(),
            request.headers.get("stripe-signature"),
            request_id(request),
        )
    except BadSignature as exc:
        raise ProblemDetailsException(
            status_code=400,
            title="bad signature",
            detail=f"the Stripe-Signature header does not verify: {exc}",
            type_=PROBLEM_TYPE + "bad_signature",
        ) from None
    return Acknowledged(received=True, outcome=receipt.outcome)
