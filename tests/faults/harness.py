"""The fault tests' tools: a RabbitMQ node of their own to stop and start, ``cmeledger``
processes whose JSON log lines are collected as they come, and a writer that uploads real
certificates (person, file, ``credits.CertificateUploaded``) the way the API does."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from domain.credits.verification import (
    CertificateNeedsReview,
    CertificateRejected,
    CertificateVerified,
)
from domain.people.person import RegisterPerson
from domain.shared.event import event_tag
from services.core.blobs import FilesystemBlobStore
from services.core.certificates.handlers import inspect_upload, upload_certificate
from services.core.db import Database
from services.core.eventsourcing.commands import CommandContext
from services.core.people.handlers import register_person
from services.core.registry import build_event_store
from services.core.settings import Settings
from tests.certificate_files import pdf
from tests.conftest import ROOT, settings_env
from tests.live_server import free_port

OUTCOMES = [
    event_tag(outcome)
    for outcome in (CertificateVerified, CertificateNeedsReview, CertificateRejected)
]
"""The worker's (or a reviewer's) verification outcomes: one per certificate."""


@dataclass
class RabbitNode:
    """A RabbitMQ node on its own ports and data directory, so stopping it disturbs no other
    test or process on the machine. ``rabbitmqctl -n <name>`` drives it."""

    name: str
    port: int
    env: dict[str, str]
    running: bool = True

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def ctl(self, *args: str) -> None:
        subprocess.run(
            ["rabbitmqctl", "-n", self.name, *args],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=90,
        )

    def stop_app(self) -> None:
        self.running = False
        self.ctl("stop_app")

    def start_app(self) -> None:
        self.ctl("start_app")
        self.ctl("await_startup", "--timeout", "60")
        self.running = True

    @contextlib.contextmanager
    def down(self) -> Iterator[None]:
        """RabbitMQ stopped (connections closed, port refused) inside the block, started again
        on the way out whatever happens."""
        self.stop_app()
        try:
            yield
        finally:
            self.start_app()


@contextlib.contextmanager
def rabbit_node() -> Iterator[RabbitNode]:
    """Start a private RabbitMQ node (about 4 s); halt it and delete its data afterwards."""
    if shutil.which("rabbitmq-server") is None or shutil.which("rabbitmqctl") is None:
        raise RuntimeError("the fault tests need rabbitmq-server installed (scripts/bootstrap)")
    base = Path(tempfile.mkdtemp(prefix="cmeledger-rabbit-"))
    base.chmod(0o755)  # the server runs as the rabbitmq user
    port = free_port()
    (base / "rabbitmq.conf").write_text(f"listeners.tcp.local = 127.0.0.1:{port}\n")
    (base / "enabled_plugins").write_text("[].\n")
    if os.geteuid() == 0:
        owner = pwd.getpwnam("rabbitmq")
        for path in (base, base / "rabbitmq.conf", base / "enabled_plugins"):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    name = f"cmeledger-faults-{os.getpid()}@localhost"
    env = {
        **os.environ,
        "RABBITMQ_NODENAME": name,
        "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq.conf"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
        "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
        "RABBITMQ_LOG_BASE": str(base / "log"),
        "RABBITMQ_PID_FILE": str(base / "node.pid"),
        "RABBITMQ_DIST_PORT": str(free_port()),
    }
    subprocess.run(["rabbitmq-server", "-detached"], env=env, check=True, timeout=30)
    node = RabbitNode(name=name, port=port, env=env)
    try:
        node.ctl("wait", "--timeout", "60", str(base / "node.pid"))
        yield node
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            node.ctl("stop")
        shutil.rmtree(base, ignore_errors=True)


@dataclass
class CliProcess:
    """A ``cmeledger`` command in a subprocess; its log lines (JSON) are collected as they come."""

    name: str
    process: asyncio.subprocess.Process
    lines: list[dict[str, Any]] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def collect(self) -> None:
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            text = raw.decode(errors="replace").rstrip()
            try:
                line = json.loads(text)
            except ValueError:
                line = {"event": text}
            self.lines.append(line if isinstance(line, dict) else {"event": text})
            self._arrived.set()

    def logged(self, event: str, **fields: Any) -> list[dict[str, Any]]:
        return [
            line
            for line in self.lines
            if line.get("event") == event and all(line.get(k) == v for k, v in fields.items())
        ]

    async def wait_for(self, event: str, within: float = 30, **fields: Any) -> dict[str, Any]:
        """The first line logging ``event`` (with ``fields``), waiting up to ``within`` s."""
        deadline = time.monotonic() + within
        while not (found := self.logged(event, **fields)):
            left = deadline - time.monotonic()
            if left <= 0 or self.process.returncode is not None:
                raise AssertionError(f"{self.name} did not log {event!r}: {self.tail()}")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), min(left, 0.5))
        return found[0]

    def tail(self, count: int = 15) -> str:
        """The last ``count`` lines and the last traceback, for a failure message."""
        errors = [str(line["exception"]) for line in self.lines if "exception" in line]
        return "\n".join([str(line.get("event")) for line in self.lines[-count:]] + errors[-1:])

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    def kill(self) -> None:
        """SIGKILL: no clean-up, no acknowledgement, no goodbye."""
        self.process.kill()


@contextlib.asynccontextmanager
async def cli(name: str, env: dict[str, str], *args: str) -> AsyncIterator[CliProcess]:
    """Run ``cmeledger <args>``; on the way out SIGTERM it (SIGKILL after 10 s)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.main",
        *args,
        cwd=ROOT,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    running = CliProcess(name, process)
    collecting = asyncio.create_task(running.collect())
    try:
        yield running
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
        await collecting


def process_env(
    settings: Settings, node: RabbitNode, *, queue: str, blob_dir: Path
) -> dict[str, str]:
    """The environment of a relay or worker of the fault tests: the test database, the private
    RabbitMQ node and queue, JSON logs, and the writer's certificate files."""
    return {
        **settings_env(settings),
        "CMELEDGER_BROKER_URL": node.url,
        "CMELEDGER_BROKER_QUEUE": queue,
        "CMELEDGER_LOG_FORMAT": "json",
        "CMELEDGER_BLOB_DIR": str(blob_dir),
        "CMELEDGER_DB_POOL_SIZE": "4",
    }


class Uploads:
    """Uploads certificates for one person of a new tenant, as the API does."""

    def __init__(
        self, database: Database, blob_dir: Path, full_name: str = "Robin Faultline"
    ) -> None:
        self.database, self.blobs = database, FilesystemBlobStore(blob_dir)
        self.store = build_event_store()
        self.tenant, self.person, self.full_name = uuid4(), uuid4(), full_name
        self.certificates: list[UUID] = []

    async def open(self) -> Uploads:
        async with self.database.transaction(self.tenant) as tx:
            await self.store.register_tenant(tx)
            await register_person(
                CommandContext(tx, self.store, uuid4()),
                RegisterPerson(person_id=self.person, full_name=self.full_name),
            )
        return self

    async def upload(self, content: bytes, filename: str = "certificate.pdf") -> UUID:
        source = BytesIO(content)
        inspected = await inspect_upload(source, max_bytes=10 * 1024 * 1024)
        async with self.database.transaction(self.tenant) as tx:
            uploaded = await upload_certificate(
                CommandContext(tx, self.store, uuid4()),
                self.blobs,
                person_id=self.person,
                credit_id=None,
                filename=filename,
                source=source,
                inspected=inspected,
            )
        self.certificates.append(uploaded.certificate.certificate_id)
        return uploaded.certificate.certificate_id

    @contextlib.asynccontextmanager
    async def uploading(self, every: float) -> AsyncIterator[None]:
        """A new certificate every ``every`` seconds while inside the block."""
        stop = asyncio.Event()

        async def keep_uploading() -> None:
            while not stop.is_set():
                await self.upload(pdf(f"Faults {len(self.certificates)} {uuid4()}"))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), every)

        writer = asyncio.create_task(keep_uploading())
        try:
            yield
        finally:
            stop.set()
            await writer


async def until(
    check: Callable[[], Awaitable[bool]], *, within: float, what: str, every: float = 0.2
) -> None:
    """Wait until ``check()`` holds, at most ``within`` seconds."""
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, f"no {what} after {within} s"
        await asyncio.sleep(every)
