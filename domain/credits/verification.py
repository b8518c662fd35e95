"""Certificate verification: what was read off a certificate, how it compares with what the
person declared, and the outcome events (verified, needs review, rejected) of the worker and of
the admins who work the review queue.

``assess`` applies these rules, in this order:

1. Reading: a file that could not be read (encrypted, unreadable) goes to review with that one
   reason; text read with a confidence below ``Thresholds.min_confidence`` is never verified,
   and nothing read that doubtfully is rejected.
2. Not a certificate: text read with good confidence on which no credits, no provider, no
   accreditation statement and no credit type are found is *rejected*.
3. Rejections, with a reason the person sees and a reviewer can reverse (only on a reading in
   good confidence; reviewer-entered fields are never rejected): made out to another person
   (the last name is nothing like the person's); completed after the upload, or outside every
   CE window of the person's bodies open on the upload day (``open_windows``); no credit
   awarded (0 credits, attendance only, a post-test not passed); the certificate contradicts
   the declared type (a BLS card declared as ACLS, "not approved for SDMS" declared as SDMS).
4. Fields: everything a body relies on must be on the certificate: participant, title,
   provider, accreditation statement, a date, credits, a credit type, and the SDMS file number
   on an SDMS-approved certificate [A32].
5. Alteration: a sign of it on the file (``Signals``: a figure in another font or size than
   its neighbours, a white patch under a figure, an online editor as the PDF's producer),
   credits implausible for the activity's length (12 a day at most, or a printed duration), or
   more credits than the accreditation statement approves (1 CEU = 10 contact hours), and an
   approval the certificate denies ("not approved for SDMS").
6. Agreement: the certificate must be made out to the person (``domain.credits.names``:
   folded, middle names and initials optional) and agree with the declared credit: similar
   title, same provider, same completion date, every declared credit type printed, and the
   declared credits equal to the printed ones (``credits_tolerance`` allows for rounding): a
   figure off by a factor of ten, CEU typed as credits or the activity's maximum typed instead
   of the amount awarded is named as such. A certificate attached to no credit has nothing to
   agree with and goes to review.
7. Provider: the printed provider should be found in the provider directory (seed entries,
   the tenant's own, or a configured look-up). One missing from it is only noted
   (``Assessment.notes``) when the statement is a recognised accreditor's (it names an
   accreditor, or is the provider's own "X designates ...") and a body accepts its credit;
   otherwise it holds the certificate up. A provider the organisation's directory blocks
   always holds it up, with the organisation's reason.
8. Acceptance: at least one of the person's certifying bodies must accept a credit type printed
   (and not denied) on the certificate, by a confirmed rule of its rule pack in force on the
   completion date. UNCONFIRMED rules are shown in the explanation but never accept; each body
   lists what an audit by it would find missing (ARDMS [A7], SDMS file number [A32], CCI [C7],
   ARRT [R27]).

Verified when nothing is in doubt; rejected when a rule of 3 holds (with every other reason
too); otherwise ``needs_review`` with every reason. Each reason carries the words on the
certificate that caused it (``ReviewReason.evidence``). Reviewers decide the rest
(``domain.credits.certificate``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Literal, NamedTuple, get_args
from uuid import UUID

import msgspec
from msgspec.structs import replace

from domain.compliance.cycles import Window
from domain.compliance.evaluation import evaluate
from domain.compliance.packs import RULE_PACKS
from domain.compliance.rules import MirrorPack, RulePack, RuleVersion, UnsupportedPack
from domain.credits.credit import ActivityKind, CreditDetails, CreditType, named_courses
from domain.credits.figures import (
    CEU,
    CEU_HOURS,
    CONVERSION_NOTE,
    hours_per_ceu,
    in_figures,
    without_conversion_notes,
)
from domain.credits.names import (
    acronym,
    closest_other,
    organisation_tokens,
    organisations_match,
    person_name_tokens,
    person_names_match,
    shared_words,
    similarity,
    words,
)
from domain.people.credentials import Body
from domain.people.person import Person
from domain.shared.event import Event

TextSource = Literal["text_layer", "ocr", "none"]
"""Where the text came from: a PDF's text layer, OCR of an image or scanned page, or nowhere
(unreadable or encrypted file)."""

DecidedBy = Literal["worker", "reviewer"]

Outcome = Literal["verified", "needs_review", "rejected"]

ReasonCode = Literal[
    "unreadable",
    "encrypted",
    "low_confidence",
    "not_a_certificate",
    "name_mismatch",
    "title_mismatch",
    "credits_mismatch",
    "date_mismatch",
    "provider_mismatch",
    "provider_unknown",
    "missing_name",
    "missing_provider",
    "missing_accreditation",
    "missing_dates",
    "missing_credits",
    "credit_type_unknown",
    "not_accepted",
    "no_declared_credit",
    "missing_title",
    "missing_approval_number",
    "credit_type_mismatch",
    "rejected_by_reviewer",
    "made_out_to_another",
    "outside_window",
    "no_window",
    "dated_after_upload",
    "no_credit_awarded",
    "type_contradiction",
    "negated_approval",
    "altered",
    "implausible_credits",
    "provider_not_listed",
    "provider_blocked",
]

CREDIT_TYPE_LABELS: dict[CreditType, str] = {
    "ama_pra_category_1": "AMA PRA Category 1",
    "arrt_category_a": "ARRT Category A",
    "arrt_category_a_plus": "ARRT Category A+",
    "sdms": "SDMS",
    "svu": "SVU",
    "ase": "ASE",
    "aium": "AIUM",
    "iame": "IAME",
    "spectrum_health": "Spectrum Health",
    "asum": "ASUM",
    "cma": "CMA",
    "csdms": "CSDMS",
    "snmmi": "SNMMI",
    "cci_approved": "CCI-approved",
    "aha_ashi": "AHA/ASHI",
    "other": "other",
}
"""How credit types are named to people."""


class ExtractedFields(msgspec.Struct, frozen=True, kw_only=True):
    """The fields found on a certificate; None (or empty) where a field was not found."""

    participant_name: str | None = None
    title: str | None = None
    provider: str | None = None
    accreditation_statement: str | None = None
    """The sponsor/accreditor sentence as printed (e.g. "... designates this ... for a maximum of
    2 AMA PRA Category 1 Credits")."""
    credit_types: tuple[CreditType, ...] = ()
    activity_date: date | None = None
    """The (first) day of the activity, when printed apart from the completion date."""
    completed_on: date | None = None
    credits: Decimal | None = None
    certificate_number: str | None = None
    approval_number: str | None = None
    """An approver's file or reference number, e.g. the SDMS file number [A32]."""
    evidence: dict[str, str] = msgspec.field(default_factory=dict)
    """The words on the certificate each field was read from, keyed by field name (e.g.
    ``{"credits": "3.25 AMA PRA Category 1 Credits"}``); empty where the reader kept none.
    Added later as an optional field: fields stored without it have none."""

    @property
    def completion_date(self) -> date | None:
        """The day the activity was completed: the completion date, else the activity date."""
        return self.completed_on or self.activity_date


class ReviewReason(msgspec.Struct, frozen=True, kw_only=True):
    """Why a certificate needs a person's eyes: a stable code, a sentence for people and the
    words on the certificate (or what was seen on it) that caused it."""

    code: ReasonCode
    message: str
    evidence: str = ""
    """Added later as an optional field: reasons stored without it show none."""


class BodyAcceptance(msgspec.Struct, frozen=True, kw_only=True):
    """Whether a certifying body (ARDMS, ARRT, CCI, ...) accepts the certificate's credit type,
    by which rule, and what an audit by that body would find missing."""

    body: str
    accepted: bool
    rule: str | None = None
    """The rule that admits it, or None."""
    explanation: str
    audit_risks: tuple[str, ...] = ()
    """E.g. ARDMS requires pre-printed provider, sponsor and dates [A7]."""


class ProviderMatch(msgspec.Struct, frozen=True, kw_only=True):
    """A provider directory entry the printed provider name matched."""

    provider_id: str
    name: str
    source: str
    """Which directory answered: "seed", "tenant" or an adapter's name."""
    aliases: tuple[str, ...] = ()
    """Other names of the provider (acronyms, former names), to compare the declared one with."""
    blocked: bool = False
    """The organisation's directory blocks the provider: its certificates never verify."""
    blocked_because: str = ""
    """Why the organisation blocked it."""


class TextReading(msgspec.Struct, frozen=True, kw_only=True):
    """How the certificate's text was read: where from, how sure (0..1), and why it could not
    be read, if it could not."""

    source: TextSource
    confidence: float
    problem: ReviewReason | None = None


SignalKind = Literal[
    "font_mismatch",
    "white_patch",
    "online_editor",
    "attendance_only",
    "post_test_failed",
    "no_credit",
    "negated_approval",
]


_NEGATION = re.compile(
    r"\bnot\s+(?:been\s+)?(?:approved|accredited|recogni[sz]ed|valid|eligible|designated)"
    r"[\s,:\u2013\u2014-]+(?:for|by)[\s,:\u2013\u2014-]+[^.;\n]{1,120}",
    re.I,
)
_TYPE_NAMES: tuple[tuple[re.Pattern[str], CreditType], ...] = (
    (re.compile(r"\bAMA\b"), "ama_pra_category_1"),
    (re.compile(r"(?<![A-Z])S[DO0]MS\b"), "sdms"),  # OCR reads the D as O or 0
    (re.compile(r"\b(?:ASRT|ARRT|Category A)\b(?!\+)"), "arrt_category_a"),
    (re.compile(r"\bSVU\b"), "svu"),
    (re.compile(r"\bCCI\b"), "cci_approved"),
    (re.compile(r"\bAIUM\b"), "aium"),
    (re.compile(r"\bASE\b"), "ase"),
    (re.compile(r"\bIAME\b"), "iame"),
    (re.compile(r"\bSNMMI\b"), "snmmi"),
    (re.compile(r"\bCSDMS\b"), "csdms"),
)
_NO_CREDIT: tuple[tuple[re.Pattern[str], SignalKind, str], ...] = (
    (
        re.compile(
            r"\b(?:for\s+)?attendance\s+(?:purposes\s+)?only\b|\bcertificate\s+of\s+attendance"
            r"\s+only\b|\bdocuments\s+attendance\s+only\b",
            re.I,
        ),
        "attendance_only",
        "it certifies attendance only",
    ),
    (
        re.compile(
            r"\bpost[- ]?test\b[^.\n]{0,40}?\b(?:not\s+passed|failed|fail|not\s+successfully)"
            r"|\bdid\s+not\s+(?:pass|successfully\s+complete)\b[^.\n]{0,40}",
            re.I,
        ),
        "post_test_failed",
        "the post-test was not passed",
    ),
    (
        re.compile(
            r"\bno\s+(?:CME\s+|CE\s+|continuing\s+education\s+)?(?:credits?|contact\s+hours)"
            r"\s+(?:(?:is|are|was|were|will\s+be|have\s+been)\s+)?(?:awarded|earned|granted|"
            r"issued)\b",
            re.I,
        ),
        "no_credit",
        "it says no credit was awarded",
    ),
    (
        re.compile(
            r"(?<![\d.,])0(?:\.0+)?\s+(?:AMA\b|SDMS\b|ARRT\b|ASRT\b|SVU\b|CME\b|CE\b|CEUs?\b|"
            r"credits?\b|contact\s+hours?\b|hours?\b|Category\b)",
            re.I,
        ),
        "no_credit",
        "it awards 0 credits",
    ),
)


class Signal(msgspec.Struct, frozen=True, kw_only=True):
    """Something the file shows beyond its fields: a sign of alteration, or words saying no
    credit was awarded or an approval is denied. ``words`` are the words or figure concerned."""

    kind: SignalKind
    description: str
    words: str = ""
    credit_types: tuple[CreditType, ...] = ()
    """For ``negated_approval``: the credit types the certificate says it is not approved for."""


class Signals(msgspec.Struct, frozen=True, kw_only=True):
    """What the file shows beyond its fields (kept apart from ``ExtractedFields``): found by
    inspecting the file itself (fonts, patches, the PDF's producer) and its words."""

    signals: tuple[Signal, ...] = ()


NO_SIGNALS = Signals()


def stored_confidence(confidence: float) -> Decimal:
    """A reading's confidence as events store it: a Decimal of two places, 0.00 to 1.00."""
    return Decimal(f"{min(max(confidence, 0.0), 1.0):.2f}")


class Thresholds(msgspec.Struct, frozen=True, kw_only=True):
    """How sure the worker must be to verify without a person."""

    min_confidence: float = 0.70
    """Below this text confidence (OCR mean word confidence; 1.0 for a PDF text layer) a
    certificate is never verified automatically."""
    name_edits: int = 1
    """Letters (replaced, added or dropped) by which a name OCR read may differ from the
    person's in all, each in a name of five letters or more (``domain.credits.names``); a
    name in a text layer must match to the letter."""
    title_similarity: float = 0.80
    """How alike the printed and the declared activity titles must be (0..1)."""
    credits_tolerance: Decimal = Decimal(0)
    """How many credits more than printed may be declared (rounding); 0: none."""


class Assessment(msgspec.Struct, frozen=True, kw_only=True):
    """What ``assess`` concluded, with everything the outcome event records. ``reading`` is
    None when the fields were entered by a reviewer rather than read off the file."""

    outcome: Outcome
    reasons: tuple[ReviewReason, ...]
    acceptance: tuple[BodyAcceptance, ...]
    fields: ExtractedFields
    provider: ProviderMatch | None
    reading: TextReading | None
    notes: tuple[ReviewReason, ...] = ()
    """What was noticed without holding the certificate up (a provider missing from the
    directory where a recognised accreditor's statement vouches for it)."""


# --- events ------------------------------------------------------------------------------------


class CertificateReading(msgspec.Struct, frozen=True, kw_only=True):
    """What a certificate verified or held for review is recorded with: its credit (None:
    uploaded alone), the fields decided on, the provider matched, each body's acceptance and
    how its text was read."""

    certificate_id: UUID
    credit_id: UUID | None
    fields: ExtractedFields
    provider: ProviderMatch | None
    acceptance: tuple[BodyAcceptance, ...]
    text_source: TextSource
    confidence: Decimal
    """The reading's confidence, two decimals (events hold no floating-point numbers)."""


class CertificateVerified(
    Event, CertificateReading, frozen=True, kw_only=True, tag="credits.CertificateVerified"
):
    """The certificate supports what was declared; ``fields`` are the final fields (as read, or
    as corrected by the reviewer)."""

    decided_by: DecidedBy
    reviewer_id: UUID | None = None
    note: str = ""
    notes: tuple[ReviewReason, ...] = ()
    """What the worker noticed without holding the certificate up (``Assessment.notes``).
    Added later as an optional field: events stored without it have none."""


class CertificateNeedsReview(
    Event, CertificateReading, frozen=True, kw_only=True, tag="credits.CertificateNeedsReview"
):
    """The worker could not verify the certificate; each reason is listed."""

    reasons: tuple[ReviewReason, ...]


class CertificateFieldsCorrected(
    Event, frozen=True, kw_only=True, tag="credits.CertificateFieldsCorrected"
):
    """A reviewer corrected what was read off the certificate, with a reason."""

    certificate_id: UUID
    fields: ExtractedFields
    reviewer_id: UUID
    reason: str


class CertificateRejected(Event, frozen=True, kw_only=True, tag="credits.CertificateRejected"):
    """The certificate does not support the credit; the reason is shown to the person."""

    certificate_id: UUID
    credit_id: UUID | None
    reasons: tuple[ReviewReason, ...]
    decided_by: DecidedBy
    reviewer_id: UUID | None = None
    fields: ExtractedFields | None = None
    """What the worker read off the certificate it rejects (None: a reviewer's rejection, or
    one recorded before rejections carried it), so that a reviewer can reverse it."""
    provider: ProviderMatch | None = None
    acceptance: tuple[BodyAcceptance, ...] = ()
    text_source: TextSource | None = None
    confidence: Decimal | None = None


VERIFICATION_EVENTS: tuple[type[Event], ...] = (
    CertificateVerified,
    CertificateNeedsReview,
    CertificateFieldsCorrected,
    CertificateRejected,
)


# --- assessment --------------------------------------------------------------------------------

MAX_CREDITS_PER_DAY = Decimal(12)
"""More credits than an activity of that many days can award (a long conference day holds
8-10 hours of instruction, and credits are earned by the hour [O19])."""
ANOTHER_PERSON_SIMILARITY = 0.6
"""Below this similarity of the last names, a printed name that does not match the person's
names another person (rejected); between it and a match, a reviewer looks (a misreading)."""


def assess(
    reading: TextReading | None,
    fields: ExtractedFields,
    *,
    declared: CreditDetails | None,
    person_name: str,
    bodies: Iterable[Body],
    provider: ProviderMatch | None,
    thresholds: Thresholds,
    uploaded_on: date,
    windows: Mapping[Body, Sequence[Window]],
    signals: Signals = NO_SIGNALS,
    colleagues: Collection[str] = (),
) -> Assessment:
    """Judge a certificate by the rules of the module docstring. ``reading`` is how the worker
    read ``fields``, or None for fields a reviewer entered (then the reading is not doubted and
    nothing is rejected); ``declared`` is the credit the certificate is attached to (None if
    none); ``bodies`` are those of the person's credentials; ``provider`` is what a directory
    look-up found for the printed provider; ``windows`` are the CE windows of the person's
    bodies open on ``uploaded_on`` (``open_windows``); ``signals`` what the file itself shows
    of alteration or of credit not awarded (``services.core.reading.tamper``); ``colleagues``
    the names of the organisation's other people, active or not, at least those sharing
    ``colleague_words`` (a printed name that names a colleague as well as the person is not
    taken as the person's)."""
    on = fields.completion_date or (declared.completed_on if declared else uploaded_on)
    kind: ActivityKind = declared.activity_kind if declared else "standard"
    cues = (*signals.signals, *text_signals(_printed_text(fields)))
    negated = {t: s.words for s in cues if s.kind == "negated_approval" for t in s.credit_types}
    printed = replace(
        fields, credit_types=tuple(t for t in fields.credit_types if t not in negated)
    )
    acceptance = judge_acceptance(printed, bodies=bodies, activity_kind=kind, on=on)

    def outcome(
        verdict: Outcome, reasons: list[ReviewReason], notes: tuple[ReviewReason, ...] = ()
    ) -> Assessment:
        return Assessment(
            outcome=verdict,
            reasons=tuple(_with_evidence(r, fields) for r in reasons),
            acceptance=acceptance,
            fields=fields,
            provider=provider,
            reading=reading,
            notes=tuple(_with_evidence(n, fields) for n in notes),
        )

    reasons: list[ReviewReason] = []
    sure = reading is not None
    if reading is not None:
        if reading.problem is not None or reading.source == "none":
            return outcome("needs_review", [reading.problem or _UNREADABLE])
        if reading.confidence < thresholds.min_confidence:
            sure = False
            reasons.append(_low_confidence(reading, thresholds))
        elif _is_not_a_certificate(fields) and not cues:
            return outcome("rejected", [_NOT_A_CERTIFICATE])
    rejections = [
        *_another_person(fields, person_name, edits=_name_edits(reading, thresholds)),
        *_not_awarded(fields, cues),
        *_contradictions(fields, declared, negated),
        *_dated_wrong(fields, uploaded_on, windows, acceptance),
    ]
    if _NO_WINDOW in rejections:
        rejections.remove(_NO_WINDOW)
        reasons.append(_NO_WINDOW)
    reasons += _missing(fields)
    reasons += _inconsistent_dates(fields)
    reasons += _credits_beyond_statement(fields)
    reasons += _implausible_credits(fields)
    reasons += _signalled(cues, _ALTERATION_KINDS, "altered", "may have been altered")
    reasons += _negations(fields, negated, declared)
    reasons += _disagreements(
        fields,
        declared,
        person_name,
        provider,
        thresholds,
        edits=_name_edits(reading, thresholds),
        colleagues=colleagues,
    )
    if provider is not None and provider.blocked:
        reasons.append(_provider_blocked(fields.provider or provider.name, provider))
    notes: tuple[ReviewReason, ...] = ()
    if fields.provider is not None and provider is None:
        unlisted = ReviewReason(
            code="provider_not_listed",
            message=f"the provider '{fields.provider}' is not in the provider directory; the "
            "certificate carries a recognised accreditor's statement, so this alone does not "
            "hold it up",
        )
        if _vouched_for(printed, acceptance):
            notes = (unlisted,)
        else:
            reasons.append(_provider_unknown(fields.provider))
    if printed.credit_types and not any(a.accepted for a in acceptance):
        reasons.append(_not_accepted(acceptance))
    if any(r.code == "made_out_to_another" for r in rejections):
        reasons = [r for r in reasons if r.code != "name_mismatch"]
    if rejections and sure:
        return outcome("rejected", [*rejections, *(r for r in reasons if r not in rejections)])
    reasons = [*rejections, *reasons]
    return outcome("needs_review" if reasons else "verified", reasons, notes)


_ACCREDITORS = re.compile(
    r"\b(?:ACCME|ACCREDITATION COUNCIL FOR CONTINUING MEDICAL EDUCATION|SDMS|SOCIETY OF "
    r"DIAGNOSTIC MEDICAL SONOGRAPHY|ASRT|AMERICAN SOCIETY OF RADIOLOGIC TECHNOLOGISTS|ARRT|SVU|"
    r"SOCIETY FOR VASCULAR ULTRASOUND|CCI|CARDIOVASCULAR CREDENTIALING INTERNATIONAL|ANCC|"
    r"IACET|ACPE|CAPCE)\b"
)
"""Accreditors whose approval statement vouches for a provider the directory does not list."""
_LIFE_SUPPORT_CURRICULUM = re.compile(
    r"\bCURRICULUM OF THE (?:AMERICAN HEART ASSOCIATION|AMERICAN SAFETY AND HEALTH INSTITUTE|AHA|"
    r"ASHI)\b"
)
"""A life-support card's statement: its course follows the curriculum of the American Heart
Association or ASHI, which authorise the training centers that teach it. It vouches only for a
card whose one credit is that course, where a body accepts the course named (acceptance is by
course: ARRT takes ACLS and PALS, not BLS)."""


def _vouched_for(fields: ExtractedFields, acceptance: Sequence[BodyAcceptance]) -> bool:
    """A body of the person accepts the credit printed, and the accreditation statement names a
    recognised accreditor, or is the printed provider's own ("X designates this activity ...",
    which only accredited providers print), or, on a card whose only credit is a life-support
    course, follows the AHA or ASHI curriculum."""
    statement = fields.accreditation_statement
    if not statement or fields.provider is None or not any(a.accepted for a in acceptance):
        return False
    said = " ".join(words(statement.replace("&", " and "))).upper()
    if _ACCREDITORS.search(said):
        return True
    if _LIFE_SUPPORT_CURRICULUM.search(said):
        return fields.credit_types == ("aha_ashi",)
    tokens = organisation_tokens(fields.provider)
    initials = acronym(tokens).upper()
    return bool(tokens) and (
        f" {' '.join(tokens).upper()} " in f" {said} "
        or (len(initials) >= 3 and initials in said.split())
    )


def _provider_blocked(printed: str, provider: ProviderMatch) -> ReviewReason:
    return ReviewReason(
        code="provider_blocked",
        message=f"the provider '{printed}' is '{provider.name}', which the organisation's "
        f"provider directory blocks ({provider.blocked_because}): its certificates are never "
        "verified without a reviewer",
    )


def _provider_unknown(name: str) -> ReviewReason:
    return ReviewReason(
        code="provider_unknown",
        message=f"the provider '{name}' is not in the provider directory and no recognised "
        "accreditor's statement vouches for it; add it to the directory if it is a genuine CE "
        "provider",
    )


_UNREADABLE = ReviewReason(code="unreadable", message="no text could be read from the file")
_NOT_A_CERTIFICATE = ReviewReason(
    code="not_a_certificate",
    message="the file does not look like a CE certificate: no credits, provider, accreditation "
    "statement or credit type was found on it; if it is one, ask an administrator to review it",
)


def open_windows(person: Person, on: date) -> dict[Body, tuple[Window, ...]]:
    """The CE windows of each of ``person``'s bodies that a credit may count toward on ``on``:
    the current one, and the previous one while its late credits still count."""
    found: dict[Body, tuple[Window, ...]] = {}
    for obligation in evaluate(person, (), (), today=on, rule_packs=RULE_PACKS):
        late = obligation.late_credits_until
        if obligation.period == "current" or (late is not None and on <= late):
            found[obligation.body] = (*found.get(obligation.body, ()), obligation.window)
    return found


def _printed_text(fields: ExtractedFields) -> str:
    """The words of the certificate that the reader kept: its statement, title and evidence."""
    parts = (fields.accreditation_statement, fields.title, *fields.evidence.values())
    return "\n".join(part for part in parts if part)


def _low_confidence(reading: TextReading, thresholds: Thresholds) -> ReviewReason:
    how = "by OCR" if reading.source == "ocr" else "from the PDF text layer"
    return ReviewReason(
        code="low_confidence",
        message=f"the text was read {how} with confidence {reading.confidence:.2f}, below the "
        f"{thresholds.min_confidence:.2f} needed to verify it automatically",
    )


def _is_not_a_certificate(fields: ExtractedFields) -> bool:
    return (
        fields.credits is None
        and fields.provider is None
        and fields.accreditation_statement is None
        and not fields.credit_types
    )


def _missing(fields: ExtractedFields) -> list[ReviewReason]:
    missing: list[tuple[bool, ReasonCode, str]] = [
        (fields.participant_name is None, "missing_name", "no participant name was found"),
        (fields.title is None, "missing_title", "no activity title was found"),
        (
            fields.provider is None,
            "missing_provider",
            "no pre-printed provider name was found",
        ),
        (
            fields.accreditation_statement is None,
            "missing_accreditation",
            "no sponsor or accreditation statement was found (e.g. 'designates this activity for "
            "a maximum of 2 AMA PRA Category 1 Credits')",
        ),
        (
            fields.completion_date is None,
            "missing_dates",
            "no pre-printed activity or completion date was found",
        ),
        (fields.credits is None, "missing_credits", "the number of credits was not found"),
        (
            not fields.credit_types,
            "credit_type_unknown",
            "no credit type (AMA PRA Category 1, ARRT Category A, SDMS, ...) was found",
        ),
        (
            _lacks_sdms_file_number(fields),
            "missing_approval_number",
            "the certificate is SDMS-approved but shows no SDMS file number; ARDMS and ARRT "
            "do not accept SDMS certificates without one [A32]",
        ),
    ]
    return [ReviewReason(code=code, message=message) for lacks, code, message in missing if lacks]


def _lacks_sdms_file_number(fields: ExtractedFields) -> bool:
    return "sdms" in fields.credit_types and not fields.approval_number


def _inconsistent_dates(fields: ExtractedFields) -> list[ReviewReason]:
    start, end = fields.activity_date, fields.completed_on
    if start is None or end is None or start <= end:
        return []
    return [
        ReviewReason(
            code="date_mismatch",
            message=f"the certificate's activity date {start} is after its completion date {end}",
        )
    ]


# --- rejections: what the person sees, and a reviewer can reverse -----------------------------


def colleague_words(
    reading: TextReading | None, fields: ExtractedFields, person_name: str, thresholds: Thresholds
) -> frozenset[str]:
    """The words a colleague's name must share with the printed name for ``assess`` to weigh
    it (``names.shared_words``); none when no colleague is weighed: no name printed, or one
    that does not name the person."""
    printed = fields.participant_name
    edits = _name_edits(reading, thresholds)
    if printed is None or not person_names_match(printed, person_name, edits=edits):
        return frozenset()
    return shared_words(printed)


def _name_edits(reading: TextReading | None, thresholds: Thresholds) -> int:
    """The letters a printed name may differ by: ``thresholds.name_edits`` when OCR read it
    (a letter may be misread), none in a text layer or in fields a reviewer entered."""
    return thresholds.name_edits if reading is not None and reading.source == "ocr" else 0


def _another_person(fields: ExtractedFields, person_name: str, *, edits: int) -> list[ReviewReason]:
    """A printed name whose last name is nothing like the person's names someone else; a name
    that is merely not close enough (a misreading) is left to ``_disagreements``."""
    printed = fields.participant_name
    if printed is None or person_names_match(printed, person_name, edits=edits):
        return []
    theirs, ours = person_name_tokens(printed), person_name_tokens(person_name)
    if not theirs or not ours:
        return []
    if max(similarity(theirs[-1], token) for token in ours) >= ANOTHER_PERSON_SIMILARITY:
        return []
    return [
        ReviewReason(
            code="made_out_to_another",
            message=f"the certificate is made out to '{printed}', another person than "
            f"'{person_name}'; upload your own certificate",
        )
    ]


def _not_awarded(fields: ExtractedFields, cues: Iterable[Signal]) -> list[ReviewReason]:
    """No credit was awarded: 0 credits printed, attendance only, or a post-test not passed."""
    reasons = _signalled(cues, _NO_CREDIT_KINDS, "no_credit_awarded", "awards no credit")
    if fields.credits is not None and fields.credits == 0 and not reasons:
        reasons.append(
            ReviewReason(
                code="no_credit_awarded",
                message="the certificate awards 0 credits",
            )
        )
    return reasons


_NO_CREDIT_KINDS: frozenset[SignalKind] = frozenset(
    {"attendance_only", "post_test_failed", "no_credit"}
)


def _contradictions(
    fields: ExtractedFields, declared: CreditDetails | None, negated: Mapping[CreditType, str]
) -> list[ReviewReason]:
    """The certificate contradicts the declared type: it says it is not approved for a declared
    credit type, or it is another course card (BLS declared as ACLS)."""
    if declared is None:
        return []
    reasons = []
    if denied := [t for t in declared.credit_types if t in negated]:
        reasons.append(
            ReviewReason(
                code="type_contradiction",
                message=f"declared as {_labels(denied)}, but the certificate says it is not "
                f"approved for {_labels(denied)}",
                evidence=negated[denied[0]],
            )
        )
    claimed, shown = named_courses(declared.title), named_courses(_printed_text(fields))
    if claimed and shown and not claimed & shown:
        printed = fields.title if fields.title and named_courses(fields.title) else None
        reasons.append(
            ReviewReason(
                code="type_contradiction",
                message=f"declared as {'/'.join(sorted(claimed))}, but the certificate is for "
                f"{'/'.join(sorted(shown))}",
                evidence=printed or fields.accreditation_statement or "",
            )
        )
    return reasons


def _dated_wrong(
    fields: ExtractedFields,
    uploaded_on: date,
    windows: Mapping[Body, Sequence[Window]],
    acceptance: tuple[BodyAcceptance, ...],
) -> list[ReviewReason]:
    """Completed after the upload, or outside every CE window of the person's bodies (those
    accepting the certificate, if any does) open on the upload day."""
    completed = fields.completion_date
    if completed is None:
        return []
    if completed > uploaded_on:
        return [
            ReviewReason(
                code="dated_after_upload",
                message=f"the certificate shows completion on {completed}, after it was "
                f"uploaded on {uploaded_on}",
            )
        ]
    accepting = {a.body for a in acceptance if a.accepted}
    claimed = {b: w for b, w in windows.items() if b in accepting} or dict(windows)
    if any(completed in window for held in claimed.values() for window in held):
        return []
    if not claimed:
        return [_NO_WINDOW]
    spans = "; ".join(
        f"{body} {w.start} to {w.end}" for body, held in claimed.items() for w in held
    )
    return [
        ReviewReason(
            code="outside_window",
            message=f"the certificate shows completion on {completed}, outside the current CE "
            f"period ({spans}); it cannot count toward it",
        )
    ]


_NO_WINDOW = ReviewReason(
    code="no_window",
    message="none of the person's credentials has a CE period open on the upload day, so the "
    "certificate's date could not be checked against one",
)


# --- must never verify -------------------------------------------------------------------------


def _signalled(
    cues: Iterable[Signal], kinds: frozenset[SignalKind], code: ReasonCode, what: str
) -> list[ReviewReason]:
    """A reason ``code`` for each signal of ``kinds``: "the certificate <what>: <signal>"."""
    return [
        ReviewReason(
            code=code, message=f"the certificate {what}: {cue.description}", evidence=cue.words
        )
        for cue in cues
        if cue.kind in kinds
    ]


_ALTERATION_KINDS: frozenset[SignalKind] = frozenset(
    {"font_mismatch", "white_patch", "online_editor"}
)


def _negations(
    fields: ExtractedFields, negated: Mapping[CreditType, str], declared: CreditDetails | None
) -> list[ReviewReason]:
    """A printed credit type the certificate also says it is not approved for (unless that
    contradicts the declared type, a rejection)."""
    denied = [t for t in fields.credit_types if t in negated]
    if declared is not None:
        denied = [t for t in denied if t not in declared.credit_types]
    if not denied:
        return []
    return [
        ReviewReason(
            code="negated_approval",
            message=f"the certificate says it is not approved for {_labels(denied)}",
            evidence=negated[denied[0]],
        )
    ]


_DURATION = re.compile(
    r"(?<![\d.])(\d{1,3}(?:\.\d+)?)[- ]?(minutes?|mins?|hours?|hrs?|hour)\b(?! of (?:CE|CME))",
    re.I,
)


_LIVE = re.compile(r"\b(?:live|webinar|workshop|seminar|grand rounds)\b", re.I)
"""Words of an activity held on the dates printed (a single date: one day), unlike self-paced
material, completed on the date printed after any length of study."""


def _implausible_credits(fields: ExtractedFields) -> list[ReviewReason]:
    """More credits than the activity's length allows: its days (12 a day at most; a live
    activity printed with one date lasted one day) or a duration printed in its title
    ("60-minute webinar")."""
    credits = fields.credits
    if credits is None:
        return []
    limits: list[tuple[Decimal, str]] = []
    start, end = fields.activity_date, fields.completed_on
    if start is not None and end is not None and start <= end:
        days = (end - start).days + 1
        limits.append((MAX_CREDITS_PER_DAY * days, f"{days} day{'s' * (days > 1)}"))
    elif end is not None and _LIVE.search(_printed_text(fields)):
        limits.append((MAX_CREDITS_PER_DAY, "1 day (a live activity on one date)"))
    for amount, unit in _DURATION.findall(fields.title or ""):
        hours = Decimal(amount) / (60 if unit.lower().startswith("min") else 1)
        limits.append((hours, f"{amount} {unit}"))
    over = [(limit, length) for limit, length in limits if credits > limit]
    if not over:
        return []
    limit, length = min(over)
    return [
        ReviewReason(
            code="implausible_credits",
            message=f"the certificate awards {_amount(credits)} credits for an activity of "
            f"{length}, more than its length allows (at most {_amount(limit)})",
        )
    ]


_STATED_AMOUNT = re.compile(
    r"(?<!category )(?<![\d.,])(?<!\d )(?P<n>\d{1,3}(?:\.\d+|,\d{1,2})?)(?![.,]?\d)\s*"
    r"(?P<unit>(?:[A-Z]{2,5}[- ]?)?"
    r"(?:AMA|ARRT|ASRT|SDMS|SVU|CME|CEU|CE|contact|credit|hour|categor|unit)\w*(?:\s+hours?\b)?)"
    r"(?![\s-]+(?:webinars?|sessions?|modules?|activit(?:y|ies)|programs?|courses?|events?"
    r"|lectures?|offerings?)\b)",
    re.I,
)
"""An amount and its unit. A CE amount has at most three digits and stands apart: a digit
group after another one is part of a number OCR split (a certificate number before "Credit").
A number of activities is no amount ("one of six CME webinars")."""


class _Amount(NamedTuple):
    """An amount a statement prints, and its unit's words."""

    figure: Decimal
    unit: str

    def in_hours(self, ceu: Decimal) -> Decimal:
        """The amount in contact hours, a CEU being ``ceu`` of them."""
        return self.figure * (ceu if CEU.search(self.unit) else 1)


def _printed_amounts(statement: str) -> tuple[list[_Amount], bool]:
    """The amounts ``statement`` approves, as printed with a decimal comma or in words ("two",
    "one and one-half (1.5)"), and whether it prints a conversion note ("1 CEU = 10 contact
    hours"). A note approves nothing, unless it is all the amounts printed."""
    text = in_figures(statement)
    amounts = _amounts_in(without_conversion_notes(text)) or _amounts_in(text)
    return amounts, CONVERSION_NOTE.search(text) is not None


def _amounts_in(text: str) -> list[_Amount]:
    return [
        _Amount(Decimal(found["n"].replace(",", ".")), found["unit"])
        for found in _STATED_AMOUNT.finditer(text)
    ]


def _stated_amounts(statement: str, ceu: Decimal) -> list[Decimal]:
    """The amounts ``statement`` approves, in contact hours (a CEU is ``ceu`` of them)."""
    return [amount.in_hours(ceu) for amount in _printed_amounts(statement)[0]]


def _credits_beyond_statement(fields: ExtractedFields) -> list[ReviewReason]:
    """A certificate awarding more credits than its own accreditation statement approves or
    designates was altered, or misprinted: either way a person must look. The words other
    fields were read from are not the statement's, even where a reading glued their rows to it
    (OCR on a photo does): the credit figure judged never vouches for itself, nor is a
    certificate number before "Credit" an amount approved."""
    if fields.credits is None or not fields.accreditation_statement:
        return []
    ceu = hours_per_ceu(fields.credit_types)
    approved, noted = _approved_amounts(fields.accreditation_statement, fields)
    stated = [amount.in_hours(ceu) for amount in approved]
    if not stated or fields.credits <= max(stated):
        return []
    if noted and _awarded_in_ceus_as_stated(fields, approved, ceu):
        return []
    return [
        ReviewReason(
            code="credits_mismatch",
            message=f"the certificate awards {_amount(fields.credits)} credits, more than the "
            f"{_amount(max(stated))} its accreditation statement approves",
        )
    ]


def _awarded_in_ceus_as_stated(
    fields: ExtractedFields, approved: list[_Amount], ceu: Decimal
) -> bool:
    """The figure is printed in CEUs and equals, in CEUs, an amount the statement approves in
    its own words, where the statement's conversion note says CEUs are counted ("for 1.0
    Category A credit. 1 CEU = 10 contact hours" over "CEUs 1.0"). Equal, not merely below,
    and no more than the note's own 1 CEU: the amount may be hours ("for 2 ... credit" over
    "CEUs 2.0" may be a figure raised from 0.2), and a note vouches for no more than itself."""
    credits = fields.credits
    if credits is None or credits > ceu or not CEU.search(fields.evidence.get("credits") or ""):
        return False
    return any(credits == amount.figure * ceu for amount in approved if not CEU.search(amount.unit))


_GLUED_TO_STATEMENTS = ("credits", "certificate_number")
"""Fields whose row a reading may glue to the statement; a field read from inside the statement
(its whole line as evidence) leaves it as it is."""


def _approved_amounts(statement: str, fields: ExtractedFields) -> tuple[list[_Amount], bool]:
    """The amounts ``statement`` approves, without those of the rows of the credit figure and
    the certificate number glued to it, and whether it prints a conversion note. Where that
    leaves none of the amounts it printed, the printed ones less the figure judged: the check
    fails closed."""
    alone = statement
    for name in _GLUED_TO_STATEMENTS:
        read_from = (fields.evidence.get(name) or "").strip()
        if read_from and statement.strip() not in read_from:
            alone = alone.replace(read_from, " ")
    approved, noted = _printed_amounts(alone)
    if approved:
        return approved, noted
    printed, noted = _printed_amounts(statement)
    ceu = hours_per_ceu(fields.credit_types)
    judged = [amount.in_hours(ceu) for amount in printed]
    if fields.credits in judged:
        del printed[judged.index(fields.credits)]
    return printed, noted


def _credits_disagree(
    fields: ExtractedFields, declared: CreditDetails, thresholds: Thresholds
) -> ReviewReason | None:
    """The declared credits differ from the printed ones, either way, beyond the tolerance;
    the message names the usual slips (a factor of ten, CEU typed as credits, the activity's
    maximum typed instead of the amount awarded)."""
    printed, claimed = fields.credits, declared.credits
    if printed is None or abs(claimed - printed) <= thresholds.credits_tolerance:
        return None
    statement = fields.accreditation_statement or ""
    stated = _stated_amounts(statement, hours_per_ceu(fields.credit_types))
    slip = ""
    if claimed * CEU_HOURS == printed and re.search(r"\bCEU", statement, re.I):
        slip = " (CEU typed as credits? 1 CEU is 10 contact hours)"
    elif printed in (claimed * 10, claimed / 10):
        slip = " (off by a factor of ten)"
    elif stated and claimed == max(stated) and printed < claimed:
        slip = " (the activity's maximum, not the amount awarded)"
    return ReviewReason(
        code="credits_mismatch",
        message=f"the certificate awards {_amount(printed)} credits; {_amount(claimed)} were "
        f"declared{slip}",
    )


def _disagreements(
    fields: ExtractedFields,
    declared: CreditDetails | None,
    person_name: str,
    provider: ProviderMatch | None,
    thresholds: Thresholds,
    *,
    edits: int,
    colleagues: Collection[str],
) -> list[ReviewReason]:
    """Where the certificate disagrees with the person and with the declared credit (``edits``:
    the letters the printed name may differ by, ``colleagues``: see ``assess``)."""
    reasons = []
    printed_name = fields.participant_name
    if printed_name is not None and not person_names_match(printed_name, person_name, edits=edits):
        reasons.append(
            ReviewReason(
                code="name_mismatch",
                message=f"the certificate is made out to '{printed_name}', not to '{person_name}'",
            )
        )
    elif printed_name is not None and (
        closest_other(printed_name, person_name, colleagues, edits=edits) is not None
    ):
        reasons.append(
            ReviewReason(
                code="name_mismatch",
                message="the printed name is as close to another person's name in your "
                "organisation as to yours",
            )
        )
    if declared is None:
        reasons.append(
            ReviewReason(
                code="no_declared_credit",
                message="the certificate is not attached to a credit, so there is nothing to "
                "compare it with; attach it to the credit it supports",
            )
        )
        return reasons
    checks: list[tuple[bool, ReasonCode, str]] = [
        (
            fields.title is not None
            and title_similarity(fields.title, declared.title) < thresholds.title_similarity,
            "title_mismatch",
            f"the certificate's title is '{fields.title}'; '{declared.title}' was declared",
        ),
        (
            fields.provider is not None
            and not _same_provider(declared.provider, fields.provider, provider),
            "provider_mismatch",
            f"the certificate's provider is '{fields.provider}'; '{declared.provider}' was "
            "declared",
        ),
        (
            fields.completion_date not in (None, declared.completed_on),
            "date_mismatch",
            f"the certificate shows completion on {fields.completion_date}; "
            f"{declared.completed_on} was declared",
        ),
        (
            bool(fields.credit_types)
            and not set(declared.credit_types) <= set(fields.credit_types),
            "credit_type_mismatch",
            f"declared as {_labels(declared.credit_types)}, but the certificate shows "
            f"{_labels(fields.credit_types)}",
        ),
    ]
    reasons += [
        ReviewReason(code=code, message=message) for differs, code, message in checks if differs
    ]
    if credits := _credits_disagree(fields, declared, thresholds):
        reasons.append(credits)
    return reasons


# --- evidence ----------------------------------------------------------------------------------

_EVIDENCE_FIELDS: dict[ReasonCode, tuple[str, ...]] = {
    "name_mismatch": ("participant_name",),
    "made_out_to_another": ("participant_name",),
    "title_mismatch": ("title",),
    "type_contradiction": ("title", "accreditation_statement"),
    "provider_mismatch": ("provider",),
    "provider_unknown": ("provider",),
    "provider_not_listed": ("provider",),
    "provider_blocked": ("provider",),
    "credits_mismatch": ("credits", "accreditation_statement"),
    "implausible_credits": ("credits", "title"),
    "no_credit_awarded": ("credits",),
    "date_mismatch": ("completed_on", "activity_date"),
    "outside_window": ("completed_on", "activity_date"),
    "dated_after_upload": ("completed_on", "activity_date"),
    "credit_type_mismatch": ("credit_types", "accreditation_statement"),
    "not_accepted": ("credit_types", "accreditation_statement"),
    "negated_approval": ("accreditation_statement",),
    "missing_approval_number": ("accreditation_statement",),
}


def explained(
    reasons: Iterable[ReviewReason], fields: ExtractedFields | None
) -> tuple[ReviewReason, ...]:
    """``reasons`` each with the words on the certificate that caused it, where it has none
    (reasons recorded before they carried any, or ones a reader gave without words)."""
    return tuple(reasons) if fields is None else tuple(_with_evidence(r, fields) for r in reasons)


def _with_evidence(reason: ReviewReason, fields: ExtractedFields) -> ReviewReason:
    """``reason`` with the words on the certificate that caused it, where it has none yet: the
    words the reader kept for the field (``ExtractedFields.evidence``), else the field's value
    as read."""
    if reason.evidence:
        return reason
    for name in _EVIDENCE_FIELDS.get(reason.code, ()):
        value = fields.evidence.get(name) or _shown(getattr(fields, name))
        if value:
            return replace(reason, evidence=value)
    return reason


def _shown(value: object) -> str:
    match value:
        case None | ():
            return ""
        case Decimal():
            return _amount(value)
        case tuple():
            return _labels(value)
    return str(value)


# --- what the words say: credit not awarded, approvals denied ---------------------------------


def text_signals(text: str) -> tuple[Signal, ...]:
    """What the words of a certificate say of its credit: attendance only, a post-test not
    passed, no credit awarded, approvals denied ("not approved for SDMS, ASRT or AMA PRA
    credit"). Each pattern is bounded, so the work is linear in the text's length."""
    found = [
        Signal(kind=kind, description=description, words=match.group(0).strip())
        for pattern, kind, description in _NO_CREDIT
        if (match := pattern.search(text))
    ]
    for match in _NEGATION.finditer(text):
        denied = tuple(t for pattern, t in _TYPE_NAMES if pattern.search(match.group(0)))
        if denied:
            found.append(
                Signal(
                    kind="negated_approval",
                    description=f"it says it is not approved for {_labels(denied)}",
                    words=match.group(0).strip(),
                    credit_types=denied,
                )
            )
    return tuple(found)


def title_similarity(printed: str, declared: str) -> float:
    """How alike two activity titles are (0..1), ignoring case, punctuation and word order."""
    a, b = words(printed), words(declared)
    return max(
        similarity(" ".join(a), " ".join(b)), similarity(" ".join(sorted(a)), " ".join(sorted(b)))
    )


def _same_provider(declared: str, printed: str, match: ProviderMatch | None) -> bool:
    """The declared provider names the printed one, or the directory entry it matched."""
    names = (printed, *((match.name, *match.aliases) if match else ()))
    return any(organisations_match(declared, name) for name in names)


def _not_accepted(acceptance: tuple[BodyAcceptance, ...]) -> ReviewReason:
    if not acceptance:
        return ReviewReason(
            code="not_accepted",
            message="the person holds no credential, so no certifying body's acceptance of the "
            "certificate could be checked",
        )
    return ReviewReason(
        code="not_accepted",
        message="none of the person's certifying bodies accepts the certificate: "
        + "; ".join(a.explanation for a in acceptance),
    )


def _amount(credits: Decimal | None) -> str:
    return "no" if credits is None else f"{credits.normalize():f}"


def _labels(types: Iterable[CreditType]) -> str:
    return ", ".join(CREDIT_TYPE_LABELS[t] for t in types) or "no credit type"


# --- acceptance by body ------------------------------------------------------------------------


def judge_acceptance(
    fields: ExtractedFields, *, bodies: Iterable[Body], activity_kind: ActivityKind, on: date
) -> tuple[BodyAcceptance, ...]:
    """For each of ``bodies`` (in the usual order, once each): whether a confirmed acceptance
    rule of its rule pack in force ``on`` admits a credit type printed on the certificate, and
    what an audit by that body would find missing."""
    held = frozenset(bodies)
    return tuple(
        _acceptance(body, fields, activity_kind, on, held)
        for body in get_args(Body)
        if body in held
    )


class _Verdict(NamedTuple):
    rule: str | None
    """The admitting rule, if one admits."""
    explanation: str


def _acceptance(
    body: Body, fields: ExtractedFields, kind: ActivityKind, on: date, held: frozenset[Body]
) -> BodyAcceptance:
    risks = _audit_risks(body, fields, held)
    if not fields.credit_types:
        return BodyAcceptance(
            body=body,
            accepted=False,
            explanation=f"{body}: no credit type was found on the certificate",
            audit_risks=risks,
        )
    courses = named_courses(_printed_text(fields))
    verdicts = [_judge(pack, fields.credit_types, kind, courses, on, held) for pack in _packs(body)]
    admitted = next((v for v in verdicts if v.rule is not None), None)
    return BodyAcceptance(
        body=body,
        accepted=admitted is not None,
        rule=admitted.rule if admitted else None,
        explanation=admitted.explanation
        if admitted
        else "; ".join(v.explanation for v in verdicts),
        audit_risks=risks,
    )


def _packs(body: Body) -> list[RulePack | MirrorPack | UnsupportedPack]:
    return [pack for pack in RULE_PACKS if pack.body == body]


def _judge(
    pack: RulePack | MirrorPack | UnsupportedPack,
    types: tuple[CreditType, ...],
    kind: ActivityKind,
    courses: frozenset[str],
    on: date,
    held: frozenset[Body],
) -> _Verdict:
    """Whether ``pack`` admits a certificate of ``types`` for an activity of ``kind`` naming
    the life-support ``courses`` (none named: a rule limited to some courses does not admit)."""
    if isinstance(pack, UnsupportedPack):
        return _Verdict(
            None, f"UNCONFIRMED: {pack.name}: {pack.basis.note}{_cite(pack.basis.sources)}"
        )
    if isinstance(pack, MirrorPack):
        return _judge_mirror(pack, types, kind, courses, on, held)
    version = _version_on(pack, on)
    matching = [rule for rule in version.acceptance if rule.matches(types, kind, courses)]
    confirmed = next((rule for rule in matching if not rule.basis.is_flag), None)
    if confirmed is not None:
        admitted = [t for t in types if t in confirmed.credit_types]
        return _Verdict(
            confirmed.label,
            f"{pack.body} accepts {_labels(admitted)} credit as '{confirmed.label}'"
            f"{_cite(confirmed.basis.sources)}",
        )
    if matching:
        rule = matching[0]
        return _Verdict(
            None,
            f"UNCONFIRMED: {pack.body} would accept {_labels(types)} credit as '{rule.label}', "
            f"but that is not confirmed, so it does not count: {rule.basis.note}"
            f"{_cite(rule.basis.sources)}",
        )
    if other := next((r for r in version.acceptance if r.matches(types, kind)), None):
        shown = "/".join(sorted(courses)) or "no course it names"
        return _Verdict(
            None,
            f"{pack.body} accepts {_labels(types)} credit as '{other.label}' only for "
            f"{' or '.join(sorted(other.courses or ()))}; the certificate is for {shown}"
            f"{_cite(other.basis.sources)}",
        )
    return _Verdict(None, f"{pack.body} accepts none of: {_labels(types)}")


def _judge_mirror(
    pack: MirrorPack,
    types: tuple[CreditType, ...],
    kind: ActivityKind,
    courses: frozenset[str],
    on: date,
    held: frozenset[Body],
) -> _Verdict:
    """A body that repeats the credentialing organisations' CE (New Mexico [O6]) accepts what
    the person's credentialing organisations accept (any of them if none is held)."""
    if on < pack.effective_from:
        return _Verdict(None, f"{pack.name}: applies from {pack.effective_from}")
    mirrored = [body for body in pack.mirrors if body in held] or list(pack.mirrors)
    verdicts = [
        _judge(p, types, kind, courses, on, held) for body in mirrored for p in _packs(body)
    ]
    admitted = next((v for v in verdicts if v.rule is not None), None)
    if admitted is not None and admitted.rule is not None:
        return _Verdict(
            f"{pack.body} as its credentialing organisation: {admitted.rule}",
            f"{pack.name}: {admitted.explanation}",
        )
    return _Verdict(None, f"{pack.name}: " + "; ".join(v.explanation for v in verdicts))


def _version_on(pack: RulePack, on: date) -> RuleVersion:
    """The version in force ``on`` (the oldest one for days before it)."""
    in_force = [v for v in pack.versions if v.effective_from is None or v.effective_from <= on]
    return in_force[-1] if in_force else pack.versions[0]


def _cite(sources: tuple[str, ...]) -> str:
    return f" [{', '.join(sources)}]" if sources else ""


class _AuditNeed(NamedTuple):
    bodies: frozenset[Body]
    lacks: Callable[[ExtractedFields], bool]
    risk: str


_AUDIT_NEEDS = (
    _AuditNeed(
        frozenset({"ARDMS"}),
        lambda f: f.participant_name is None,
        "no participant name: ARDMS audits need the registrant's full name [A7]",
    ),
    _AuditNeed(
        frozenset({"ARDMS"}),
        lambda f: f.provider is None,
        "no pre-printed provider name: ARDMS audits deny certificates without one [A7]",
    ),
    _AuditNeed(
        frozenset({"ARDMS"}),
        lambda f: f.accreditation_statement is None,
        "no pre-printed sponsoring or accrediting organisation: ARDMS audits deny certificates "
        "without one [A7]",
    ),
    _AuditNeed(
        frozenset({"ARDMS"}),
        lambda f: f.completion_date is None,
        "no pre-printed activity date: ARDMS audits deny certificates with handwritten or "
        "missing dates [A7]",
    ),
    _AuditNeed(
        frozenset({"ARDMS", "ARRT"}),
        _lacks_sdms_file_number,
        "SDMS-approved but no SDMS file number: ARDMS and ARRT do not accept such "
        "certificates [A32]",
    ),
    _AuditNeed(
        frozenset({"ARRT"}),
        lambda f: f.completion_date is None,
        "no completion date: ARRT dates credits by their completion date [R27]",
    ),
)

_CCI_CONTENT: tuple[tuple[str, Callable[[ExtractedFields], bool]], ...] = (
    ("name", lambda f: f.participant_name is None),
    ("course title", lambda f: f.title is None),
    ("dates of attendance", lambda f: f.completion_date is None),
    ("number of credit hours", lambda f: f.credits is None),
    ("sponsoring or accrediting agency", lambda f: f.accreditation_statement is None),
)


def _audit_risks(body: Body, fields: ExtractedFields, held: frozenset[Body]) -> tuple[str, ...]:
    """What an audit by ``body`` would find missing on the certificate; a body that repeats
    other bodies' CE (New Mexico) inherits theirs."""
    risks = [need.risk for need in _AUDIT_NEEDS if body in need.bodies and need.lacks(fields)]
    if body == "CCI" and (missing := [label for label, lacks in _CCI_CONTENT if lacks(fields)]):
        risks.append(
            "CCI needs the name, course title, dates of attendance, number of credit hours and "
            f"sponsoring or accrediting agency on the certificate [C7]; missing: "
            f"{', '.join(missing)}"
        )
    for pack in _packs(body):
        if isinstance(pack, MirrorPack):
            mirrored = [b for b in pack.mirrors if b in held] or list(pack.mirrors)
            risks += [r for b in mirrored for r in _audit_risks(b, fields, held) if r not in risks]
    return tuple(risks)
