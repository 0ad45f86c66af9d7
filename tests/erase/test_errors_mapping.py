"""infrar.errors classes become small native classes, each a subclass of its builtin, so the
erased program catches exactly what the runtime program caught (docs/erase.md, "Errors")."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from infrar.erase import erase_tree
from infrar.erase.names import native_error_name
from infrar.errors import BUILTIN_OF
from tests.erase._support import assert_no_infrar, differential, erase, run


@pytest.mark.parametrize("name", sorted(BUILTIN_OF))
def test_each_class_becomes_a_native_subclass_of_its_builtin(name: str) -> None:
    native = native_error_name(name)
    out = erase(
        f"""
        import infrar.errors
        import infrar.errors as E
        from infrar import errors
        from infrar.errors import {name}
        from infrar.errors import {name} as Alias

        def f(exc):
            try:
                pass
            except infrar.errors.{name}:
                pass
            except (E.{name}, errors.{name}) as e:
                raise {name}("x") from e
            except Alias:
                pass
            return isinstance(exc, ({name}, errors.{name}))
        """
    )
    assert_no_infrar(out)
    assert "infrar" not in out.lower()
    assert f"except {native}:" in out
    assert f"except ({native}, {native}) as e:" in out
    assert f"raise {native}(\"x\") from e" in out
    assert f"return isinstance(exc, ({native}, {native}))" in out
    bases = "Exception" if name == "InfrarError" else f"ServiceError, {BUILTIN_OF[name]}"
    assert f"class {native}({bases}):" in out
    assert out.count(f"class {native}(") == 1


def test_errors_caught_identically(tmp_path: Path) -> None:
    code = """
    from infrar import storage, errors
    import infrar.errors

    for call in (lambda: storage.read_bytes("err-bucket", "missing"),
                 lambda: storage.write_bytes("Bad_Bucket!", "k", b"x"),
                 lambda: storage.write_bytes("err-bucket", "k", "text")):
        try:
            call()
        except errors.NotFound as exc:
            print("not found", isinstance(exc, FileNotFoundError))
        except infrar.errors.InvalidArgument as exc:
            print("invalid", isinstance(exc, ValueError), "bucket" in str(exc) or "bytes" in str(exc))
    """
    runtime, erased = differential(tmp_path, code)
    assert runtime == erased == "not found True\ninvalid True True\ninvalid True True\n"


# The three programs of issue 8: a handler for infrar's class must not catch the builtin
# raised by other code in the same `try`.
NARROW = """
from infrar import storage
from infrar.errors import InfrarError, InvalidArgument, NotFound

B = "narrow-bucket"
storage.write_bytes(B, "settings.json", b"{}")
try:
    storage.read_bytes(B, "settings.json")
    open("settings.local.json")
except NotFound:
    print("remote settings missing")
except FileNotFoundError:
    print("local settings missing")
try:
    storage.exists(B, "k")
    int(b"x")
except InvalidArgument:
    print("invalid argument")
except ValueError:
    print("value error")
try:
    try:
        {}["missing"]
    except InfrarError:
        print("swallowed")
except KeyError:
    print("key error")
try:
    storage.read_bytes(B, "nope")
except FileNotFoundError as exc:  # infrar's classes are still their builtins
    print("builtin", isinstance(exc, NotFound), isinstance(exc, InfrarError))
"""


def test_handlers_catch_exactly_what_the_runtime_caught(tmp_path: Path) -> None:
    runtime, erased = differential(tmp_path, NARROW)
    assert runtime == erased
    assert runtime.splitlines() == ["local settings missing", "value error", "key error", "builtin True True"]


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


ACROSS = {
    "lib/__init__.py": "",
    "lib/store.py": """
        from infrar import storage
        from infrar.errors import InvalidArgument

        def load(key):
            try:
                return storage.read_bytes("across-bucket", key)
            except InvalidArgument:
                return b"bad"
        """,
    "main.py": """
        from infrar.errors import NotFound
        from lib.store import load

        try:
            load("missing")
        except NotFound as exc:
            print("caught across modules", isinstance(exc, FileNotFoundError))
        """,
}


def test_one_module_catches_what_another_raises(tmp_path: Path) -> None:
    src = _tree(tmp_path / "src", ACROSS)
    out = tmp_path / "out"
    assert erase_tree(src, out, "local").ok
    shared = (out / "_cloud.py").read_text(encoding="utf-8")
    assert "class NotFound(ServiceError, FileNotFoundError):" in shared
    # the local backend's directory and its variable stay: the erased program reads the same data
    kept = shared.replace('os.environ.get("INFRAR_LOCAL_ROOT") or ".infrar"', "")
    assert "infrar" not in kept.lower()
    assert "from _cloud import NotFound\n" in (out / "main.py").read_text(encoding="utf-8")
    assert "class " not in (out / "lib" / "store.py").read_text(encoding="utf-8")
    runtime = run(src / "main.py", tmp_path / "root1", blocked=False)
    erased = run(out / "main.py", tmp_path / "root2", blocked=True)
    assert (runtime.stdout, erased.stdout) == ("caught across modules True\n",) * 2, erased.stderr


def test_a_package_imports_its_errors_relatively(tmp_path: Path) -> None:
    files = {"__init__.py": "", **{f"sub/{k.removeprefix('lib/')}": v for k, v in ACROSS.items()}}
    files["sub/main.py"] = files["sub/main.py"].replace("from lib.store", "from .store")
    src = _tree(tmp_path / "pkg", files)
    out = tmp_path / "out" / "pkg"
    assert erase_tree(src, out, "local").ok
    assert "from .._cloud import NotFound\n" in (out / "sub" / "main.py").read_text(encoding="utf-8")


def test_one_module_keeps_its_classes_in_itself(tmp_path: Path) -> None:
    src = _tree(tmp_path / "src", {"main.py": NARROW, "other.py": "print('no infrar')\n"})
    out = tmp_path / "out"
    assert erase_tree(src, out, "local").ok
    assert not (out / "_cloud.py").exists()
    assert "class NotFound(ServiceError, FileNotFoundError):" in (out / "main.py").read_text(encoding="utf-8")
