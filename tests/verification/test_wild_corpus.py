"""The independent certificate generator (``tests.fixtures.certificates_wild``): the same seed
gives the same files, every layout and format is made, the split is fixed, every "must never
verify" scenario shows in every format, and the ground truth agrees with what the files print
and with the outcome rules. Nothing here measures the reader."""

from __future__ import annotations

import io
import re
import unicodedata
from collections import defaultdict
from datetime import date
from random import Random

import pypdf
import pytest
from PIL import Image

from domain.credits.verification import judge_acceptance
from tests.fixtures.certificates_wild import (
    DEVELOPMENT,
    FORMATS,
    HELD_OUT,
    HELD_OUT_LAYOUTS,
    LAYOUTS,
    Case,
    Format,
    build_cases,
)
from tests.fixtures.certificates_wild.corpus import COMMON, cert_for, make_case, plan, scenario_for
from tests.fixtures.certificates_wild.draw import WHITE, Box, Text
from tests.fixtures.certificates_wild.fonts import FAMILIES
from tests.fixtures.certificates_wild.model import (
    MUST_NEVER_VERIFY,
    ONLINE_EDITORS,
    ONLY_FOR,
    REJECTED,
)
from tests.fixtures.certificates_wild.parts import credit_line
from tests.fixtures.certificates_wild.wording import PEOPLE

pytestmark = pytest.mark.unit

LAYOUT = {layout.name: layout for layout in LAYOUTS}


def _case(name: str, fmt: Format, n: int, seed: int = 3) -> Case:
    return make_case(seed, LAYOUT[name], fmt, n)


def _flat(text: str) -> str:
    """``text`` without spaces, case folded; a dotless ı as i (in capitals both print as I)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text)).casefold().replace("ı", "i")


def _text_layer(case: Case) -> str:
    return _flat(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(case.data)).pages))


def test_the_same_seed_gives_the_same_files_and_another_seed_other_ones() -> None:
    for fmt in FORMATS:
        first = _case("hospital_grand_rounds", fmt, 2)
        assert first.data == _case("hospital_grand_rounds", fmt, 2).data
        assert first.data != _case("hospital_grand_rounds", fmt, 2, seed=4).data


@pytest.fixture(scope="module")
def text_pdfs() -> list[Case]:
    """Every layout's first text PDF, and a scenario sample of every third layout."""
    cases = build_cases(5, LAYOUTS, per_layout=1, formats=("text_pdf",))
    return cases + [make_case(5, layout, "text_pdf", 2) for layout in LAYOUTS[::3]]


def test_every_layout_is_made_as_a_text_pdf_and_every_format_is_made(
    text_pdfs: list[Case],
) -> None:
    cases = text_pdfs
    assert len(LAYOUTS) >= 30
    assert {case.layout for case in cases} == {layout.name for layout in LAYOUTS}
    assert all(case.data.startswith(b"%PDF") for case in cases)
    for name in ("acls_ecard", "sdms_ondemand_webinar", "asrt_directed_reading"):
        scan, photo = _case(name, "scan", 0), _case(name, "photo", 0)
        assert scan.media_type in ("application/pdf", "image/png")
        assert photo.media_type == "image/jpeg"
        image = Image.open(io.BytesIO(photo.data))
        assert max(image.size) >= 1300
        if scan.media_type == "application/pdf":  # an image only: no text layer
            assert not pypdf.PdfReader(io.BytesIO(scan.data)).pages[0].extract_text().strip()


def test_the_layouts_vary_in_paper_orientation_and_font_family() -> None:
    sizes = {(layout.size, layout.landscape) for layout in LAYOUTS}
    assert len(sizes) >= 5  # letter and A4, portrait and landscape, wallet cards
    families = {layout.family for layout in LAYOUTS} | {"script"}
    assert len({FAMILIES[f].package for f in families}) >= 5
    assert len(families) >= 6
    for family in families:
        for style in ("", "B", "I"):
            path = FAMILIES[family].face(style)
            assert path.exists(), f"install {FAMILIES[family].package} (scripts/bootstrap)"


def test_the_split_is_fixed_and_covers_every_layout_once() -> None:
    assert len(HELD_OUT) == 12
    assert {layout.name for layout in LAYOUTS} >= HELD_OUT
    assert {x.name for x in DEVELOPMENT} | {x.name for x in HELD_OUT_LAYOUTS} == {
        x.name for x in LAYOUTS
    }
    assert not {x.name for x in DEVELOPMENT} & HELD_OUT


def test_every_scenario_shows_in_every_format_of_each_set() -> None:
    for layouts in (HELD_OUT_LAYOUTS, DEVELOPMENT):
        seen: dict[str, set[str]] = defaultdict(set)
        for layout, fmt, n in plan(layouts, per_layout=4):
            seen[fmt].add(scenario_for(layout, fmt, n))
        possible = {"genuine", *COMMON}
        possible |= {s for s, trait in ONLY_FOR.items() if any(trait in x.traits for x in layouts)}
        for fmt in FORMATS:
            assert seen[fmt] == possible, (fmt, possible - seen[fmt])
    assert all(
        trait in "".join(t for x in HELD_OUT_LAYOUTS for t in x.traits)
        for trait in ONLY_FOR.values()
    )


def _amounts(value: object) -> set[str]:
    return {f"{value:.0f}", f"{value:.1f}", f"{value:.2f}", f"{value:.2f}".rstrip("0")}


def test_a_text_pdf_prints_the_values_of_its_ground_truth(text_pdfs: list[Case]) -> None:
    for case in text_pdfs:
        text, printed = _text_layer(case), case.printed
        for value in (printed.title, printed.certificate_number, printed.approval_number):
            if value is not None:
                assert _flat(value) in text, (case.sample_id, value)
        assert _flat(printed.provider or "") in text, case.sample_id
        last = printed.participant_name.split()[-1] if printed.participant_name else ""
        assert _flat(last) in text, case.sample_id
        if printed.credits is not None:
            shown = printed.credits / 10 if LAYOUT[case.layout].ceu else printed.credits
            assert any(_flat(figure) in text for figure in _amounts(shown)), case.sample_id


def test_the_expected_outcome_follows_from_the_scenario_and_the_facts() -> None:
    for layout, fmt, n in plan(LAYOUTS, per_layout=4):
        case = make_case(8, layout, fmt, n, render=False)
        printed, declared = case.printed, case.declared
        completed = printed.completed_on
        assert completed is not None
        start, end = case.window
        if case.scenario in REJECTED:
            assert case.expected == "rejected"
        elif case.scenario in MUST_NEVER_VERIFY or not layout.accreditor.accepted:
            assert case.expected == "needs_review"
        else:
            assert case.expected == "verified"
        checks = {
            "other_person": printed.participant_name != case.person_name,
            "outside_window": completed < start,
            "after_upload": completed > case.uploaded_on,
            "zero_credit": printed.credits == 0 and declared.credits > 0,
            "attendance_only": printed.credits is None and not printed.credit_types,
            "negated_approval": not printed.credit_types and declared.credit_types == ("sdms",),
            "bls_as_acls": declared.title != printed.title,
            "factor_of_ten": declared.credits == (printed.credits or 0) * 10,
            "ceu_as_credits": declared.credits * 10 == printed.credits,
            "maximum_claimed": declared.credits > (printed.credits or 0),
            "altered_font": declared.credits == printed.credits,
            "white_patch": declared.credits == printed.credits,
        }
        if case.scenario in checks:
            assert checks[case.scenario], case.sample_id
        if case.expected == "verified":
            assert set(case.person_name.split()) <= set(printed.participant_name.split())
            assert start <= completed <= min(end, case.uploaded_on)
            assert declared.credits == printed.credits
            assert declared.completed_on == completed
            assert declared.title == printed.title
            assert set(declared.credit_types) <= set(printed.credit_types)
            on: date = completed
            accepted = judge_acceptance(
                printed, bodies=case.bodies, activity_kind=declared.activity_kind, on=on
            )
            assert any(a.accepted for a in accepted), case.sample_id


def test_an_altered_figure_is_drawn_in_another_font_or_over_a_white_patch() -> None:
    layout = LAYOUT["asrt_directed_reading"]
    for scenario in ("altered_font", "white_patch"):
        cert = cert_for(layout, scenario, Random(1), date(2026, 3, 5), PEOPLE[0])
        assert cert.awarded != cert.approved
        page = layout.page()
        credit_line(page, 50, 100, "Credit: ", cert, " Category A", Random(2))
        texts = [item for item in page.items if isinstance(item, Text)]
        shown = [item for item in texts if item.text not in ("Credit: ", " Category A")]
        if scenario == "altered_font":
            assert [item.family != page.family for item in shown] == [True]
        else:
            patch = next(item for item in page.items if isinstance(item, Box))
            assert patch.fill == WHITE
            assert len(shown) == 2  # the original figure, hidden, then the altered one
            assert page.items.index(shown[0]) < page.items.index(patch) < page.items.index(shown[1])


def test_an_online_editor_is_named_as_the_producer() -> None:
    editor = next(
        _case(layout.name, "text_pdf", n)
        for layout in LAYOUTS
        for n in range(2, 4)
        if scenario_for(layout, "text_pdf", n) == "online_editor"
    )
    metadata = pypdf.PdfReader(io.BytesIO(editor.data)).metadata
    assert metadata is not None
    assert metadata.producer in ONLINE_EDITORS
