"""The process's ``Application`` as the API reads it from Litestar's state, typed (``State``
answers ``Any``): its database, settings and clock, the event store's."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from litestar import Litestar
from litestar.connection import ASGIConnection

from services.core.application import Application


def application_of(app: Litestar) -> Application:
    application = app.state.application
    if not isinstance(application, Application):
        raise TypeError("the app's state holds no Application")
    return application


def now(connection: ASGIConnection[Any, Any, Any, Any]) -> datetime:
    """The moment, by the clock events are recorded with."""
    return application_of(connection.app).now()


def today(connection: ASGIConnection[Any, Any, Any, Any]) -> date:
    return now(connection).date()
