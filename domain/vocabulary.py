"""Words people read for the domain's codes: bodies, credit types, topics, statuses, reasons, in
the portal, the documents (transcripts, reports) and the audit bundle alike.

Every code of each vocabulary has a label (a unit test holds them to the domain's ``Literal``s),
so a new code shows up as a failing test rather than as a raw code on a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from domain.billing.dunning import Phase
from domain.compliance.evaluation import ExclusionReason, QualificationStatus
from domain.compliance.status import STATUS_TEXT, Status
from domain.compliance.status import STATUSES as ORDER
from domain.credits.credit import AcademicTerm, ActivityKind, CreditType, Topic, VerificationStatus
from domain.organisations.organisation import Role
from domain.people.credentials import Body, CredentialStatus

BODIES: Mapping[Body, str] = {
    "ARDMS": "ARDMS (sonography, with APCA's physician credentials)",
    "ARRT": "ARRT (radiologic technology)",
    "CCI": "CCI (cardiovascular)",
    "NMTCB": "NMTCB (nuclear medicine)",
    "ND": "North Dakota licence (NDMIRTB)",
    "NM": "New Mexico licence",
    "OR": "Oregon licence (OBMI)",
    "NH": "New Hampshire licence",
}

CREDIT_TYPES: Mapping[CreditType, str] = {
    "ama_pra_category_1": "AMA PRA Category 1 Credit",
    "arrt_category_a": "ARRT Category A",
    "arrt_category_a_plus": "ARRT Category A+",
    "sdms": "SDMS-approved",
    "svu": "SVU-approved",
    "ase": "ASE-approved",
    "aium": "AIUM-approved",
    "iame": "IAME-approved",
    "spectrum_health": "Spectrum Health-approved",
    "asum": "ASUM-approved",
    "cma": "CMA-approved",
    "csdms": "CSDMS-approved",
    "snmmi": "SNMMI-approved (VOICE)",
    "cci_approved": "CCI-approved",
    "aha_ashi": "AHA or ASHI life-support course",
    "other": "Other",
}

TOPICS: Mapping[Topic, str] = {
    "sonography": "Sonography",
    "vascular": "Vascular",
    "musculoskeletal": "Musculoskeletal",
    "cardiovascular": "Cardiovascular",
    "radiography": "Radiography",
    "nuclear_medicine": "Nuclear medicine",
    "computed_tomography": "Computed tomography",
    "magnetic_resonance": "Magnetic resonance",
    "mammography": "Mammography",
    "radiation_therapy": "Radiation therapy",
}

ACTIVITY_KINDS: Mapping[ActivityKind, str] = {
    "standard": "Course, lecture, conference or online activity",
    "life_support": "Life-support course (e.g. ACLS, PALS)",
    "applications_training": "Applications (vendor) training at your facility",
    "academic_course": "Academic course at an accredited institution",
}

ACADEMIC_TERMS: Mapping[AcademicTerm, str] = {
    "semester": "Semester credits",
    "quarter": "Quarter credits",
}

CertificateState = Literal["no_certificate", "pending", "verified", "needs_review", "rejected"]
"""Where a credit's certificate stands, as every page, mail and PDF says it: a credit's
verification status, with ``pending`` split into no certificate yet and awaiting a check."""

VERIFICATION: Mapping[CertificateState, str] = {
    "no_certificate": "No certificate",
    "pending": "Awaiting check",
    "verified": "Verified",
    "needs_review": "Needs review",
    "rejected": "Rejected",
}

VERIFICATION_EXPLAINED: Mapping[CertificateState, str] = {
    "no_certificate": "No certificate uploaded: without one the credit cannot be verified.",
    "pending": "Not checked yet: the certificate will be read and compared with what you entered.",
    "verified": "The certificate supports what you entered.",
    "needs_review": "Something on the certificate did not match; an administrator will look at it.",
    "rejected": "The certificate does not support this credit, so it does not count.",
}


def certificate_state(
    verification: VerificationStatus, *, has_certificate: bool
) -> CertificateState:
    """The state said of a credit: ``no_certificate`` while it is pending with no certificate
    attached; otherwise its verification status (a decision stands whatever the files)."""
    if verification == "pending" and not has_certificate:
        return "no_certificate"
    return verification


STATUSES: Mapping[Status, str] = {status: STATUS_TEXT[status].label for status in ORDER}
"""The domain's one vocabulary (``domain.compliance.status``), most urgent first."""

EXCLUSIONS: Mapping[ExclusionReason, str] = {
    "retracted": "You retracted this credit",
    "rejected": "Its certificate was rejected",
    "after_evaluation_date": "Completed after the day evaluated",
    "counted_for_previous_cycle": "Already counted for the previous cycle",
    "outside_window": "Completed outside this cycle",
    "type_not_accepted": "This body does not accept this credit type",
    "acceptance_unconfirmed": "The body's published rules do not confirm that it accepts this",
    "unverified": "Counts only once verified",
    "over_cap": "Over this body's limit for this kind of activity",
    "duplicate_activity": "The same activity already counts",
    "partial_attendance": "This body does not accept partial attendance",
}

QUALIFICATIONS: Mapping[QualificationStatus, str] = {
    "upcoming": "Not due yet",
    "open": "Due now",
    "completed": "Completed",
    "missed": "Missed",
}

CREDENTIAL_STATUSES: Mapping[CredentialStatus, str] = {
    "active": "Active",
    "probation": "Probation",
    "lapsed": "Lapsed",
    "retired": "Retired",
    "revoked": "Revoked",
    "inactive": "Inactive",
    "emeritus": "Emeritus",
    "suspended": "Suspended",
}

ROLES: Mapping[Role, str] = {
    "owner": "Owner",
    "admin": "Administrator",
    "auditor": "Auditor",
    "employee": "Employee",
}

BILLING_PHASES: Mapping[Phase, str] = {
    "setting_up": "Free trial (starting)",
    "trialing": "Free trial",
    "trial_ended": "Trial ended: subscribe to keep employer features",
    "active": "Paid",
    "past_due": "Payment failed: please update the card",
    "restricted": "Read-only until payment",
}

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
