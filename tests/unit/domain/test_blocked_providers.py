"""A blocked provider: an organisation's directory entry whose certificates never verify. It is
found by any usual spelling of its name, ahead of a seed entry of the same name, and every
certificate of it goes to review with the reason the organisation gave."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from domain.credits.providers import (
    BlockProvider,
    ProviderAlreadyListed,
    ProviderBlockedInDirectory,
    ProviderDirectory,
    ProviderReasonRequired,
    RemoveProvider,
    TenantProviders,
    decide_block_provider,
    decide_remove_provider,
    evolve,
)
from domain.shared.event import fold
from tests.unit.domain.test_certificate_assessment import FIELDS, changed, codes, judge

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 26, tzinfo=UTC)


def blocked(name: str, *aliases: str, state: TenantProviders | None = None) -> TenantProviders:
    command = BlockProvider(name=name, aliases=aliases, reason="sells certificates unattended")
    folded = fold(evolve, decide_block_provider(state, command, now=NOW, ids=uuid4), state)
    assert folded is not None
    return folded


def test_a_blocked_entry_is_found_by_its_names_and_says_so() -> None:
    directory = ProviderDirectory.with_tenant(blocked("Quick CE Mill, LLC", "QCM").entries)
    match = directory.find("QUICK CE MILL")
    assert match is not None
    assert (match.blocked, match.blocked_because) == (True, "sells certificates unattended")
    assert directory.find("QCM") == match


def test_a_blocked_name_wins_over_the_seed_entry_of_that_name() -> None:
    directory = ProviderDirectory.with_tenant(blocked("Medical Professionals").entries)
    match = directory.find("Medical Professionals CE")
    assert match is not None
    assert match.blocked


def test_blocking_needs_a_reason_and_a_new_name() -> None:
    with pytest.raises(ProviderReasonRequired):
        decide_block_provider(
            None, BlockProvider(name="Quick CE Mill", reason="  "), now=NOW, ids=uuid4
        )
    state = blocked("Quick CE Mill")
    with pytest.raises(ProviderAlreadyListed):
        decide_block_provider(
            state, BlockProvider(name="QUICK CE MILL, LLC", reason="again"), now=NOW, ids=uuid4
        )


def test_a_blocked_entry_is_lifted_by_removing_it() -> None:
    state = blocked("Quick CE Mill")
    [entry] = state.entries
    assert entry.kind == "blocked"
    [removed] = decide_remove_provider(
        state, RemoveProvider(provider_id=entry.provider_id, reason="cleared"), now=NOW, ids=uuid4
    )
    assert evolve(state, removed).entries == ()


def test_the_block_is_an_event_of_its_own() -> None:
    [event] = decide_block_provider(
        None, BlockProvider(name="Quick CE Mill", reason="unattended"), now=NOW, ids=uuid4
    )
    assert isinstance(event, ProviderBlockedInDirectory)
    assert event.provider_id.startswith("blocked-")


def test_a_certificate_of_a_blocked_provider_never_verifies() -> None:
    assert judge().outcome == "verified"
    [entry] = blocked(FIELDS.provider or "").entries
    match = entry.as_match()
    assessment = judge(FIELDS, provider=match)
    assert assessment.outcome == "needs_review"
    [reason] = [r for r in assessment.reasons if r.code == "provider_blocked"]
    assert "sells certificates unattended" in reason.message
    assert reason.evidence


def test_a_blocked_provider_is_held_up_even_when_unreadable_fields_agree() -> None:
    [entry] = blocked("Acme CE Academy").entries
    fields = changed(provider="Acme CE Academy")
    assert "provider_blocked" in codes(judge(fields, provider=entry.as_match()))


def test_two_long_names_sharing_their_start_get_ids_of_their_own() -> None:
    start = "Institute of Continuing Sonography Education and Applied Vascular Imaging " * 2
    state = blocked(start + "North")
    [second] = decide_block_provider(
        state, BlockProvider(name=start + "South", reason="also unattended"), now=NOW, ids=uuid4
    )
    assert isinstance(second, ProviderBlockedInDirectory)
    assert second.provider_id not in {entry.provider_id for entry in state.entries}
