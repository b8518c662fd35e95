"""What the API process keeps in Litestar's state, read typed (``State`` answers ``Any``): the
``Application`` (database, settings and the event store's clock), the mailer and the
sender of reading jobs. Each accessor checks the type of what it reads."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

from litestar import Litestar
from litestar.background_tasks import BackgroundTask
from litestar.connection import ASGIConnection
from litestar.datastructures import State

from services.api.reading_jobs import ReadingJobs
from services.core.application import Application
from services.core.mail import Mailer, Message, send_quietly
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


def mail_after_answer(
    connection: ASGIConnection[Any, Any, Any, Any], message: Message
) -> BackgroundTask:
    """A task that sends ``message`` once the answer is out; a mail server's failure is logged
    (``send_quietly``), the answer stands."""
    return BackgroundTask(send_quietly, mailer_of(connection.app.state), message)


def public_link(connection: ASGIConnection[Any, Any, Any, Any], path: str) -> str:
    """``path`` (from ``/``) at the site's public address, for a link shown or mailed to
    people."""
    return settings_of(connection.app.state).public_url.rstrip("/") + path


def now(connection: ASGIConnection[Any, Any, Any, Any]) -> datetime:
    """The moment, by the clock events are recorded with."""
    return application_of(connection.app).now()


def today(connection: ASGIConnection[Any, Any, Any, Any]) -> date:
    return now(connection).date()
