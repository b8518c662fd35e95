"""Matching a department or site name from an import to one the organisation already uses, so
"echo", "Echo " and "Echocardiograhpy" join "Echocardiography" instead of becoming near-duplicates.

Contract of ``match_placement``:
- Names equal once case, punctuation and spacing are ignored match (``exact``).
- Otherwise rapidfuzz's weighted ratio (``WRatio``, which also scores a name that is a part of
  another, e.g. "Echo" in "Echocardiography") must reach ``MATCH_AT``, and beat the second best
  by ``MARGIN`` (so "Cardio" joins neither "Cardiology" nor "Echocardiography").
- Names shorter than ``MIN_FUZZY_LENGTH`` (e.g. "CT", "MR") match exactly or not at all.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import msgspec
from rapidfuzz import fuzz, process, utils

MATCH_AT = 88.0
MARGIN = 5.0
MIN_FUZZY_LENGTH = 4


class PlacementMatch(msgspec.Struct, frozen=True, kw_only=True):
    given: str
    known: str
    exact: bool
    """Equal but for case, punctuation and spacing."""

    def text(self, kind: str) -> str:
        """``department "echo" is the existing "Echocardiography"``."""
        return f'{kind} "{self.given}" is the existing "{self.known}"'


@functools.lru_cache(maxsize=4096)
def _plain(name: str) -> str:
    """``name`` without case, punctuation and extra spacing (remembered: an import compares
    each row's department and site with the same few names)."""
    return " ".join(utils.default_process(name).split())


def match_placement(given: str, known: Sequence[str]) -> PlacementMatch | None:
    """The existing name ``given`` stands for (see the module docstring), or None."""
    plain = _plain(given)
    for name in known:
        if _plain(name) == plain:
            return PlacementMatch(given=given, known=name, exact=True)
    if len(plain) < MIN_FUZZY_LENGTH:
        return None
    found = process.extract(
        given, list(known), scorer=fuzz.WRatio, processor=_plain, limit=2, score_cutoff=1
    )
    if not found or found[0][1] < MATCH_AT:
        return None
    if len(found) > 1 and found[0][1] - found[1][1] < MARGIN:
        return None
    return PlacementMatch(given=given, known=found[0][0], exact=False)


class Placer:
    """The departments and sites of an import, matched to those already used and to those the
    import's earlier rows introduce."""

    def __init__(self, departments: Sequence[str], sites: Sequence[str]) -> None:
        self.known = {"department": list(departments), "site": list(sites)}

    def place(self, kind: str, given: str | None) -> tuple[str | None, PlacementMatch | None]:
        """The name to store for ``given`` and the match that chose it (None: kept as given)."""
        if given is None:
            return None, None
        known = self.known[kind]
        found = match_placement(given, known)
        if found is None:
            known.append(given.strip())
            return given.strip(), None
        return found.known, None if found.known == given else found
