"""A photo becomes a credit: the employee starts with the certificate, the reader fills the form
(within the request for a text PDF, by the worker, a real process, for a photo), she checks it
and saves; the credit's page updates itself when the worker has checked the certificate.

Measured on the way (printed, never asserted): the taps (clicks, fields filled, files chosen) and
seconds from opening the form to the saved credit, with a text PDF and with a phone photo.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from domain.vocabulary import CREDIT_TYPES
from services.core.settings import Settings
from tests.broker_support import relay_and_worker
from tests.browser.conftest import Api, Browse
from tests.browser.test_journey import VERIFIED_WITHIN_S
from tests.fixtures.certificates.generate import Kind, Sample, build_corpus
from tests.verification_support import CORPUS_SEED

pytestmark = pytest.mark.e2e

FILENAMES = {"text_pdf": "certificate.pdf", "photo": "certificate.jpg"}


def sample_of(kind: Kind, layout: str = "asrt") -> Sample:
    [found] = [s for s in build_corpus(CORPUS_SEED, 1, (kind,)) if s.layout == layout]
    return found


@dataclass
class Stopwatch:
    """The person's taps and the seconds since the form was opened."""

    started: float = field(default_factory=time.monotonic)
    taps: int = 0
    checking: float = 0.0
    """Seconds spent on the test's own page checks (axe, overflow), left out of the figure."""

    def tap(self, n: int = 1) -> None:
        self.taps += n

    def check(self, browse: Browse) -> None:
        began = time.monotonic()
        browse.check()
        self.checking += time.monotonic() - began

    def report(self, label: str) -> None:
        seconds = time.monotonic() - self.started - self.checking
        print(f"\n[record a credit] {label}: {self.taps} taps, {seconds:.1f} s")


def printed(sample: Sample) -> dict[str, str]:
    """What the certificate prints, as the form's fields hold it (a day as people write it)."""
    truth = sample.truth
    assert truth.completion_date is not None
    assert truth.credits is not None
    return {
        "Title of the activity": str(truth.title),
        "Provider": str(truth.provider),
        "Completed on": f"{truth.completion_date.day} {truth.completion_date:%b %Y}",
        "Credits": f"{truth.credits.normalize():f}",
    }


def record_from_certificate(browse: Browse, sample: Sample, kind: Kind) -> str:
    """Record the credit from its certificate, as the person would; the saved credit's path."""
    page: Page = browse.page
    watch = Stopwatch()
    page.goto("/credits/new")
    watch.check(browse)
    certificate = page.get_by_label("Certificate")
    expect(certificate).to_have_attribute("accept", "image/*,application/pdf")
    expect(certificate).to_have_attribute("capture", "environment")
    certificate.set_input_files(
        {"name": FILENAMES[kind], "mimeType": sample.media_type, "buffer": sample.data}
    )
    page.get_by_role("button", name="Read the certificate").click()
    watch.tap(2)
    if kind == "photo":  # read in the background: the page shows the progress, then the form
        # (unless the reading ends within the request's own wait, as on an idle machine)
        form = page.get_by_role("heading", name="Check what was read")
        expect(page.get_by_role("status").or_(form).first).to_be_visible()
        if not form.is_visible():
            expect(page.get_by_role("status")).to_contain_text("Reading certificate.jpg")
        watch.check(browse)
    expect(page.get_by_role("heading", name="Check what was read")).to_be_visible(timeout=90_000)
    watch.check(browse)
    for label, value in printed(sample).items():
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
        expect(page.get_by_label(label, exact=True)).to_have_attribute(
            "aria-describedby", re.compile("hint")
        )
    expect(page.get_by_text("Read from the certificate.").first).to_be_visible()
    for credit_type in CREDIT_TYPES:
        box = page.get_by_label(CREDIT_TYPES[credit_type], exact=True)
        if credit_type in sample.truth.credit_types:
            expect(box).to_be_checked()
        else:
            expect(box).not_to_be_checked()
    page.get_by_role("button", name="Save the credit").click()
    watch.tap()
    expect(page.get_by_role("heading", name="Saved. Where it counts")).to_be_visible()
    watch.report(f"with the reader, {kind}")
    browse.check()
    expect(page.get_by_role("link", name=re.compile(FILENAMES[kind]))).to_be_visible()
    saved = page.url.removeprefix(browse.app.base_url)
    page.go_back()
    browse.shot(f"photo-credit-prefilled-{kind}")
    return saved


def test_a_text_pdf_becomes_a_credit_and_its_page_shows_the_check_when_done(
    browse: Browse,
    api: Api,
    migrated: Settings,
    tmp_path: Path,
) -> None:
    sample = sample_of("text_pdf")
    employee = api.employee(str(sample.truth.participant_name))
    browse.sign_in_as(employee)
    browse.goto(record_from_certificate(browse, sample, "text_pdf"))
    verification = browse.page.locator("#verification")
    expect(verification).to_contain_text("Awaiting check")
    with relay_and_worker(migrated, Path(browse.app.settings.blob_dir), tmp_path):
        expect(verification).not_to_contain_text("Awaiting check", timeout=VERIFIED_WITHIN_S * 1000)
    expect(verification).to_contain_text(re.compile("Verified|Needs review"))
    expect(verification).not_to_have_attribute("hx-trigger", re.compile("."))
    browse.check()


def test_a_phone_photo_becomes_a_credit_read_by_the_worker(
    browse: Browse, api: Api, tmp_path: Path
) -> None:
    sample = sample_of("photo")
    settings = browse.app.settings
    with relay_and_worker(
        settings, Path(settings.blob_dir), tmp_path, queue=settings.broker_queue, relay=False
    ):
        worker_log = tmp_path / "worker.log"
        deadline = time.monotonic() + 120  # a bound for a hang: readers start in seconds
        while "worker started" not in worker_log.read_text():  # as in service: running
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.2)
        browse.sign_in_as(api.employee(str(sample.truth.participant_name)))
        browse.phone()
        record_from_certificate(browse, sample, "photo")
    assert "chosen certificate read" in (tmp_path / "worker.log").read_text()


def test_a_refused_form_keeps_the_file_and_names_every_problem_at_once(
    browse: Browse, api: Api
) -> None:
    sample = sample_of("text_pdf")
    browse.sign_in_as(api.employee())
    page = browse.goto("/credits/new?by_hand=1")
    page.get_by_label("Certificate").set_input_files(
        {"name": "mine.pdf", "mimeType": "application/pdf", "buffer": sample.data}
    )
    page.get_by_label("Completed on").fill("2099-01-01")
    page.get_by_label("Credits", exact=True).fill("1.1")
    browse.expect_refusal(422)
    page.get_by_role("button", name="Save the credit").click()
    summary = page.get_by_role("alert")
    for problem in ("Enter the title", "Enter the provider", "quarter", "future", "credit type"):
        expect(summary).to_contain_text(problem)
    expect(page.get_by_text("Kept: mine.pdf")).to_be_visible()
    browse.check()
    for label, value in printed(sample).items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Approved or accredited by").fill("ASRT")
    # the credit types are open: they had a problem
    page.get_by_label("ARRT Category A", exact=True).check()
    page.get_by_label("Approval or SDMS file number").fill("SDMS-12345")
    page.get_by_role("button", name="Save the credit").click()
    expect(page.get_by_role("heading", name="Saved. Where it counts")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("mine.pdf"))).to_be_visible()
    expect(page.get_by_text("SDMS-12345")).to_be_visible()
    browse.check()
