"""A worker killed with SIGKILL in the middle of verifying a certificate: RabbitMQ redelivers
the message to the next worker, which verifies it, and the certificate has exactly one outcome.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest

from services.core.db import Database
from services.core.stream_ids import certificate_stream
from tests.faults.harness import OUTCOMES, Uploads, cli
from tests.fixtures.certificates.generate import build_corpus
from tests.fixtures.certificates.layouts import LAYOUTS

pytestmark = pytest.mark.faults
STARTED, FINISHED = "certificate verification started", "certificate verification finished"


async def outcomes(database: Database, tenant: UUID, certificate: UUID) -> list[str]:
    async with database.transaction(tenant) as tx:
        rows = await tx.pg.fetch(
            "SELECT event_type FROM events WHERE stream_id = $1 AND event_type = ANY($2)",
            certificate_stream(certificate),
            OUTCOMES,
        )
    return [row["event_type"] for row in rows]


async def test_a_worker_killed_mid_verification_leaves_exactly_one_outcome(
    database: Database, env: dict[str, str], blob_dir: Path
) -> None:
    [photo] = build_corpus(seed=11, count_per_layout=1, kinds=("photo",), layouts=LAYOUTS[:1])
    assert photo.declared.participant_name is not None
    uploads = await Uploads(database, blob_dir, photo.declared.participant_name).open()
    async with cli("relay", env, "relay", "--poll-interval", "1"):
        async with cli("first worker", env, "worker", "--threads", "1") as first:
            await first.wait_for("worker started")
            certificate = await uploads.upload(photo.data, "phone-photo.jpg")
            await first.wait_for(STARTED, within=30, certificate_id=str(certificate))
            first.kill()  # while it reads the photo (OCR takes a moment)
            await first.process.wait()
        assert not first.logged(FINISHED, certificate_id=str(certificate)), "killed too late"
        assert await outcomes(database, uploads.tenant, certificate) == []

        async with cli("second worker", env, "worker", "--threads", "1") as second:
            await second.wait_for(FINISHED, within=60, certificate_id=str(certificate))
            assert second.logged(STARTED, certificate_id=str(certificate)), "not redelivered"
    assert len(await outcomes(database, uploads.tenant, certificate)) == 1
