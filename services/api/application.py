"""What the API process keeps in Litestar's state, read typed (``State`` answers ``Any``): the
``Application`` (database, settings and the event store's clock), the mailer and the
sender of reading jobs. Each accessor checks the type of what it reads."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.datastructures import State

from services.api.reading_jobs import ReadingJobs
from services.core.application import Application
from services.core.mail import Mailer
from services.core.settings import Settings

T = TypeVar("T")


def app_state(
    application: Application, mailer: Mailer, reading_jobs: ReadingJobs
) -> dict[str, object]:
    """The state ``create_app`` gives Litestar, under the names the accessors read."""
    return {"application": application, "mailer": mailer, "reading_jobs": reading_jobs}


def _held(state: State, name: str, kind: type[T]) -> T:
    value = state.get(name)
    if not isinstance(value, kind):
        raise TypeError(f"the app's state holds no {kind.__name__} under {name!r}")
    return value


def application_of(app: Litestar) -> Application:
    return _held(app.state, "application", Application)


def settings_of(state: State) -> Settings:
    return _held(state, "application", Application).settings


def mailer_of(state: State) -> Mailer:
    return _held(state, "mailer", Mailer)  # type: ignore[type-abstract]


def reading_jobs_of(state: State) -> ReadingJobs:
    return _held(state, "reading_jobs", ReadingJobs)


def now(connection: ASGIConnection[Any, Any, Any, Any]) -> datetime:
    """The moment, by the clock events are recorded with."""
    return application_of(connection.app).now()


def today(connection: ASGIConnection[Any, Any, Any, Any]) -> date:
    return now(connection).date()
