"""The typed Litestar dependency through which controllers and portal pages run use cases: a
``UseCases`` runner bound to the signed-in member and to the request's command ids."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException

from services.api.auth import Principal
from services.api.controllers.session import request_id
from services.api.idempotency import request_command_id
from services.core.application import Actor, Application, UseCases


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
    application: Application = request.app.state.application
    return application.use_cases(member_actor(request), lambda: request_command_id(request))


USE_CASES = {"use_cases": Provide(provide_use_cases, sync_to_thread=False)}
"""Add to a controller's or router's ``dependencies`` and declare ``use_cases: UseCases``."""
