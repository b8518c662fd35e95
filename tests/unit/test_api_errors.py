"""Errors leave the API as problems with stable types, and unexpected ones are logged."""

from __future__ import annotations

import pytest
from litestar.exceptions import NotFoundException
from structlog.testing import capture_logs

from domain.organisations.organisation import InvitationClosed, LastOwner
from services.api.errors import PROBLEM_TYPE, conflict_to_problem, log_unexpected, to_problem
from services.core.accounts.identity import AccountLocked
from services.core.eventsourcing.store import ConcurrencyConflict

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (InvitationClosed("used"), 410, "invitation_closed"),
        (LastOwner("keep one"), 422, "last_owner"),
        (AccountLocked("the email or password is not right"), 401, "invalid_credentials"),
    ],
)
def test_refusals_map_to_status_and_stable_type(error: Exception, status: int, code: str) -> None:
    problem = to_problem(error)
    assert (problem.status_code, problem.type_, problem.detail) == (
        status,
        PROBLEM_TYPE + code,
        str(error),
    )


def test_a_concurrent_change_is_a_conflict_to_retry() -> None:
    problem = conflict_to_problem(ConcurrencyConflict("credit-1", 1, 2))
    assert (problem.status_code, problem.type_) == (409, PROBLEM_TYPE + "concurrent_change")


async def test_only_unexpected_errors_are_logged_with_their_traceback() -> None:
    with capture_logs() as logs:
        await log_unexpected(NotFoundException(), {"path": "/x"})
        await log_unexpected(LastOwner("keep one"), {"path": "/x"})
        try:
            raise KeyError("boom")
        except KeyError as exc:
            await log_unexpected(exc, {"path": "/api/v1/boom"})
    assert [(entry["event"], entry["path"]) for entry in logs] == [
        ("unhandled error", "/api/v1/boom")
    ]
    assert isinstance(logs[0]["exc_info"], KeyError)
