"""Generated programs (tests/erase/_grammar.py) erased for each provider behave like the runtime:
each batch compiles on Python 3.10, names no infrar, and prints the same, case by case
(results, handled exception classes, and the order each argument was evaluated in).

Local runs 1,920 cases, 480 of them across storage, the cache and the database; each cloud 60
storage cases (other seeds), against the session's emulator (moto, the GCS emulator, Azurite)
with a fresh bucket per run, so the runtime run's writes are not seen by the erased one, and 30
across all three domains, with the session's Redis and PostgreSQL (azure's through psqlODBC). One
batch per provider (and one of the local all-domain ones) also binds, at module level, every
builtin its own code does not read, to a function that fails: a copy reading the program's
``open`` or ``len`` where it meant the builtin's shows as a case that differs.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from infrar.erase import EraseWarning, erase_source
from infrar.erase.verify import problem
from infrar.testing import odbc
from infrar.testing.plugin import ServiceUser
from infrar.testing.postgres import PostgresService
from infrar.testing.redis import RedisService
from infrar.testing.services import ServiceRegistry
from tests.erase._grammar import BUCKET, DOMAINS, program
from tests.erase._support import assert_no_infrar, both_ways, run

LOCAL_BATCHES = range(1, 25)
CASES_PER_BATCH = 80
CLOUD_BATCHES = {"aws": (101, 102), "gcp": (201, 202), "azure": (301, 302)}
CLOUD_CASES_PER_BATCH = 30
# batches whose module binds every builtin its own code does not read (_grammar.shadowing)
SHADOWED = {9, 11, 20, 102, 202, 302}
# local batches that call the cache and the database too (the embedded SQLite backends)
ALL_DOMAINS = {10, 11, 14, 17, 20, 23}


def _erased(source: str, provider: str, seed: int) -> str:
    with warnings.catch_warnings():  # the cases pass 'Bad_Bucket' on purpose (test_literal_warnings.py)
        warnings.simplefilter("ignore", EraseWarning)
        erased = erase_source(source, provider, f"generated_{seed}.py")
    assert problem(erased.encode(), "erased.py") is None
    assert_no_infrar(erased)
    return erased


def _same_cases(runtime_out: str, erased_out: str, count: int, where: Path) -> None:
    cases = runtime_out.split("case ")
    assert len(cases) == count + 1
    for want, got in zip(cases, erased_out.split("case "), strict=True):
        assert got == want, f"case {want.splitlines()[0]} differs; see {where}"


@pytest.mark.parametrize("seed", LOCAL_BATCHES)
def test_generated_programs_behave_the_same_erased(seed: int, tmp_path: Path) -> None:
    source = program(seed, CASES_PER_BATCH, shadow=seed in SHADOWED,
                     domains=DOMAINS if seed in ALL_DOMAINS else ("storage",))
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    (tmp_path / "erased.py").write_text(_erased(source, "local", seed), encoding="utf-8")
    runtime = run(tmp_path / "app.py", tmp_path / "root1", blocked=False)
    after = run(tmp_path / "erased.py", tmp_path / "root2", blocked=True)
    assert runtime.returncode == 0, runtime.stderr
    assert after.returncode == 0, after.stderr
    _same_cases(runtime.stdout, after.stdout, CASES_PER_BATCH, tmp_path)


CLOUD_CASES = [pytest.param(p, seed, id=f"{p}-{seed}") for p, seeds in CLOUD_BATCHES.items() for seed in seeds]


@pytest.mark.parametrize(("provider", "seed"), CLOUD_CASES)
def test_generated_programs_behave_the_same_erased_on_clouds(
    provider: str, seed: int, tmp_path: Path, infrar_emulators: ServiceRegistry
) -> None:
    source = program(seed, CLOUD_CASES_PER_BATCH, shadow=seed in SHADOWED)
    erased = _erased(source, provider, seed)
    runtime, after = both_ways(tmp_path, provider, source, erased, infrar_emulators.for_provider(provider), BUCKET)
    _same_cases(runtime, after, CLOUD_CASES_PER_BATCH, tmp_path)


# one batch per cloud across storage, the cache (Redis) and the database (PostgreSQL; azure through
# psqlODBC): the cache and the database are named after the batch, which runs beside the others
DOMAIN_BATCHES = {"aws": 103, "gcp": 203, "azure": 306}


@pytest.mark.parametrize(("provider", "seed"), sorted(DOMAIN_BATCHES.items()), ids=sorted(DOMAIN_BATCHES))
def test_generated_programs_of_every_domain_behave_the_same_erased_on_clouds(
    provider: str, seed: int, tmp_path: Path, infrar_emulators: ServiceRegistry, infrar_service: ServiceUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database, cache = f"gen_db_{seed}", f"gen-cache-{seed}"
    service = infrar_service("postgres", PostgresService, provider=provider)
    if not service.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'").strip():
        service.create_database(database)
    if provider == "azure":
        for key, value in odbc.environment(service, tmp_path / "odbc").items():
            monkeypatch.setenv(key, value)
    infrar_service("redis", RedisService, provider=provider)
    source = program(seed, CLOUD_CASES_PER_BATCH, domains=DOMAINS)
    source = source.replace('"gen_db"', f'"{database}"').replace('"gen-cache"', f'"{cache}"')
    erased = _erased(source, provider, seed)
    runtime, after = both_ways(tmp_path, provider, source, erased, infrar_emulators.for_provider(provider), BUCKET)
    # the servers answered: rows came back, and nothing failed for want of configuration
    assert "Row(" in runtime and "ConfigurationError" not in runtime and "Unavailable" not in runtime, runtime
    _same_cases(runtime, after, CLOUD_CASES_PER_BATCH, tmp_path)
