"""Flags for people, sources for auditors.

Every rule of a pack rests on a ``Basis`` (source ids and how sure we are). People read the
open questions as plain sentences (``Basis.plain``), once per body (``flags_by_body``); source
ids appear only where an auditor looks for them: the "Why?" disclosure and the rules page, which
lists every rule of a body with its sources (``rules_of``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import msgspec

from domain.compliance.evaluation import Obligation
from domain.compliance.rules import SOURCE_ID, Basis, Pack
from domain.people.credentials import Body

__all__ = ["SOURCE_ID", "flags_by_body", "rules_of"]

_KINDS: dict[str, str] = {
    "FirstCredentialCalendarCycles": "Cycle",
    "BirthMonthCycles": "Cycle",
    "QuarterEndCycles": "Cycle",
    "CertifiedMonthToBirthMonthCycles": "Cycle",
    "FixedCalendarCycles": "Cycle",
    "LicenceTermCycles": "Cycle",
    "RequirementRow": "Requirement",
    "TopicMinimum": "Requirement",
    "OutsideTopicCap": "Requirement",
    "AcceptanceRule": "Accepted activity",
    "Cap": "Limit",
    "WaiverRule": "Waiver",
    "Reporting": "Reporting",
    "Grace": "Grace period",
    "CredentialQuestion": "Open question",
    "FullAttendance": "Full attendance",
    "AuditReinstatement": "Reinstatement",
    "QualificationsRule": "Continuing qualifications (CQR)",
    "Transition": "Transition",
    "RuleVersion": "Rules in force",
    "RulePack": "Rules in force",
    "MirrorPack": "Rules in force",
    "UnsupportedPack": "Not evaluated",
}


def rules_of(pack: Pack) -> list[tuple[str, Basis]]:
    """Every rule of ``pack`` as (what kind of rule, its basis), in the pack's order, each
    basis once; open questions (flags) are said as such."""
    found: dict[Basis, str] = {}
    for kind, basis in _walk(pack, "Rules in force"):
        found.setdefault(basis, "Open question" if basis.is_flag else kind)
    return [(kind, basis) for basis, kind in found.items()]


def _walk(value: object, kind: str) -> Iterator[tuple[str, Basis]]:
    if isinstance(value, Basis):
        yield kind, value
    elif isinstance(value, msgspec.Struct):
        inner = _KINDS.get(type(value).__name__, kind)
        for name in value.__struct_fields__:
            yield from _walk(getattr(value, name), inner)
    elif isinstance(value, tuple | list | frozenset):
        for item in value:
            yield from _walk(item, kind)


def flags_by_body(obligations: Iterable[Obligation]) -> dict[Body, tuple[Basis, ...]]:
    """The open questions of each body's obligations, each said once per body (the first of
    those with the same plain sentence), in the obligations' order."""
    found: dict[Body, dict[str, Basis]] = {}
    for o in obligations:
        said = found.setdefault(o.body, {})
        for flag in o.flags:
            if flag.is_flag:
                said.setdefault(flag.for_people, flag)
    return {body: tuple(flags.values()) for body, flags in found.items() if flags}
