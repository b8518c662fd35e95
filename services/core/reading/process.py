"""Reading a certificate file in a child process with a hard time limit.

Reading (pypdf's text layer, tesseract OCR) and field finding are CPU-bound work on a file
anyone may upload. Each file is read in a process of its own, forked from a ``multiprocessing``
fork server that has the readers imported already (a fork takes milliseconds, where a fresh
interpreter spends about a second importing them); the result comes back over a pipe. A child
that is not done within the limit is killed with its process group (SIGKILL: no C loop or regex
in it, and no tesseract it started, can hold on), as it is when the caller is cancelled (the
worker shutting down). The reading then comes back unreadable with a reason for people: an
outcome like any other, never a reason to retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import multiprocessing.forkserver
import os
import signal
from multiprocessing.connection import Connection

import msgspec
import structlog

from domain.credits.certificate import MediaType
from domain.credits.verification import ExtractedFields, ReviewReason, TextReading

log = structlog.get_logger("cmeledger.certificates")

_processes = multiprocessing.get_context("forkserver")
_processes.set_forkserver_preload(["services.core.reading.text", "domain.credits.fields"])


_STOPPED_FROM_OUTSIDE = (-signal.SIGTERM, -signal.SIGINT, -signal.SIGHUP)
"""Exit codes of a child stopped with the machine or the service, not by its file."""


class ReadingInterrupted(Exception):
    """The child was stopped from outside (the service shutting down): read the file again."""


class Reading(msgspec.Struct, frozen=True, kw_only=True):
    """What the child read: where the text came from (and how sure, and what went wrong), and
    the fields found in it."""

    text: TextReading
    fields: ExtractedFields


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
    """Start the fork server now (it imports the readers for a second or more), so that the
    first certificate does not wait for it; reading starts it otherwise."""
    multiprocessing.forkserver.ensure_running()


async def read_in_child(data: bytes, media_type: MediaType, *, limit_s: float) -> Reading:
    """The reading of ``data`` by a child process, killed after ``limit_s`` seconds."""
    receiver, sender = _processes.Pipe(duplex=False)
    child = _processes.Process(target=_read, args=(sender, data, media_type), daemon=True)
    try:
        await asyncio.to_thread(child.start)  # the first start also starts the fork server
        sender.close()
        try:
            await asyncio.wait_for(_readable(receiver), limit_s)
        except TimeoutError:
            log.warning("certificate reading stopped", media_type=media_type, limit_s=limit_s)
            return _unread(too_slow(limit_s))
        try:
            return msgspec.msgpack.decode(receiver.recv_bytes(), type=Reading)
        except EOFError:  # the child ended without a reading
            await asyncio.to_thread(child.join)
            if child.exitcode in _STOPPED_FROM_OUTSIDE:
                raise ReadingInterrupted(f"the reader was stopped ({child.exitcode})") from None
            log.warning("certificate reader failed", media_type=media_type, code=child.exitcode)
            return _unread(FAILED)  # killed for its memory, or a crash in a decoder
    finally:
        _kill(child)
        receiver.close()
        await asyncio.to_thread(child.join)


async def _readable(connection: Connection) -> None:
    """Wait until the child wrote its reading or closed the pipe (ended)."""
    loop = asyncio.get_running_loop()
    ready = asyncio.Event()
    loop.add_reader(connection.fileno(), ready.set)
    try:
        await ready.wait()
    finally:
        loop.remove_reader(connection.fileno())


def _kill(child: multiprocessing.process.BaseProcess) -> None:
    """SIGKILL the child's process group (the child and any tesseract it runs), if it runs."""
    if child.pid is not None and child.exitcode is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGKILL)


def _unread(problem: ReviewReason) -> Reading:
    return Reading(
        text=TextReading(source="none", confidence=0.0, problem=problem), fields=ExtractedFields()
    )


def _read(sender: Connection, data: bytes, media_type: MediaType) -> None:
    """The child: read ``data``, find its fields, send the reading."""
    from domain.credits.fields import find_fields
    from services.core.logging import configure_logging
    from services.core.reading.text import read_certificate
    from services.core.settings import load_settings

    os.setpgid(0, 0)  # a group of its own, which the parent kills as one
    configure_logging(load_settings())
    read = read_certificate(data, media_type)
    reading = Reading(
        text=TextReading(source=read.source, confidence=read.confidence, problem=read.problem),
        fields=find_fields(read.text),
    )
    sender.send_bytes(msgspec.msgpack.encode(reading))
