"""Fixtures of the fault tests: one private RabbitMQ node for the session (never the broker the
other tests use), running again after every test whatever the test did to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest

from services.core.settings import Settings
from tests.faults.harness import RabbitNode, process_env, rabbit_node


@pytest.fixture(scope="session")
def private_rabbit() -> Iterator[RabbitNode]:
    with rabbit_node() as node:
        yield node


@pytest.fixture
def rabbit(private_rabbit: RabbitNode) -> Iterator[RabbitNode]:
    yield private_rabbit
    if not private_rabbit.running:
        private_rabbit.start_app()


@pytest.fixture
def blob_dir(tmp_path: Path) -> Path:
    return tmp_path / "blobs"


@pytest.fixture
def env(migrated: Settings, rabbit: RabbitNode, blob_dir: Path) -> dict[str, str]:
    """The environment of this test's relay and workers (its own queue)."""
    return process_env(migrated, rabbit, queue=f"faults-{uuid4().hex[:12]}", blob_dir=blob_dir)
