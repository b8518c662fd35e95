"""Verification settings: the thresholds below which certificates go to review, and the optional
external provider directory."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.credits.verification import Thresholds
from services.core.directory.lookup import ChainedLookup, DirectoryLookup, build_provider_lookup
from services.core.settings import load_settings

pytestmark = pytest.mark.unit


def test_defaults_are_the_domain_thresholds_and_no_external_directory() -> None:
    settings = load_settings({})
    assert settings.verification_thresholds == Thresholds()
    assert settings.provider_lookup_url is None
    assert isinstance(build_provider_lookup(settings), DirectoryLookup)


def test_thresholds_and_the_external_directory_are_read_from_the_environment() -> None:
    settings = load_settings(
        {
            "CMELEDGER_VERIFICATION_MIN_CONFIDENCE": "0.8",
            "CMELEDGER_VERIFICATION_NAME_EDITS": "0",
            "CMELEDGER_VERIFICATION_TITLE_SIMILARITY": "0.75",
            "CMELEDGER_VERIFICATION_CREDITS_TOLERANCE": "0.25",
            "CMELEDGER_PROVIDER_LOOKUP_URL": "https://providers.example.org/v1/find",
            "CMELEDGER_PROVIDER_LOOKUP_TIMEOUT_S": "2.5",
        }
    )
    assert settings.verification_thresholds == Thresholds(
        min_confidence=0.8,
        name_edits=0,
        title_similarity=0.75,
        credits_tolerance=Decimal("0.25"),
    )
    assert settings.provider_lookup_timeout_s == 2.5
    assert isinstance(build_provider_lookup(settings), ChainedLookup)
