"""Certificate files over HTTP: upload (checked by content, size limited, duplicates reported),
list, download (recorded in the history), and who may do which."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import msgspec
import pytest
from httpx import Response
from litestar.testing import AsyncTestClient

from services.core.settings import Settings
from tests.certificate_files import ELF, jpeg, pdf, png
from tests.e2e.conftest import Org, connected_client, sign_up
from tests.e2e.test_people import CREDIT, own_record

pytestmark = pytest.mark.e2e
MAX_UPLOAD = 4096


class CertOrg(Org):
    """An organisation whose app stores blobs in a directory of this test, with a small limit."""

    blob_dir: Path

    def stored_files(self) -> list[Path]:
        return [p for p in self.blob_dir.rglob("*") if p.is_file()]


@pytest.fixture
async def org(migrated: Settings, tmp_path: Path) -> AsyncIterator[CertOrg]:
    settings = msgspec.structs.replace(
        migrated, blob_dir=str(tmp_path / "blobs"), max_upload_bytes=MAX_UPLOAD
    )
    async with AsyncExitStack() as stack:
        organisation = CertOrg(stack, settings)
        organisation.blob_dir = tmp_path / "blobs"
        await organisation.open()
        yield organisation


def certificates(person_id: str) -> str:
    return f"/api/v1/people/{person_id}/certificates"


async def upload(
    client: AsyncTestClient[Any],
    person_id: str,
    data: bytes,
    name: str = "certificate.pdf",
    **fields: str,
) -> Response:
    return await client.post(
        certificates(person_id),
        files={"file": (name, data, "application/octet-stream")},
        data=fields or None,
    )


async def test_an_employee_uploads_lists_and_downloads_a_certificate(org: CertOrg) -> None:
    employee, me = await org.member("employee")
    auditor, _ = await org.member("auditor")
    person_id = await own_record(employee)
    credit_id = (await employee.post(f"/api/v1/people/{person_id}/credits", json=CREDIT)).json()[
        "credit"
    ]["credit_id"]
    data = pdf()

    sent = await upload(employee, person_id, data, "../SVU carotid.pdf", credit_id=credit_id)
    assert sent.status_code == 201, sent.text
    receipt = sent.json()
    certificate = receipt["certificate"]
    assert receipt["duplicate_of"] is None
    assert certificate["sha256"] == hashlib.sha256(data).hexdigest()
    assert (certificate["media_type"], certificate["size_bytes"]) == ("application/pdf", len(data))
    assert (certificate["credit_id"], certificate["filename"]) == (credit_id, "SVU carotid.pdf")
    [stored] = org.stored_files()
    assert stored.name == certificate["sha256"]
    assert stored.relative_to(org.blob_dir).parts[0] == org.owner_info["organisation_id"]

    listed = (await employee.get(certificates(person_id))).json()
    assert [c["certificate_id"] for c in listed] == [certificate["certificate_id"]]

    path = f"{certificates(person_id)}/{certificate['certificate_id']}/file"
    fetched = await employee.get(path)
    assert fetched.status_code == 200
    assert fetched.content == data
    assert fetched.headers["content-type"].startswith("application/pdf")
    assert fetched.headers["content-disposition"].startswith("attachment;")
    assert fetched.headers["x-content-type-options"] == "nosniff"

    recorded = (
        await auditor.get("/api/v1/audit/events?event_type=audits.CertificateDownloaded")
    ).json()["events"]
    assert [(e["data"]["certificate_id"], e["data"]["user_id"]) for e in recorded] == [
        (certificate["certificate_id"], me["user_id"])
    ]


async def test_the_same_file_again_reports_the_existing_certificate(org: CertOrg) -> None:
    employee, _ = await org.member("employee")
    admin, _ = await org.member("admin")
    person_id = await own_record(employee)
    first = (await upload(employee, person_id, png(), "scan.png")).json()["certificate"]

    again = await admin.post(
        certificates(person_id), files={"file": ("renamed.png", png(), "image/png")}
    )
    assert again.status_code == 200, again.text
    assert again.json()["duplicate_of"] == first["certificate_id"]
    assert again.json()["certificate"]["filename"] == "scan.png"
    assert len(org.stored_files()) == 1

    other = await upload(admin, person_id, jpeg(), "photo.jpg")
    assert other.status_code == 201, other.text
    assert other.json()["certificate"]["media_type"] == "image/jpeg"
    assert len((await employee.get(certificates(person_id))).json()) == 2


@pytest.mark.parametrize(
    ("data", "name", "status", "problem"),
    [
        (pdf(padding=MAX_UPLOAD), "big.pdf", 413, "file_too_large"),
        (pdf(padding=200 * 1024), "huge.pdf", 413, None),
        (ELF, "certificate.pdf", 415, "unsupported_file_type"),
        (pdf()[:-20], "cut.pdf", 422, "truncated_file"),
        (b"", "empty.pdf", 422, "empty_file"),
    ],
    ids=["over-limit", "over-body-limit", "renamed-executable", "truncated-pdf", "empty"],
)
async def test_a_refused_upload_is_a_clear_problem_and_stores_nothing(
    org: CertOrg, data: bytes, name: str, status: int, problem: str | None
) -> None:
    employee, _ = await org.member("employee")
    person_id = await own_record(employee)
    response = await upload(employee, person_id, data, name)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]
    if problem:
        assert response.json()["type"].endswith(problem)
    assert (await employee.get(certificates(person_id))).json() == []
    assert org.stored_files() == []


async def test_a_credit_of_someone_else_cannot_be_linked(org: CertOrg) -> None:
    employee, _ = await org.member("employee")
    person_id = await own_record(employee)
    someone = (await org.owner.post("/api/v1/people", json={"full_name": "Sam Reyes"})).json()
    credit_id = (
        await org.owner.post(f"/api/v1/people/{someone['person_id']}/credits", json=CREDIT)
    ).json()["credit"]["credit_id"]
    response = await upload(employee, person_id, pdf(), credit_id=credit_id)
    assert response.status_code == 404, response.text
    assert org.stored_files() == []


async def test_employees_reach_only_their_own_certificates(org: CertOrg) -> None:
    employee, _ = await org.member("employee")
    colleague, _ = await org.member("employee")
    theirs = await own_record(colleague, name="Sam Reyes")
    certificate_id = (await upload(colleague, theirs, pdf())).json()["certificate"][
        "certificate_id"
    ]
    assert (await upload(employee, theirs, pdf("mine"))).status_code == 403
    assert (await employee.get(certificates(theirs))).status_code == 403
    download = f"{certificates(theirs)}/{certificate_id}/file"
    assert (await employee.get(download)).status_code == 403
    assert len(org.stored_files()) == 1


async def test_auditors_list_and_download_but_never_upload(org: CertOrg) -> None:
    employee, _ = await org.member("employee")
    auditor, _ = await org.member("auditor")
    person_id = await own_record(employee)
    certificate_id = (await upload(employee, person_id, pdf())).json()["certificate"][
        "certificate_id"
    ]
    assert (await auditor.get(certificates(person_id))).status_code == 200
    fetched = await auditor.get(f"{certificates(person_id)}/{certificate_id}/file")
    assert (fetched.status_code, fetched.content) == (200, pdf())
    refused = await upload(auditor, person_id, png())
    assert refused.status_code == 403
    assert len(org.stored_files()) == 1


async def test_another_organisation_gets_404_for_every_certificate_path(
    org: CertOrg, migrated: Settings
) -> None:
    employee, _ = await org.member("employee")
    person_id = await own_record(employee)
    certificate_id = (await upload(employee, person_id, pdf())).json()["certificate"][
        "certificate_id"
    ]
    async with connected_client(org.settings) as intruder:
        await sign_up(intruder, organisation_name="Intruder Imaging")
        await own_record(intruder, name="Intruder")
        for response in [
            await intruder.get(certificates(person_id)),
            await intruder.get(f"{certificates(person_id)}/{certificate_id}/file"),
            await upload(intruder, person_id, png()),
        ]:
            assert response.status_code == 404, response.text
            assert "certificate.pdf" not in response.text
        mine = (await intruder.get("/api/v1/people")).json()
    assert len(org.stored_files()) == 1, mine
