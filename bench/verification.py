"""Certificate reading benchmark: field accuracy and speed of ``read_certificate`` followed by
``find_fields``, printed as JSON.

    .venv/bin/python -m bench.verification [--per-layout 3] [--forged 2] [--seed 7] [--keep DIR]
        [--child]

Generates the certificate corpus (``tests/fixtures/certificates``): every layout as a text PDF,
a scanned-image PDF and a phone photo, genuine and forged, each with the fields it prints.
Accuracy is per kind, overall and per field, compared as ``tests.fixtures.certificates.score``
says (strings without case, accents, spacing, quote/dash styles, ™/®; dates, amounts and
credit-type sets exactly; a field counts where it is printed or reported). Speed is measured in
this one process, one file at a time: text PDFs per second, and seconds per OCR'd file, both as
wall time and as CPU time (this process plus its tesseract children), median and p95. The load
average is printed too: on shared machines the wall times include waiting for a core. With
``--child`` each file is read as the worker reads it, by a reader process
(``services.core.reading.process``); CPU time is not reported then (the readers are the fork
server's children, not this process's). The worker's throughput on text PDFs is printed next to
its baseline measured in the same run: a new process forked for each file. The field finder's
scaling is printed as seconds per text length (it is linear: twice the text, twice the time).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

import msgspec

from domain.credits.certificate import MediaType
from domain.credits.fields import MAX_TEXT_CHARS
from domain.credits.verification import ExtractedFields
from services.core.reading import process
from services.core.reading.fields import find_fields_in
from services.core.reading.process import read, read_in_child, stop_readers
from services.core.reading.text import read_certificate
from tests.fixtures.certificates import KINDS, Sample, build_corpus, save_corpus
from tests.fixtures.certificates.score import Tally

TARGETS = {
    "text_pdf_accuracy": 0.95,
    "image_accuracy": 0.85,
    "text_pdfs_per_s": 50,
    "ocr_seconds_per_image": 2.0,
    "ocr_seconds_per_image_p95": 4.0,
}


def _cpu_seconds() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median": round(statistics.median(ordered), 3),
        "p95": round(ordered[max(0, round(len(ordered) * 0.95) - 1)], 3),
        "max": round(ordered[-1], 3),
    }


def read_all(
    samples: list[Sample], child: bool = False
) -> list[tuple[ExtractedFields, float, float]]:
    """Each sample's found fields with its wall and CPU seconds; read in a child process (as
    the worker reads) if ``child``."""
    results = []
    for sample in samples:
        wall, cpu = time.perf_counter(), _cpu_seconds()
        if child:
            reading = asyncio.run(read_in_child(sample.data, sample.media_type, limit_s=240))
            fields = reading.fields
        else:
            fields = read(sample.data, sample.media_type).fields
        results.append((fields, time.perf_counter() - wall, _cpu_seconds() - cpu))
    return results


def finder_scaling(sample: str) -> dict[str, float]:
    """Seconds ``find_fields`` takes on ``sample`` repeated to an eighth, a quarter, half and
    all of ``MAX_TEXT_CHARS``."""
    figures = {}
    for share in (8, 4, 2, 1):
        length = MAX_TEXT_CHARS // share
        text = (sample * (length // len(sample) + 1))[:length]
        started = time.perf_counter()
        find_fields_in(text)
        figures[f"{length}_chars"] = round(time.perf_counter() - started, 3)
    return figures


def accuracy(samples: list[Sample], found: list[ExtractedFields], verbose: bool) -> dict:
    tally = Tally()
    for sample, fields in zip(samples, found, strict=True):
        wrong = tally.add(fields, sample.truth)
        if verbose and wrong:
            for name in wrong:
                print(
                    f"{sample.sample_id} {name}: found {getattr(fields, name)!r}, "
                    f"printed {getattr(sample.truth, name)!r}",
                    file=sys.stderr,
                )
    return {
        "samples": len(samples),
        "fields_scored": sum(tally.scored.values()),
        "accuracy": round(tally.accuracy, 4),
        "per_field": {name: round(value, 3) for name, value in tally.per_field().items()},
    }


def text_throughput(samples: list[Sample], rounds: int, child: bool) -> dict[str, float]:
    """Text PDFs read and searched per second, over ``rounds`` passes (after one warm-up)."""
    read_all(samples[:3], child)
    started = time.perf_counter()
    for _ in range(rounds):
        read_all(samples, child)
    elapsed = time.perf_counter() - started
    return {
        "files": len(samples) * rounds,
        "seconds": round(elapsed, 3),
        "files_per_s": round(len(samples) * rounds / elapsed, 1),
    }


def _read_in_new_process(data: bytes, media_type: MediaType) -> None:
    """The baseline: a new process forked from the fork server for each file (as the worker
    read before reader processes were kept), which reads it and ends."""
    receiver, sender = process._processes.Pipe(duplex=False)
    child = process._processes.Process(target=_read_and_send, args=(sender, data, media_type))
    child.start()
    sender.close()
    receiver.recv_bytes()
    child.join()


def _read_and_send(sender: Connection, data: bytes, media_type: MediaType) -> None:
    sender.send_bytes(msgspec.msgpack.encode(read(data, media_type)))


def worker_throughput(samples: list[Sample]) -> dict[str, float]:
    """Text PDFs per second as the worker reads them (``read_in_child``: kept reader
    processes), next to the baseline measured in the same run: a process forked per file."""
    figures = {}
    for name, one in (
        ("fork_per_file", _read_in_new_process),
        ("kept_readers", lambda data, kind: asyncio.run(read_in_child(data, kind, limit_s=60))),
    ):
        one(samples[0].data, samples[0].media_type)  # warm-up: the fork server, a reader
        started = time.perf_counter()
        for sample in samples:
            one(sample.data, sample.media_type)
        figures[f"{name}_files_per_s"] = round(len(samples) / (time.perf_counter() - started), 1)
    stop_readers()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--per-layout", type=int, default=3, help="genuine samples per layout and kind"
    )
    parser.add_argument("--forged", type=int, default=2, help="forged samples per layout and kind")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="also write the corpus and its truth here")
    parser.add_argument("--verbose", action="store_true", help="list every wrong field")
    parser.add_argument("--child", action="store_true", help="read in a child process per file")
    args = parser.parse_args()

    started = time.perf_counter()
    samples = build_corpus(args.seed, args.per_layout, KINDS, forged_per_layout=args.forged)
    print(
        f"  corpus: {len(samples)} files in {time.perf_counter() - started:.0f} s", file=sys.stderr
    )
    if args.keep:
        save_corpus(samples, args.keep)
    report: dict = {"machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()}}
    for kind in KINDS:
        chosen = [sample for sample in samples if sample.kind == kind]
        results = read_all(chosen, args.child)
        report[kind] = accuracy(chosen, [fields for fields, _, _ in results], args.verbose)
        if kind != "text_pdf":
            report[kind]["wall_seconds_per_file"] = _percentiles([wall for _, wall, _ in results])
            if not args.child:
                cpu = [cpu for _, _, cpu in results]
                report[kind]["cpu_seconds_per_file"] = _percentiles(cpu)
        print(f"  {kind}: {report[kind]['accuracy']}", file=sys.stderr)
    text_pdfs = [sample for sample in samples if sample.kind == "text_pdf"]
    report["text_pdf"]["throughput"] = text_throughput(text_pdfs, rounds=3, child=args.child)
    report["text_pdf"]["worker_throughput"] = worker_throughput(text_pdfs)
    text = read_certificate(text_pdfs[0].data, text_pdfs[0].media_type).text
    report["field_finder_seconds"] = finder_scaling(text + "\n")
    report["machine"]["load_average_after"] = os.getloadavg()
    report["targets"] = TARGETS
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
