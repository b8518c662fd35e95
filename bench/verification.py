"""Certificate verification benchmark: the worker's pipeline (read the file, find the fields,
look the provider up, assess against the person and the declared credit) on three sets of
generated certificates, reported apart and printed as JSON.

    .venv/bin/python -m bench.verification [--set old|development|heldout|all]
        [--per-layout 4] [--limit N] [--seed 7] [--keep DIR] [--verbose] [--child] [--reasons]

Sets:

- ``old``: the corpus the reader was built with (``tests/fixtures/certificates``), genuine and
  forged. Expected outcomes: genuine ones verified where a body accepts their credit type, and
  so are those of a provider missing from the directory (their accreditor's statement vouches
  for them; the absence is only noted); a certificate made out to someone else rejected; other
  forgeries to review.
- ``development`` and ``heldout``: the independent generator (``tests/fixtures/certificates_wild``),
  its layouts split by a frozen list. Reader changes may be tuned on ``development`` only;
  ``heldout`` is the honest figure.

For each set, in this order: **wrong auto-verifies** (certificates verified that must not be:
the costly error, each named), outcome accuracy with the confusion of expected and found
outcomes, field accuracy per format and per field (strings compared without case, accents,
spacing and dash styles; the completion date is the activity's last day; credits in contact
hours), and seconds per file per format (wall time, median and p95; text PDFs also as files/s).
The readers are imported before the first file is timed, as the worker's fork server does
(``process.PRELOADED``). In-process (without ``--child``) each file's processor time (this
process and the tesseract runs it waited for) is reported beside the wall time: on a shared
machine it shows the work, the wall time the load too.
``--limit N`` makes and reads at most N files of each format of each set, spread over the
layouts (on the old set: one genuine and one forged sample of evenly chosen layouts).
With ``--child`` each file is read by a reader process, as the worker does. ``--reasons`` adds
how often each review reason held up a certificate that should have verified (a certificate
counts once per reason it got).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import resource
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from domain.compliance.cycles import Window
from domain.credits.certificate import MediaType
from domain.credits.credit import CreditDetails
from domain.credits.verification import (
    ExtractedFields,
    Outcome,
    Thresholds,
    assess,
    judge_acceptance,
)
from domain.people.credentials import Body
from services.core.directory.lookup import DirectoryLookup
from services.core.reading import process as reading_process
from services.core.reading.process import Reading, read_in_child
from tests.fixtures.certificates import KINDS, Sample, build_corpus, save_corpus
from tests.fixtures.certificates.layouts import LAYOUTS as OLD_LAYOUTS
from tests.fixtures.certificates.score import field_matches
from tests.fixtures.certificates_wild import SETS, Case, save_cases
from tests.fixtures.certificates_wild.corpus import make_case, plan

TARGETS = {
    "heldout_wrong_auto_verifies": 0,
    "heldout_outcome_accuracy": 0.90,
    "heldout_field_accuracy": {"text_pdf": 0.97, "scan": 0.90, "photo": 0.80},
    "text_pdfs_per_s": 50,
    "ocr_seconds_per_file": {"median": 2.0, "p95": 4.0},
}
SCORED = (
    "participant_name",
    "title",
    "provider",
    "completion_date",
    "credits",
    "credit_types",
    "certificate_number",
    "approval_number",
)
OLD_FORMATS = {"text_pdf": "text_pdf", "scanned_pdf": "scan", "photo": "photo"}
BODIES: tuple[Body, ...] = ("ARDMS", "ARRT", "CCI")


@dataclass(frozen=True)
class Item:
    """One file to judge, from either generator."""

    sample_id: str
    format: str
    media_type: MediaType
    data: bytes
    printed: ExtractedFields
    person_name: str
    bodies: tuple[Body, ...]
    declared: CreditDetails | None
    today: date
    """The upload day, as of which the certificate is judged."""
    window: tuple[date, date]
    """The CE window of the holder's bodies open on ``today``."""
    expected: Outcome
    scenario: str


def _wild(case: Case) -> Item:
    """The case as it is (the fields share their names), judged as of its upload day."""
    shared = {f.name: getattr(case, f.name) for f in fields(Item) if f.name != "today"}
    return Item(**shared, today=case.uploaded_on)


def _old(sample: Sample) -> Item:
    """An old-corpus sample with the outcome its forgery calls for (see the module docstring),
    uploaded 30 days after the declared completion by a holder of every body, whose CE window
    runs a year either side of it."""
    declared = sample.declared
    completed = declared.completion_date or date(2026, 1, 1)
    details = None
    if declared.title and declared.provider and declared.credits is not None:
        details = CreditDetails(
            title=declared.title,
            provider=declared.provider,
            accrediting_organisation="",
            credit_types=declared.credit_types,
            completed_on=completed,
            credits=declared.credits,
        )
    accepted = any(
        a.accepted
        for a in judge_acceptance(
            sample.truth, bodies=BODIES, activity_kind="standard", on=completed
        )
    )
    expected: Outcome = "needs_review"
    if sample.forgery == "wrong_name":
        expected = "rejected"
    elif sample.forgery in (None, "unknown_provider") and accepted:
        expected = "verified"  # a provider missing from the directory is only noted
    return Item(
        sample_id=sample.sample_id,
        format=OLD_FORMATS[sample.kind],
        media_type=sample.media_type,
        data=sample.data,
        printed=sample.truth,
        person_name=declared.participant_name or "",
        bodies=BODIES,
        declared=details,
        today=completed + timedelta(days=30),
        window=(completed - timedelta(days=365), completed + timedelta(days=365)),
        expected=expected,
        scenario=sample.forgery or "genuine",
    )


def read(item: Item, child: bool) -> Reading:
    """What the worker reads off ``item``'s file: how, the fields found and what the file shows
    of alteration."""
    if child:
        return asyncio.run(read_in_child(item.data, item.media_type, limit_s=240))
    return reading_process.read(item.data, item.media_type)


def _processor_seconds() -> float:
    """Processor time of this process and of the children it waited for (tesseract)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def judge(
    item: Item, child: bool, directory: DirectoryLookup
) -> tuple[Outcome, ExtractedFields, list[str], float, float]:
    """The outcome, the fields found, the review reasons, and the wall and processor seconds
    of one file."""
    started, processor = time.perf_counter(), _processor_seconds()
    read_off = read(item, child)
    reading, fields = read_off.text, read_off.fields
    provider = asyncio.run(directory.find(fields.provider)) if fields.provider else None
    window = Window(start=item.window[0], end=item.window[1])
    assessment = assess(
        reading,
        fields,
        declared=item.declared,
        person_name=item.person_name,
        bodies=item.bodies,
        provider=provider,
        thresholds=Thresholds(),
        uploaded_on=item.today,
        windows=dict.fromkeys(item.bodies, (window,)),
        signals=read_off.signals,
    )
    reasons: list[str] = [reason.code for reason in assessment.reasons]
    wall = time.perf_counter() - started
    return assessment.outcome, fields, reasons, wall, _processor_seconds() - processor


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median": round(statistics.median(ordered), 3),
        "p95": round(ordered[max(0, round(len(ordered) * 0.95) - 1)], 3),
        "max": round(ordered[-1], 3),
    }


def _value(fields: ExtractedFields, name: str) -> object:
    return getattr(fields, name)


T = TypeVar("T")


def _limited(items: list[T], limit: int | None, format_of: Callable[[T], str]) -> list[T]:
    """At most ``limit`` of ``items`` of each format, taken evenly across the list."""
    if limit is None:
        return items
    chosen = []
    for fmt in dict.fromkeys(map(format_of, items)):
        of_format = [item for item in items if format_of(item) == fmt]
        step = max(1, len(of_format) / limit)
        chosen += [of_format[int(k * step)] for k in range(min(limit, len(of_format)))]
    return chosen


def measure(
    items: Iterable[Item], child: bool, verbose: bool, reasons_shown: bool = False
) -> dict[str, Any]:
    """The report of one set (see the module docstring)."""
    directory = DirectoryLookup()
    wrong_verifies: list[str] = []
    outcomes: Counter[str] = Counter()
    held_up: Counter[str] = Counter()
    right = 0
    total = 0
    scored: dict[str, Counter[str]] = defaultdict(Counter)
    correct: dict[str, Counter[str]] = defaultdict(Counter)
    seconds: dict[str, list[float]] = defaultdict(list)
    processor_seconds: dict[str, list[float]] = defaultdict(list)
    for name in reading_process.PRELOADED:
        importlib.import_module(name)
    for item in items:
        found, fields, reasons, wall, processor = judge(item, child, directory)
        total += 1
        right += found == item.expected
        outcomes[f"{item.expected} -> {found}"] += 1
        if found == "verified" and item.expected != "verified":
            wrong_verifies.append(f"{item.sample_id} ({item.scenario})")
        if item.expected == "verified" and found != "verified":
            held_up.update(set(reasons))
        seconds[item.format].append(wall)
        processor_seconds[item.format].append(processor)
        for name in SCORED:
            verdict = field_matches(name, _value(fields, name), _value(item.printed, name))
            if verdict is None:
                continue
            scored[item.format][name] += 1
            correct[item.format][name] += verdict
            if verbose and not verdict:
                print(
                    f"{item.sample_id} {name}: found {_value(fields, name)!r}, "
                    f"printed {_value(item.printed, name)!r}",
                    file=sys.stderr,
                )
        if verbose and found != item.expected:
            print(
                f"{item.sample_id}: {found} (expected {item.expected}) {reasons}", file=sys.stderr
            )
    fields_report = {}
    for fmt, counts in scored.items():
        fields_report[fmt] = {
            "accuracy": round(sum(correct[fmt].values()) / sum(counts.values()), 4),
            "per_field": {name: round(correct[fmt][name] / n, 3) for name, n in counts.items()},
        }
    per_field = {
        name: round(sum(correct[f][name] for f in scored) / sum(scored[f][name] for f in scored), 3)
        for name in SCORED
        if any(scored[f][name] for f in scored)
    }
    speed = {fmt: _percentiles(values) for fmt, values in seconds.items()}
    if seconds.get("text_pdf"):
        speed["text_pdf"]["files_per_s"] = round(
            len(seconds["text_pdf"]) / sum(seconds["text_pdf"]), 1
        )
    processor_report = (
        {}
        if child
        else {
            "processor_seconds_per_file": {
                fmt: _percentiles(values) for fmt, values in processor_seconds.items()
            }
        }
    )
    shown = {"reasons_holding_up_verifies": dict(held_up.most_common())} if reasons_shown else {}
    return {
        "files": total,
        "wrong_auto_verifies": len(wrong_verifies),
        "wrong_auto_verified_files": wrong_verifies,
        "outcome_accuracy": round(right / total, 4) if total else None,
        "outcomes_expected_to_found": dict(sorted(outcomes.items())),
        "field_accuracy": fields_report,
        "field_accuracy_per_field": per_field,
        "seconds_per_file": speed,
        **processor_report,
        **shown,
    }


def build(name: str, args: argparse.Namespace) -> list[Item]:
    """The files of set ``name``, at most ``--limit`` per format (only those are made)."""
    if name == "old":
        if args.limit is None:
            samples = build_corpus(args.seed, 3, KINDS, forged_per_layout=2)
        else:  # one genuine and one forged sample of evenly chosen layouts
            chosen = OLD_LAYOUTS[:: max(1, len(OLD_LAYOUTS) // args.limit)]
            samples = build_corpus(args.seed, 1, KINDS, forged_per_layout=1, layouts=chosen)
            samples = _limited(samples, args.limit, lambda sample: sample.kind)
        if args.keep:
            save_corpus(samples, args.keep / name)
        return [_old(sample) for sample in samples]
    slots = _limited(plan(SETS[name], args.per_layout), args.limit, lambda slot: slot[1])
    cases = [make_case(args.seed, *slot) for slot in slots]
    if args.keep:
        save_cases(cases, args.keep / name)
    return [_wild(case) for case in cases]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("old", "development", "heldout", "all"), default="all")
    parser.add_argument(
        "--per-layout", type=int, default=4, help="wild samples per layout and format"
    )
    parser.add_argument("--limit", type=int, help="read at most N files per format of each set")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="also write the files and their truth here")
    parser.add_argument("--verbose", action="store_true", help="list every wrong field and outcome")
    parser.add_argument("--child", action="store_true", help="read in a child process per file")
    parser.add_argument(
        "--reasons",
        action="store_true",
        help="count the review reasons of certificates that should have verified",
    )
    args = parser.parse_args()

    names = ("old", "development", "heldout") if args.set == "all" else (args.set,)
    report: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()}}
    for name in names:
        started = time.perf_counter()
        items = build(name, args)
        print(
            f"  {name}: {len(items)} files made in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        report[name] = measure(items, args.child, args.verbose, args.reasons)
        print(
            f"  {name}: wrong auto-verifies {report[name]['wrong_auto_verifies']}, "
            f"outcome accuracy {report[name]['outcome_accuracy']}",
            file=sys.stderr,
        )
    report["machine"]["load_average_after"] = os.getloadavg()
    report["targets"] = TARGETS
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
