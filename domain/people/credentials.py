"""Vocabulary of certifying bodies, credentials, specialties and credential statuses.

Codes follow /work/shared/domain/cme-rules.md; source ids such as [A25] refer to its register.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Literal

Body = Literal["ARDMS", "ARRT", "CCI", "NMTCB", "ND", "NM", "OR", "NH"]
"""A certifying body or a state licensing board. APCA's physician credentials (RPVI, RMSK) are
filed under ARDMS, which shares one portal and one CME table with APCA [A1], [A2], [A9]. A state
licence is a credential of its state's board (``ND``: NDMIRTB [O10]; ``NM``: New Mexico [O7];
``OR``: OBMI [O8]; ``NH``: New Hampshire [O11]) whose code is the licensed modality or type."""

STATE_BOARDS: frozenset[Body] = frozenset({"ND", "NM", "OR", "NH"})

Specialty = Literal["AB", "OB/GYN", "BR", "FE", "PS", "AE", "PE", "VT", "MSKS", "NE"]
"""ARDMS specialty designations [A25], [A26]; NE is historical but still held [A27]."""

CredentialStatus = Literal[
    "active", "probation", "lapsed", "retired", "revoked", "inactive", "emeritus", "suspended"
]
"""Only ``active``, ``probation`` and ``emeritus`` credentials carry a CE obligation; ARDMS
retirees are exempt [A16]. NMTCB's vocabulary adds inactive (non-payment), emeritus and
suspension [O1]; whether NMTCB emeritus status carries CE is not stated, so it does, flagged."""

STATUSES_WITH_CE_OBLIGATION: frozenset[CredentialStatus] = frozenset(
    {"active", "probation", "emeritus"}
)

_STATUSES: frozenset[CredentialStatus] = frozenset(
    {"active", "probation", "lapsed", "retired", "revoked"}
)
BODY_STATUSES: Mapping[Body, frozenset[CredentialStatus]] = {
    "ARDMS": _STATUSES,
    "ARRT": _STATUSES,
    "CCI": _STATUSES,
    # Active, Inactive (non-payment), Retired, Emeritus, Probation, Suspension, Revoked [O1]
    "NMTCB": frozenset(
        {"active", "inactive", "retired", "emeritus", "probation", "suspended", "revoked"}
    ),
    # ND: probation with 60 days to complete CE [O10]; NM: suspension or revocation [O6].
    "ND": frozenset({"active", "probation", "lapsed", "suspended", "revoked"}),
    "NM": frozenset({"active", "lapsed", "suspended", "revoked"}),
    "OR": frozenset({"active", "inactive", "lapsed", "revoked"}),  # inactive status [O8]
    "NH": frozenset({"active", "lapsed", "revoked"}),
}
"""The statuses each body's credentials can take."""

_NO_SPECIALTY: frozenset[Specialty] = frozenset()
_ARRT_CODES = ("R", "N", "T", "S", "MR", "CT", "M", "BD", "CI", "VI", "CV", "VS", "BS", "QM", "RRA")
_CCI_CODES = ("CCT", "CRAT", "ACS", "RCS", "RCCS", "RVS", "RPhS", "RCIS", "RCES")
ND_MODALITIES = ("R", "S", "N", "T", "MR", "RRA", "RCIS", "RCES")

CQR_EARNED_FROM = date(2011, 1, 1)
"""ARRT credentials earned on or after this day, and every R.R.A., are time-limited to 10 years
and need Continuing Qualifications Requirements (CQR) [R10], [R11]."""

NM_LIMITED_RADIOGRAPHY = "LR"
"""New Mexico's limited-radiography licence: its own CE (24 Category A/A+ per licence term
[O6]), not the credentialing bodies'."""

LICENCES_WITHOUT_CREDENTIAL: frozenset[tuple[Body, str]] = frozenset({("NM", "LR")})
"""State licences that do not rest on a national credential: a limited-radiography licensee
need not be registered, and the reference states no such condition for them [O6]."""

CREDENTIAL_SPECIALTIES: Mapping[Body, Mapping[str, frozenset[Specialty]]] = {
    # [A1], [A2], [A25], [A26], [A27]: RDMS <- AB, OB/GYN, BR, FE, PS (NE historically);
    # RDCS <- AE, PE, FE; RVT <- VT; RMSKS <- MSKS; RPVI and RMSK (APCA) carry no specialty.
    "ARDMS": {
        "RDMS": frozenset({"AB", "OB/GYN", "BR", "FE", "PS", "NE"}),
        "RDCS": frozenset({"AE", "PE", "FE"}),
        "RVT": frozenset({"VT"}),
        "RMSKS": frozenset({"MSKS"}),
        "RPVI": _NO_SPECIALTY,
        "RMSK": _NO_SPECIALTY,
    },
    # [A25], [R22], [R31], [O10]; RRA is the R.R.A. designation [R1]; QM is historical [R22].
    "ARRT": dict.fromkeys(_ARRT_CODES, _NO_SPECIALTY),
    # [C1], [C2], [C3]. The newest page writes "CES" for RCES (naming CONFLICT, §3); RCES kept.
    "CCI": dict.fromkeys(_CCI_CODES, _NO_SPECIALTY),
    # The reference names no NMTCB designations; these are NMTCB's own.
    "NMTCB": dict.fromkeys(("CNMT", "NCT", "PET"), _NO_SPECIALTY),
    # ND licenses radiographers, sonographers, NMTs, RTTs, R.R.A.s, MRI techs, RCIS and RCES
    # [O10]; codes follow the ARRT letters (R, S, N, T, MR, RRA) and CCI's (RCIS, RCES).
    "ND": dict.fromkeys(ND_MODALITIES, _NO_SPECIALTY),
    # NM licence types include DMS and MSK [O7]; RT (radiologic technology) is our code for the
    # imaging licences of 20.3.20 NMAC [O6] that the reference does not spell out; LR is our
    # code for the limited-radiography licence (24 Category A/A+ per term [O6]).
    "NM": dict.fromkeys(("DMS", "MSK", "RT", "LR"), _NO_SPECIALTY),
    # Oregon licenses credential holders [O8]; New Hampshire licenses imaging staff [O11].
    "OR": dict.fromkeys(("LICENSE",), _NO_SPECIALTY),
    "NH": dict.fromkeys(("LICENSE",), _NO_SPECIALTY),
}
"""Credential codes each body issues, with the specialties each code can carry."""


def credential_codes(body: Body) -> frozenset[str]:
    """Every credential code ``body`` issues."""
    return frozenset(CREDENTIAL_SPECIALTIES[body])
