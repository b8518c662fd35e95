"""Departments and sites of an import matched to the names already used: case, spacing and
spelling do not make a new department, ambiguous or short names are not guessed."""

from __future__ import annotations

import pytest

from services.core.staff.placements import Placer, match_placement

pytestmark = pytest.mark.unit

KNOWN = ["Echocardiography", "Vascular", "Cardiology", "CT", "MRI", "North Campus", "South Campus"]


@pytest.mark.parametrize(
    ("given", "known", "exact"),
    [
        ("Echocardiography", "Echocardiography", True),
        ("echocardiography", "Echocardiography", True),
        ("ECHOCARDIOGRAPHY ", "Echocardiography", True),
        ("  North   campus", "North Campus", True),
        ("ct", "CT", True),
        ("Echo", "Echocardiography", False),
        ("echo", "Echocardiography", False),
        ("Echo ", "Echocardiography", False),
        ("Echocardiograhpy", "Echocardiography", False),
        ("Vasculr", "Vascular", False),
        ("Cardiolgy", "Cardiology", False),
        ("Vasc", "Vascular", False),
    ],
)
def test_a_name_written_differently_is_the_existing_one(
    given: str, known: str, exact: bool
) -> None:
    found = match_placement(given, KNOWN)
    assert found is not None
    assert (found.known, found.exact) == (known, exact)


@pytest.mark.parametrize(
    "given",
    [
        "Mammography",  # a new department
        "Cardio",  # as close to Cardiology as to Echocardiography: not guessed
        "MR",  # too short to guess: exact only
        "Nuclear Medicine",
        "West Campus",
    ],
)
def test_a_new_or_ambiguous_name_is_kept(given: str) -> None:
    assert match_placement(given, KNOWN) is None


def test_an_import_matches_its_own_earlier_rows_and_says_what_it_matched() -> None:
    placer = Placer(["Echocardiography"], [])
    assert placer.place("department", None) == (None, None)
    assert placer.place("department", "Echocardiography") == ("Echocardiography", None)
    stored, match = placer.place("department", "echo")
    assert stored == "Echocardiography"
    assert match is not None
    assert match.text("department") == 'department "echo" is the existing "Echocardiography"'
    assert placer.place("site", "Lakeside Clinic ") == ("Lakeside Clinic", None)
    stored, match = placer.place("site", "lakeside clinic")
    assert (stored, match is not None) == ("Lakeside Clinic", True)
