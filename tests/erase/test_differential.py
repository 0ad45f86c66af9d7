"""The erase proof: every program in examples/corpus runs twice per provider and behaves the same.

Run 1 is runtime dispatch (`INFRAR_PROVIDER=P python program.py`). Run 2 is the file that
`python -m infrar.erase --provider P` wrote, in a subprocess where importing `infrar` fails.
Both run against a fresh bucket on the same backend (a fresh INFRAR_LOCAL_ROOT on local, the
session's emulator elsewhere). Their stdout must be identical and the exception that ends
them (if any) must be the same, an infrar class becoming its builtin once erased.

The erased text is kept under review in golden/<program>.<provider>.py.golden; after a deliberate
change to erase or an adapter, regenerate with INFRAR_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import ast
import fcntl
import json
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

import pytest

from infrar.erase.names import native_error_name
from infrar.testing.services import ServiceRegistry
from tests.erase._requirements import canonical, imported_top_levels, requirement_name, with_dependencies
from tests.erase._text_checks import infrar_references, leaked_values
from tests.erase._traces import infrar_traces

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "examples" / "corpus"
GOLDEN = Path(__file__).resolve().parent / "golden"
PROVIDERS = ("local", "aws", "gcp", "azure")
CLOUDS = ("aws", "gcp", "azure")
TIMEOUT = 300

# The one program that must end with an uncaught error, and the runtime type it raises.
EXPECTED_EXCEPTION = {"config_loader": "NotFound"}

# Runs `argv[1]` as __main__; an uncaught exception becomes a last stdout line
# `EXC:<type>:<first builtin class in its MRO>` (and its traceback on stderr).
_RUNNER = r"""
import os, runpy, sys, traceback
{prelude}
path = sys.argv[1]
sys.argv = [path]
sys.path.insert(0, os.path.dirname(os.path.abspath(path)))  # as `python path` does
try:
    runpy.run_path(path, run_name="__main__")
except SystemExit:
    raise
except BaseException as exc:
    builtin = next(c for c in type(exc).__mro__ if c.__module__ == "builtins")
    sys.stdout.flush()
    print(f"EXC:{{type(exc).__name__}}:{{builtin.__name__}}", flush=True)
    traceback.print_exc()
    sys.exit(1)
"""

# Makes every `import infrar...` fail, whatever sys.path or an editable install would find.
_BLOCKER = r"""
class _NoInfrar:
    def find_spec(self, name, path=None, target=None):
        if name == "infrar" or name.startswith("infrar."):
            message = f"No module named {name!r} (blocked: erased code must not need infrar)"
            raise ModuleNotFoundError(message, name=name)
        return None
sys.meta_path.insert(0, _NoInfrar())
for _name in [m for m in sys.modules if m == "infrar" or m.startswith("infrar.")]:
    del sys.modules[_name]
"""

RUNTIME_RUNNER = _RUNNER.format(prelude="")
ERASED_RUNNER = _RUNNER.format(prelude=_BLOCKER)


def _owner(program: Path) -> str | None:
    """The provider a provider-only program is tied to (`aws_versioning.py` -> aws), else None."""
    head = program.stem.split("_", 1)[0]
    return head if head in CLOUDS else None


def _programs() -> list[Path]:
    return sorted(CORPUS.glob("*.py"))


def _programs_for(provider: str) -> list[Path]:
    return [p for p in _programs() if _owner(p) in (None, provider)]


CASES = [
    pytest.param(program.stem, provider, id=f"{program.stem}-{provider}")
    for program in _programs()
    for provider in PROVIDERS
    if _owner(program) in (None, provider)
]

UNERASABLE = [
    pytest.param(program.stem, provider, id=f"{program.stem}-{provider}")
    for program in _programs()
    for provider in PROVIDERS
    if _owner(program) not in (None, provider)
]


def _clean_environment() -> dict[str, str]:
    """This process's environment without anything that could point a client somewhere."""
    prefixes = ("INFRAR_", "AWS_", "GOOGLE_", "STORAGE_EMULATOR", "AZURE_", "APP_", "PYTHONPATH")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


def _with_infrar_importable(env: dict[str, str]) -> dict[str, str]:
    """This checkout first on the path (the runtime run and erase need it; the erased run must not)."""
    return {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def _cloud_environment(pool: ServiceRegistry, provider: str) -> dict[str, str]:
    return {} if provider == "local" else dict(pool.for_provider(provider).environment())


@dataclass
class Erased:
    """One CLI call's result for one provider: where each program's erased file is."""

    provider: str
    out: Path
    returncode: int
    stderr: str
    secrets: dict[str, str]  # environment values erase saw, none of which may end up in its output

    def file_for(self, stem: str) -> Path:
        if self.returncode != 0:
            command = f"python -m infrar.erase --provider {self.provider}"
            pytest.fail(f"`{command}` exited {self.returncode}:\n{self.stderr}")
        found = sorted(self.out.rglob(f"{stem}.py"))
        assert found, f"erase wrote no {stem}.py under {self.out}: {sorted(self.out.rglob('*'))}"
        assert len(found) == 1, f"several erased {stem}.py: {found}"
        return found[0]


class ErasedCorpus:
    """Erases the corpus once per provider per session (one CLI call each), lazily.

    Erase is deterministic, so the pytest-xdist workers share it: the first worker to need a
    provider runs the CLI in a directory all workers see, under a lock, and records the result
    there with the environment erase saw; the others read that record. Their programs then run
    against emulators of their own, on other ports than the ones erase saw: an endpoint baked
    into the erased text would fail there too.
    """

    def __init__(self, pool: ServiceRegistry, base: Path) -> None:
        self._pool = pool
        self._base = base
        self._done: dict[str, Erased] = {}

    def get(self, provider: str) -> Erased:
        if provider not in self._done:
            self._done[provider] = self._shared(provider)
        return self._done[provider]

    def _shared(self, provider: str) -> Erased:
        record = self._base / f"{provider}.json"
        with open(self._base / f"{provider}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            if record.exists():
                fields = json.loads(record.read_text())
                return Erased(**{**fields, "out": Path(fields["out"])})
            erased = self._erase(provider)
            partial = record.with_suffix(".part")
            partial.write_text(json.dumps({**asdict(erased), "out": str(erased.out)}))
            partial.replace(record)
            return erased

    def _erase(self, provider: str) -> Erased:
        work = self._base / provider
        source = work / "corpus"
        source.mkdir(parents=True)
        for program in _programs_for(provider):
            shutil.copy2(program, source / program.name)
        out = work / "erased"
        # Erase sees the same configuration the programs run with, plus sentinels: if any of
        # these values is baked into the erased text, the check in the test catches it.
        secrets = {
            **_cloud_environment(self._pool, provider),
            "INFRAR_LOCAL_ROOT": str(work / "sentinel-local-root"),
            "APP_BUCKET": f"sentinel-bucket-{uuid.uuid4().hex[:8]}",
            "APP_WORKDIR": str(work / "sentinel-workdir"),
        }
        env = _with_infrar_importable({**_clean_environment(), **secrets, "INFRAR_PROVIDER": provider})
        # -j 1: in this process, no pool. A pool's processes each analyse the adapters again:
        # the aws corpus took 8.8 s of CPU with the default two, 4.7 s with one, on a machine
        # the xdist workers already keep busy. The output is the same (tests/erase/test_tree.py
        # erases with 1 and 3 processes and compares).
        done = subprocess.run(
            [sys.executable, "-m", "infrar.erase", "--provider", provider, "-j", "1", str(source), "-o", str(out)],
            env=env, cwd=work, capture_output=True, text=True, timeout=TIMEOUT,
        )
        return Erased(provider, out, done.returncode, done.stdout + done.stderr, secrets)


@pytest.fixture(scope="session")
def erased_corpus(
    infrar_emulators: ServiceRegistry, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> ErasedCorpus:
    base = tmp_path_factory.getbasetemp()
    if hasattr(request.config, "workerinput"):  # a pytest-xdist worker: its parent is the session's
        base = base.parent
    shared = base / "erased-corpus"
    shared.mkdir(exist_ok=True)
    return ErasedCorpus(infrar_emulators, shared)


@dataclass
class Outcome:
    stdout: str
    exception: str | None  # runtime type name
    builtin: str | None  # first builtin class in the exception's MRO
    stderr: str
    returncode: int


def _run(
    runner: str, program: Path, provider: str, pool: ServiceRegistry, tmp: Path, *, runtime: bool
) -> Outcome:
    """Run ``program`` once against a fresh bucket; bucket and paths are masked in stdout."""
    bucket = f"corpus-{uuid.uuid4().hex[:16]}"
    workdir = tmp / "work"
    workdir.mkdir(parents=True)
    env = {**_clean_environment(), "APP_BUCKET": bucket, "APP_WORKDIR": str(workdir)}
    if runtime:
        env = _with_infrar_importable({**env, "INFRAR_PROVIDER": provider})
    emulator = None
    if provider == "local":
        local_root = tmp / "local-root"
        (local_root / "storage" / bucket).mkdir(parents=True)
        env["INFRAR_LOCAL_ROOT"] = str(local_root)
    else:
        emulator = pool.for_provider(provider)
        env.update(emulator.environment())
        emulator.create_bucket(bucket)
    try:
        done = subprocess.run(
            [sys.executable, "-c", runner, str(program)],
            env=env, cwd=workdir, capture_output=True, text=True, timeout=TIMEOUT,
        )
    finally:
        if emulator is not None:
            emulator.delete_bucket(bucket)
    stdout = done.stdout.replace(bucket, "<bucket>").replace(str(tmp), "<tmp>")
    lines = stdout.splitlines()
    exception = builtin = None
    if lines and lines[-1].startswith("EXC:"):
        _, exception, builtin = lines.pop().split(":")
    return Outcome("\n".join(lines), exception, builtin, done.stderr, done.returncode)


def _check_golden(stem: str, provider: str, text: str) -> None:
    golden = GOLDEN / f"{stem}.{provider}.py.golden"  # text under review, not a module
    if os.environ.get("INFRAR_UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(text)
        return
    assert golden.exists(), (
        f"no golden file {golden.relative_to(ROOT)}; review the erased text and create it with "
        "INFRAR_UPDATE_GOLDEN=1"
    )
    assert text == golden.read_text(), (
        f"erased text of {stem}.py for {provider} differs from {golden.relative_to(ROOT)}; if the "
        "change is intended, review it and regenerate with INFRAR_UPDATE_GOLDEN=1"
    )


@pytest.mark.parametrize(("stem", "provider"), CASES)
def test_erased_program_behaves_like_runtime(
    stem: str, provider: str, erased_corpus: ErasedCorpus, infrar_emulators: ServiceRegistry, tmp_path: Path
) -> None:
    program = CORPUS / f"{stem}.py"
    erased = erased_corpus.get(provider)
    erased_file = erased.file_for(stem)
    text = erased_file.read_text()

    assert not infrar_references(text), f"erased {stem}.py still uses infrar: {infrar_references(text)}"
    assert not infrar_traces(text, program.read_text()), f"erased {stem}.py: {infrar_traces(text, program.read_text())}"
    assert not leaked_values(text, erased.secrets), (
        f"erased {stem}.py contains environment values: {leaked_values(text, erased.secrets)}"
    )

    runtime = _run(RUNTIME_RUNNER, program, provider, infrar_emulators, tmp_path / "runtime", runtime=True)
    expected = EXPECTED_EXCEPTION.get(stem)
    assert runtime.exception == expected, (
        f"runtime run of {stem}.py on {provider} ended with {runtime.exception}, expected {expected}:\n"
        f"{runtime.stdout}\n{runtime.stderr}"
    )
    assert runtime.stdout.strip(), f"runtime run of {stem}.py printed nothing:\n{runtime.stderr}"

    after = _run(ERASED_RUNNER, erased_file, provider, infrar_emulators, tmp_path / "erased", runtime=False)
    assert after.stdout == runtime.stdout, (
        f"stdout of erased {stem}.py on {provider} differs from the runtime run\n"
        f"--- erased stderr ---\n{after.stderr[-3000:]}"
    )
    if runtime.exception is None:
        assert after.exception is None, f"erased {stem}.py raised {after.exception}:\n{after.stderr[-3000:]}"
    else:
        # the erased program's own class of the same name (InfrarError is ServiceError there)
        want = (native_error_name(runtime.exception), runtime.builtin)
        assert (after.exception, after.builtin) == want, (
            f"erased {stem}.py raised {after.exception}, runtime raised {runtime.exception}:\n"
            f"{after.stderr[-3000:]}"
        )
    assert after.returncode == runtime.returncode

    _check_golden(stem, provider, text)


@pytest.mark.parametrize(("stem", "provider"), UNERASABLE)
def test_provider_only_program_does_not_erase_elsewhere(stem: str, provider: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "infrar.erase", "--provider", provider, str(CORPUS / f"{stem}.py"),
         "-o", str(out)],
        env=_with_infrar_importable({**_clean_environment(), "INFRAR_PROVIDER": provider}),
        cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{stem}.py:" in done.stderr, f"no file:line:column in the message:\n{done.stderr}"
    assert not out.exists() or not any(out.iterdir()), f"erase wrote {sorted(out.rglob('*'))}"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_corpus_shares_one_private_module(provider: str, erased_corpus: ErasedCorpus) -> None:
    """The programs' copied code lives once, in _cloud.py (kept under review like the programs);
    no program defines a client or a check of its own."""
    erased = erased_corpus.get(provider)
    erased.file_for(_programs_for(provider)[0].stem)  # fails with erase's output if erase failed
    shared = erased.out / "_cloud.py"
    text = shared.read_text()
    assert not infrar_references(text)
    assert not infrar_traces(text), infrar_traces(text)
    assert not leaked_values(text, erased.secrets)
    for program in _programs_for(provider):
        tree = ast.parse(erased.file_for(program.stem).read_text())
        own = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        assert not {name for name in own if "client" in name or name.startswith("check")}, program.stem
    _check_golden("_cloud", provider, text)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_erased_corpus_lists_exactly_its_requirements(provider: str, erased_corpus: ErasedCorpus) -> None:
    """requirements.txt covers every native import of the erased corpus and nothing else."""
    erased = erased_corpus.get(provider)
    files = [erased.file_for(p.stem) for p in _programs_for(provider)]
    files += sorted(erased.out.glob("_cloud*.py"))  # what the programs share (shared.py)
    lines = (erased.out / "requirements.txt").read_text().splitlines()
    listed = {requirement_name(line) for line in lines if line.strip() and not line.startswith("#")}
    installed = with_dependencies(listed)
    providers = metadata.packages_distributions()
    imported = set().union(*(imported_top_levels(f.read_text()) for f in files))
    own = {m for m in imported if (erased.out / f"{m}.py").is_file()}  # the tree's _cloud.py
    for module in sorted(imported - own):
        dists = {canonical(d) for d in providers.get(module, [])}
        assert dists & installed, f"erased code imports {module!r} ({sorted(dists)}), not installed by {sorted(listed)}"
    for name in sorted(listed):
        provided = {m for m, dists in providers.items() if name in {canonical(d) for d in dists}}
        assert provided & imported, f"requirements.txt lists {name} but no erased file imports it"
    manifest = json.loads((erased.out / "infrar-manifest.json").read_text())
    assert manifest["provider"] == provider
    assert sorted(requirement_name(r) for r in manifest["requirements"]) == sorted(listed)


def test_erased_runs_cannot_import_infrar(tmp_path: Path) -> None:
    """The erased run's blocker works: a program that imports infrar fails there, and only there."""
    script = tmp_path / "uses_infrar.py"
    script.write_text("import infrar.storage\nprint('imported')\n")
    env = _with_infrar_importable(_clean_environment())
    runtime = subprocess.run([sys.executable, "-c", RUNTIME_RUNNER, str(script)], env=env,
                             capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp_path)
    assert runtime.stdout.splitlines() == ["imported"], runtime.stderr
    blocked = subprocess.run([sys.executable, "-c", ERASED_RUNNER, str(script)], env=env,
                             capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp_path)
    assert blocked.stdout.splitlines() == ["EXC:ModuleNotFoundError:ModuleNotFoundError"], blocked.stderr
