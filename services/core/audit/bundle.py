"""The audit bundle: one ZIP holding an organisation's whole record, which an auditor takes away
and verifies offline (docs/audit-verification.md, "Verifying an audit bundle offline").

Contents (``FORMAT_VERSION`` 1):
- ``history.jsonl``: every event of the tenant in ``seq`` order, one ``export_line`` each (the
  fields the chain hashes, plus ``hash``), ending with the bundle's own ``AuditBundleExported``;
- ``certificates/<sha256>.<ext>``: every certificate file the history uploads, once per content;
- ``summary.pdf``: the organisation, the period the history covers, counts by status and body,
  the chain status ("verified up to event N at T") and every person's standing;
- ``index.csv`` and ``index.html``: every person with their credits and certificate files by
  name (the HTML links each file), read from the read models when the bundle is written;
- ``README.txt`` and ``verify_bundle.py``: what is inside and the offline check of
  docs/audit-verification.md (a unit test holds the script to the documented one);
- ``manifest.json``: tenant, generation time, the chain head (the export event), the SHA-256 and
  size of every other file, the format version, and certificates the blob store could not give.

The export is recorded (and committed) first; the history is then read through that event in
pages of short transactions (events never change, so the pages are consistent). The ZIP is
written to a spooled temporary file (memory up to ``SPOOL_BYTES``, then disk), history page by
page and certificate files chunk by chunk, so a large tenant is never held in memory whole.
Statuses in the summary are those of the read models when it is written.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, NamedTuple
from uuid import UUID

import msgspec

from domain import vocabulary
from domain.audits.exports import AuditBundleExported
from domain.compliance.standing import Standing
from domain.compliance.status import STATUS_TEXT, STATUSES, Status
from domain.credits.certificate import EXTENSIONS, CertificateUploaded, MediaType
from domain.shared.event import event_tag
from services.core.audit.exports import record_export
from services.core.blobs import BlobNotFound, BlobStore, blob_key
from services.core.credits import views
from services.core.csv_export import csv_text
from services.core.db import Database, Tx
from services.core.documents import PdfDocument, moment_text
from services.core.eventsourcing.chain import format_timestamp
from services.core.eventsourcing.chain_check import ChainWalk, export_line
from services.core.eventsourcing.store import EventStore, Metadata, RecordedEvent, read_history
from services.core.mail_templates import credits_text, day_text, environment
from services.core.people import queries

FORMAT_VERSION = 1
SPOOL_BYTES = 8 * 1024 * 1024
PAGE_EVENTS = 2_000
HISTORY = "history.jsonl"
SUMMARY = "summary.pdf"
MANIFEST = "manifest.json"
INDEX_CSV = "index.csv"
INDEX_HTML = "index.html"
README = "README.txt"
SCRIPT = "verify_bundle.py"
TEMPLATES = Path(__file__).parents[1] / "templates" / "bundle"
SCRIPT_SOURCE = TEMPLATES / "verify_bundle.py.txt"
INDEX_COLUMNS = (
    "person",
    "employee_number",
    "department",
    "site",
    "activity",
    "completed",
    "credits",
    "check",
    "uploaded_as",
    "file",
)
_ENV = environment(TEMPLATES)
_UPLOADED = event_tag(CertificateUploaded)


class Bundle(NamedTuple):
    file: IO[bytes]
    """The ZIP, positioned at its start; the caller closes it (which deletes it)."""
    size: int
    filename: str
    manifest: dict[str, Any]


class _Entry:
    """A file being written into the ZIP, hashed and counted as it goes."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream, self.digest, self.size = stream, hashlib.sha256(), 0

    def write(self, chunk: bytes) -> None:
        self.digest.update(chunk)
        self.size += len(chunk)
        self.stream.write(chunk)


class _BundleZip:
    """The ZIP being written, with the SHA-256 and size of every file written so far."""

    def __init__(self, target: IO[bytes], generated_at: datetime) -> None:
        self.zip = zipfile.ZipFile(target, "w")
        self.date_time = generated_at.timetuple()[:6]
        self.files: dict[str, dict[str, Any]] = {}

    @contextmanager
    def entry(self, name: str, *, compress: bool) -> Iterator[_Entry]:
        info = zipfile.ZipInfo(name, date_time=self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        with self.zip.open(info, "w", force_zip64=True) as stream:
            entry = _Entry(stream)
            yield entry
        self.files[name] = {"sha256": entry.digest.hexdigest(), "size": entry.size}

    def write(self, name: str, chunks: Iterable[bytes], *, compress: bool) -> None:
        with self.entry(name, compress=compress) as entry:
            for chunk in chunks:
                entry.write(chunk)


class _History(NamedTuple):
    walk: ChainWalk
    certificates: dict[str, MediaType]
    """Content hash -> media type of every certificate file the history uploads."""
    first_at: datetime
    last_at: datetime
    last_seq: int


async def build_bundle(
    database: Database,
    store: EventStore,
    blobs: BlobStore,
    *,
    tenant_id: UUID,
    user_id: UUID,
    now: datetime,
    metadata: Metadata | None = None,
) -> Bundle:
    """Record that ``user_id`` exports the bundle, then write the bundle through that event."""
    async with database.transaction(tenant_id) as tx:
        head = await record_export(
            tx,
            store,
            AuditBundleExported(user_id=user_id, format_version=FORMAT_VERSION),
            metadata=metadata,
        )
        organisation, slug = await tx.pg.fetchrow(
            "SELECT o.name, t.slug FROM organisations o JOIN tenants t USING (tenant_id)"
            " WHERE o.tenant_id = $1",
            tenant_id,
        )
    target = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned)
    try:
        bundle = _BundleZip(target, now)
        history = await _write_history(database, store, tenant_id, head.seq, bundle)
        missing = await asyncio.to_thread(
            _write_certificates, blobs, tenant_id, history.certificates, bundle
        )
        async with database.transaction(tenant_id) as tx:
            standing = await _standing(tx, today=now.date())
        summary = await asyncio.to_thread(
            _summary_pdf, organisation, history, missing, standing, generated_at=now
        )
        bundle.write(SUMMARY, [summary], compress=True)
        async with database.transaction(tenant_id) as tx:
            index = await index_rows(tx, _stored(history.certificates, missing))
        about = {
            "organisation": organisation,
            "made": moment_text(now),
            "head_seq": head.seq,
            "head_hash": head.hash,
        }
        _write_guide(bundle, index, about, bundle_name=_bundle_name(slug, now))
        manifest = {
            "format": "cmeledger-audit-bundle",
            "format_version": FORMAT_VERSION,
            "tenant_id": str(tenant_id),
            "organisation": organisation,
            "generated_at": format_timestamp(now),
            "chain": {
                "head_seq": head.seq,
                "head_hash": head.hash,
                "verified_through_seq": history.walk.checked,
                "first_break": msgspec.to_builtins(history.walk.first_break),
            },
            "files": bundle.files,
            "missing_certificates": missing,
        }
        bundle.write(MANIFEST, [json.dumps(manifest, indent=2).encode()], compress=True)
        bundle.zip.close()
        size = target.tell()
        target.seek(0)
    except BaseException:
        target.close()
        raise
    return Bundle(file=target, size=size, filename=_bundle_name(slug, now), manifest=manifest)


def _bundle_name(slug: str, now: datetime) -> str:
    return f"audit-bundle-{slug}-{now.strftime('%Y%m%dT%H%M%SZ')}.zip"


def certificate_path(sha256: str, media_type: MediaType) -> str:
    """Where a certificate file is in the bundle."""
    return f"certificates/{sha256}{EXTENSIONS[media_type]}"


def _stored(certificates: dict[str, MediaType], missing: list[str]) -> dict[str, str]:
    """Content hash -> path in the bundle of every certificate file it holds."""
    return {
        sha: certificate_path(sha, media_type)
        for sha, media_type in certificates.items()
        if sha not in missing
    }


class IndexRow(msgspec.Struct, frozen=True, kw_only=True):
    """One line of the bundle's index: a person, one of their credits (or none), and one
    certificate file of it (or none), in words."""

    person: str
    employee_number: str = ""
    department: str = ""
    site: str = ""
    activity: str = ""
    completed: str = ""
    credits: str = ""
    check: str = ""
    uploaded_as: str = ""
    file: str = ""


_INDEX_PEOPLE = (
    "SELECT person_id, full_name, employee_number, department, site, active FROM people"
    " WHERE tenant_id = $1 ORDER BY full_name, person_id"
)
_INDEX_CREDITS = (
    "SELECT state::text AS state FROM credits WHERE tenant_id = $1"
    " ORDER BY completed_on, title, credit_id"
)
_INDEX_CERTIFICATES = (
    "SELECT person_id, credit_id, sha256, filename FROM certificates WHERE tenant_id = $1"
    " ORDER BY uploaded_at, certificate_id"
)


async def index_rows(tx: Tx, stored: Mapping[str, str]) -> list[IndexRow]:
    """Every person (by name), each of their credits (by completion day) with each of its
    certificate files, then their certificates not tied to a credit; ``stored`` gives the
    path of each certificate file the bundle holds."""
    tenant = tx.require_tenant()
    credits: dict[UUID, list[views.Credit]] = {}
    for row in await tx.pg.fetch(_INDEX_CREDITS, tenant):
        credit = msgspec.json.decode(row["state"], type=views.Credit)
        credits.setdefault(credit.person_id, []).append(credit)
    files: dict[tuple[UUID, UUID | None], list[tuple[str, str]]] = {}
    for row in await tx.pg.fetch(_INDEX_CERTIFICATES, tenant):
        place = stored.get(row["sha256"], "")
        files.setdefault((row["person_id"], row["credit_id"]), []).append((row["filename"], place))
    rows: list[IndexRow] = []
    for person in await tx.pg.fetch(_INDEX_PEOPLE, tenant):
        who = IndexRow(
            person=person["full_name"] + ("" if person["active"] else " (left the staff)"),
            employee_number=person["employee_number"] or "",
            department=person["department"] or "",
            site=person["site"] or "",
        )
        mine = credits.get(person["person_id"], [])
        found: list[IndexRow] = []
        for credit in mine:
            attached = files.pop((person["person_id"], credit.credit_id), [])
            check = vocabulary.VERIFICATION[
                vocabulary.certificate_state(credit.verification, has_certificate=bool(attached))
            ]
            about = msgspec.structs.replace(
                who,
                activity=credit.details.title,
                completed=day_text(credit.details.completed_on),
                credits=credits_text(credit.details.credits),
                check=check + (" (retracted)" if credit.retracted else ""),
            )
            found += (
                [about]
                if not attached
                else [
                    msgspec.structs.replace(about, uploaded_as=name, file=place)
                    for name, place in attached
                ]
            )
        found += [
            msgspec.structs.replace(who, uploaded_as=name, file=place)
            for key, attached in files.items()
            if key[0] == person["person_id"]
            for name, place in attached
        ]
        rows += found or [who]
    return rows


def _write_guide(
    bundle: _BundleZip, index: list[IndexRow], about: dict[str, Any], *, bundle_name: str
) -> None:
    """The index (CSV, HTML), the README and the offline check script."""
    table = [msgspec.structs.asdict(row) for row in index]
    bundle.write(INDEX_CSV, [csv_text(INDEX_COLUMNS, table).encode()], compress=True)
    html = _ENV.get_template(INDEX_HTML).render(
        about, rows=index, columns=[c.replace("_", " ").capitalize() for c in INDEX_COLUMNS]
    )
    bundle.write(INDEX_HTML, [html.encode()], compress=True)
    readme = _ENV.get_template(README).render(about, bundle_name=bundle_name)
    bundle.write(README, [readme.encode()], compress=True)
    bundle.write(SCRIPT, [SCRIPT_SOURCE.read_bytes()], compress=True)


async def _write_history(
    database: Database, store: EventStore, tenant_id: UUID, through_seq: int, bundle: _BundleZip
) -> _History:
    """Write ``history.jsonl`` through ``through_seq``, checking the chain on the way."""
    walk, certificates = ChainWalk(), {}
    first_at: datetime | None = None
    after = 0
    with bundle.entry(HISTORY, compress=True) as entry:
        while after < through_seq:
            async with database.transaction(tenant_id) as tx:
                page = await read_history(
                    tx, after_seq=after, limit=PAGE_EVENTS, through_seq=through_seq
                )
            if not page:
                break
            await asyncio.to_thread(_write_page, entry, walk, page)
            for event in page:
                if event.event_type == _UPLOADED:
                    uploaded = store.decode(event)
                    assert isinstance(uploaded, CertificateUploaded)
                    certificates[uploaded.sha256] = uploaded.media_type
            first_at = first_at or page[0].recorded_at
            after, last_at = page[-1].seq, page[-1].recorded_at
    assert first_at is not None, "the history holds at least the export event"
    return _History(walk, certificates, first_at, last_at, after)


def _write_page(entry: _Entry, walk: ChainWalk, page: Sequence[RecordedEvent]) -> None:
    entry.write("".join(export_line(event) + "\n" for event in page).encode("utf-8"))
    for event in page:
        walk.add(event)


def _write_certificates(
    blobs: BlobStore, tenant_id: UUID, certificates: dict[str, MediaType], bundle: _BundleZip
) -> list[str]:
    """Copy every certificate file into the bundle (already compressed formats: stored as
    they are); return the hashes the blob store does not have."""
    missing = []
    for sha256, media_type in sorted(certificates.items()):
        try:
            chunks = blobs.open(blob_key(tenant_id, sha256))
        except BlobNotFound:
            missing.append(sha256)
            continue
        bundle.write(certificate_path(sha256, media_type), chunks, compress=False)
    return missing


_PEOPLE = (
    "SELECT person_id, full_name, department, site, active FROM people"
    " WHERE tenant_id = $1 ORDER BY full_name, person_id"
)


class _Standing(NamedTuple):
    """The organisation's counts and every person's standing per body on ``today``."""

    today: date
    summary: queries.OrganisationSummary
    people: list[Any]
    standings: dict[UUID, list[Standing]]


async def _standing(tx: Tx, *, today: date) -> _Standing:
    return _Standing(
        today=today,
        summary=await queries.organisation_summary(tx, today=today),
        people=await tx.pg.fetch(_PEOPLE, tx.require_tenant()),
        standings={
            person_id: found.standings
            for person_id, found in (await queries.standings_on(tx, today=today)).items()
        },
    )


def _summary_pdf(
    organisation: str,
    history: _History,
    missing: list[str],
    standing: _Standing,
    *,
    generated_at: datetime,
) -> bytes:
    walk, summary = history.walk, standing.summary
    doc = PdfDocument()
    doc.text(f"Audit bundle: {organisation}", size=14)
    doc.text(f"Generated {format_timestamp(generated_at)}; statuses as of {standing.today}")
    doc.text(
        f"History: events 1 to {history.last_seq}, recorded from"
        f" {format_timestamp(history.first_at)} to {format_timestamp(history.last_at)}"
    )
    doc.gap()
    doc.text("Chain", size=11)
    if walk.first_break is None:
        doc.text(
            f"Verified up to event {walk.checked} at {format_timestamp(generated_at)},"
            f" head hash {walk.prev}"
        )
    else:
        doc.text(
            f"BROKEN at event {walk.first_break.seq}: {walk.first_break.reason};"
            f" verified up to event {walk.checked}"
        )
    if missing:
        doc.text(f"{len(missing)} certificate file(s) missing from storage: {', '.join(missing)}")
    doc.gap()
    doc.text(f"Staff: {summary.people} active people", size=11)
    doc.text(f"People by standing: {_counts(summary.by_status)}")
    for body, counts in sorted(summary.by_body.items()):
        doc.text(f"{body}: {_counts(counts)}")
    doc.gap()
    doc.text("People", size=11)
    for row in standing.people:
        place = ", ".join(p for p in (row["department"], row["site"]) if p)
        left = "" if row["active"] else " (left the staff)"
        standings = standing.standings.get(row["person_id"], [])
        doc.text(
            f"{row['full_name']}{f' ({place})' if place else ''}{left}:"
            f" {_statuses(standings) or 'no CE obligation'}"
        )
    return bytes(doc.pdf.output())


def _counts(counts: Mapping[Status, int]) -> str:
    return (
        ", ".join(f"{STATUS_TEXT[s].label.lower()} {counts[s]}" for s in STATUSES if s in counts)
        or "none"
    )


def _statuses(standings: list[Standing]) -> str:
    """Each body's standing, with the deadline of the cycle it rests on."""
    return "; ".join(
        f"{s.body} {STATUS_TEXT[s.status].label.lower()}"
        + (f" (deadline {s.deadline})" if s.deadline else "")
        for s in standings
    )
