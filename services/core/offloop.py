"""Pure CPU work of a request run off the event loop, so the process keeps answering others.

A whole tenant's standings decode and decide on tens of thousands of stored rows (seconds of
CPU); run on the loop, every other request of the process (``/health`` included) waits for
them. ``off_loop`` runs such a function in a worker thread: the interpreter hands the lock
back and forth every few milliseconds, so the loop keeps its turns while the work goes on
(docs/decisions.md, "The whole-tenant computation off the event loop"). Only pure functions of
what was already read go there: database reads stay on the loop, with their transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from services.core.collector import collector_paused

P = ParamSpec("P")
T = TypeVar("T")


async def off_loop(work: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """``work(*args, **kwargs)`` in a worker thread, with the cyclic garbage collector paused
    (``collector_paused``: its full passes over the objects ``work`` builds would hold the
    loop). ``work`` must touch no transaction and change nothing shared: it may run beside any
    other request of the process."""
    return await asyncio.to_thread(_paused, work, *args, **kwargs)


def _paused(work: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    with collector_paused():
        return work(*args, **kwargs)
