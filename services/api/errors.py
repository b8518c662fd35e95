"""Every error leaves the API as RFC 9457 problem details with a stable ``type``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from litestar.exceptions import HTTPException
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsException

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
from domain.shared.errors import DomainError
from services.core.eventstore import ConcurrencyConflict
from services.core.handlers.accounts import AccountTokenGone, AccountTokenNotFound
from services.core.handlers.api_tokens import ApiTokenNotFound
from services.core.handlers.organisations import SlugTaken
from services.core.identity import EmailTaken, IdentityError, InvalidCredentials

PROBLEM_TYPE = "urn:cmeledger:problem:"

_STATUS: dict[type[Exception], int] = {
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


async def log_unexpected(exc: Exception, scope: Any) -> None:
    """Log every exception that becomes a 500, with its traceback and the request context."""
    if not isinstance(exc, HTTPException | DomainError | IdentityError | ConcurrencyConflict):
        structlog.get_logger("cmeledger.api").error(
            "unhandled error", path=scope.get("path"), exc_info=exc
        )


def problem_details_config() -> ProblemDetailsConfig:
    mapping: dict[type[Exception], Callable[[Any], ProblemDetailsException]] = {
        DomainError: to_problem,
        IdentityError: to_problem,
        ConcurrencyConflict: conflict_to_problem,
    }
    return ProblemDetailsConfig(
        enable_for_all_http_exceptions=True, exception_to_problem_detail_map=mapping
    )
