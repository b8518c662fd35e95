"""The audit bundle over HTTP: who may download it, what it holds, and the offline verification
script of docs/audit-verification.md run on a real bundle, intact and tampered with."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import subprocess
import zipfile
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient
from pypdf import PdfReader

from services.core.settings import Settings
from tests.certificate_files import pdf, png
from tests.documented_scripts import documented_script, run_script
from tests.e2e.conftest import Org, connected_client, sign_up
from tests.e2e.test_people import CREDIT, own_record

pytestmark = pytest.mark.e2e
BUNDLE = "/api/v1/audit/bundle"
GUIDE = {"index.csv", "index.html", "README.txt", "verify_bundle.py"}
CERTIFICATE_PDF, CERTIFICATE_PNG = pdf("Nia Okafor, carotid duplex"), png()


class BundleOrg(Org):
    blob_dir: Path


@pytest.fixture
async def org(migrated: Settings, tmp_path: Path) -> AsyncIterator[BundleOrg]:
    """An organisation whose app keeps certificate files in a directory of this test."""
    settings = msgspec.structs.replace(migrated, blob_dir=str(tmp_path / "blobs"))
    async with AsyncExitStack() as stack:
        organisation = BundleOrg(stack, settings)
        organisation.blob_dir = tmp_path / "blobs"
        await organisation.open()
        yield organisation


@dataclass
class Audited:
    """An organisation with an employee's credit and certificates (the PDF also uploaded for
    a colleague), and the bundle its auditor downloaded."""

    org: BundleOrg
    auditor: AsyncTestClient[Any]
    auditor_id: str
    person_id: str
    pdf_sha: str
    png_sha: str
    bundle: bytes

    @property
    def files(self) -> dict[str, bytes]:
        with zipfile.ZipFile(io.BytesIO(self.bundle)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}

    @property
    def manifest(self) -> dict[str, Any]:
        return dict(json.loads(self.files["manifest.json"]))


@pytest.fixture
async def audited(org: BundleOrg) -> Audited:
    employee, _ = await org.member("employee")
    auditor, auditor_me = await org.member("auditor")
    person_id = await own_record(employee)
    recorded = await employee.post(f"/api/v1/people/{person_id}/credits", json=CREDIT)
    assert recorded.status_code == 201, recorded.text
    pdf_sha = await upload(
        employee,
        person_id,
        CERTIFICATE_PDF,
        "carotid-duplex.pdf",
        credit_id=recorded.json()["credit"]["credit_id"],
    )
    png_sha = await upload(employee, person_id, CERTIFICATE_PNG)
    colleague = await org.owner.post("/api/v1/people", json={"full_name": "Ines Brandt"})
    assert await upload(org.owner, colleague.json()["person_id"], CERTIFICATE_PDF) == pdf_sha
    return Audited(
        org=org,
        auditor=auditor,
        auditor_id=auditor_me["user_id"],
        person_id=person_id,
        pdf_sha=pdf_sha,
        png_sha=png_sha,
        bundle=await download(auditor),
    )


@pytest.fixture
def verify(tmp_path: Path) -> Any:
    """Runs the documented script on bundle bytes; returns the finished process."""
    script = tmp_path / "verify_bundle.py"
    script.write_text(documented_script("Verifying an audit bundle offline"))

    def run(bundle: bytes) -> subprocess.CompletedProcess[str]:
        path = tmp_path / "bundle.zip"
        path.write_bytes(bundle)
        return run_script(script, path)

    return run


async def upload(
    client: AsyncTestClient[Any],
    person_id: str,
    data: bytes,
    name: str = "certificate",
    credit_id: str | None = None,
) -> str:
    sent = await client.post(
        f"/api/v1/people/{person_id}/certificates",
        files={"file": (name, data, "application/octet-stream")},
        data={"credit_id": credit_id} if credit_id else None,
    )
    assert sent.status_code in (200, 201), sent.text
    return str(sent.json()["certificate"]["sha256"])


async def download(client: AsyncTestClient[Any]) -> bytes:
    response = await client.get(BUNDLE)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith('attachment; filename="audit-')
    assert int(response.headers["content-length"]) == len(response.content)
    return response.content


def rezip(files: dict[str, bytes], **replaced: Any) -> bytes:
    """The bundle's files with some replaced (``None``: left out); a replaced ``manifest`` may
    be a dict."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            new = replaced.get(name, data)
            if new is not None:
                archive.writestr(name, json.dumps(new) if isinstance(new, dict) else new)
    return out.getvalue()


def problems(finished: subprocess.CompletedProcess[str]) -> list[str]:
    """The problems the script named (it exits 1 with them)."""
    assert finished.returncode == 1, finished.stdout
    first, *named = finished.stderr.strip().splitlines()
    assert first == "bundle NOT verified:"
    return named


async def test_the_bundle_holds_the_history_every_certificate_a_summary_and_a_manifest(
    audited: Audited,
) -> None:
    files, manifest = audited.files, audited.manifest
    del files["manifest.json"]
    pdf_name = f"certificates/{audited.pdf_sha}.pdf"
    png_name = f"certificates/{audited.png_sha}.png"
    assert set(files) == {"history.jsonl", "summary.pdf", pdf_name, png_name, *GUIDE}
    assert (files[pdf_name], files[png_name]) == (CERTIFICATE_PDF, CERTIFICATE_PNG)
    assert manifest["files"] == {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for name, data in files.items()
    }
    assert manifest["tenant_id"] == audited.org.owner_info["organisation_id"]
    assert (manifest["format_version"], manifest["missing_certificates"]) == (1, [])

    history = [json.loads(line) for line in files["history.jsonl"].decode().splitlines()]
    head = manifest["chain"]
    assert [e["seq"] for e in history] == list(range(1, head["head_seq"] + 1))
    assert head["verified_through_seq"] == head["head_seq"]
    export = history[-1]
    assert (export["event_type"], export["hash"]) == (
        "audits.AuditBundleExported",
        head["head_hash"],
    )
    assert export["data"]["user_id"] == audited.auditor_id
    timeline = (await audited.auditor.get("/api/v1/audit/events?limit=500")).json()["events"]
    assert [e["hash"] for e in timeline[: len(history)]] == [e["hash"] for e in history]

    pages = PdfReader(io.BytesIO(files["summary.pdf"])).pages
    summary = " ".join(" ".join(page.extract_text().split()) for page in pages)
    assert f"Verified up to event {head['head_seq']}" in summary
    for text in (
        "Riverside Imaging",
        "Nia Okafor",
        "Ines Brandt",
        "Nia Okafor: ARDMS on track (deadline",
        "People by standing: on track 1",
    ):
        assert text in summary


async def test_the_index_names_every_person_credit_and_certificate_file_it_holds(
    audited: Audited,
) -> None:
    files = audited.files
    rows = list(csv.DictReader(io.StringIO(files["index.csv"].decode())))
    listed = {row["file"] for row in rows if row["file"]}
    assert listed == {name for name in files if name.startswith("certificates/")}
    for row in rows:
        if row["file"]:
            sha = hashlib.sha256(files[row["file"]]).hexdigest()
            assert row["file"].startswith(f"certificates/{sha}.")
    assert [
        (r["person"], r["activity"], r["completed"], r["credits"], r["uploaded_as"], r["file"])
        for r in rows
    ] == [
        ("Ines Brandt", "", "", "", "certificate", f"certificates/{audited.pdf_sha}.pdf"),
        (
            "Nia Okafor",
            CREDIT["title"],
            "2 Oct 2026",
            "1.25",
            "carotid-duplex.pdf",
            f"certificates/{audited.pdf_sha}.pdf",
        ),
        ("Nia Okafor", "", "", "", "certificate", f"certificates/{audited.png_sha}.png"),
    ]
    assert rows[1]["check"] in {"Awaiting check", "Verified", "Needs review"}
    html = files["index.html"].decode()
    assert sorted(set(re.findall(r'href="([^"]+)"', html))) == sorted(listed)
    assert "Nia Okafor" in html
    assert "Ines Brandt" in html
    readme = files["README.txt"].decode()
    head = audited.manifest["chain"]
    assert f"event {head['head_seq']},\nchain head {head['head_hash']}" in readme
    assert "python3 verify_bundle.py audit-bundle-" in readme
    script = documented_script("Verifying an audit bundle offline")
    assert files["verify_bundle.py"].decode() == script


async def test_the_documented_script_verifies_an_intact_bundle(
    audited: Audited, verify: Any
) -> None:
    head = audited.manifest["chain"]
    intact = verify(audited.bundle)
    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.strip() == (
        f"bundle verified: 8 files, chain intact to seq {head['head_seq']},"
        f" head {head['head_hash']}"
    )


async def test_the_script_names_a_tampered_event_line(audited: Audited, verify: Any) -> None:
    files, manifest = audited.files, audited.manifest
    lines = files["history.jsonl"].decode().splitlines()
    [at] = [i for i, line in enumerate(lines) if '"credits.CreditRecorded"' in line]
    event = json.loads(lines[at])
    event["data"]["details"]["credits"] = "12"
    lines[at] = json.dumps(event)
    history = ("\n".join(lines) + "\n").encode()
    broken = f"history.jsonl: the chain breaks at seq {event['seq']}"

    assert problems(verify(rezip(files, **{"history.jsonl": history}))) == [
        "history.jsonl: does not match its hash in the manifest",
        broken,
    ]
    # sealing the altered file into the manifest does not help: the chain still breaks
    manifest["files"]["history.jsonl"] = {
        "sha256": hashlib.sha256(history).hexdigest(),
        "size": len(history),
    }
    resealed = rezip(files, **{"history.jsonl": history, "manifest.json": manifest})
    assert problems(verify(resealed)) == [broken]


async def test_the_script_names_a_tampered_certificate_file(audited: Audited, verify: Any) -> None:
    name = f"certificates/{audited.pdf_sha}.pdf"
    forged = CERTIFICATE_PDF.replace(b"Nia Okafor", b"Mia Okafor")
    assert problems(verify(rezip(audited.files, **{name: forged}))) == [
        f"{name}: does not match its hash in the manifest",
        f"{name}: content does not match the hash in its name",
    ]


async def test_the_script_names_a_missing_file(audited: Audited, verify: Any) -> None:
    name = f"certificates/{audited.png_sha}.png"
    assert problems(verify(rezip(audited.files, **{name: None}))) == [
        f"{name}: missing from the bundle",
        f"certificate {audited.png_sha}: uploaded in the history but not in the bundle",
    ]


async def test_an_employee_may_not_download_the_bundle(org: BundleOrg) -> None:
    employee, _ = await org.member("employee")
    refused = await employee.get(BUNDLE)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    exports = await org.owner.get("/api/v1/audit/events?event_type=audits.AuditBundleExported")
    assert exports.json()["events"] == []
    assert (await org.owner.get(BUNDLE)).status_code == 200


async def test_a_bundle_holds_nothing_of_another_organisation(
    audited: Audited, stack: AsyncExitStack
) -> None:
    other = await stack.enter_async_context(connected_client(audited.org.settings))
    other_info = await sign_up(other, organisation_name="Lakeside Cardiology")
    with zipfile.ZipFile(io.BytesIO(await download(other))) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    assert set(files) == {"history.jsonl", "summary.pdf", "manifest.json", *GUIDE}
    history = [json.loads(line) for line in files["history.jsonl"].splitlines()]
    assert {e["tenant_id"] for e in history} == {other_info["organisation_id"]}
    pages = PdfReader(io.BytesIO(files.pop("summary.pdf"))).pages
    text = " ".join(page.extract_text() for page in pages).encode()
    mine = audited.org.owner_info
    secrets = [mine["organisation_id"], mine["slug"], audited.person_id, audited.pdf_sha]
    for data in (*files.values(), text):
        assert [s for s in [*secrets, "Riverside", "Nia Okafor"] if s.encode() in data] == []


async def test_a_certificate_missing_from_storage_is_listed_and_fails_verification(
    audited: Audited, verify: Any
) -> None:
    [stored] = [p for p in audited.org.blob_dir.rglob(audited.png_sha) if p.is_file()]
    stored.unlink()
    bundle = await download(audited.auditor)
    audited.bundle = bundle
    assert audited.manifest["missing_certificates"] == [audited.png_sha]
    assert f"certificates/{audited.png_sha}.png" not in audited.files
    assert problems(verify(bundle)) == [
        f"certificate {audited.png_sha}: uploaded in the history but not in the bundle"
    ]


async def test_the_index_says_no_certificate_for_a_credit_without_one(audited: Audited) -> None:
    employee, _ = await audited.org.member("employee")
    person_id = await own_record(employee)
    bare = {**CREDIT, "title": "Course with no file"}
    recorded = await employee.post(f"/api/v1/people/{person_id}/credits", json=bare)
    assert recorded.status_code == 201, recorded.text
    with zipfile.ZipFile(io.BytesIO(await download(audited.auditor))) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("index.csv").decode())))
    checks = {row["activity"]: row["check"] for row in rows if row["activity"]}
    assert checks["Course with no file"] == "No certificate"
    assert checks[CREDIT["title"]] in {"Awaiting check", "Verified", "Needs review"}
