"""Vocabulary of certifying bodies, credentials, specialties and credential statuses.

Codes follow /work/shared/domain/cme-rules.md; source ids such as [A25] refer to its register.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Body = Literal["ARDMS", "ARRT", "CCI", "NMTCB"]
"""A certifying body. APCA's physician credentials (RPVI, RMSK) are filed under ARDMS, which
shares one portal and one CME table with APCA [A1], [A2], [A9]."""

Specialty = Literal["AB", "OB/GYN", "BR", "FE", "PS", "AE", "PE", "VT", "MSKS", "NE"]
"""ARDMS specialty designations [A25], [A26]; NE is historical but still held [A27]."""

CredentialStatus = Literal["active", "probation", "lapsed", "retired", "revoked"]
"""Only ``active`` and ``probation`` credentials carry a CE obligation; ARDMS retirees are exempt
[A16]."""

STATUSES_WITH_CE_OBLIGATION: frozenset[CredentialStatus] = frozenset({"active", "probation"})

_NO_SPECIALTY: frozenset[Specialty] = frozenset()
_ARRT_CODES = ("R", "N", "T", "S", "MR", "CT", "M", "BD", "CI", "VI", "CV", "VS", "BS", "QM", "RRA")
_CCI_CODES = ("CCT", "CRAT", "ACS", "RCS", "RCCS", "RVS", "RPhS", "RCIS", "RCES")

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
    # The reference names no NMTCB designations; these are NMTCB's own. No CE rules are modelled.
    "NMTCB": dict.fromkeys(("CNMT", "NCT", "PET"), _NO_SPECIALTY),
}
"""Credential codes each body issues, with the specialties each code can carry."""


def credential_codes(body: Body) -> frozenset[str]:
    """Every credential code ``body`` issues."""
    return frozenset(CREDENTIAL_SPECIALTIES[body])
