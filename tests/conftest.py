"""Fixtures shared by infrar's own tests; users get theirs from infrar.testing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infrar import dispatch
from infrar.lockin import reset_warnings
from tests.infra import _moto_apply

PROVIDERS = ("local", "aws", "gcp", "azure")
# Modules holding tests of 25 s and more (pytest --durations, quiet machine), run first: with
# pytest-xdist handing each free worker the next test, the longest ones then never start last
# while the other worker idles. Their own order, and everyone else's, is kept.
SLOW_MODULES = (
    "tests/data/test_erase.py",
    "tests/infra/test_checkov.py",
    "tests/infra/test_observability_tools.py",
    "tests/erase/test_tree.py",
    "tests/erase/test_shared_module.py",
    "tests/messaging/test_erase.py",
    "tests/messaging/test_stress.py",
    "tests/providers/test_azure_storage.py",
)
_MOTO_APPLY = pytest.StashKey[_moto_apply.BackgroundApply]()
_WORKER_INPUT = "infrar_moto_apply"  # the background apply's directory, as the workers learn it


@dataclass
class Store:
    """A provider ready for a storage test: an existing empty bucket and a missing one."""

    provider: str
    bucket: str
    missing_bucket: str


@pytest.fixture(autouse=True)
def _fresh_dispatch() -> Iterator[None]:
    dispatch.reset()
    reset_warnings()
    _forget_boto3_default_session()
    yield
    dispatch.reset()


def _forget_boto3_default_session() -> None:
    # boto3.client() reuses one default session, which read AWS_CONFIG_FILE and AWS_PROFILE
    # when an earlier test made it; a test's own environment must be what it sees.
    import sys

    boto3: Any = sys.modules.get("boto3")
    if boto3 is not None:
        boto3.DEFAULT_SESSION = None


def _new_bucket_name() -> str:
    return f"test-{uuid.uuid4().hex[:20]}"


@pytest.fixture(params=PROVIDERS)
def store(request: pytest.FixtureRequest) -> Store:
    """Every test using this runs once per provider against its real backend."""
    provider: str = request.param
    if provider == "local":
        root: Path = request.getfixturevalue("infrar_local")
        bucket = _new_bucket_name()
        # A local bucket is a directory; infra makes the cloud ones, the test makes this one.
        (root / "storage" / bucket).mkdir(parents=True)
    else:
        bucket = request.getfixturevalue(f"infrar_{provider}").create_bucket()
    return Store(provider=provider, bucket=bucket, missing_bucket=_new_bucket_name())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {module: position for position, module in enumerate(SLOW_MODULES)}
    # sorted() is stable: within a module, and among the other modules, the order stays.
    items[:] = sorted(items, key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


# The moto apply of tests/infra/test_terraform.py is ~80 s of waiting: the controlling process
# (the only one without xdist) runs it from collection time on, see tests/infra/_moto_apply.py.
def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    if not _is_worker(config) and _moto_apply.available():
        config.stash[_MOTO_APPLY] = _moto_apply.BackgroundApply()


def pytest_unconfigure(config: pytest.Config) -> None:
    background = config.stash.get(_MOTO_APPLY, None)
    if background is not None:
        background.stop()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    background = node.config.stash.get(_MOTO_APPLY, None)
    if background is not None:
        node.workerinput[_WORKER_INPUT] = str(background.directory)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    _start_moto_apply(node.config, ids)


def pytest_collection_finish(session: pytest.Session) -> None:
    if not _is_worker(session.config):
        _start_moto_apply(session.config, [item.nodeid for item in session.items])


def _start_moto_apply(config: pytest.Config, ids: list[str]) -> None:
    background = config.stash.get(_MOTO_APPLY, None)
    if background is not None and not background.started and _moto_apply.NODE_ID in ids:
        background.start()


@pytest.fixture
def moto_apply(request: pytest.FixtureRequest) -> Path | None:
    """The background moto apply's directory, or None where none was started (the test applies itself)."""
    config = request.config
    if _is_worker(config):
        found = config.workerinput.get(_WORKER_INPUT)  # type: ignore[attr-defined]
        return None if found is None else Path(found)
    background = config.stash.get(_MOTO_APPLY, None)
    return background.directory if background is not None and background.started else None
