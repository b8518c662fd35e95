"""Certificate verification: what was read off a certificate, how it compares with what the
person declared, and the outcome events (verified, needs review, rejected) of the worker and of
the admins who work the review queue.

The worker never decides alone against a person: a doubtful certificate goes to review with
every reason listed; only a reviewer (or a file that is not a certificate at all) rejects.

``assess`` applies these rules, in this order:

1. Reading: a file that could not be read (encrypted, unreadable) goes to review with that one
   reason; text read with a confidence below ``Thresholds.min_confidence`` is never verified.
2. Not a certificate: text read with good confidence on which no credits, no provider, no
   accreditation statement and no credit type are found is *rejected*; it is the only
   rejection the worker makes.
3. Fields: everything a body relies on must be on the certificate: participant, title,
   provider, accreditation statement, a date, credits, a credit type, and the SDMS file number
   on an SDMS-approved certificate [A32].
4. Agreement: the certificate must be made out to the person (``domain.credits.names``) and
   agree with the declared credit: similar title, same provider, same completion date, every
   declared credit type printed, and at least the declared credits: a person may claim less
   than the certificate awards, never more (AMA: claim only what was earned, up to the stated
   amount [O19]); ``credits_tolerance`` allows for rounding. A certificate attached to no credit
   has nothing to agree with and goes to review. Dates must be consistent and not in the future.
5. Provider: the printed provider must be found in the provider directory (seed entries, the
   tenant's own, or a configured look-up).
6. Acceptance: at least one of the person's certifying bodies must accept a credit type printed
   on the certificate, by a confirmed rule of its rule pack in force on the completion date.
   UNCONFIRMED rules are shown in the explanation but never accept; each body lists what an
   audit by it would find missing (ARDMS [A7], SDMS file number [A32], CCI [C7], ARRT [R27]).

Verified when nothing is in doubt; otherwise ``needs_review`` with every reason. A forged or
mismatched certificate (wrong name, more credits declared than printed, unknown provider) is
never verified. Reviewers decide the rest (``domain.credits.certificate``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Literal, NamedTuple, get_args
from uuid import UUID

import msgspec

from domain.compliance.packs import RULE_PACKS
from domain.compliance.rules import MirrorPack, RulePack, RuleVersion, UnsupportedPack
from domain.credits.credit import ActivityKind, CreditDetails, CreditType
from domain.credits.names import organisations_match, person_names_match, similarity, words
from domain.people.credentials import Body
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
    evidence: dict[str, str] = {}
    """For each field read off the file, the line of the certificate it was read from (by
    field name), to show a reviewer the words behind each reason; empty for fields a reviewer
    entered."""

    @property
    def completion_date(self) -> date | None:
        """The day the activity was completed: the completion date, else the activity date."""
        return self.completed_on or self.activity_date


class ReviewReason(msgspec.Struct, frozen=True, kw_only=True):
    """Why a certificate needs a person's eyes: a stable code and a sentence for people."""

    code: ReasonCode
    message: str


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


class TextReading(msgspec.Struct, frozen=True, kw_only=True):
    """How the certificate's text was read: where from, how sure (0..1), and why it could not
    be read, if it could not."""

    source: TextSource
    confidence: float
    problem: ReviewReason | None = None


def stored_confidence(confidence: float) -> Decimal:
    """A reading's confidence as events store it: a Decimal of two places, 0.00 to 1.00."""
    return Decimal(f"{min(max(confidence, 0.0), 1.0):.2f}")


class Thresholds(msgspec.Struct, frozen=True, kw_only=True):
    """How sure the worker must be to verify without a person."""

    min_confidence: float = 0.70
    """Below this text confidence (OCR mean word confidence; 1.0 for a PDF text layer) a
    certificate is never verified automatically."""
    name_similarity: float = 0.85
    """How alike each name on the certificate must be to the person's (0..1)."""
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


# --- events ------------------------------------------------------------------------------------


class CertificateVerified(Event, frozen=True, kw_only=True, tag="credits.CertificateVerified"):
    """The certificate supports what was declared; ``fields`` are the final fields (as read, or
    as corrected by the reviewer)."""

    certificate_id: UUID
    credit_id: UUID | None
    fields: ExtractedFields
    provider: ProviderMatch | None
    acceptance: tuple[BodyAcceptance, ...]
    text_source: TextSource
    confidence: Decimal
    """The reading's confidence, two decimals (events hold no floating-point numbers)."""
    decided_by: DecidedBy
    reviewer_id: UUID | None = None
    note: str = ""


class CertificateNeedsReview(
    Event, frozen=True, kw_only=True, tag="credits.CertificateNeedsReview"
):
    """The worker could not verify the certificate; each reason is listed."""

    certificate_id: UUID
    credit_id: UUID | None
    fields: ExtractedFields
    provider: ProviderMatch | None
    acceptance: tuple[BodyAcceptance, ...]
    text_source: TextSource
    confidence: Decimal
    """The reading's confidence, two decimals (events hold no floating-point numbers)."""
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


VERIFICATION_EVENTS: tuple[type[Event], ...] = (
    CertificateVerified,
    CertificateNeedsReview,
    CertificateFieldsCorrected,
    CertificateRejected,
)


# --- assessment --------------------------------------------------------------------------------


def assess(
    reading: TextReading | None,
    fields: ExtractedFields,
    *,
    declared: CreditDetails | None,
    person_name: str,
    bodies: Iterable[Body],
    provider: ProviderMatch | None,
    thresholds: Thresholds,
    today: date,
) -> Assessment:
    """Judge a certificate by the rules of the module docstring. ``reading`` is how the worker
    read ``fields``, or None for fields a reviewer entered (then the reading is not doubted and
    nothing is rejected); ``declared`` is the credit the certificate is attached to (None if
    none); ``bodies`` are those of the person's credentials; ``provider`` is what a directory
    look-up found for the printed provider."""
    on = fields.completion_date or (declared.completed_on if declared else today)
    kind: ActivityKind = declared.activity_kind if declared else "standard"
    acceptance = judge_acceptance(fields, bodies=bodies, activity_kind=kind, on=on)

    def outcome(verdict: Outcome, reasons: list[ReviewReason]) -> Assessment:
        return Assessment(
            outcome=verdict,
            reasons=tuple(reasons),
            acceptance=acceptance,
            fields=fields,
            provider=provider,
            reading=reading,
        )

    reasons: list[ReviewReason] = []
    if reading is not None:
        if reading.problem is not None or reading.source == "none":
            return outcome("needs_review", [reading.problem or _UNREADABLE])
        if reading.confidence < thresholds.min_confidence:
            reasons.append(_low_confidence(reading, thresholds))
        elif _is_not_a_certificate(fields):
            return outcome("rejected", [_NOT_A_CERTIFICATE])
    reasons += _missing(fields)
    reasons += _inconsistent_dates(fields, today)
    reasons += _credits_beyond_statement(fields)
    reasons += _disagreements(fields, declared, person_name, provider, thresholds)
    if fields.provider is not None and provider is None:
        reasons.append(
            ReviewReason(
                code="provider_unknown",
                message=f"the provider '{fields.provider}' is not in the provider directory; "
                "add it to the directory if it is a genuine CE provider",
            )
        )
    if fields.credit_types and not any(a.accepted for a in acceptance):
        reasons.append(_not_accepted(acceptance))
    return outcome("needs_review" if reasons else "verified", reasons)


_UNREADABLE = ReviewReason(code="unreadable", message="no text could be read from the file")
_NOT_A_CERTIFICATE = ReviewReason(
    code="not_a_certificate",
    message="the file does not look like a CE certificate: no credits, provider, accreditation "
    "statement or credit type was found on it; if it is one, ask an administrator to review it",
)


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


def _inconsistent_dates(fields: ExtractedFields, today: date) -> list[ReviewReason]:
    reasons = []
    start, end = fields.activity_date, fields.completed_on
    if start is not None and end is not None and start > end:
        reasons.append(
            ReviewReason(
                code="date_mismatch",
                message=f"the certificate's activity date {start} is after its completion date "
                f"{end}",
            )
        )
    completed = fields.completion_date
    if completed is not None and completed > today:
        reasons.append(
            ReviewReason(
                code="date_mismatch",
                message=f"the certificate's completion date {completed} is in the future "
                f"(today is {today})",
            )
        )
    return reasons


_STATED_AMOUNT = re.compile(
    r"(?<!category )(?<![\d.])(\d+(?:\.\d+)?)\s*(?:[A-Z]{2,5}[- ]?)?"
    r"(?:AMA|ARRT|ASRT|SDMS|SVU|CME|CE|CEU|contact|credit|hour|categor)",
    re.I,
)


def _credits_beyond_statement(fields: ExtractedFields) -> list[ReviewReason]:
    """A certificate awarding more credits than its own accreditation statement approves or
    designates was altered, or misprinted: either way a person must look."""
    if fields.credits is None or not fields.accreditation_statement:
        return []
    stated = [Decimal(m) for m in _STATED_AMOUNT.findall(fields.accreditation_statement)]
    if not stated or fields.credits <= max(stated):
        return []
    return [
        ReviewReason(
            code="credits_mismatch",
            message=f"the certificate awards {_amount(fields.credits)} credits, more than the "
            f"{_amount(max(stated))} its accreditation statement approves",
        )
    ]


def _disagreements(
    fields: ExtractedFields,
    declared: CreditDetails | None,
    person_name: str,
    provider: ProviderMatch | None,
    thresholds: Thresholds,
) -> list[ReviewReason]:
    """Where the certificate disagrees with the person and with the declared credit."""
    reasons = []
    printed_name = fields.participant_name
    if printed_name is not None and not person_names_match(
        printed_name, person_name, min_similarity=thresholds.name_similarity
    ):
        reasons.append(
            ReviewReason(
                code="name_mismatch",
                message=f"the certificate is made out to '{printed_name}', not to '{person_name}'",
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
            fields.credits is not None
            and declared.credits - fields.credits > thresholds.credits_tolerance,
            "credits_mismatch",
            f"the certificate awards {_amount(fields.credits)} credits; "
            f"{_amount(declared.credits)} were declared",
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
    return reasons


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
    verdicts = [_judge(pack, fields.credit_types, kind, on, held) for pack in _packs(body)]
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
    on: date,
    held: frozenset[Body],
) -> _Verdict:
    if isinstance(pack, UnsupportedPack):
        return _Verdict(
            None, f"UNCONFIRMED: {pack.name}: {pack.basis.note}{_cite(pack.basis.sources)}"
        )
    if isinstance(pack, MirrorPack):
        return _judge_mirror(pack, types, kind, on, held)
    version = _version_on(pack, on)
    matching = [rule for rule in version.acceptance if rule.matches(types, kind)]
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
    return _Verdict(None, f"{pack.body} accepts none of: {_labels(types)}")


def _judge_mirror(
    pack: MirrorPack,
    types: tuple[CreditType, ...],
    kind: ActivityKind,
    on: date,
    held: frozenset[Body],
) -> _Verdict:
    """A body that repeats the credentialing organisations' CE (New Mexico [O6]) accepts what
    the person's credentialing organisations accept (any of them if none is held)."""
    if on < pack.effective_from:
        return _Verdict(None, f"{pack.name}: applies from {pack.effective_from}")
    mirrored = [body for body in pack.mirrors if body in held] or list(pack.mirrors)
    verdicts = [_judge(p, types, kind, on, held) for body in mirrored for p in _packs(body)]
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
