"""Run the load suite against the large tenant: serve it, drive it with locust, print figures.

    .venv/bin/python -m bench.load.run [--users 50] [--run-time 60] [--workers 2]

Serves ``cmeledger_large`` (made by ``bench.load.seed``) with ``cmeledger serve --workers N``
and the rate limits lifted, runs ``bench/load/locustfile.py`` headless for the given time, and
prints per request name: requests, failures, median, p95 and p99 in ms, plus the resident
memory of each API process at the end. The first line, ``/health``, is the baseline of the same
run: what the server and HTTP cost without the application's work.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
from pathlib import Path

from aiosmtpd.controller import Controller

from bench.database import settings_for
from bench.load.seed import DATABASE
from tests.live_server import serving_process, unthrottled

LOCUSTFILE = Path(__file__).with_name("locustfile.py")


class Sink:
    """Accepts and drops every message."""

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        return "250 OK"


def resident_mb(server: int) -> dict[int, float]:
    """Resident memory, in MB, of the API processes: ``server``'s children (the workers of
    ``--workers N``, not multiprocessing's resource tracker), or ``server`` itself when it
    serves alone (``--workers 1``)."""
    found, own = {}, 0.0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
            command = status.with_name("cmdline").read_bytes()
        except OSError:
            continue
        if "VmRSS" not in fields:
            continue
        if int(status.parent.name) == server:
            own = int(fields["VmRSS"].split()[0]) / 1024
        elif fields.get("PPid", "").strip() == str(server) and b"resource_tracker" not in command:
            found[int(status.parent.name)] = int(fields["VmRSS"].split()[0]) / 1024
    return found or {server: own}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--run-time", type=int, default=60, help="seconds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument(
        "--only",
        nargs="+",
        default=[],
        metavar="CLASS",
        help="run only these user classes of the locustfile (e.g. Employer Auditor Baseline)",
    )
    parser.add_argument(
        "--warm-up",
        type=int,
        default=0,
        metavar="SECONDS",
        help="drive the same mix this long first and drop its figures (each process's caches)",
    )
    args = parser.parse_args()
    mail = Controller(Sink(), hostname="127.0.0.1", port=args.port + 1)  # invitations' mail
    mail.start()
    with (
        serving_process(
            unthrottled(settings_for(DATABASE)),
            args.port,
            workers=args.workers,
            CMELEDGER_SMTP_PORT=str(args.port + 1),
        ) as (base, server),
        tempfile.TemporaryDirectory() as folder,
    ):
        prefix = str(Path(folder) / "load")
        if args.warm_up:
            drive(base, f"{prefix}-warm", args.users, args.warm_up, args.only)
        drive(base, prefix, args.users, args.run_time, args.only)
        rows = list(csv.DictReader(Path(f"{prefix}_stats.csv").read_text().splitlines()))
        # printed before the server stops: a server still working off its queue may outlast
        # the stop's bound, and the figures must not be lost with it
        print_figures(rows, resident_mb(server.pid))
    mail.stop()


def drive(base: str, prefix: str, users: int, seconds: int, only: list[str]) -> None:
    """Run the locustfile headless against ``base`` for ``seconds``, its figures at ``prefix``."""
    subprocess.run(
        [
            sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
            "--host", base, "--users", str(users), "--spawn-rate", "10",
            "--run-time", f"{seconds}s", "--csv", prefix, "--only-summary", *only,
        ],
        check=False,
    )  # fmt: skip


def print_figures(rows: list[dict[str, str]], memory: dict[int, float]) -> None:
    """Locust's rows as p50, p95 and p99 per request; then each API process's memory."""
    print(f"{'request':45} {'count':>7} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6}")
    for row in rows:
        print(
            f"{row['Type'] + ' ' + row['Name']:45.45} {row['Request Count']:>7} "
            f"{row['Failure Count']:>5} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
        )
    for pid, mb in sorted(memory.items()):
        print(f"API process {pid}: {mb:.0f} MB resident", flush=True)


if __name__ == "__main__":
    main()
