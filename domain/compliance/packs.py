"""The rule packs, as data, traced to /work/shared/domain/cme-rules.md (source ids in ``Basis``).

Where sources disagree or are unconfirmed, the stricter reading is applied and flagged (§8.15).
Not modelled: NMTCB (its cycle definition is a CONFLICT, [O2] vs [O3]) and state licences
(New Mexico defers to the credentialing body [O6]; North Dakota counts hours per modality of
current practice, which the person model does not hold [O10]; Oregon and New Hampshire CE are
UNCONFIRMED [O8], [O11]).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from msgspec.structs import replace

from domain.compliance.rules import (
    AcceptanceRule,
    Basis,
    BirthMonthCycles,
    Cap,
    FirstCredentialCalendarCycles,
    Grace,
    Offset,
    QuarterEndCycles,
    Reporting,
    RequirementRow,
    RulePack,
    RuleVersion,
    TopicMinimum,
    WaiverRule,
)
from domain.people.credentials import credential_codes

# --- ARDMS / APCA ------------------------------------------------------------------------------

_SONOGRAPHER = frozenset({"RDMS", "RDCS", "RVT"})


def _msk_ultrasound(credits: int) -> TopicMinimum:
    return TopicMinimum(
        label="musculoskeletal ultrasound",
        topics=frozenset({"sonography", "musculoskeletal"}),
        credits=Decimal(credits),
    )


_VASCULAR_ULTRASOUND_30 = TopicMinimum(
    label="vascular ultrasound",
    topics=frozenset({"sonography", "vascular"}),
    credits=Decimal(30),
)

_ARDMS_TABLE = Basis(sources=("A1", "A2"))

ARDMS_REQUIREMENTS = (
    RequirementRow(
        holds_each_of=(frozenset({"RPVI"}), frozenset({"RMSK"})),
        may_also_hold=_SONOGRAPHER,
        total=Decimal(60),
        topic_minimums=(_VASCULAR_ULTRASOUND_30, _msk_ultrasound(30)),
        basis=Basis(
            sources=("A1", "A2", "A5", "A6", "A7"),
            note="60 is corroborated by reinstatement needing 80 'if your requirement was 60'.",
        ),
    ),
    RequirementRow(
        holds_each_of=(frozenset({"RPVI"}),),
        may_also_hold=_SONOGRAPHER,
        total=Decimal(30),
        topic_minimums=(_VASCULAR_ULTRASOUND_30,),
        basis=_ARDMS_TABLE,
    ),
    RequirementRow(
        holds_each_of=(frozenset({"RMSK"}), _SONOGRAPHER),
        may_also_hold=_SONOGRAPHER,
        total=Decimal(30),
        topic_minimums=(_msk_ultrasound(30),),
        basis=Basis(
            sources=("A1", "A2"),
            confidence="conflict",
            note="RMSK + RDMS/RDCS/RVT: ardms.org [A1] requires 30 CMEs in MSK ultrasound, "
            "apca.org [A2] 10 MSK + 20 any. The stricter [A1] reading is applied.",
        ),
    ),
    RequirementRow(
        holds_each_of=(frozenset({"RMSK"}),),
        total=Decimal(30),
        topic_minimums=(_msk_ultrasound(30),),
        basis=_ARDMS_TABLE,
    ),
    RequirementRow(
        holds_each_of=(frozenset({"RMSKS"}),),
        may_also_hold=_SONOGRAPHER,
        total=Decimal(30),
        topic_minimums=(_msk_ultrasound(10),),
        basis=Basis(sources=("A1", "A2", "A30")),
    ),
    RequirementRow(
        holds_each_of=(_SONOGRAPHER,),
        may_also_hold=_SONOGRAPHER,
        total=Decimal(30),
        basis=Basis(sources=("A1", "A2", "A30")),
    ),
)

_ARDMS_BASE = RuleVersion(
    effective_from=None,
    requirements=ARDMS_REQUIREMENTS,
    acceptance=(
        AcceptanceRule(
            label="approved sponsoring organisation pre-printed on the certificate",
            credit_types=frozenset(
                {
                    "ama_pra_category_1",
                    "arrt_category_a",
                    "arrt_category_a_plus",
                    "asum",
                    "cma",
                    "csdms",
                }
            ),
            basis=Basis(
                sources=("A7", "A10"),
                note="[A7] lists 'AMA cat.1, ASRT cat. A and A+, ASUM, CMECmte-CMA, CSDMS, ...'.",
            ),
        ),
        AcceptanceRule(
            label="CME Tracker partner",
            credit_types=frozenset({"sdms", "svu", "ase", "iame", "spectrum_health"}),
            basis=Basis(sources=("A10", "A31", "A32")),
        ),
        AcceptanceRule(
            label="sponsor widely described as accepted",
            credit_types=frozenset({"aium", "snmmi", "cci_approved"}),
            basis=Basis(
                sources=("A7", "A10"),
                confidence="unconfirmed",
                note="ARDMS's full list of accepted sponsors is unconfirmed; AIUM, SNMMI and "
                "CCI-approved credits are not counted for ARDMS until it is confirmed.",
            ),
        ),
    ),
    waivers=(
        WaiverRule(
            kind="new_credential_or_specialty",
            credits=Decimal(15),
            counts_toward_topics=False,
            basis=Basis(
                sources=("A1", "A2"),
                note="Valid only in the three-year period in which it is earned.",
            ),
            topic_question=Basis(
                sources=("A1", "A2"),
                confidence="unconfirmed",
                note="Whether a 15-credit waiver counts toward the MSK or vascular minimum is "
                "unconfirmed; it is counted toward the total only.",
            ),
        ),
    ),
    reporting=Reporting(
        description="Upload CMEs to the CME Bank by February 28 of the year after the period",
        due=Offset(months=2, day_of_month=28),
        basis=Basis(sources=("A9",)),
    ),
    grace=Grace(
        description="Audit reinstatement deadline (Aug 1); CMEs must fall inside the period",
        ends=Offset(months=8, day_of_month=1),
        late_credits_count=False,
        basis=Basis(
            sources=("A5", "A6", "A7"),
            confidence="conflict",
            note="Reinstatement CMEs: a 2016 page [A6] accepted CMEs through July 31 of the audit "
            "year; the ~2024/25 page [A5] requires them inside the period. [A5] is applied.",
        ),
    ),
    basis=_ARDMS_TABLE,
)

ARDMS_PACK = RulePack(
    body="ARDMS",
    name="ARDMS / APCA CME (three-year CME period)",
    cycle=FirstCredentialCalendarCycles(
        years=3,
        basis=Basis(
            sources=("A3", "A4", "A5"),
            note="Anchored on the first credential; later credentials do not restart it.",
        ),
        december_anchor=Basis(
            sources=("A13", "A14"),
            confidence="unconfirmed",
            note="First credential earned in December: ARDMS's 'December Registrant' renewal "
            "and reinstatement policies apply; their details are unconfirmed.",
        ),
    ),
    select_version_by="cycle_end",
    versions=(
        _ARDMS_BASE,
        replace(
            _ARDMS_BASE,
            effective_from=date(2026, 1, 1),
            flags=(
                Basis(
                    sources=("A24", "A22", "A23"),
                    confidence="unconfirmed",
                    note="A vendor blog [A24] reports the requirement fell from 30 to 25 CMEs "
                    "on 2026-01-01, with annual Knowledge Confirmation quizzes; official pages "
                    "confirm Knowledge Confirmation only. 30 is applied until confirmed.",
                ),
            ),
        ),
    ),
)

# --- ARRT --------------------------------------------------------------------------------------

_ARRT_ANY = credential_codes("ARRT")

_ARRT_RRA = RequirementRow(
    holds_each_of=(frozenset({"RRA"}),),
    may_also_hold=_ARRT_ANY,
    total=Decimal(50),
    basis=Basis(sources=("R1", "R2")),
)
_ARRT_ANY_CREDENTIALS = RequirementRow(
    holds_each_of=(_ARRT_ANY,),
    may_also_hold=_ARRT_ANY,
    total=Decimal(24),
    basis=Basis(sources=("R1", "R2"), note="24 regardless of how many credentials are held."),
)
_SONOGRAPHY_16 = TopicMinimum(
    label="sonography", topics=frozenset({"sonography"}), credits=Decimal(16)
)

_ARRT_2008 = RuleVersion(
    effective_from=date(2008, 1, 1),
    requirements=(_ARRT_RRA, _ARRT_ANY_CREDENTIALS),
    acceptance=(
        AcceptanceRule(
            label="Category A or A+ (approved by a RCEEM or RCEEM+)",
            credit_types=frozenset({"arrt_category_a", "arrt_category_a_plus"}),
            basis=Basis(sources=("R1", "R16", "R18", "R19")),
        ),
        AcceptanceRule(
            label="ACLS or PALS by AHA or ASHI",
            credit_types=frozenset({"aha_ashi"}),
            activity_kinds=frozenset({"life_support"}),
            basis=Basis(sources=("R1",)),
        ),
    ),
    caps=(
        Cap(
            activity_kind="life_support",
            max_credits=Decimal(6),
            basis=Basis(sources=("R1",), note="ACLS/PALS: up to 6 credits once per biennium."),
        ),
    ),
    reporting=Reporting(
        description="CE is reported with the annual renewal, due by the end of the birth month",
        due=Offset(months=1),
        basis=Basis(sources=("R3", "R4")),
    ),
    grace=Grace(
        description="CE probation: 6 months after the biennium end to make up missing credits",
        ends=Offset(months=6),
        late_credits_count=True,
        only_while="probation",
        basis=Basis(
            sources=("R7", "R8", "R27", "R9"),
            confidence="unconfirmed",
            note="CE probation runs 6 months, retroactive to the biennium end [R7], [R8]; the "
            "make-up amount is unconfirmed (ASRT hints at 48 credits [R27], an old rule asked "
            "deficit + 12 [R9]). While a credential is on probation, make-up credits cover the "
            "deficit only and do not count again.",
        ),
    ),
    flags=(
        Basis(
            sources=("R15",),
            confidence="unconfirmed",
            note="For bienniums beginning before 2018, a newly earned credential could count as "
            "CE; that is not modelled, so record such credit by hand.",
        ),
    ),
    basis=Basis(sources=("R1", "R2", "R16"), note="Category B no longer accepted from 2008."),
)
_ARRT_2013 = replace(
    _ARRT_2008,
    effective_from=date(2013, 1, 1),
    requirements=(
        _ARRT_RRA,
        RequirementRow(
            holds_each_of=(frozenset({"S"}),),
            may_also_hold=_ARRT_ANY,
            total=Decimal(24),
            topic_minimums=(_SONOGRAPHY_16,),
            basis=Basis(sources=("R1", "R2", "R20")),
        ),
        RequirementRow(
            holds_each_of=(frozenset({"VS", "BS"}),),
            may_also_hold=_ARRT_ANY,
            total=Decimal(24),
            topic_minimums=(_SONOGRAPHY_16,),
            basis=Basis(
                sources=("R1", "R20"),
                confidence="unconfirmed",
                note="Whether the 16-of-24 sonography rule covers (VS)/(BS) holders without (S) "
                "is unconfirmed; the stricter reading is applied.",
            ),
        ),
        _ARRT_ANY_CREDENTIALS,
    ),
    basis=Basis(sources=("R1", "R2", "R20"), note="16 of 24 sonography-specific from 2013."),
)
_ARRT_2018 = replace(
    _ARRT_2013,
    effective_from=date(2018, 1, 2),  # bienniums beginning after Jan 1, 2018 [R15]
    flags=(),
    basis=Basis(sources=("R1", "R2", "R15")),
)
_ARRT_2024 = replace(
    _ARRT_2018,
    effective_from=date(2024, 1, 1),
    caps=(
        *_ARRT_2018.caps,
        Cap(
            activity_kind="applications_training",
            max_credits=Decimal(8),
            basis=Basis(sources=("R14",), note="Applications training at the R.T.'s facility."),
        ),
    ),
    basis=Basis(sources=("R1", "R2", "R14")),
)

ARRT_PACK = RulePack(
    body="ARRT",
    name="ARRT continuing education (biennium)",
    cycle=BirthMonthCycles(
        years=2,
        basis=Basis(sources=("R1", "R4", "R5")),
        computed_start=Basis(
            sources=("R28", "R29"),
            confidence="conflict",
            note="ARRT assigns the first biennium and sources disagree on it (birth month in the "
            "year certified [R28] or after certification [R29]). Computed as the first birth "
            "month on or after the first credential; record ARRT's dates to replace this.",
        ),
    ),
    select_version_by="cycle_start",
    versions=(_ARRT_2008, _ARRT_2013, _ARRT_2018, _ARRT_2024),
)

# --- CCI ---------------------------------------------------------------------------------------

_CCI_ANY = credential_codes("CCI")
_CCI_CERTIFICATE_LEVEL = frozenset({"CCT", "CRAT"})

_CCI_BEFORE_ATTESTATION = RuleVersion(
    effective_from=None,
    requirements=(
        RequirementRow(
            holds_each_of=(_CCI_ANY - _CCI_CERTIFICATE_LEVEL,),
            may_also_hold=_CCI_ANY,
            total=Decimal(36),
            topic_minimums=(
                TopicMinimum(
                    label="cardiovascular",
                    topics=frozenset({"cardiovascular"}),
                    credits=Decimal(30),
                ),
            ),
            basis=Basis(
                sources=("C1", "C2"),
                note="At most 6 of the 36 may be any topic; with 30 cardiovascular required "
                "that cap cannot change a result, so it is not a separate rule.",
            ),
        ),
        RequirementRow(
            holds_each_of=(_CCI_CERTIFICATE_LEVEL,),
            may_also_hold=_CCI_CERTIFICATE_LEVEL,
            total=Decimal(16),
            basis=Basis(sources=("C1", "C2")),
        ),
    ),
    acceptance=(
        AcceptanceRule(
            label="sponsoring or accrediting body named on the certificate",
            credit_types=frozenset({"ama_pra_category_1", "aha_ashi", "cci_approved"}),
            basis=Basis(sources=("C2",)),
        ),
        AcceptanceRule(
            label="direct transfer partner",
            credit_types=frozenset({"ase"}),
            basis=Basis(sources=("C4", "C7")),
        ),
        AcceptanceRule(
            label="other approved provider",
            credit_types=frozenset(
                {
                    "arrt_category_a",
                    "arrt_category_a_plus",
                    "sdms",
                    "svu",
                    "aium",
                    "snmmi",
                    "iame",
                    "spectrum_health",
                    "asum",
                    "cma",
                    "csdms",
                }
            ),
            basis=Basis(
                sources=("C2",),
                confidence="unconfirmed",
                note="CCI's approved-provider list was not retrieved; these credits are not "
                "counted for CCI until it is confirmed.",
            ),
        ),
    ),
    waivers=(
        WaiverRule(
            kind="registry_exam_passed",
            credits=None,
            counts_toward_topics=True,
            basis=Basis(sources=("C3",), note="Registry level: waives the cycle's CEUs."),
        ),
    ),
    reporting=Reporting(
        description="Renew (fee, Code of Ethics, CEU attestation) by the cycle end",
        due=Offset(),
        basis=Basis(sources=("C1", "C2", "C3")),
    ),
    grace=Grace(
        description="90-day late renewal with a $50 fee; CEUs earned in it are not accepted",
        ends=Offset(days=90),
        late_credits_count=False,
        basis=Basis(sources=("C2", "C3", "C6")),
    ),
    requires_verification=True,
    several_credentials=Basis(
        sources=("C5",),
        confidence="unconfirmed",
        note="Extra CCI credentials share one renewal period [C5]; whether CEUs add up across "
        "them is not stated, so the highest level's requirement is applied.",
    ),
    basis=Basis(
        sources=("C4",), note="Before the Dec 31, 2016 renewals CEUs were approved in advance."
    ),
)

CCI_PACK = RulePack(
    body="CCI",
    name="CCI credential renewal (triennial)",
    cycle=QuarterEndCycles(
        first_period_quarters=3,
        years=3,
        basis=Basis(sources=("C1", "C5"), note="No CEUs for the first renewal."),
    ),
    select_version_by="cycle_end",
    versions=(
        _CCI_BEFORE_ATTESTATION,
        replace(
            _CCI_BEFORE_ATTESTATION,
            effective_from=date(2016, 12, 31),
            requires_verification=False,
            basis=Basis(sources=("C2", "C4"), note="Attestation and audit model."),
        ),
    ),
)

RULE_PACKS = (ARDMS_PACK, ARRT_PACK, CCI_PACK)
"""Every modelled body, in the order obligations are reported."""
