"""Reading jobs: one message per ask (a job asked again after the wait is a new message, the
same ask sent twice is one), a worker of another reader leaves the job to the right one, and the
API's connection to RabbitMQ gives up soon."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from services.api.reading_jobs import ReadingJobs
from services.core.certificates.drafts import ReadingJob
from services.core.reading.process import READER_VERSION
from services.core.settings import Settings
from services.worker.broker import PermanentFailure
from services.worker.readings import OtherReader, check_reader

ASKED = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)


def job(**changes: object) -> ReadingJob:
    fields: dict[str, object] = {
        "tenant_id": UUID(int=1),
        "sha256": "a" * 64,
        "media_type": "image/jpeg",
        "requested_at": ASKED,
    }
    return ReadingJob(**{**fields, **changes})  # type: ignore[arg-type]


def test_a_job_asked_again_is_a_new_message_and_the_same_ask_is_one() -> None:
    assert job().message_id == job().message_id
    assert job().message_id != job(requested_at=ASKED + timedelta(minutes=3)).message_id
    assert job().message_id != job(sha256="b" * 64).message_id
    assert job().message("q").message_id == job().message_id
    assert "requested_at" not in job().message("q").kwargs, "a worker of the release before"


def test_a_worker_of_another_reader_leaves_the_job_for_a_retry() -> None:
    check_reader(job(reader_version=READER_VERSION))
    with pytest.raises(OtherReader) as refused:
        check_reader(job(reader_version="another reader"))
    assert not isinstance(refused.value, PermanentFailure)


def test_the_apis_connection_to_rabbitmq_gives_up_within_seconds() -> None:
    parameters = ReadingJobs(Settings()).broker().parameters
    assert parameters.connection_attempts == 1
    assert parameters.socket_timeout is not None
    assert parameters.socket_timeout <= 5
    assert parameters.stack_timeout is not None
    assert parameters.stack_timeout <= 5
    assert parameters.blocked_connection_timeout is not None
    assert parameters.blocked_connection_timeout <= 5
