"""Flags for people, sources for auditors: every open question of the rule packs carries a plain
sentence without source ids, a person's flags are said once per body, and the rules page lists
every rule of every body with its sources."""

from __future__ import annotations

from datetime import date

from domain.compliance.evaluation import evaluate
from domain.compliance.packs import ARDMS_PACK, RULE_PACKS
from domain.compliance.rules import Basis
from domain.compliance.sources import SOURCE_ID, flags_by_body, rules_of
from domain.compliance.standing import standings
from tests.unit.domain.cme_builders import credential, person


def every_flag() -> list[Basis]:
    return [basis for pack in RULE_PACKS for _, basis in rules_of(pack) if basis.is_flag]


def test_every_flag_has_a_plain_sentence_without_source_ids() -> None:
    flags = every_flag()
    assert len(flags) > 20
    for flag in flags:
        assert flag.plain, flag.note
        assert not SOURCE_ID.search(flag.plain), flag.plain
        assert flag.plain.endswith("."), flag.plain


def test_the_source_id_pattern_finds_ids_as_the_notes_write_them() -> None:
    assert SOURCE_ID.search("A vendor blog [A24] reports")
    assert SOURCE_ID.search("deficit + 12 [R9])")
    assert not SOURCE_ID.search("30 CMEs [from 2026] in MSK")


def test_the_ardms_2026_question_is_said_as_a_person_needs_it() -> None:
    [plain] = [f.plain for f in every_flag() if "A24" in f.sources]
    assert plain == (
        "ARDMS may lower the requirement to 25 credits in 2026; we count 30 until it is confirmed."
    )


def test_the_rules_of_a_body_name_their_sources() -> None:
    rules = rules_of(ARDMS_PACK)
    assert all(basis.sources for _, basis in rules)
    kinds = {kind for kind, _ in rules}
    assert {"Cycle", "Requirement", "Accepted activity", "Reporting", "Open question"} <= kinds
    assert any("A24" in basis.sources for _, basis in rules)


def test_a_persons_flags_are_given_once_per_body() -> None:
    someone = person(credential("ARDMS", "RDMS", date(2015, 3, 1)))
    obligations = evaluate(someone, [], [], today=date(2026, 12, 7), rule_packs=RULE_PACKS)
    assert {o.body for o in obligations} == {"ARDMS"}
    assert len(obligations) == 2
    flags = flags_by_body(obligations)
    plain = [f.plain for f in flags["ARDMS"]]
    assert len(plain) == len(set(plain))
    every = {f.plain for o in obligations for f in o.flags if f.is_flag}
    assert set(plain) == every
    assert any("lower the requirement to 25" in sentence for sentence in plain)
    [standing] = standings(someone, obligations, today=date(2026, 12, 7), count_pending=False)
    assert standing.flags == flags["ARDMS"]
