"""The typed Litestar dependencies through which controllers and portal pages run use cases: a
``UseCases`` runner bound to the signed-in member, and an ``AccountUseCases`` runner bound to
whoever sends the request (signed in or not: signing up or in, mailed links), both bound to the
request's command ids."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException

from services.api.application import application_of
from services.api.auth import Principal
from services.api.idempotency import request_command_id
from services.core.accounts.work import AccountUseCases, Visitor
from services.core.application import Actor, UseCases


def request_id(request: Request[Any, Any, Any]) -> str | None:
    """The request's id (the client's ``X-Request-ID`` or a new one), recorded with its events."""
    return request.scope.get("state", {}).get("request_id")


def member_actor(request: Request[Any, Any, Any]) -> Actor:
    """The signed-in member acting in this request (401 when nobody is signed in)."""
    user = request.scope.get("user")
    if not isinstance(user, Principal):
        raise NotAuthorizedException("sign in first")
    return Actor(
        tenant_id=user.tenant_id,
        role=user.role,
        user_id=user.user_id,
        person_id=user.person_id,
        request_id=request_id(request),
    )


def provide_use_cases(request: Request[Any, Any, Any]) -> UseCases:
    return application_of(request.app).use_cases(
        member_actor(request), lambda: request_command_id(request)
    )


USE_CASES = {"use_cases": Provide(provide_use_cases, sync_to_thread=False)}
"""Part of ``ACCOUNT_USE_CASES``; a route declares ``use_cases: NamedDependency[UseCases]``."""


def provide_account_use_cases(request: Request[Any, Any, Any]) -> AccountUseCases:
    return AccountUseCases(
        application=application_of(request.app),
        visitor=Visitor(request_id=request_id(request)),
        command_ids=lambda: request_command_id(request),
    )


ACCOUNT_USE_CASES = {
    "account_use_cases": Provide(provide_account_use_cases, sync_to_thread=False),
    **USE_CASES,
}
"""``USE_CASES`` plus ``account_use_cases: AccountUseCases`` (no sign-in needed): the app's
dependencies (``services.api.app``), so every controller and page can declare either."""
