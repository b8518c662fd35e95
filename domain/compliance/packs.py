"""The rule packs, as data, traced to /work/shared/domain/cme-rules.md (source ids in ``Basis``).

Where sources disagree or are unconfirmed, the stricter reading is applied and flagged (§8.15).
State licences are credentials of the state's board whose code is the licensed modality or
type: North Dakota counts 5 hours per licensed modality [O10]; New Mexico repeats the
credentialing bodies' obligations [O6], with its licence term end as the reporting step [O7],
and its limited-radiography licence needs 24 Category A/A+ per licence term [O6]; Oregon and
New Hampshire CE are UNCONFIRMED [O8], [O11], so their licences are listed as unsupported
instead of evaluated.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import get_args

import msgspec
from msgspec.structs import replace

from domain.compliance.rules import (
    AcceptanceRule,
    AuditReinstatement,
    Basis,
    BirthMonthCycles,
    Cap,
    CertifiedMonthToBirthMonthCycles,
    CredentialQuestion,
    FirstCredentialCalendarCycles,
    FixedCalendarCycles,
    FullAttendance,
    Grace,
    LicenceTermCycles,
    MirrorPack,
    Offset,
    OutsideTopicCap,
    Pack,
    QualificationsRule,
    QuarterEndCycles,
    Reporting,
    RequirementRow,
    RulePack,
    RuleVersion,
    TopicMinimum,
    Transition,
    UnsupportedPack,
    WaiverRule,
)
from domain.credits.credit import CreditType, Topic
from domain.people.credentials import (
    CQR_EARNED_FROM,
    ND_MODALITIES,
    NM_LIMITED_RADIOGRAPHY,
    credential_codes,
)

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
            plain=(
                "ARDMS's own pages disagree on what RMSK holders with another ARDMS credential "
                "need; we require all 30 credits in musculoskeletal ultrasound, the stricter "
                "reading."
            ),
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
                plain=(
                    "ARDMS has not confirmed every sponsor it accepts; credits approved by "
                    "AIUM, SNMMI or CCI are not counted for ARDMS until it does."
                ),
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
                plain=(
                    "It is not confirmed whether a 15-credit waiver counts toward a topic "
                    "minimum; we count it toward the total only."
                ),
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
            plain=(
                "ARDMS's pages disagree on when reinstatement credits may be earned; we count "
                "only credits earned inside the period."
            ),
            note="Reinstatement CMEs: a 2016 page [A6] accepted CMEs through July 31 of the audit "
            "year; the ~2024/25 page [A5] requires them inside the period. [A5] is applied.",
        ),
    ),
    reinstatement=AuditReinstatement(
        statuses=frozenset({"revoked"}),
        credits_for=((Decimal(30), Decimal(40)), (Decimal(60), Decimal(80))),
        ends=Offset(months=8, day_of_month=1),
        description="Revoked after the CME audit: submit 40 accepted CMEs if the requirement "
        "was 30, 80 if it was 60, plus the reinstatement fee, by Aug 1; after that the "
        "credentials are permanently revoked (all exams retaken)",
        basis=Basis(
            sources=("A5", "A6", "A7", "A3", "A4"),
            note="A credential is taken as revoked for failing the audit when its status became "
            "revoked after the period ended and by Aug 1 of the next year (audit notices go out "
            "in March/April, documentation is due April 30 [A3], [A4]).",
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
            plain=(
                "A first credential earned in December follows ARDMS's December Registrant "
                "renewal rules, whose details are not confirmed; check your dates with ARDMS."
            ),
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
                    plain=(
                        "ARDMS may lower the requirement to 25 credits in 2026; we count 30 "
                        "until it is confirmed."
                    ),
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
            label="academic course at an accredited institution",
            credit_types=frozenset(get_args(CreditType)),
            activity_kinds=frozenset({"academic_course"}),
            academic_rates=(("semester", Decimal(16)), ("quarter", Decimal(12))),
            basis=Basis(
                sources=("R1",),
                note="Category A: 16 CE credits per semester credit, 12 per quarter credit. "
                "That the course is relevant and the institution accredited is not checked.",
            ),
        ),
        AcceptanceRule(
            label="Category A or A+ (approved by a RCEEM or RCEEM+)",
            credit_types=frozenset({"arrt_category_a", "arrt_category_a_plus"}),
            basis=Basis(sources=("R1", "R16", "R18", "R19")),
        ),
        AcceptanceRule(
            label="ACLS or PALS by AHA or ASHI",
            credit_types=frozenset({"aha_ashi"}),
            activity_kinds=frozenset({"life_support"}),
            courses=frozenset({"ACLS", "PALS"}),
            basis=Basis(
                sources=("R1", "R25"),
                note="ACLS or PALS only: basic CPR/BLS is not accepted [R25], though its card "
                "carries the same AHA/ASHI credit type.",
            ),
        ),
    ),
    caps=(
        Cap(
            activity_kind="life_support",
            max_credits=Decimal(6),
            basis=Basis(sources=("R1",), note="ACLS/PALS: up to 6 credits once per biennium."),
        ),
    ),
    count_once=Basis(
        sources=("R13",),
        note="A CE activity can only count once in a biennium [R13]; a repeat is recognised by "
        "its certificate reference or by its title and provider. The source (Oct 2020) gives no "
        "start date, so every modelled biennium applies it.",
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
            plain=(
                "ARRT's make-up amount during CE probation is not confirmed; make-up credits "
                "cover the missing credits only and do not count again."
            ),
            note="CE probation runs 6 months, retroactive to the biennium end [R7], [R8]; the "
            "make-up amount is unconfirmed (ASRT hints at 48 credits [R27], an old rule asked "
            "deficit + 12 [R9]). While a credential is on probation, make-up credits cover the "
            "deficit only and do not count again.",
        ),
    ),
    full_attendance=FullAttendance(
        effective_from=date(2022, 1, 1),
        basis=Basis(
            sources=("R12", "R13"),
            note="From 2022-01-01 attendance-verified activities give credit only if attended in "
            "full; applied by completion date, whatever the biennium.",
        ),
    ),
    qualifications=QualificationsRule(
        codes=frozenset({"RRA"}),
        earned_from=CQR_EARNED_FROM,
        period_years=10,
        window_years=3,
        reinstate_years=1,
        basis=Basis(
            sources=("R10", "R11", "R8"),
            note="Credentials earned on or after 2011-01-01, and every R.R.A., are time-limited "
            "to 10 years, each on its own timeline from the day earned; a Professional Profile, "
            "a Structured Self-Assessment and any prescribed CE are due in the last 3 years. "
            "Missed: 1 year to complete and reinstate [R8], then re-examination.",
        ),
        window_days=Basis(
            sources=("R10", "R11"),
            confidence="unconfirmed",
            plain=(
                "The exact first and last days of a CQR window are not published; the dates in "
                "your ARRT account prevail over ours."
            ),
            note="The exact first and last day of a CQR window are not stated: the 10 years are "
            "counted from the day earned to the day before the tenth anniversary, the window is "
            "their last 3 years. ARRT's dates in the R.T.'s account prevail; the steps and any "
            "prescribed CE are recorded as one completion.",
        ),
        earned_before=Basis(
            sources=("R10", "R11"),
            confidence="unconfirmed",
            plain=(
                "For an R.R.A. earned before 2011 the CQR start is not published; we count its "
                "periods from 1 Jan 2011."
            ),
            note="CQR applies to every R.R.A. and the first CQR deadline was in 2021; when the "
            "periods of an R.R.A. earned before 2011 start is not stated, so they are counted "
            "from 2011-01-01.",
        ),
    ),
    flags=(
        Basis(
            sources=("R15",),
            confidence="unconfirmed",
            plain=(
                "Before 2018 a newly earned ARRT credential could count as CE; we do not apply "
                "that, so record such credit by hand."
            ),
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
                plain=(
                    "It is not confirmed whether vascular or breast sonography holders without "
                    "(S) need 16 sonography credits; we require them, the stricter reading."
                ),
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
            plain=(
                "ARRT sets your first biennium and its sources disagree on how; we start it at "
                "your first birth month after certification until you record ARRT's dates."
            ),
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
            outside_topic_cap=OutsideTopicCap(
                topic="cardiovascular",
                max_credits=Decimal(6),
                basis=Basis(sources=("C1", "C2"), note="At most 6 of the 36 may be any topic."),
            ),
            basis=Basis(sources=("C1", "C2")),
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
                plain=(
                    "CCI's list of approved providers is not confirmed; these credits are not "
                    "counted for CCI until it is."
                ),
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
        late_renewal=True,
        basis=Basis(sources=("C2", "C3", "C6")),
    ),
    requires_verification=True,
    credential_questions=(
        CredentialQuestion(
            codes=frozenset({"RCES"}),
            basis=Basis(
                sources=("C1", "C2", "C3"),
                confidence="conflict",
                plain=(
                    "CCI's pages name this credential both CES and RCES; either way it needs 36"
                    " credits, 30 of them cardiovascular."
                ),
                note="CCI's newest page writes 'CES' where older ones write 'RCES' (likely a "
                "rename, unverified). Recorded as RCES; either way it is a registry-level "
                "credential needing 36 CEUs (30 cardiovascular).",
            ),
        ),
    ),
    several_credentials=Basis(
        sources=("C5",),
        confidence="unconfirmed",
        plain=(
            "CCI does not say whether credits add up across several credentials; we apply the "
            "highest credential's requirement."
        ),
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

# --- NMTCB -------------------------------------------------------------------------------------

_NMTCB_ANY = credential_codes("NMTCB")
_NMTCB_24 = RequirementRow(
    holds_each_of=(_NMTCB_ANY,),
    may_also_hold=_NMTCB_ANY,
    total=Decimal(24),
    basis=Basis(sources=("O2",), note="24 CE hours per 2-year cycle since Jan 1, 2006."),
)
_NMTCB_2006 = RuleVersion(
    effective_from=date(2006, 1, 1),
    requirements=(_NMTCB_24,),
    acceptance=(
        AcceptanceRule(
            label="SNM VOICE transcript",
            credit_types=frozenset({"snmmi"}),
            basis=Basis(sources=("O2",)),
        ),
        AcceptanceRule(
            label="ASRT transcript (Category A or A+)",
            credit_types=frozenset({"arrt_category_a", "arrt_category_a_plus"}),
            basis=Basis(
                sources=("O2", "R1"),
                note="NMTCB accepts ASRT transcripts [O2]; ASRT records Category A/A+ credit.",
            ),
        ),
    ),
    several_credentials=Basis(
        sources=("O2",),
        confidence="unconfirmed",
        plain=(
            "NMTCB does not say whether several credentials need more than 24 hours; we require 24."
        ),
        note="The reference states 24 hours per certificant; whether more NMTCB credentials "
        "need more hours is not stated, so 24 is applied.",
    ),
    status_questions=(
        (
            "emeritus",
            Basis(
                sources=("O1",),
                confidence="unconfirmed",
                plain=(
                    "NMTCB does not say whether Emeritus status is exempt from CE; we treat it "
                    "as owing CE until confirmed."
                ),
                note="Whether NMTCB Emeritus status is exempt from CE is not stated; it is "
                "treated as owing CE until confirmed.",
            ),
        ),
    ),
    transitions=(
        Transition(
            cycle_end_year=2007,
            first_year_odd=True,
            total=Decimal(12),
            basis=Basis(sources=("O2",), note="Odd-year certificants reported 12 hours in 2007."),
        ),
    ),
    flags=(
        Basis(
            sources=("O2",),
            confidence="unconfirmed",
            plain=(
                "For cycles ending in 2007 we apply NMTCB's 12-hour transition for odd-year "
                "certificants; other cycles then need 24 hours."
            ),
            note="Transition: odd-year certificants reported 12 hours in 2007 [O2]; that is "
            "applied to cycles ending in 2007, taking the year of the first NMTCB credential as "
            "the year of the first NMTCB exam. No other transition is described, so other "
            "cycles ending in 2006 and 2007 need 24.",
        ),
    ),
    basis=Basis(sources=("O2",), note="CE mandatory from Jan 1, 2006."),
)

NMTCB_PACK = RulePack(
    body="NMTCB",
    name="NMTCB continuing education (2-year cycle)",
    cycle=CertifiedMonthToBirthMonthCycles(
        years=2,
        basis=Basis(
            sources=("O2", "O3", "O1"),
            confidence="conflict",
            plain=(
                "NMTCB's sources disagree on when its cycles run; we use the birth-month "
                "reading, whose cycles never end later."
            ),
            note="NMTCB cycle: calendar years, odd/even by the year of the first NMTCB exam "
            "[O2] vs the 1st of the month certified to the end of the month before the birth "
            "month in the next odd/even year [O3]; the current policy [O1] was not retrieved. "
            "The birth-month reading [O3] is applied: its cycles never end later, so it is the "
            "conservative one.",
        ),
        without_birth_month=Basis(
            sources=("O2", "O3"),
            confidence="unconfirmed",
            plain=(
                "Without your birth month we use NMTCB's calendar-year cycles; add your birth "
                "month to apply the safer birth-month reading."
            ),
            note="No birth month is recorded, so the calendar reading [O2] is applied; record "
            "the birth month to apply the conservative birth-month reading [O3].",
        ),
        parity=Basis(
            sources=("O2", "O3"),
            confidence="unconfirmed",
            plain=(
                "NMTCB does not state whether your cycles end in odd or even years; we take the"
                " year of your first NMTCB credential."
            ),
            note="NMTCB cycles end in odd or even years by the year of the first NMTCB exam; "
            "the year of the first NMTCB credential is taken as that year, and cycles are taken "
            "to end in years of the same parity (an odd-year certificant reports in odd years, "
            "as the 2007 transition for odd-year certificants suggests [O2]). The sources do not "
            "state the parity outright.",
        ),
    ),
    select_version_by="cycle_end",
    versions=(
        RuleVersion(
            effective_from=None,
            requirements=(msgspec.structs.replace(_NMTCB_24, total=Decimal(0)),),
            acceptance=_NMTCB_2006.acceptance,
            basis=Basis(sources=("O2",), note="CE was not mandatory before Jan 1, 2006."),
        ),
        _NMTCB_2006,
        replace(_NMTCB_2006, effective_from=date(2008, 1, 1), flags=(), transitions=()),
    ),
)

# --- state licences ----------------------------------------------------------------------------

_ND_TOPICS: tuple[tuple[str, frozenset[Topic]], ...] = (
    ("R", frozenset({"radiography"})),
    ("S", frozenset({"sonography"})),
    ("N", frozenset({"nuclear_medicine"})),
    ("T", frozenset({"radiation_therapy"})),
    ("MR", frozenset({"magnetic_resonance"})),
    ("RRA", frozenset({"radiography"})),
    ("RCIS", frozenset({"cardiovascular"})),
    ("RCES", frozenset({"cardiovascular"})),
)

_REGISTRY_ACCEPTED: frozenset[CreditType] = frozenset().union(
    *(
        rule.credit_types
        for pack in (ARDMS_PACK, ARRT_PACK, CCI_PACK, NMTCB_PACK)
        for rule in pack.versions[-1].acceptance
        if not rule.basis.is_flag and not rule.academic_rates
    )
)

_ND_2017 = RuleVersion(
    effective_from=date(2017, 1, 1),
    requirements=(
        RequirementRow(
            holds_each_of=(frozenset(ND_MODALITIES),),
            may_also_hold=frozenset(ND_MODALITIES),
            total=Decimal(5),
            per_code_topics=_ND_TOPICS,
            basis=Basis(
                sources=("O10",),
                confidence="unconfirmed",
                plain=(
                    "North Dakota does not say how hours split across modalities; we require 5 "
                    "distinct hours on each licensed modality."
                ),
                note="5 hours per modality of current practice per licensure cycle [O10]. "
                "Whether each modality's hours must be on that modality, and whether one hour "
                "counts for two modalities, is not stated: 5 hours on each licensed modality's "
                "topic and 5 distinct hours per modality in total are required.",
            ),
        ),
    ),
    acceptance=(
        AcceptanceRule(
            label="registry-acceptable (RCEEM-approved or accepted by a national registry)",
            credit_types=_REGISTRY_ACCEPTED,
            basis=Basis(
                sources=("O10",),
                note="May be the same hours reported to the registry.",
            ),
        ),
    ),
    reporting=Reporting(
        description="Renew online by Dec 31 of the odd year (late renewal Jan 2 - Mar 1 with a "
        "fee); CE is audit-only; keep records 6 years",
        due=Offset(),
        basis=Basis(sources=("O10",)),
    ),
    grace=Grace(
        description="Late renewal window with a fee; CE must fall inside the licensure cycle",
        ends=Offset(months=3, day_of_month=1),
        late_credits_count=False,
        basis=Basis(sources=("O10",)),
    ),
    basis=Basis(sources=("O10",), note="CE law since 2017."),
)

ND_PACK = RulePack(
    body="ND",
    name="North Dakota licence (NDMIRTB, biennial licensure cycle)",
    cycle=FixedCalendarCycles(
        years=2,
        phase_year=2000,
        basis=Basis(sources=("O10",), note="Jan 1 of an even year to Dec 31 of the odd year."),
        partial_first=Basis(
            sources=("O10",),
            confidence="unconfirmed",
            plain=(
                "North Dakota does not say whether a first cycle is shortened for someone "
                "licensed part-way; we require the full amount."
            ),
            note="Licensed after the cycle began: pro-rating is not stated, so the full "
            "requirement applies to the first cycle.",
        ),
    ),
    select_version_by="cycle_start",
    versions=(_ND_2017,),
)

NM_LICENCE_TERM = LicenceTermCycles(
    months=24,
    mid_month=15,
    basis=Basis(
        sources=("O7",),
        note="24 months from issue, ending on the last day of the month of issue (issued before "
        "the 15th) or of the following month (issued after the 15th).",
    ),
    on_mid_month=Basis(
        sources=("O7",),
        confidence="unconfirmed",
        plain=(
            "The end of a licence term issued on the 15th is not published; we use the shorter "
            "term."
        ),
        note="The licence was issued on the 15th, for which the term end is not stated; the "
        "shorter term (ending with the month of issue) is applied.",
    ),
    renewals=Basis(
        sources=("O7",),
        confidence="unconfirmed",
        plain=(
            "We take a renewed licence term to run 24 months; a term shortened to match a "
            "credential's expiry is not applied."
        ),
        note="Renewed terms are taken to run 24 months on from the previous term's end; a term "
        "shortened to match the credential's expiry [O7] is not modelled.",
    ),
)

NM_PACK = MirrorPack(
    body="NM",
    name="New Mexico licence (CE of the credentialing organisation)",
    mirrors=("ARDMS", "ARRT", "CCI", "NMTCB"),
    effective_from=date(2019, 7, 1),
    basis=Basis(
        sources=("O5", "O6", "O7"),
        note="A licensee must meet all CE requirements of their credentialing organisation; "
        "failure is grounds for suspension or revocation [O6].",
    ),
    several_bodies=Basis(
        sources=("O6",),
        confidence="unconfirmed",
        plain=(
            "We do not know which national registry your New Mexico licence rests on, so every "
            "national body's requirement is repeated for it."
        ),
        note="Which credentialing organisation a licence rests on is not recorded, so every "
        "national body's obligation is repeated for the licence.",
    ),
    codes=credential_codes("NM") - {NM_LIMITED_RADIOGRAPHY},
    licence_term=NM_LICENCE_TERM,
    licence_reporting="Renew the New Mexico licence by the end of its term, meeting the "
    "credentialing organisation's CE",
)

NM_LIMITED_RADIOGRAPHY_PACK = RulePack(
    body="NM",
    name="New Mexico limited-radiography licence (CE per licence term)",
    cycle=NM_LICENCE_TERM,
    select_version_by="cycle_end",
    versions=(
        RuleVersion(
            effective_from=None,
            requirements=(
                RequirementRow(
                    holds_each_of=(frozenset({NM_LIMITED_RADIOGRAPHY}),),
                    total=Decimal(24),
                    basis=Basis(sources=("O6",), note="24 Category A/A+ credits per term."),
                ),
            ),
            acceptance=(
                AcceptanceRule(
                    label="Category A or A+",
                    credit_types=frozenset({"arrt_category_a", "arrt_category_a_plus"}),
                    basis=Basis(sources=("O6", "R1")),
                ),
            ),
            reporting=Reporting(
                description="Renew the limited-radiography licence by the end of its term",
                due=Offset(),
                basis=Basis(sources=("O7",)),
            ),
            basis=Basis(sources=("O6", "O7"), note="20.3.20 NMAC, effective Sept 25, 2018."),
        ),
    ),
    codes=frozenset({NM_LIMITED_RADIOGRAPHY}),
)

OR_PACK = UnsupportedPack(
    body="OR",
    name="Oregon licence (OBMI)",
    basis=Basis(
        sources=("O8", "O9", "O25"),
        confidence="unconfirmed",
        plain=(
            "Oregon's CE hours for licensees are not confirmed, so no requirement is computed "
            "for this licence."
        ),
        note="Oregon licensee CE hours are unconfirmed (only limited X-ray permit CE was found); "
        "no obligation is computed.",
    ),
)

NH_PACK = UnsupportedPack(
    body="NH",
    name="New Hampshire licence",
    basis=Basis(
        sources=("O11",),
        confidence="unconfirmed",
        plain=(
            "New Hampshire's CE rules are not confirmed, so no requirement is computed for this"
            " licence."
        ),
        note="New Hampshire CE specifics and the outcome of the 2023 repeal proposal are "
        "unconfirmed; no obligation is computed.",
    ),
)

RULE_PACKS: tuple[Pack, ...] = (
    ARDMS_PACK,
    ARRT_PACK,
    CCI_PACK,
    NMTCB_PACK,
    ND_PACK,
    NM_PACK,
    NM_LIMITED_RADIOGRAPHY_PACK,
    OR_PACK,
    NH_PACK,
)
"""Every body, in the order obligations are reported (a mirror after the bodies it repeats)."""
