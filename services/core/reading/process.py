"""Reading a certificate file in a reader process with a hard time limit.

Reading (the PDF text layer, tesseract OCR) and field finding are CPU-bound work on a file
anyone may upload, so it runs in reader processes, forked from a ``multiprocessing`` fork
server that has the readers imported already. A reader is long-lived: it reads one file after
another (a text PDF takes milliseconds, less than starting a process), sent to it over a pipe,
and the result comes back the same way. A reader that is not done within the limit is killed
with its process group (SIGKILL: no C loop or regex in it, and no tesseract it started, can
hold on), as it is when the caller is cancelled (the worker shutting down), and a new reader
takes its place for the next file. The reading then comes back unreadable with a reason for
people: an outcome like any other, never a reason to retry. Readers left idle stay for the next
file (at most ``IDLE_READERS`` of them); a reader is replaced after ``READINGS_PER_READER``
files, so that whatever a decoder leaves behind does not pile up.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import threading
from multiprocessing.connection import Connection
from pathlib import Path

import msgspec
import structlog

from domain.credits import fields as field_rules
from domain.credits import verification as verification_rules
from domain.credits.certificate import MediaType
from domain.credits.verification import (
    NO_SIGNALS,
    ExtractedFields,
    ReviewReason,
    Signals,
    TextReading,
    text_signals,
)

log = structlog.get_logger("cmeledger.certificates")


def _reader_version() -> str:
    """A digest of the reader's code: this package and the domain's rules of what a
    certificate's text holds. Readings kept by another version are read again."""
    sources = sorted(Path(__file__).parent.glob("*.py"))
    sources += [Path(str(field_rules.__file__)), Path(str(verification_rules.__file__))]
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:16]


READER_VERSION = _reader_version()
"""The version a kept reading names (``certificate_readings.reader_version``)."""

PRELOADED = ("services.core.reading.text", "services.core.reading.fields")
"""The readers, imported once by the fork server (with dateparser's language data) so that
reader processes start with them."""

_processes = multiprocessing.get_context("forkserver")
_processes.set_forkserver_preload(list(PRELOADED))


_STOPPED_FROM_OUTSIDE = (-signal.SIGTERM, -signal.SIGINT, -signal.SIGHUP)
"""Exit codes of a child stopped with the machine or the service, not by its file."""


class ReadingInterrupted(Exception):
    """The child was stopped from outside (the service shutting down): read the file again."""


class Reading(msgspec.Struct, frozen=True, kw_only=True):
    """What the child read: where the text came from (and how sure, and what went wrong), the
    fields found in it, and what the file shows of alteration or its words of the credit (found
    on the document as it was read: a file is parsed once)."""

    text: TextReading
    fields: ExtractedFields
    signals: Signals = NO_SIGNALS


def too_slow(limit_s: float) -> ReviewReason:
    return ReviewReason(
        code="unreadable",
        message=f"reading the file took longer than {limit_s:g} seconds and was stopped; "
        "upload the original PDF or a smaller, sharper photo of the certificate",
    )


FAILED = ReviewReason(
    code="unreadable",
    message="the file could not be read (the reader stopped on it); upload the original PDF or "
    "a photo of the certificate",
)


def start_fork_server() -> None:
    """Start the fork server and ``IDLE_READERS`` readers now (the fork server imports the
    readers for a second or more), so that the first certificates do not wait for them;
    reading starts them otherwise."""
    multiprocessing.forkserver.ensure_running()
    _readers.fill()


IDLE_READERS = 2
"""Readers kept waiting for the next file (one per core of the machine it was sized for)."""
READINGS_PER_READER = 500


class _Reader:
    """A reader process and the parent's end of its pipe."""

    def __init__(self) -> None:
        self.connection, child_end = _processes.Pipe(duplex=True)
        self.process = _processes.Process(target=_serve, args=(child_end,), daemon=True)
        self.process.start()  # the first start also starts the fork server
        child_end.close()
        self.readings = 0
        self.connection.recv_bytes()  # ready: its logging set up (EOFError: it died starting)

    def stop(self) -> None:
        """Kill the reader and whatever it runs, and wait for it to end."""
        _kill(self.process)
        self.connection.close()
        self.process.join()


class _Readers:
    """The idle readers, shared by the worker's threads."""

    def __init__(self) -> None:
        self._idle: list[_Reader] = []
        self._lock = threading.Lock()

    def take(self) -> _Reader:
        with self._lock:
            while self._idle:
                reader = self._idle.pop()
                if reader.process.is_alive():
                    return reader
                reader.stop()
        return _Reader()

    def fill(self) -> None:
        """Start readers until ``IDLE_READERS`` wait."""
        with self._lock:
            missing = IDLE_READERS - len(self._idle)
        for _ in range(missing):
            self.give_back(_Reader(), read=False)

    def give_back(self, reader: _Reader, *, read: bool = True) -> None:
        reader.readings += read
        with self._lock:
            if reader.readings < READINGS_PER_READER and len(self._idle) < IDLE_READERS:
                self._idle.append(reader)
                return
        reader.stop()

    def stop_all(self) -> None:
        """Stop the idle readers (tests, and a worker shutting down)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for reader in idle:
            reader.stop()


_readers = _Readers()
stop_readers = _readers.stop_all


async def read_in_child(data: bytes, media_type: MediaType, *, limit_s: float) -> Reading:
    """The reading of ``data`` by a reader process, killed after ``limit_s`` seconds."""
    taking = asyncio.ensure_future(asyncio.to_thread(_readers.take))
    try:
        reader = await asyncio.shield(taking)
    except asyncio.CancelledError:  # the reader, once started, waits for the next file
        taking.add_done_callback(_give_back_unused)
        raise
    done = False
    try:
        # An event loop's reader watch (uvloop's in the API) may leave the pipe non-blocking:
        # a file larger than the pipe's buffer would then fail to send. Blocking, in a thread.
        os.set_blocking(reader.connection.fileno(), True)
        payload = msgspec.msgpack.encode((data, media_type))
        await asyncio.to_thread(reader.connection.send_bytes, payload)
        try:
            await asyncio.wait_for(_readable(reader.connection), limit_s)
        except TimeoutError:
            log.warning("certificate reading stopped", media_type=media_type, limit_s=limit_s)
            return _unread(too_slow(limit_s))
        try:
            os.set_blocking(reader.connection.fileno(), True)
            answer = await asyncio.to_thread(reader.connection.recv_bytes)
            reading = msgspec.msgpack.decode(answer, type=Reading)
        except EOFError:  # the reader ended without a reading
            await asyncio.to_thread(reader.process.join)
            if reader.process.exitcode in _STOPPED_FROM_OUTSIDE:
                raise ReadingInterrupted(
                    f"the reader was stopped ({reader.process.exitcode})"
                ) from None
            log.warning(
                "certificate reader failed", media_type=media_type, code=reader.process.exitcode
            )
            return _unread(FAILED)  # killed for its memory, or a crash in a decoder
        done = True
        return reading
    finally:
        if done:
            _readers.give_back(reader)
        else:
            await asyncio.to_thread(reader.stop)


def _give_back_unused(taking: asyncio.Future[_Reader]) -> None:
    if not taking.cancelled() and taking.exception() is None:
        _readers.give_back(taking.result(), read=False)


async def _readable(connection: Connection) -> None:
    """Wait until the child wrote its reading or closed the pipe (ended)."""
    loop = asyncio.get_running_loop()
    ready = asyncio.Event()
    loop.add_reader(connection.fileno(), ready.set)
    try:
        await ready.wait()
    finally:
        loop.remove_reader(connection.fileno())


def _kill(process: multiprocessing.process.BaseProcess) -> None:
    """SIGKILL the reader's process group (the reader and any tesseract it runs), and the
    reader itself should it not lead a group yet, if it runs."""
    if process.pid is not None and process.exitcode is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)


def _unread(problem: ReviewReason) -> Reading:
    return Reading(
        text=TextReading(source="none", confidence=0.0, problem=problem), fields=ExtractedFields()
    )


def _serve(connection: Connection) -> None:
    """The reader: read each file sent, find its fields, send the reading; until the pipe
    closes."""
    from services.core.logging import configure_logging
    from services.core.settings import load_settings

    os.setpgid(0, 0)  # a group of its own, which the parent kills as one
    configure_logging(load_settings())
    connection.send_bytes(b"")
    while True:
        try:
            request = connection.recv_bytes()
        except EOFError:
            return
        data, media_type = msgspec.msgpack.decode(request, type=tuple[bytes, MediaType])
        connection.send_bytes(msgspec.msgpack.encode(read(data, media_type)))


def read(data: bytes, media_type: MediaType) -> Reading:
    """The reading of ``data``: its text and the fields found in it (in this process)."""
    from services.core.reading.fields import find_fields_in
    from services.core.reading.text import read_certificate

    text = read_certificate(data, media_type)
    said = [signal for signal in text_signals(text.text) if signal not in text.signals]
    return Reading(
        text=TextReading(source=text.source, confidence=text.confidence, problem=text.problem),
        fields=find_fields_in(text.text),
        signals=Signals(signals=(*text.signals, *said)),
    )
