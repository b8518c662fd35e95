"""The review queue, certificate outcomes and the provider directory over HTTP: what each role
sees, approving (with corrected fields), rejecting with a reason the employee sees, refusals,
and another organisation's certificates."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from services.core.blobs import FilesystemBlobStore
from services.core.certificates.verification import verify_certificate
from services.core.db import Database
from services.core.eventsourcing.commands import CommandContext
from services.core.registry import build_event_store
from services.core.settings import Settings
from services.core.stream_ids import access_stream
from tests.e2e.conftest import Org, connected_client, sign_up
from tests.fixtures.certificates.generate import Forgery, Sample
from tests.verification_support import certificate_sample, cycle_birth_month, declared_credit

pytestmark = pytest.mark.e2e


class ReviewOrg(Org):
    """An organisation whose app stores blobs in a directory of this test, with a worker step."""

    blob_dir: Path
    database: Database

    async def verify(self, certificate_id: str) -> None:
        """What the worker actor does for an uploaded certificate (the actor itself runs in the
        integration tests): read, assess and record the outcome."""
        async with self.database.transaction(UUID(self.owner_info["organisation_id"])) as tx:
            await verify_certificate(
                CommandContext(tx, build_event_store(), uuid4()),
                FilesystemBlobStore(self.blob_dir),
                self.settings,
                UUID(certificate_id),
            )


@pytest.fixture
async def org(migrated: Settings, database: Database, tmp_path: Path) -> AsyncIterator[ReviewOrg]:
    settings = msgspec.structs.replace(migrated, blob_dir=str(tmp_path / "blobs"))
    async with AsyncExitStack() as stack:
        organisation = ReviewOrg(stack, settings)
        organisation.blob_dir = tmp_path / "blobs"
        organisation.database = database
        await organisation.open()
        yield organisation


class Upload(msgspec.Struct, frozen=True):
    person_id: str
    credit_id: str
    certificate_id: str


async def upload_for_member(
    org: ReviewOrg, forgery: Forgery | None = None, *, verify: bool = True
) -> tuple[AsyncTestClient[Any], Upload]:
    """A new employee records themself (ARRT R), declares the sample's credit and uploads the
    certificate; the worker step then verifies it unless ``verify`` is false."""
    sample = certificate_sample(forgery=forgery)
    employee, me = await org.member("employee")
    uploaded = await upload_sample_over_http(employee, sample)
    assert uploaded.person_id == me["user_id"]
    if verify:
        await org.verify(uploaded.certificate_id)
    return employee, uploaded


async def upload_sample_over_http(
    client: AsyncTestClient[Any], sample: Sample, *, person_id: str | None = None
) -> Upload:
    """Record a person (``person_id``: this one, e.g. the member's own record), declare the
    sample's credit and upload its certificate."""
    record: dict[str, Any] = {"full_name": sample.declared.participant_name}
    if person_id is not None:
        record["person_id"] = person_id
    created = await client.post("/api/v1/people", json=record)
    assert created.status_code == 201, created.text
    base = f"/api/v1/people/{created.json()['person_id']}"
    birth_month = {"birth_month": cycle_birth_month()}
    assert (await client.put(f"{base}/birth-month", json=birth_month)).status_code == 200
    credential = {"body": "ARRT", "code": "R", "earned_on": "2019-06-01"}
    assert (await client.post(f"{base}/credentials", json=credential)).status_code == 201
    details = msgspec.to_builtins(declared_credit(sample))
    credit = await client.post(f"{base}/credits", json=details)
    assert credit.status_code == 201, credit.text
    credit_id = credit.json()["credit"]["credit_id"]
    sent = await client.post(
        f"{base}/certificates",
        files={"file": ("certificate.pdf", sample.data, "application/pdf")},
        data={"credit_id": credit_id},
    )
    assert sent.status_code == 201, sent.text
    return Upload(
        person_id=created.json()["person_id"],
        credit_id=credit_id,
        certificate_id=sent.json()["certificate"]["certificate_id"],
    )


def review_path(certificate_id: str) -> str:
    return f"/api/v1/certificates/{certificate_id}/review"


async def credit_status(client: AsyncTestClient[Any], uploaded: Upload) -> str:
    credits = (await client.get(f"/api/v1/people/{uploaded.person_id}/credits")).json()
    [credit] = [c for c in credits if c["credit_id"] == uploaded.credit_id]
    return str(credit["verification"])


async def test_the_queue_lists_doubtful_certificates_oldest_first_with_their_context(
    org: ReviewOrg,
) -> None:
    admin, _ = await org.member("admin")
    auditor, _ = await org.member("auditor")
    _, first = await upload_for_member(org, "altered_credits")
    _, second = await upload_for_member(org, "missing_dates")
    _, genuine = await upload_for_member(org)

    page = await admin.get("/api/v1/reviews", params={"limit": 1})
    assert page.status_code == 200, page.text
    [item] = page.json()["items"]
    certificate = item["certificate"]
    assert certificate["certificate_id"] == first.certificate_id
    assert certificate["status"] == "needs_review"
    assert "credits_mismatch" in [r["code"] for r in certificate["reasons"]]
    assert certificate["fields"]["participant_name"] == (
        certificate_sample(forgery="altered_credits").truth.participant_name
    )
    assert certificate["acceptance"][0]["body"] == "ARRT"
    declared = certificate_sample(forgery="altered_credits").declared
    assert item["person"]["full_name"] == declared.participant_name
    assert item["declared"]["credit_id"] == first.credit_id
    assert item["declared"]["details"]["title"] == declared.title

    rest = await admin.get(
        "/api/v1/reviews", params={"limit": 1, "cursor": page.json()["next_cursor"]}
    )
    assert [i["certificate"]["certificate_id"] for i in rest.json()["items"]] == [
        second.certificate_id
    ]
    assert "missing_dates" in [r["code"] for r in rest.json()["items"][0]["certificate"]["reasons"]]
    assert rest.json()["next_cursor"] is None

    verified = (await auditor.get("/api/v1/reviews", params={"status": "verified"})).json()
    assert [i["certificate"]["certificate_id"] for i in verified["items"]] == [
        genuine.certificate_id
    ]
    bad_cursor = await admin.get("/api/v1/reviews", params={"cursor": "not-ours"})
    assert bad_cursor.status_code == 400
    assert bad_cursor.headers["content-type"].startswith("application/problem+json")

    approved = await admin.post(
        review_path(second.certificate_id),
        json={"decision": "approve", "reason": "dates confirmed with the provider's roster"},
    )
    assert approved.status_code == 200, approved.text
    queued = (await admin.get("/api/v1/reviews")).json()["items"]
    assert [i["certificate"]["certificate_id"] for i in queued] == [first.certificate_id]


async def test_an_admin_corrects_the_fields_and_approves(org: ReviewOrg) -> None:
    admin, admin_me = await org.member("admin")
    employee, uploaded = await upload_for_member(org, "wrong_name")
    read = (await admin.get(f"/api/v1/certificates/{uploaded.certificate_id}")).json()
    fields = read["certificate"]["fields"]
    own_name = certificate_sample(forgery="wrong_name").declared.participant_name

    approved = await admin.post(
        review_path(uploaded.certificate_id),
        json={
            "decision": "approve",
            "fields": {**fields, "participant_name": own_name},
            "reason": "the name was printed wrongly; the provider confirmed the attendance",
        },
    )
    assert approved.status_code == 200, approved.text
    certificate = approved.json()["certificate"]
    assert (certificate["status"], certificate["decided_by"]) == ("verified", "reviewer")
    assert certificate["reviewer_id"] == admin_me["user_id"]
    assert certificate["fields"]["participant_name"] == own_name
    assert certificate["correction"]["fields_as_read"] == fields
    assert certificate["note"].startswith("the name was printed wrongly")
    assert await credit_status(employee, uploaded) == "verified"
    shown = await employee.get(f"/credits/{uploaded.credit_id}")
    assert "Reviewer's note: the name was printed wrongly; the provider confirmed" in shown.text

    again = await admin.post(review_path(uploaded.certificate_id), json={"decision": "approve"})
    assert again.status_code == 409, again.text
    assert again.json()["type"].endswith("certificate_already_decided")


async def test_a_rejection_and_its_reason_are_shown_to_the_employee(org: ReviewOrg) -> None:
    employee, uploaded = await upload_for_member(org, "altered_credits")
    rejected = await org.owner.post(
        review_path(uploaded.certificate_id),
        json={"decision": "reject", "reason": "the credits on this copy were altered"},
    )
    assert rejected.status_code == 200, rejected.text

    seen = await employee.get(f"/api/v1/certificates/{uploaded.certificate_id}")
    assert seen.status_code == 200, seen.text
    certificate = seen.json()["certificate"]
    assert certificate["status"] == "rejected"
    assert [r["message"] for r in certificate["reasons"]] == [
        "the credits on this copy were altered"
    ]
    assert await credit_status(employee, uploaded) == "rejected"
    listed = (await employee.get(f"/api/v1/people/{uploaded.person_id}/certificates")).json()
    assert [c["status"] for c in listed] == ["rejected"]


async def test_refused_decisions_change_nothing(org: ReviewOrg) -> None:
    _, doubtful = await upload_for_member(org, "altered_credits")
    _, pending = await upload_for_member(org, verify=False)
    path = review_path(doubtful.certificate_id)
    before = (await org.owner.get(f"/api/v1/certificates/{doubtful.certificate_id}")).json()

    cases = [
        (path, {"decision": "reject"}, 422, "review_reason_required"),
        (path, {"decision": "reject", "reason": "   "}, 422, "review_reason_required"),
        (path, {"decision": "approve"}, 422, "review_reason_required"),
        (path, {"decision": "maybe", "reason": "x"}, 400, None),
        (path, {"decision": "approve", "fields": {"credits": "lots"}}, 400, None),
        (path, {"decision": "approve", "fields": {"credits": "NaN"}, "reason": "x"}, 400, None),
        (review_path(pending.certificate_id), {"decision": "approve"}, 422, "fields_required"),
        (review_path(str(uuid4())), {"decision": "reject", "reason": "x"}, 404, None),
    ]
    for target, body, status, problem in cases:
        response = await org.owner.post(target, json=body)
        assert response.status_code == status, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        if problem:
            assert response.json()["type"].endswith(problem), response.text
    after = (await org.owner.get(f"/api/v1/certificates/{doubtful.certificate_id}")).json()
    assert after == before
    still = (await org.owner.get(f"/api/v1/certificates/{pending.certificate_id}")).json()
    assert still["certificate"]["status"] == "pending"


async def test_who_may_read_and_decide(org: ReviewOrg, migrated: Settings) -> None:
    auditor, _ = await org.member("auditor")
    employee, uploaded = await upload_for_member(org, "altered_credits")
    colleague, _ = await org.member("employee")
    certificate = f"/api/v1/certificates/{uploaded.certificate_id}"
    decision = {"decision": "reject", "reason": "not mine to decide"}

    assert (await employee.get("/api/v1/reviews")).status_code == 403
    assert (
        await employee.post(review_path(uploaded.certificate_id), json=decision)
    ).status_code == 403
    assert (
        await auditor.post(review_path(uploaded.certificate_id), json=decision)
    ).status_code == 403
    assert (await colleague.get(certificate)).status_code == 403
    assert (await auditor.get(certificate)).status_code == 200
    assert (await auditor.get("/api/v1/reviews")).status_code == 200

    async with connected_client(org.settings) as intruder:
        await sign_up(intruder)
        assert (await intruder.get(certificate)).status_code == 404
        refused = await intruder.post(review_path(uploaded.certificate_id), json=decision)
        assert refused.status_code == 404
        assert (await intruder.get("/api/v1/reviews")).json()["items"] == []
    mine = (await employee.get(certificate)).json()["certificate"]
    assert mine["status"] == "needs_review"


async def refusals_recorded(org: ReviewOrg, user_id: str) -> list[dict[str, Any]]:
    """The review refusals on ``user_id``'s access stream."""
    store = build_event_store()
    async with org.database.transaction(UUID(org.owner_info["organisation_id"])) as tx:
        recorded = await store.read_stream(tx, access_stream(UUID(user_id)))
    return [e.data for e in recorded if e.event_type == "audits.ReviewRefused"]


async def test_nobody_decides_a_certificate_of_their_own_record_over_the_api(
    org: ReviewOrg,
) -> None:
    admin, me = await org.member("admin")
    own = await upload_sample_over_http(
        admin, certificate_sample(forgery="altered_credits"), person_id=me["user_id"]
    )
    await org.verify(own.certificate_id)
    certificate = f"/api/v1/certificates/{own.certificate_id}"
    before = (await admin.get(certificate)).json()
    assert before["certificate"]["status"] == "needs_review"

    for decision in ("approve", "reject"):
        refused = await admin.post(
            review_path(own.certificate_id),
            json={"decision": decision, "reason": "it is mine and it is fine"},
        )
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["type"] == "urn:cmeledger:problem:own_record_review"
    assert (await admin.get(certificate)).json() == before
    assert await credit_status(admin, own) == "needs_review"
    assert await refusals_recorded(org, me["user_id"]) == [
        {
            "user_id": me["user_id"],
            "certificate_id": own.certificate_id,
            "person_id": me["user_id"],
            "decision": decision,
            "refusal": "own_record_review",
        }
        for decision in ("approve", "reject")
    ]

    decided = await org.owner.post(
        review_path(own.certificate_id), json={"decision": "reject", "reason": "not the name"}
    )
    assert decided.status_code == 200, decided.text


async def test_the_owner_cannot_decide_their_own_certificate_in_the_portal(
    org: ReviewOrg,
) -> None:
    owner_id = org.owner_info["user_id"]
    own = await upload_sample_over_http(org.owner, certificate_sample(), person_id=owner_id)
    shown = await org.owner.get(f"/reviews/{own.certificate_id}")
    assert shown.status_code == 200, shown.text
    assert "on your own record" in shown.text
    assert 'value="approve"' not in shown.text

    refused = await org.owner.post(
        f"/reviews/{own.certificate_id}",
        data={"decision": "approve", "reason": "looks right to me"},
        follow_redirects=False,
    )
    assert refused.status_code == 422, refused.text
    assert "Nobody decides a certificate of their own record" in refused.text
    status = (await org.owner.get(f"/api/v1/certificates/{own.certificate_id}")).json()
    assert status["certificate"]["status"] == "pending"
    assert [r["decision"] for r in await refusals_recorded(org, owner_id)] == ["approve"]


async def test_the_directory_lists_seed_and_own_providers_which_the_worker_then_knows(
    org: ReviewOrg,
) -> None:
    admin, _ = await org.member("admin")
    employee, _ = await org.member("employee")
    seed = (await employee.get("/api/v1/providers")).json()
    assert {"sdms", "asrt"} <= {p["provider_id"] for p in seed}
    assert {p["origin"] for p in seed} == {"seed"}
    unknown = certificate_sample(forgery="unknown_provider").truth.provider
    assert unknown is not None

    entry = {"name": unknown, "aliases": ["CMEG"], "reference": "https://example.org/cmeg"}
    assert (await employee.post("/api/v1/providers", json=entry)).status_code == 403
    added = await admin.post("/api/v1/providers", json=entry)
    assert added.status_code == 201, added.text
    provider_id = added.json()["provider_id"]
    assert added.json()["origin"] == "tenant"
    duplicate = await admin.post("/api/v1/providers", json={"name": "SDMS"})
    assert duplicate.status_code == 409, duplicate.text
    own = (await employee.get("/api/v1/providers", params={"origin": "tenant"})).json()
    assert [p["provider_id"] for p in own] == [provider_id]

    _, uploaded = await upload_for_member(org, "unknown_provider")
    found = (await admin.get(f"/api/v1/certificates/{uploaded.certificate_id}")).json()
    assert found["certificate"]["provider"]["provider_id"] == provider_id
    assert "provider_unknown" not in [r["code"] for r in found["certificate"]["reasons"]]

    seeded = await admin.delete("/api/v1/providers/sdms", params={"reason": "never heard of it"})
    assert seeded.status_code == 422, seeded.text
    missing = await admin.delete("/api/v1/providers/tenant-nobody", params={"reason": "typo"})
    assert missing.status_code == 404, missing.text
    removed = await admin.delete(f"/api/v1/providers/{provider_id}", params={"reason": "closed"})
    assert removed.status_code == 204, removed.text
    assert (await admin.get("/api/v1/providers", params={"origin": "tenant"})).json() == []


async def test_a_blocked_provider_s_certificates_go_to_review_with_the_reason(
    org: ReviewOrg,
) -> None:
    admin, _ = await org.member("admin")
    employee, _ = await org.member("employee")
    printed = certificate_sample().truth.provider
    assert printed is not None
    block = {"name": printed, "reason": "accreditation withdrawn in 2026"}
    assert (await employee.post("/api/v1/providers/blocked", json=block)).status_code == 403
    no_reason = await admin.post("/api/v1/providers/blocked", json={"name": printed, "reason": ""})
    assert no_reason.status_code == 422, no_reason.text
    blocked = await admin.post("/api/v1/providers/blocked", json=block)
    assert blocked.status_code == 201, blocked.text
    assert (blocked.json()["kind"], blocked.json()["reason"]) == ("blocked", block["reason"])
    again = await admin.post("/api/v1/providers/blocked", json=block)
    assert again.status_code == 409, again.text

    _, uploaded = await upload_for_member(org)
    found = (await admin.get(f"/api/v1/certificates/{uploaded.certificate_id}")).json()
    assert found["certificate"]["status"] == "needs_review"
    [reason] = [r for r in found["certificate"]["reasons"] if r["code"] == "provider_blocked"]
    assert "accreditation withdrawn in 2026" in reason["message"]
    page = await admin.get(f"/reviews/{uploaded.certificate_id}")
    assert "accreditation withdrawn in 2026" in html.unescape(page.text)

    provider_id = blocked.json()["provider_id"]
    lifted = await admin.delete(f"/api/v1/providers/{provider_id}", params={"reason": "restored"})
    assert lifted.status_code == 204, lifted.text
    assert (await admin.get("/api/v1/providers", params={"origin": "tenant"})).json() == []


async def test_the_review_page_shows_the_file_and_records_each_showing(org: ReviewOrg) -> None:
    sample = certificate_sample()
    employee, uploaded = await upload_for_member(org, verify=False)
    path = f"/reviews/{uploaded.certificate_id}/file"

    shown = await org.owner.get(path)
    assert shown.status_code == 200, shown.text
    assert shown.content == sample.data
    assert shown.headers["content-type"] == "application/pdf"
    assert (await employee.get(path)).status_code == 403
    assert (await org.owner.get(f"/reviews/{uuid4()}/file")).status_code == 404

    store = build_event_store()
    owner_id = UUID(org.owner_info["user_id"])
    async with org.database.transaction(UUID(org.owner_info["organisation_id"])) as tx:
        recorded = await store.read_stream(tx, access_stream(owner_id))
    shown_files = [e.data for e in recorded if e.event_type == "audits.CertificateDownloaded"]
    assert [d["certificate_id"] for d in shown_files] == [uploaded.certificate_id]


async def test_each_reason_shows_the_words_on_the_certificate_that_caused_it(
    org: ReviewOrg,
) -> None:
    _, uploaded = await upload_for_member(org, "altered_credits")
    printed = certificate_sample(forgery="altered_credits").truth
    item = (await org.owner.get("/api/v1/reviews")).json()["items"][0]
    reasons = item["certificate"]["reasons"]
    assert item["certificate"]["certificate_id"] == uploaded.certificate_id
    [raised] = [r for r in reasons if r["code"] == "credits_mismatch"]
    assert f"{printed.credits.normalize():f}" in raised["evidence"]  # the line it was read from
    assert all(r["evidence"] for r in reasons), reasons

    page = await org.owner.get(f"/reviews/{uploaded.certificate_id}")
    assert page.status_code == 200, page.text
    for reason in reasons:
        assert f"On the certificate: <q>{html.escape(reason['evidence'])}</q>" in page.text
    queue = await org.owner.get("/reviews")
    assert f"<q>{html.escape(raised['evidence'])}</q>" in queue.text


async def test_rejecting_in_the_portal_asks_first_and_the_fields_go_back_as_shown(
    org: ReviewOrg,
) -> None:
    employee, uploaded = await upload_for_member(org, "altered_credits")
    path = f"/reviews/{uploaded.certificate_id}"
    shown = await org.owner.get(path)
    assert shown.status_code == 200, shown.text
    form = dict(
        re.findall(
            r'<input id="review-[\w-]+" name="(\w+)" type="text" value="([^"]*)"', shown.text
        )
    )
    assert "completed_on" in form
    assert not re.search(r"\d{4}-\d\d-\d\d", form["completed_on"]), "shown as pages print days"
    sent = {**form, "decision": "reject", "reason": "the credits on this copy were altered"}

    asked = await org.owner.post(path, data=sent, follow_redirects=False)
    assert asked.status_code == 200, asked.text
    assert "Reject this certificate?" in asked.text
    assert "Yes, reject" in asked.text
    assert await credit_status(employee, uploaded) == "needs_review"

    rejected = await org.owner.post(path, data={**sent, "confirmed": "yes"}, follow_redirects=False)
    assert rejected.status_code == 303, rejected.text
    assert await credit_status(employee, uploaded) == "rejected"
    certificate = (await org.owner.get(f"/api/v1/certificates/{uploaded.certificate_id}")).json()
    kept = certificate["certificate"]
    read = (kept.get("correction") or {}).get("fields_as_read") or kept["fields"]
    for day in ("completed_on", "activity_date"):
        assert kept["fields"][day] == read[day], "the days went back unchanged"
