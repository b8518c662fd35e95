"""The certificate corpus generator: the same seed gives the same files, every layout is made,
each forgery shows in its ground truth, and missing fonts say which package to install."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.certificates import FORGERIES, build_corpus, canvas, save_corpus
from tests.fixtures.certificates.facts import FAKE_PROVIDERS
from tests.fixtures.certificates.layouts import LAYOUTS

pytestmark = pytest.mark.unit


def test_the_same_seed_gives_the_same_files_and_another_seed_other_ones() -> None:
    first = build_corpus(3, 1, ("text_pdf", "scanned_pdf"), layouts=LAYOUTS[:2])
    again = build_corpus(3, 1, ("text_pdf", "scanned_pdf"), layouts=LAYOUTS[:2])
    other = build_corpus(4, 1, ("text_pdf", "scanned_pdf"), layouts=LAYOUTS[:2])
    assert [s.data for s in first] == [s.data for s in again]
    assert [s.data for s in first] != [s.data for s in other]


def test_every_layout_is_made_and_the_forgeries_take_turns() -> None:
    samples = build_corpus(5, 1, ("text_pdf",), forged_per_layout=len(FORGERIES))
    assert len(LAYOUTS) >= 8
    assert {s.layout for s in samples} == {layout.name for layout in LAYOUTS}
    for layout in LAYOUTS:
        forged = [s.forgery for s in samples if s.layout == layout.name and s.forgery]
        assert sorted(forged) == sorted(FORGERIES)


def test_each_forgery_shows_in_what_the_certificate_prints_or_its_owner_declares() -> None:
    for sample in build_corpus(6, 0, ("text_pdf",), forged_per_layout=len(FORGERIES)):
        truth, declared = sample.truth, sample.declared
        changed = {
            "wrong_name": truth.participant_name != declared.participant_name,
            "altered_credits": truth.credits == declared.credits
            and str(truth.credits) not in (truth.accreditation_statement or ""),
            "unknown_provider": truth.provider == declared.provider
            and truth.provider in FAKE_PROVIDERS,
            "missing_dates": truth.completed_on is None and declared.completed_on is not None,
            "missing_provider": truth.provider is None and declared.provider is not None,
        }
        assert sample.forgery is not None
        assert changed[sample.forgery], sample.sample_id


def test_a_genuine_certificate_prints_what_its_owner_declares() -> None:
    for sample in build_corpus(6, 1, ("text_pdf",)):
        assert sample.forgery is None
        assert sample.truth == sample.declared


def test_the_corpus_can_be_written_out_with_its_ground_truth(tmp_path: Path) -> None:
    samples = build_corpus(7, 1, ("text_pdf",), layouts=LAYOUTS[:1])
    save_corpus(samples, tmp_path)
    assert (tmp_path / f"{samples[0].sample_id}.pdf").read_bytes() == samples[0].data
    assert samples[0].sample_id in (tmp_path / "truth.json").read_text()


def test_missing_fonts_are_named_with_the_package_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(canvas, "FONT_DIR", tmp_path)
    canvas.font_path.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="fonts-dejavu-core"):
            canvas.font_path("serif")
    finally:
        canvas.font_path.cache_clear()
