"""A hostile certificate and a flood of uploads against a real worker process and RabbitMQ: a
decompression bomb ends unreadable within the reading limit while another organisation's
certificate is verified within seconds; the worker stops within 10 s of SIGTERM, even in the
middle of a reading; one organisation's flood leaves the worker threads to the others."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import pytest

from services.core.db import Database
from tests.certificate_files import pdf_bomb
from tests.faults.harness import Uploads, cli
from tests.faults.test_worker_killed import FINISHED, STARTED, outcomes
from tests.fixtures.certificates.generate import build_corpus
from tests.fixtures.certificates.layouts import LAYOUTS

pytestmark = pytest.mark.faults
READ_LIMIT_S = 5
BUSY = "tenant busy, verification deferred"


async def test_a_bomb_holds_up_no_one_and_the_worker_stops_on_sigterm_within_10_s(
    database: Database, env: dict[str, str], blob_dir: Path
) -> None:
    text_pdf, photo = build_corpus(
        seed=11, count_per_layout=1, kinds=("text_pdf", "photo"), layouts=LAYOUTS[:1]
    )
    assert text_pdf.declared.participant_name is not None
    attacker = await Uploads(database, blob_dir, "Mallory Bomb").open()
    other = await Uploads(database, blob_dir, text_pdf.declared.participant_name).open()
    env = {**env, "CMELEDGER_VERIFICATION_READ_LIMIT_S": str(READ_LIMIT_S)}
    async with (
        cli("relay", env, "relay", "--poll-interval", "0.5"),
        cli("worker", env, "worker", "--threads", "2") as worker,
    ):
        await worker.wait_for("worker started")
        bomb = await attacker.upload(pdf_bomb(), "bomb.pdf")
        normal = await other.upload(text_pdf.data, "certificate.pdf")
        read = await worker.wait_for(FINISHED, within=10, certificate_id=str(normal))
        assert read["text_source"] == "text_layer"
        assert "unreadable" not in read["reasons"]
        bombed = await worker.wait_for(FINISHED, within=READ_LIMIT_S + 5, certificate_id=str(bomb))
        assert (bombed["outcome"], bombed["reasons"]) == ("needs_review", ["unreadable"])

        slow = await other.upload(photo.data, "phone-photo.jpg")
        await worker.wait_for(STARTED, within=10, certificate_id=str(slow))
        asked = time.monotonic()
        worker.process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(worker.process.wait(), 10)
        assert time.monotonic() - asked < 10
    assert len(await outcomes(database, attacker.tenant, bomb)) == 1
    assert len(await outcomes(database, other.tenant, normal)) == 1
    assert await outcomes(database, other.tenant, slow) == [], "interrupted, left for next time"


async def test_one_organisations_flood_does_not_starve_another(
    database: Database, env: dict[str, str], blob_dir: Path
) -> None:
    photos = build_corpus(seed=5, count_per_layout=1, kinds=("photo",), layouts=LAYOUTS[:6])
    [text_pdf] = build_corpus(seed=11, count_per_layout=1, kinds=("text_pdf",), layouts=LAYOUTS[:1])
    flood = await Uploads(database, blob_dir, "Flo Od").open()
    other = await Uploads(database, blob_dir, "Ann Other").open()
    env = {**env, "CMELEDGER_VERIFICATION_PER_TENANT": "1"}
    async with (
        cli("relay", env, "relay", "--poll-interval", "0.5"),
        cli("worker", env, "worker", "--threads", "2") as worker,
    ):
        await worker.wait_for("worker started")
        for photo in photos:
            await flood.upload(photo.data, "phone-photo.jpg")
        await worker.wait_for(BUSY, within=30)  # the flood is queued, one photo read at a time
        normal = await other.upload(text_pdf.data, "certificate.pdf")
        await worker.wait_for(FINISHED, within=30, certificate_id=str(normal))
        flood_done = [
            c for c in flood.certificates if worker.logged(FINISHED, certificate_id=str(c))
        ]
        # first come, first served, the two threads would have read 5 photos before it
        assert len(flood_done) <= 2, flood_done
