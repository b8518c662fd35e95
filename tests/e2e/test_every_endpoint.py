"""Every operation of the OpenAPI schema (so new endpoints are covered without editing this
file): a member of organisation A aiming at organisation B's ids finds nothing (404; 403 where
the route is for other roles) and none of B's data; an auditor's every write is refused (403).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient

from services.api.application import settings_of
from services.core.settings import Settings
from tests.broker_support import plant_dead_letter
from tests.certificate_files import pdf
from tests.e2e.conftest import Org, connected_client, invitation, sign_up
from tests.e2e.openapi_walk import Examples, Operation, call, operations
from tests.e2e.test_people import CREDIT

pytestmark = pytest.mark.e2e

AUDITOR_MAY: dict[str, str] = {
    "POST /api/v1/organisations": "sign-up is public: it opens a new organisation",
    "POST /api/v1/session": "sign-in is public",
    "DELETE /api/v1/session": "everyone may sign out",
    "PUT /api/v1/session/organisation": "switching between one's own memberships",
    "POST /api/v1/invitations/accept": "public, by the invitation's token",
    "POST /api/v1/email-verification": "one's own account, not the organisation's data",
    "POST /api/v1/email-verification/confirm": "public, by a single-use token",
    "POST /api/v1/password-reset": "public: asks for a reset mail",
    "POST /api/v1/password-reset/confirm": "public, by a single-use token",
    "POST /api/v1/tokens": "one's own personal API token (scoped to one's own role)",
    "DELETE /api/v1/tokens/{token_id}": "revoking one's own personal API token",
    "PUT /api/v1/me/mail-preferences": "one's own mail preferences",
    "POST /unsubscribe": "public, by a signed unsubscribe link (refused here: the token is bad)",
    "POST /webhooks/stripe": "Stripe's, by the body's signature (refused here: it is unsigned)",
}
"""Writes an auditor may make, and why (they change no organisation data)."""


async def _seed(owner: AsyncTestClient[Any], owner_info: dict[str, Any]) -> dict[str, Any]:
    """One of every kind of record an id in a path can name, created through the API."""
    person = await owner.post("/api/v1/people", json={"full_name": "Bartholomew Quincey-Hale"})
    assert person.status_code == 201, person.text
    person_id = person.json()["person_id"]
    base = f"/api/v1/people/{person_id}"
    credential = {"body": "ARDMS", "code": "RDMS", "earned_on": "2024-03-15"}
    held = await owner.post(f"{base}/credentials", json=credential)
    assert held.status_code == 201, held.text
    credit = await owner.post(f"{base}/credits", json={**CREDIT, "title": "Quincey lecture"})
    assert credit.status_code == 201, credit.text
    invited = await owner.post("/api/v1/invitations", json=invitation("employee"))
    assert invited.status_code == 201, invited.text
    certificate = await owner.post(
        f"{base}/certificates", files={"file": ("c.pdf", pdf("Quincey"), "application/pdf")}
    )
    assert certificate.status_code == 201, certificate.text
    ids = {
        "person_id": person_id,
        "credential_id": held.json()["credentials"][0]["credential_id"],
        "credit_id": credit.json()["credit"]["credit_id"],
        "invitation_id": invited.json()["invitation_id"],
        "certificate_id": certificate.json()["certificate"]["certificate_id"],
        "user_id": owner_info["user_id"],
        "organisation_id": owner_info["organisation_id"],
    }
    history = await owner.get("/api/v1/audit/events", params={"limit": 1})
    ids["message_id"] = plant_dead_letter(  # a failed background job of this organisation
        settings_of(owner.app.state),
        UUID(owner_info["organisation_id"]),
        UUID(history.json()["events"][0]["event_id"]),
    )
    token = await owner.post("/api/v1/tokens", json={"name": "ci", "scopes": ["read"]})
    if token.status_code == 201:  # personal API tokens, where the API has them
        ids["token_id"] = token.json()["token"]["token_id"]
    provider = await owner.post("/api/v1/providers", json={"name": "Harbourside Imaging Academy"})
    assert provider.status_code == 201, provider.text
    uuids = {name: UUID(str(value)) for name, value in ids.items()}
    return {**uuids, "provider_id": provider.json()["provider_id"]}  # a name, not a uuid


def _aimed(ops: list[Operation], ids: dict[str, UUID]) -> list[Operation]:
    """The operations whose path names a record; every path parameter must have a seeded id."""
    aimed = [op for op in ops if op.path_params]
    missing = {f"{op.name}: {n}" for op in aimed for n in op.path_params if n not in ids}
    assert not missing, f"seed a record of tenant B for these path parameters: {missing}"
    return aimed


async def test_a_member_of_another_organisation_finds_nothing_anywhere(
    org: Org, migrated: Settings
) -> None:
    foreign_ids = await _seed(org.owner, org.owner_info)
    secrets = ["Bartholomew", "Quincey", org.owner_info["slug"], org.owner_info["email"]]
    examples = Examples(org.owner.app)
    ops = operations(org.owner.app)

    async with connected_client(migrated) as owner_a:
        await sign_up(owner_a)
        employee_a, _ = await _org_of(org, owner_a).member("employee")
        findings = []
        for op in _aimed(ops, foreign_ids):
            for who, client, allowed in (
                ("owner", owner_a, {404}),
                ("employee", employee_a, {403, 404}),
            ):
                response = await call(client, op, foreign_ids, examples)
                leaked = [s for s in secrets if s.lower() in response.text.lower()]
                if response.status_code not in allowed or leaked:
                    findings.append((who, op.name, response.status_code, leaked))
        switched = await owner_a.put(
            "/api/v1/session/organisation",
            json={"organisation_id": str(foreign_ids["organisation_id"])},
        )
        assert switched.status_code in {403, 404}, switched.text
        for op in ops:
            if op.method == "get" and not op.path_params:
                response = await owner_a.get(op.path)
                assert response.status_code < 500, (op.name, response.text)
                assert not [s for s in secrets if s.lower() in response.text.lower()], op.name
    assert findings == []


def _org_of(template: Org, owner: AsyncTestClient[Any]) -> Org:
    """An ``Org`` around an owner client that has signed up, to invite members through it."""
    other = Org(template.stack, template.settings)
    other.owner = owner
    return other


async def test_an_auditor_may_write_nothing(org: Org) -> None:
    own_ids = await _seed(org.owner, org.owner_info)
    auditor, _ = await org.member("auditor")
    examples = Examples(auditor.app)
    writes = [op for op in operations(auditor.app) if op.method != "get"]
    assert set(AUDITOR_MAY) <= {op.name for op in writes} | _optional(), "stale allow-list"
    refused = {}
    for op in writes:
        if op.name in AUDITOR_MAY:
            continue
        response = await call(auditor, op, own_ids, examples)
        refused[op.name] = response.status_code
    assert refused, "no write operation was tried"
    assert {name: status for name, status in refused.items() if status != 403} == {}
    person = await org.owner.get(f"/api/v1/people/{own_ids['person_id']}")
    assert person.json()["full_name"] == "Bartholomew Quincey-Hale"


def _optional() -> set[str]:
    """Allow-listed operations that another part of the API (account self-service) may not
    have yet."""
    return {
        name for name in AUDITOR_MAY if "token" in name or "password" in name or "email" in name
    }
