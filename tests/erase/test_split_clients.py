"""Erase lifts client builders out of the split ``_clients/<service>.py`` packages, and the
shared per-resource map and connection pool (infrar/providers/_keyed.py) with them.

The builder must arrive whole: its body, under a name that says which service it builds.
The pool is proven by a throwaway plugin whose ledgers are sqlite3 connections pooled per
ledger name; its program runs the same at runtime and erased with infrar unimportable.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.erase._support import assert_no_infrar, erase, run
from tests.plugin_site import write_site

PROGRAM = """
from infrar import storage

storage.write_bytes("split-bucket", "a.txt", b"one")
print(storage.read_bytes("split-bucket", "a.txt"))
"""

# provider -> (service module, its function erased code calls, the name erased code gives it,
#              the builder that function calls)
BUILDERS = {
    "aws": ("s3", "client", "_s3_client", "_build_s3"),
    "gcp": ("gcs", "client", "_gcs_client", "_build_gcs"),
    "azure": ("blob_service", "client", "_blob_service_client", "_build_blob_service"),
    "local": ("files", "root", "_root", None),
}


class _Unnamed(ast.NodeTransformer):
    def visit_Name(self, node: ast.Name) -> ast.Name:
        return ast.Name(id="NAME", ctx=node.ctx)


def _body(function: ast.FunctionDef) -> str:
    """The body's code with every name blanked: erase renames module-level names it copies
    (``FIX_CREDENTIALS`` -> ``_FIX_CREDENTIALS``) and infrar errors to builtins; a docstring is
    not copied."""
    body = function.body
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and len(body) > 1:
        body = body[1:]
    return ast.dump(_Unnamed().visit(ast.Module(body=body, type_ignores=[])))


def _functions(code: str) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in ast.parse(code).body if isinstance(node, ast.FunctionDef)}


def _source_function(module: str, name: str) -> ast.FunctionDef:
    tree = ast.parse(textwrap.dedent(inspect.getsource(getattr(importlib.import_module(module), name))))
    found = tree.body[0]
    assert isinstance(found, ast.FunctionDef)
    return found


@pytest.mark.parametrize("provider", sorted(BUILDERS))
def test_erased_code_holds_the_builders_of_the_service_module(provider: str) -> None:
    service, function, erased_name, builder = BUILDERS[provider]
    module = f"infrar.providers.{provider}._clients.{service}"
    code = erase(PROGRAM, provider)
    assert_no_infrar(code)
    defined = _functions(code)
    assert erased_name in defined, sorted(defined)
    assert _body(defined[erased_name]) == _body(_source_function(module, function))
    if builder is not None:
        assert _body(defined[builder]) == _body(_source_function(module, builder))


def test_local_erased_program_with_its_root_builder_runs_without_infrar(tmp_path: Path) -> None:
    source = tmp_path / "app.py"
    source.write_text(textwrap.dedent(PROGRAM), encoding="utf-8")
    erased = tmp_path / "erased.py"
    erased.write_text(erase(PROGRAM, "local"), encoding="utf-8")
    runtime = run(source, tmp_path / "root1", blocked=False)
    result = run(erased, tmp_path / "root2", blocked=True)
    assert runtime.returncode == 0 and result.returncode == 0, runtime.stderr + result.stderr
    assert result.stdout == runtime.stdout == "b'one'\n"
    assert (tmp_path / "root2" / "storage" / "split-bucket" / "a.txt").read_bytes() == b"one"


LEDGER_FILES: dict[str, str] = {
    "scratch_ledger/__init__.py": '''
        """Sums kept per ledger: a throwaway domain with pooled connections per resource."""

        from __future__ import annotations

        from infrar.dispatch import adapter as _adapter


        def record(ledger: str, amount: int) -> int:
            found: int = _adapter("ledger").record(ledger, amount)
            return found


        def total(ledger: str) -> int:
            found: int = _adapter("ledger").total(ledger)
            return found
        ''',
    "scratch_ledger/_clients/__init__.py": '''
        """How the ledger adapters reach their databases."""
        ''',
    "scratch_ledger/_clients/ledgers.py": '''
        """One sqlite3 database per ledger, under LEDGER_ROOT; at most LEDGER_POOL_SIZE connections each."""

        from __future__ import annotations

        import os
        import sqlite3
        from pathlib import Path

        from infrar.providers._keyed import ConnectionPool, PerResource


        def _connect(ledger: str) -> sqlite3.Connection:
            path = Path(os.environ.get("LEDGER_ROOT") or ".ledgers") / f"{ledger}.db"
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, timeout=30, check_same_thread=False)
            connection.execute("CREATE TABLE IF NOT EXISTS entries (amount INTEGER)")
            return connection


        def _open_pool(ledger: str) -> ConnectionPool[sqlite3.Connection]:
            size = int(os.environ.get("LEDGER_POOL_SIZE") or "2")
            return ConnectionPool(ledger, lambda: _connect(ledger), size=size, wait=30.0,
                                  setting="LEDGER_POOL_SIZE", broken=(sqlite3.ProgrammingError,))


        _pools = PerResource(_open_pool, on_reset=ConnectionPool.reset)


        def client(ledger: str) -> ConnectionPool[sqlite3.Connection]:
            return _pools.get(ledger)


        def reset() -> None:
            _pools.reset()
        ''',
    "scratch_ledger/local.py": '''
        from __future__ import annotations

        from infrar.errors import InvalidArgument
        from scratch_ledger._clients import ledgers


        class LocalLedger:
            def record(self, ledger: str, amount: int) -> int:
                if not ledger.isidentifier():
                    raise InvalidArgument(f"ledger name {ledger!r} must be an identifier, e.g. 'cash'")
                with ledgers.client(ledger).acquire() as connection, connection:
                    connection.execute("INSERT INTO entries VALUES (?)", (amount,))
                return amount

            def total(self, ledger: str) -> int:
                with ledgers.client(ledger).acquire() as connection:
                    row = connection.execute("SELECT COALESCE(SUM(amount), 0) FROM entries").fetchone()
                return int(row[0])
        ''',
    "scratch_ledger/plugin.yaml": '''
        name: scratch-ledger
        version: 0.1.0
        description: Sums per ledger (a throwaway domain for tests)
        domain: ledger
        api: scratch_ledger
        dependencies: []
        provides:
          capabilities: []
          transformations:
            - name: scratch_ledger.record
              resource: {parameter: ledger, kind: ledger}
            - name: scratch_ledger.total
              resource: {parameter: ledger, kind: ledger}
          modules: []
        adapters:
          local: scratch_ledger.local:LocalLedger
        requirements:
          local: []
        variables:
          local: [LEDGER_ROOT, LEDGER_POOL_SIZE]
        ''',
    "scratch_ledger-0.1.0.dist-info/METADATA": """
        Metadata-Version: 2.1
        Name: scratch-ledger
        Version: 0.1.0
        """,
    "scratch_ledger-0.1.0.dist-info/entry_points.txt": """
        [infrar.plugins]
        ledger = scratch_ledger
        """,
}

LEDGER_PROGRAM = """
from concurrent.futures import ThreadPoolExecutor

import scratch_ledger
from infrar.errors import InvalidArgument

with ThreadPoolExecutor(max_workers=12) as workers:
    list(workers.map(lambda n: scratch_ledger.record("cash" if n % 3 else "card", n), range(300)))
print(scratch_ledger.total("cash"), scratch_ledger.total("card"), scratch_ledger.total("empty"))
try:
    scratch_ledger.record("not a name", 1)
except InvalidArgument as exc:
    print("invalid:", exc)
"""

BLOCKED_RUN = """
import runpy, sys
class _Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("infrar", "scratch_ledger"):
            raise ImportError(f"blocked in the erased run: {name}")
sys.meta_path.insert(0, _Blocked())
sys.argv = ["app.py"]
runpy.run_path("app.py", run_name="__main__")
"""


def _python(args: list[str], site: Path, ledgers: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "INFRAR_PROVIDER": "local", "LEDGER_ROOT": str(ledgers), "LEDGER_POOL_SIZE": "3"}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=120, check=False)


def test_pooled_per_resource_clients_erase_and_run_alike(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", LEDGER_FILES)
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "app.py").write_text(LEDGER_PROGRAM, encoding="utf-8")
    runtime = _python(["app.py"], site, tmp_path / "runtime-ledgers", src)
    assert runtime.returncode == 0, runtime.stderr
    cash = sum(n for n in range(300) if n % 3)
    assert runtime.stdout.startswith(f"{cash} {sum(range(300)) - cash} 0\ninvalid: ledger name 'not a name'")

    erased = _python(["-m", "infrar.erase", "--provider", "local", str(src), "-o", str(out)], site, tmp_path, tmp_path)
    assert erased.returncode == 0, erased.stdout + erased.stderr
    code = (out / "app.py").read_text(encoding="utf-8")
    assert_no_infrar(code)
    assert "scratch_ledger" not in code
    classes = {node.name for node in ast.parse(code).body if isinstance(node, ast.ClassDef)}
    assert {"_PerResource", "_ConnectionPool"} <= classes, classes  # lifted from infrar/providers/_keyed.py
    result = _python(["-c", BLOCKED_RUN], site, tmp_path / "erased-ledgers", out)
    assert result.returncode == 0, result.stderr + code
    assert result.stdout == runtime.stdout
