"""Verification states that add up: one wording, defined in ``domain.vocabulary``, for a credit's
certificate (no certificate, awaiting check, verified, needs review, rejected), which no page,
mail or PDF template writes out for itself."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from domain import vocabulary
from domain.vocabulary import CertificateState, certificate_state

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = [
    *sorted((ROOT / "services/api/portal/templates").rglob("*.html")),
    *sorted((ROOT / "services/core/templates").rglob("*.*")),
]
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


def test_every_state_has_one_label_and_one_sentence() -> None:
    states = get_args(CertificateState)
    assert set(vocabulary.VERIFICATION) == set(states)
    assert set(vocabulary.VERIFICATION_EXPLAINED) == set(states)
    assert len(set(vocabulary.VERIFICATION.values())) == len(states)
    assert vocabulary.VERIFICATION["no_certificate"] == "No certificate"
    assert vocabulary.VERIFICATION["pending"] == "Awaiting check"


@pytest.mark.parametrize(
    ("verification", "has_certificate", "state"),
    [
        ("pending", False, "no_certificate"),
        ("pending", True, "pending"),
        ("verified", True, "verified"),
        ("verified", False, "verified"),  # approved on review, the file since detached
        ("needs_review", True, "needs_review"),
        ("rejected", True, "rejected"),
    ],
)
def test_a_credit_without_a_certificate_is_not_awaiting_a_check(
    verification: str, has_certificate: bool, state: str
) -> None:
    assert certificate_state(verification, has_certificate=has_certificate) == state  # type: ignore[arg-type]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_writes_a_verification_wording_of_its_own(template: Path) -> None:
    text = JINJA.sub(" ", template.read_text())
    words = [*vocabulary.VERIFICATION.values(), *vocabulary.VERIFICATION_EXPLAINED.values()]
    words += ["No certificate yet"]
    for wording in words:
        # a label as a label, not the start of a sentence ("No certificate at hand?")
        found = re.search(rf"\b{re.escape(wording)}\b(?! [a-z])", text)
        assert not found, (template.name, wording)
