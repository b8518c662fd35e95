"""Requirements per credential combination and rule version, read through evaluate().

Each case id starts with the source ids it encodes (see cme-rules.md §1.2, §2.2, §3).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from cme_builders import credential, obligations, only, person

from domain.compliance.evaluation import Obligation
from domain.compliance.packs import RULE_PACKS
from domain.compliance.rules import MirrorPack, RulePack, UnsupportedPack
from domain.people.credentials import Body, credential_codes

TODAY = date(2024, 6, 1)
VERSIONED = [pack for pack in RULE_PACKS if isinstance(pack, RulePack)]


def _requirements(obligation: Obligation) -> dict[str, Decimal]:
    return {line.label: line.required for line in obligation.lines}


def _flag_sources(obligation: Obligation) -> set[str]:
    return {source for flag in obligation.flags for source in flag.sources}


def _evaluate(
    body: Body, codes: tuple[str, ...], earned: date, birth_month: int | None = None
) -> Obligation:
    who = person(*(credential(body, code, earned) for code in codes), birth_month=birth_month)
    return only(obligations(who, today=TODAY), body)


MSK = "musculoskeletal ultrasound"
VASCULAR = "vascular ultrasound"


@pytest.mark.parametrize(
    ("codes", "expected", "flagged_by"),
    [
        pytest.param(("RDMS",), {"total": 30}, set(), id="A1-A2-RDMS-30-any"),
        pytest.param(("RDCS", "RVT"), {"total": 30}, set(), id="A1-A2-RDCS+RVT-30-any"),
        pytest.param(("RDMS", "RDCS", "RVT"), {"total": 30}, set(), id="A1-A2-all-three-30"),
        pytest.param(("RMSKS",), {"total": 30, MSK: 10}, set(), id="A1-A2-RMSKS-10-MSK"),
        pytest.param(("RMSKS", "RDMS"), {"total": 30, MSK: 10}, set(), id="A1-A2-RMSKS+RDMS"),
        pytest.param(("RMSK",), {"total": 30, MSK: 30}, set(), id="A1-A2-RMSK-30-MSK"),
        pytest.param(
            ("RMSK", "RDMS"), {"total": 30, MSK: 30}, {"A1", "A2"}, id="A1-vs-A2-RMSK+RDMS-conflict"
        ),
        pytest.param(("RPVI",), {"total": 30, VASCULAR: 30}, set(), id="A1-A2-RPVI-30-vascular"),
        pytest.param(("RPVI", "RVT"), {"total": 30, VASCULAR: 30}, set(), id="A1-A2-RPVI+RVT"),
        pytest.param(
            ("RPVI", "RMSK"),
            {"total": 60, VASCULAR: 30, MSK: 30},
            set(),
            id="A1-A2-A5-RPVI+RMSK-60",
        ),
        pytest.param(
            ("RPVI", "RMSK", "RDCS"),
            {"total": 60, VASCULAR: 30, MSK: 30},
            set(),
            id="A1-A2-RPVI+RMSK+RDCS-60",
        ),
        pytest.param(
            ("RPVI", "RMSKS"),
            {"total": 30, VASCULAR: 30},
            {"A1", "A2"},
            id="unlisted-combination-most-demanding-row-flagged",
        ),
    ],
)
def test_ardms_requirement_depends_on_the_combination_held(
    codes: tuple[str, ...], expected: dict[str, int], flagged_by: set[str]
) -> None:
    obligation = _evaluate("ARDMS", codes, date(2021, 6, 10))
    assert _requirements(obligation) == {k: Decimal(v) for k, v in expected.items()}
    requirement_flags = {
        s
        for f in obligation.flags
        if f.note.startswith(("RMSK", "ARDMS states"))
        for s in f.sources
    }
    assert requirement_flags == flagged_by


@pytest.mark.parametrize(
    ("codes", "expected", "unconfirmed"),
    [
        pytest.param(("R",), {"total": 24}, False, id="R1-R2-radiography-24"),
        pytest.param(("R", "CT", "MR"), {"total": 24}, False, id="R1-24-regardless-of-count"),
        pytest.param(("S",), {"total": 24, "sonography": 16}, False, id="R1-R20-S-16-of-24"),
        pytest.param(("R", "S"), {"total": 24, "sonography": 16}, False, id="R1-R20-R+S"),
        pytest.param(
            ("R", "VS"), {"total": 24, "sonography": 16}, True, id="R20-VS-scope-unconfirmed"
        ),
        pytest.param(
            ("R", "M", "BS"), {"total": 24, "sonography": 16}, True, id="R20-BS-scope-unconfirmed"
        ),
        pytest.param(("R", "RRA"), {"total": 50}, False, id="R1-R2-RRA-50"),
    ],
)
def test_arrt_requirement(
    codes: tuple[str, ...], expected: dict[str, int], unconfirmed: bool
) -> None:
    obligation = _evaluate("ARRT", codes, date(2015, 3, 2), birth_month=4)
    assert _requirements(obligation) == {k: Decimal(v) for k, v in expected.items()}
    assert any("(VS)/(BS)" in f.note for f in obligation.flags) is unconfirmed


@pytest.mark.parametrize(
    ("today", "sonography_line", "pre_2018_flag"),
    [
        pytest.param(date(2012, 6, 1), False, True, id="R20-biennium-from-2011-no-sonography-rule"),
        pytest.param(date(2014, 6, 1), True, True, id="R20-biennium-from-2013-has-sonography-rule"),
        pytest.param(date(2019, 6, 1), True, False, id="R15-biennium-from-2019-no-2018-flag"),
    ],
)
def test_arrt_rules_are_chosen_by_the_biennium_start(
    today: date, sonography_line: bool, pre_2018_flag: bool
) -> None:
    who = person(credential("ARRT", "S", date(2009, 3, 2)), birth_month=4)
    obligation = only(obligations(who, today=today), "ARRT")
    assert ("sonography" in _requirements(obligation)) is sonography_line
    assert ("R15" in _flag_sources(obligation)) is pre_2018_flag


def test_arrt_bienniums_before_2008_are_flagged_as_predating_the_modelled_rules() -> None:
    who = person(credential("ARRT", "R", date(2003, 3, 2)), birth_month=4)
    obligation = only(obligations(who, today=date(2006, 6, 1)), "ARRT")
    assert obligation.rule_version_from == date(2008, 1, 1)
    assert any("predates the oldest modelled ARRT rules" in f.note for f in obligation.flags)


@pytest.mark.parametrize(
    ("codes", "expected", "several_flag"),
    [
        pytest.param(("RCS",), {"total": 36, "cardiovascular": 30}, False, id="C1-C2-RCS-36-30"),
        pytest.param(("ACS",), {"total": 36, "cardiovascular": 30}, False, id="C1-advanced-36"),
        pytest.param(
            ("RCIS", "RCES"),
            {"total": 36, "cardiovascular": 30},
            True,
            id="C5-two-registry-flagged",
        ),
        pytest.param(("CCT",), {"total": 16}, False, id="C1-C2-CCT-16"),
        pytest.param(("CCT", "CRAT"), {"total": 16}, True, id="C5-two-certificates-flagged"),
        pytest.param(
            ("CCT", "RVS"), {"total": 36, "cardiovascular": 30}, True, id="C5-highest-level-applies"
        ),
    ],
)
def test_cci_requirement(
    codes: tuple[str, ...], expected: dict[str, int], several_flag: bool
) -> None:
    obligation = _evaluate("CCI", codes, date(2020, 2, 10))
    assert _requirements(obligation) == {k: Decimal(v) for k, v in expected.items()}
    assert ("C5" in _flag_sources(obligation)) is several_flag


def test_cci_first_renewal_needs_no_ceus() -> None:  # [C1], [C5]
    who = person(credential("CCI", "RCS", date(2020, 2, 10)))
    obligation = only(obligations(who, today=date(2020, 6, 1)), "CCI")
    assert obligation.window.end == date(2020, 12, 31)
    assert {line.required for line in obligation.lines} == {Decimal(0)}
    assert obligation.status == "compliant"


@pytest.mark.parametrize(
    ("today", "flagged"),
    [
        pytest.param(date(2024, 6, 1), False, id="period-ending-2024-not-flagged"),
        pytest.param(date(2026, 6, 1), True, id="A24-period-ending-2027-flags-25-cme-report"),
    ],
)
def test_ardms_25_cme_report_is_flagged_not_applied(today: date, flagged: bool) -> None:
    who = person(credential("ARDMS", "RDMS", date(2021, 6, 10)))
    obligation = only(obligations(who, today=today), "ARDMS")
    assert ("A24" in _flag_sources(obligation)) is flagged
    assert _requirements(obligation)["total"] == Decimal(30)


def test_every_rule_element_cites_a_source_and_flags_explain_themselves() -> None:
    for pack in RULE_PACKS:
        if isinstance(pack, MirrorPack):
            bases = [pack.basis, pack.several_bodies]
        elif isinstance(pack, UnsupportedPack):
            bases = [pack.basis]
            assert pack.basis.is_flag, f"{pack.body}: an unsupported body must be flagged"
        else:
            bases = [pack.cycle.basis]
        for version in pack.versions if isinstance(pack, RulePack) else ():
            bases += [
                version.basis,
                *version.flags,
                *(basis for _, basis in version.status_questions),
                *(r.basis for r in version.requirements),
                *(r.basis for r in version.acceptance),
                *(c.basis for c in version.caps),
                *(w.basis for w in version.waivers),
            ]
        for basis in bases:
            assert basis.sources, f"{pack.body}: a rule without a source"
            assert not basis.is_flag or basis.note, f"{pack.body}: a flag without a note"


def test_every_requirement_row_matches_a_combination_of_its_own_codes() -> None:
    for pack in VERSIONED:
        for version in pack.versions:
            for row in version.requirements:
                smallest = frozenset(sorted(group)[0] for group in row.holds_each_of)
                assert row.matches(smallest), f"{pack.body}: unreachable row {row.basis}"


def test_every_credential_code_of_a_body_is_covered_by_its_table() -> None:
    for pack in VERSIONED:
        for version in pack.versions:
            for code in filter(pack.covers, credential_codes(pack.body)):
                assert any(
                    row.is_satisfied_by(frozenset({code})) for row in version.requirements
                ), f"{pack.body} {code} has no requirement row"
