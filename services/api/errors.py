"""Every error leaves the API as RFC 9457 problem details with a stable ``type``."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from domain.credits.certificate import (
    CertificateAlreadyDecided,
    FileTooLarge,
    OwnRecordReview,
    UnsupportedFileType,
)
from domain.credits.credit import CreditNotRecorded
from domain.credits.providers import ProviderAlreadyListed, ProviderNotListed
from domain.organisations.organisation import (
    AlreadyInvited,
    AlreadyMember,
    InvalidAccessWindow,
    InvitationClosed,
    InvitationForSomeoneElse,
    InvitationNotFound,
    NotAMember,
    OrganisationAlreadyOpened,
    OrganisationNotOpened,
    RoleNotAllowed,
)
from domain.people.person import CredentialNotFound, PersonAlreadyRegistered, PersonNotRegistered
from domain.shared.errors import Refusal
from services.core.accounts.handlers import AccountTokenGone, AccountTokenNotFound
from services.core.accounts.identity import EmailTaken, InvalidCredentials
from services.core.accounts.token_handlers import ApiTokenNotFound
from services.core.application import AccessDenied, NotFound
from services.core.billing.standing import PaymentRequired
from services.core.eventsourcing.store import ConcurrencyConflict
from services.core.notifications.manual import TooManyReminders
from services.core.organisation.handlers import SlugTaken

PROBLEM_TYPE = "urn:cmeledger:problem:"

_STATUS: dict[type[Exception], int] = {
    AccessDenied: 403,
    NotFound: 404,
    TooManyReminders: 429,
    SlugTaken: 409,
    EmailTaken: 409,
    AlreadyMember: 409,
    AlreadyInvited: 409,
    InvitationNotFound: 404,
    InvitationClosed: 410,
    AccountTokenNotFound: 404,
    AccountTokenGone: 410,
    ApiTokenNotFound: 404,
    InvitationForSomeoneElse: 403,
    OrganisationAlreadyOpened: 409,
    OrganisationNotOpened: 404,
    NotAMember: 404,
    RoleNotAllowed: 403,
    InvalidAccessWindow: 422,
    InvalidCredentials: 401,
    PersonNotRegistered: 404,
    CredentialNotFound: 404,
    CreditNotRecorded: 404,
    PersonAlreadyRegistered: 409,
    FileTooLarge: 413,
    UnsupportedFileType: 415,
    CertificateAlreadyDecided: 409,
    OwnRecordReview: 403,
    ProviderAlreadyListed: 409,
    ProviderNotListed: 404,
    PaymentRequired: 402,
}


def _status(exc: Exception) -> int:
    for cls in type(exc).__mro__:
        if cls in _STATUS:
            return _STATUS[cls]
    return 422  # any other refusal: the request was understood but breaks a business rule


def to_problem(exc: Any) -> ProblemDetailsException:
    """Map a domain or identity refusal to a problem with its stable code as the type."""
    return ProblemDetailsException(
        status_code=_status(exc),
        title=exc.code.replace("_", " "),
        detail=str(exc),
        type_=PROBLEM_TYPE + exc.code,
    )


def conflict_to_problem(exc: ConcurrencyConflict) -> ProblemDetailsException:
    """Someone changed the same record at the same moment: nothing was stored; retry."""
    return ProblemDetailsException(
        status_code=409,
        title="concurrent change",
        detail="the record changed while this request was handled; nothing was stored, retry",
        type_=PROBLEM_TYPE + "concurrent_change",
    )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def status_code_name(status: int) -> str:
    """``forbidden``, ``not_found``, ``request_entity_too_large`` ... of a status code."""
    return _phrase(status).lower().replace(" ", "_").replace("-", "_")


def http_to_problem(exc: HTTPException) -> ProblemDetailsException:
    """Any other HTTP error (a guard's 403, routing's 404 and 405, validation's 400, a body over
    the size limit's 413, the rate limit's 429 ...) as a problem typed by its status. A
    validation failure's detail says which field breaks which limit."""
    return ProblemDetailsException(
        status_code=exc.status_code,
        title=_phrase(exc.status_code),
        detail=_invalid_fields(exc) or exc.detail,
        type_=PROBLEM_TYPE + status_code_name(exc.status_code),
        extra=exc.extra,
        headers=exc.headers,
    )


def _invalid_fields(exc: HTTPException) -> str:
    """``title: Expected `str` of length <= 300; ...`` from a validation failure's extra."""
    if not isinstance(exc, ValidationException) or not isinstance(exc.extra, list):
        return ""
    return "; ".join(
        f"{found['key']}: {found['message']}" if found.get("key") else str(found["message"])
        for found in exc.extra
        if isinstance(found, dict) and "message" in found
    )


def _typed_problem(request: Request[Any, Any, Any], exc: ProblemDetailsException) -> Response[Any]:
    """A problem raised without a type gets its status's (every problem names its type)."""
    if exc.type_ is None:
        exc.type_ = PROBLEM_TYPE + status_code_name(exc.status_code)
    return exc.to_response(request)


def internal_error_problem(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A failure of ours: a problem that says nothing of the cause (``log_unexpected`` logs
    it)."""
    return ProblemDetailsException(
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        title="Internal Server Error",
        detail="something went wrong on our side",
        type_=PROBLEM_TYPE + "internal_error",
    ).to_response(request)


async def log_unexpected(exc: Exception, scope: Any) -> None:
    """Log every exception that becomes a 500, with its traceback and the request context."""
    if not isinstance(exc, HTTPException | Refusal | ConcurrencyConflict):
        structlog.get_logger("cmeledger.api").error(
            "unhandled error", path=scope.get("path"), exc_info=exc
        )


def problem_details_config() -> ProblemDetailsConfig:
    mapping: dict[type[Exception], Callable[[Any], ProblemDetailsException]] = {
        HTTPException: http_to_problem,
        Refusal: to_problem,
        ConcurrencyConflict: conflict_to_problem,
    }
    return ProblemDetailsConfig(
        exception_handler=_typed_problem, exception_to_problem_detail_map=mapping
    )
