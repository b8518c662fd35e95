"""Matching a printed provider against the directory: the ordinary equivalences match (St./Saint,
CV/Cardiovascular, Ed./Education, Ctr/Center, a dropped Inc or LLC, an initialism, a letter
misread), and the near misses do not (another specialty, another word, a mere mention, a short
initialism). Table tested with the standard library's scorer and with rapidfuzz's, which the
worker uses; the thresholds are ``domain.credits.providers``' constants."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.credits.names import similarity
from domain.credits.providers import ProviderDirectory, ProviderEntry
from services.core.directory.lookup import provider_similarity

pytestmark = pytest.mark.unit
Scorer = Callable[[str, str], float]
SCORERS = pytest.mark.parametrize("similar", [similarity, provider_similarity], ids=["std", "rf"])


def entry(name: str, *aliases: str) -> ProviderEntry:
    return ProviderEntry(
        provider_id=name.lower().replace(" ", "-"),
        name=name,
        aliases=aliases,
        reference="test",
        origin="tenant",
    )


TENANT = (
    entry("Saint Luke's Hospital Imaging Center"),
    entry("Coastal Cardiovascular Education Center"),
    entry("Rocky Mountain Ultrasound Society"),
    entry("Heartland Radiography Workshop, Inc."),
    entry("American College of Radiology Imaging Network"),
)


def found(printed: str, similar: Scorer) -> str | None:
    match = ProviderDirectory.with_tenant(TENANT, similar=similar).find(printed)
    return match.name if match else None


@SCORERS
@pytest.mark.parametrize(
    ("printed", "name"),
    [
        ("St. Luke's Hospital Imaging Ctr", "Saint Luke's Hospital Imaging Center"),
        ("ST LUKES HOSPITAL IMAGING CENTRE", "Saint Luke's Hospital Imaging Center"),
        ("Coastal CV Ed. Center", "Coastal Cardiovascular Education Center"),
        ("Coastal Cardiovascular Educ. Ctr., LLC", "Coastal Cardiovascular Education Center"),
        ("Heartland Radiography Workshop", "Heartland Radiography Workshop, Inc."),
        ("RMUS", "Rocky Mountain Ultrasound Society"),
        ("Rocky Mountain Ultrasonnd Society", "Rocky Mountain Ultrasound Society"),
        ("Rocky Mountian Ultrasound Society", "Rocky Mountain Ultrasound Society"),
        ("Society of Diagnostic Medical Sonograpy", "Society of Diagnostic Medical Sonography"),
        ("The Society for Vascular Ultrasound, Inc.", "Society for Vascular Ultrasound"),
    ],
)
def test_ordinary_equivalences_match(printed: str, name: str, similar: Scorer) -> None:
    assert found(printed, similar) == name


@SCORERS
@pytest.mark.parametrize(
    "printed",
    [
        "American College of Cardiology",  # ... of Radiology: another specialty
        "Society for Vascular Surgery",  # ... for Vascular Ultrasound
        "Society of Diagnostic Medical Imaging",
        "Rocky Mountain Radiology Society",
        "Acme Academy, SDMS approved",  # a mere mention of an approver
        "Coastal Cardiology Education Center",
        "Saint Mark's Hospital Imaging Center",
        "RMU",  # an initialism of part of a name
        "MP",  # two letters stand for too much
        "ACRIN Imaging",
        "Heartland Radiology Workshop",
    ],
)
def test_near_misses_do_not_match(printed: str, similar: Scorer) -> None:
    assert found(printed, similar) is None
