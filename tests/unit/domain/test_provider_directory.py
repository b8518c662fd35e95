"""The provider directory: seed entries found by any usual spelling of their names, lookalikes
and mere mentions not found; tenants add and remove their own entries, never seed ones."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.credits.names import organisation_tokens
from domain.credits.providers import (
    SEED_PROVIDERS,
    AddProvider,
    InvalidProvider,
    ProviderAddedToDirectory,
    ProviderAlreadyListed,
    ProviderDirectory,
    ProviderNotListed,
    ProviderReasonRequired,
    ProviderRemovedFromDirectory,
    RemoveProvider,
    SeedProviderNotRemovable,
    TenantProviders,
    decide_add_provider,
    decide_remove_provider,
    evolve,
)
from domain.shared.event import Event, fold

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 26, tzinfo=UTC)
SEED = ProviderDirectory.with_tenant()


def found(printed: str, directory: ProviderDirectory = SEED) -> str | None:
    match = directory.find(printed)
    return match.provider_id if match else None


def test_seed_entries_have_unique_ids_unambiguous_names_and_a_reference() -> None:
    ids = Counter(entry.provider_id for entry in SEED_PROVIDERS)
    names = Counter(organisation_tokens(n) for entry in SEED_PROVIDERS for n in entry.names)
    assert [i for i, count in ids.items() if count > 1] == []
    assert [n for n, count in names.items() if count > 1] == []
    assert all(entry.reference and entry.origin == "seed" for entry in SEED_PROVIDERS)


def test_the_providers_of_the_domain_reference_are_in_the_seed() -> None:
    for printed in (
        "SDMS",
        "SVU",
        "ASRT",
        "AIUM",
        "ASE",
        "IAME",
        "Spectrum Health",
        "SNMMI",
        "CCI",
        "ACR",
        "RSNA",
        "AHRA",
        "ASNC",
        "CAMRT",
        "SMRT",
        "AVIR",
        "ARDMS",
        "ESP Ultrasound",
        "Gulfcoast Ultrasound Institute",
        "Pegasus Lectures",
        "SonoWorld",
        "Siemens Healthineers",
        "Medical Professionals",
    ):
        assert found(printed) is not None, printed


@pytest.mark.parametrize(
    ("printed", "provider_id"),
    [
        ("Society of Diagnostic Medical Sonography", "sdms"),
        ("THE SOCIETY OF DIAGNOSTIC MEDICAL SONOGRAPHY", "sdms"),
        ("Pegasus Lectures, Inc.", "pegasus-lectures"),
        (
            "Gulfcoast Ultrasound Institute, 4615 Gulf Blvd, St. Pete Beach, FL",
            "gulfcoast-ultrasound-institute",
        ),
        ("Gulfcoast Ultrasound lnstitute", "gulfcoast-ultrasound-institute"),
        ("American Society of Radiologic Technologist", "asrt"),
        ("Society of Vascular Ultrasound", "svu"),
        ("American Safety and Health Institute", "ashi"),
        ("Corewell Health", "spectrum-health"),
        ("Society of Nuclear Medicine and Molecular Imaging", "snmmi"),
        ("Society of Nuclear Medicine", "snmmi"),
        ("American Registry for Diagnostic Medical Sonography", "inteleos"),
    ],
)
def test_a_provider_is_found_by_any_usual_spelling_of_its_names(
    printed: str, provider_id: str
) -> None:
    assert found(printed) == provider_id


@pytest.mark.parametrize(
    "printed",
    [
        "Acme Academy, SDMS approved",
        "Approved by the American Society of Radiologic Technologists",
        "American College of Cardiology",
        "Arizona Society of Radiologic Technologists",
        "Society for Vascular Surgery",
        "American Society",
        "Inc.",
        "",
    ],
)
def test_lookalikes_and_mere_mentions_are_not_found(printed: str) -> None:
    assert found(printed) is None


def test_the_longest_name_a_printed_name_starts_with_wins() -> None:
    assert (
        found("Society of Nuclear Medicine and Molecular Imaging Technologist Section") == "snmmi"
    )
    assert found("ASE Scientific Sessions 2026") == "ase"


@given(
    st.sampled_from([n for entry in SEED_PROVIDERS for n in entry.names]),
    st.sampled_from([str.upper, str.lower, str.title]),
    st.integers(min_value=1, max_value=3),
)
def test_case_and_spacing_never_change_what_is_found(name: str, case: object, spaces: int) -> None:
    assert callable(case)
    assert found(f" {(' ' * spaces).join(case(name).split())} ") == found(name) is not None


# --- tenant entries ----------------------------------------------------------------------------


def add(state: TenantProviders | None, **command: object) -> list[Event]:
    return decide_add_provider(state, AddProvider(**command), now=NOW, ids=uuid4)


def remove(state: TenantProviders | None, provider_id: str, reason: str) -> list[Event]:
    command = RemoveProvider(provider_id=provider_id, reason=reason)
    return decide_remove_provider(state, command, now=NOW, ids=uuid4)


def folded(*events: Event) -> TenantProviders | None:
    return fold(evolve, events)


LAKESIDE = ProviderAddedToDirectory(
    provider_id="tenant-lakeside-imaging-education",
    name="Lakeside Imaging Education",
    aliases=("LIE CE",),
    credit_types=("arrt_category_a", "sdms"),
    reference="SDMS approval letter on file",
)


def test_a_tenant_adds_a_provider_that_is_then_found_as_theirs() -> None:
    [event] = add(
        None,
        name="  Lakeside   Imaging Education ",
        aliases=("LIE CE", "Lakeside Imaging Education", " LIE CE "),
        credit_types=("sdms", "arrt_category_a", "sdms"),
        reference=" SDMS approval letter on file ",
    )
    assert event == LAKESIDE
    state = folded(event)
    assert state is not None
    directory = ProviderDirectory.with_tenant(state.entries)
    match = directory.find("Lakeside Imaging Education, Suite 4")
    assert match is not None
    assert (match.provider_id, match.source) == ("tenant-lakeside-imaging-education", "tenant")
    assert found("LIE CE", directory) == "tenant-lakeside-imaging-education"
    assert found("Lakeside Imaging Education") is None


@pytest.mark.parametrize(
    "command",
    [
        {"name": "Society for Vascular Ultrasound"},
        {"name": "The SVU, Inc."},
        {"name": "Vascular Friends", "aliases": ("ASRT",)},
        {"name": "Lakeside Imaging Education"},
        {"name": "Lakeside North", "aliases": ("lie ce",)},
    ],
)
def test_a_name_already_in_the_directory_cannot_be_added_again(command: dict[str, object]) -> None:
    with pytest.raises(ProviderAlreadyListed, match="already in the directory"):
        add(folded(LAKESIDE), **command)


@pytest.mark.parametrize(
    "command",
    [{"name": "  "}, {"name": "--"}, {"name": "x" * 201}, {"name": "Fine", "aliases": ("",)}],
)
def test_a_provider_needs_a_proper_name(command: dict[str, object]) -> None:
    with pytest.raises(InvalidProvider):
        add(None, **command)


def test_a_tenant_removes_its_own_provider_with_a_reason() -> None:
    state = folded(LAKESIDE)
    with pytest.raises(ProviderReasonRequired):
        remove(state, LAKESIDE.provider_id, " ")
    [event] = remove(state, LAKESIDE.provider_id, "closed in 2026")
    assert event == ProviderRemovedFromDirectory(
        provider_id=LAKESIDE.provider_id, reason="closed in 2026"
    )
    after = folded(LAKESIDE, event)
    assert after is not None
    assert after.entries == ()
    assert add(after, name="Lakeside Imaging Education") != []


def test_seed_providers_and_unknown_ones_cannot_be_removed() -> None:
    with pytest.raises(SeedProviderNotRemovable):
        remove(folded(LAKESIDE), "sdms", "we do not trust them")
    with pytest.raises(ProviderNotListed):
        remove(folded(LAKESIDE), "tenant-nobody", "typo")


def test_directory_events_are_the_only_ones_folded() -> None:
    with pytest.raises(TypeError, match="not a provider directory event"):
        evolve(None, Event())
