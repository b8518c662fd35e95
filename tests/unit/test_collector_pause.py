"""Pausing Python's cyclic garbage collector around bulk work (``services.core.collector``)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest

from services.core.collector import collector_paused

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def collector_enabled() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_the_collector_is_paused_in_the_block_and_runs_again_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_runs_again_after_an_error_in_the_block() -> None:
    with pytest.raises(ValueError, match="refused"), collector_paused():
        raise ValueError("refused")
    assert gc.isenabled()


def test_overlapping_pauses_resume_the_collector_when_the_last_one_ends() -> None:
    """Two imports of one process overlap (two tasks): the first to end leaves it paused."""
    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_the_collector_runs_again_after_a_cancelled_task() -> None:
    """A cancelled import (its request abandoned) leaves the pause at its await."""

    async def cancelled() -> None:
        paused = asyncio.Event()

        async def importing() -> None:
            with collector_paused():
                paused.set()
                await asyncio.sleep(3600)

        task = asyncio.create_task(importing())
        await paused.wait()
        assert not gc.isenabled()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancelled())
    assert gc.isenabled()
