"""Ways of binding an infrar name that erase refuses at erase time (file:line:col and a fix),
because the erased program would fail later; and the refusals' hints."""

from __future__ import annotations

from pathlib import Path

from tests.erase._support import assert_no_infrar, erase, run
from tests.erase.test_unerasable import one


def test_plain_import_infrar_then_a_submodule_is_refused_as_python_fails(tmp_path: Path) -> None:
    code = 'import infrar\ninfrar.storage.write_bytes("plain-bucket", "k", b"x")\n'
    d = one(code)
    assert (d.line, d.col, d.code) == (2, 1, "unsupported-binding")
    assert "AttributeError" in d.message and "'import infrar.storage'" in d.fix
    (tmp_path / "app.py").write_text(code, encoding="utf-8")
    runtime = run(tmp_path / "app.py", tmp_path / "root", blocked=False)
    assert "AttributeError" in runtime.stderr  # the runtime agrees: it fails too


def test_plain_import_with_the_submodule_imported_erases() -> None:
    out = erase('import infrar\nimport infrar.storage\nprint(infrar.storage.exists("plain-bucket", "k"))\n')
    assert_no_infrar(out)
    assert "_exists(" in out


def test_del_of_an_infrar_name() -> None:
    d = one('from infrar import storage\nstorage.exists("del-bucket", "k")\ndel storage\n')
    assert (d.line, d.col, d.code) == (3, 5, "unsupported-binding")
    assert "NameError" in d.message and d.fix.startswith("remove 'del storage'")


def test_import_in_a_class_body() -> None:
    d = one("""
        class Repo:
            import infrar.storage as backend

            def has(self, key):
                return self.backend.exists("class-bucket", key)
        """)
    assert (d.line, d.code) == (2, "unsupported-binding")
    assert "class body" in d.message and "top of the module" in d.fix


def test_optional_import_is_one_error_with_a_hint() -> None:
    d = one("""
        try:
            from infrar import storage
        except ImportError:
            storage = None
        print(storage.exists("opt-bucket", "k") if storage else None)
        """)
    assert (d.line, d.col, d.code) == (2, 5, "unsupported-binding")
    assert "optional import" in d.message and "unconditionally" in d.fix


def test_use_provider_says_choose_with_provider() -> None:
    d = one('import infrar\ninfrar.use_provider("aws")\n')
    assert d.code == "runtime-only" and "--provider" in d.fix and "install" not in d.fix


def test_getattr_of_errors_suggests_a_class_not_a_call() -> None:
    d = one('from infrar import errors\nname = "NotFound"\nprint(getattr(errors, name))\n')
    assert d.code == "dynamic-access" and "'errors.AlreadyExists'" in d.fix and "upload" not in d.fix


def test_reexport_across_modules_is_refused_where_it_is_imported(tmp_path: Path) -> None:
    from infrar.erase import erase_tree

    src = tmp_path / "src"
    (src / "lib").mkdir(parents=True)
    (src / "lib" / "__init__.py").write_text(
        "from infrar import storage\nfrom infrar.errors import NotFound as Missing\n", encoding="utf-8")
    (src / "main.py").write_text(
        "from lib import Missing, storage\n\ntry:\n    storage.read_bytes('re-bucket', 'k')\n"
        "except Missing:\n    print('missing')\n", encoding="utf-8")
    (src / "other.py").write_text("from lib import helper\n", encoding="utf-8")  # not infrar: fine
    report = erase_tree(src, tmp_path / "out", "local")
    found = [(d.file.rpartition("/")[2], d.line, d.col, d.code) for d in report.errors]
    assert found == [("main.py", 1, 1, "re-export"), ("main.py", 1, 1, "re-export")]
    fixes = sorted(d.fix for d in report.errors)
    assert fixes[0].endswith("'from infrar import storage'")
    assert fixes[1].endswith("'from infrar.errors import NotFound as Missing'")
    assert not (tmp_path / "out").exists()


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    src = tmp_path / "src"
    for rel, text in files.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text, encoding="utf-8")
    return src


def test_module_attribute_star_import_and_all_of_a_reexport_are_refused(tmp_path: Path) -> None:
    from infrar.erase import erase_tree

    src = _tree(tmp_path, {
        "lib/__init__.py": "from infrar import storage\nfrom infrar import errors as _errors\n"
                           "__all__ = ['storage', 'helper']\nhelper = 1\n",
        "pkg/__init__.py": "",
        "pkg/inner.py": "import infrar.storage as backend\n",
        "main.py": "import lib\nimport lib as L\nprint(lib.storage.exists('re-bucket', 'k'), L.helper)\n"
                   "L.storage.exists('re-bucket', 'k')\n",
        "star.py": "from lib import *\nprint(storage.exists('re-bucket', 'k'))\n",
        "deep.py": "import pkg.inner\nfrom pkg import inner as I\nprint(pkg.inner.backend, I.backend)\n",
        "fine.py": "import lib\nprint(lib.helper)\n",  # not an infrar name: erases as it is
    })
    report = erase_tree(src, tmp_path / "out", "local")
    found = sorted((d.file.rpartition("/")[2], d.line, d.col, d.code) for d in report.errors)
    assert found == [
        ("__init__.py", 3, 12, "re-export"),  # __all__ lists 'storage' (not the private _errors)
        ("deep.py", 3, 7, "re-export"), ("deep.py", 3, 26, "re-export"),
        ("main.py", 3, 7, "re-export"), ("main.py", 4, 1, "re-export"),
        ("star.py", 1, 1, "re-export"),
    ]
    by_file = {d.file.rpartition("/")[2]: d for d in report.errors}
    assert "AttributeError" in by_file["main.py"].message
    assert by_file["main.py"].fix.endswith("'from infrar import storage'")
    assert by_file["deep.py"].fix.endswith("'from infrar import storage as backend'")
    assert "storage" in by_file["star.py"].message and "_errors" not in by_file["star.py"].message
    assert "remove 'storage' from __all__" in by_file["__init__.py"].fix
    assert not (tmp_path / "out").exists()


def test_the_runtime_agrees_that_the_reexported_forms_work(tmp_path: Path) -> None:
    # what is refused runs at run time: erase refuses it because the erased tree would not
    src = _tree(tmp_path, {
        "lib/__init__.py": "from infrar import storage\n",
        "main.py": "import lib\nlib.storage.write_bytes('re-bucket', 'k', b'x')\n"
                   "print(lib.storage.read_bytes('re-bucket', 'k'))\n",
    })
    done = run(src / "main.py", tmp_path / "root", blocked=False)
    assert done.stdout == "b'x'\n", done.stderr


def test_a_reexport_is_found_however_the_importer_names_it(tmp_path: Path) -> None:
    """Erase parses only the files that name a module binding infrar (the rest of a tree is
    byte-searched): a relative import names no module, yet it is found, as is a file that
    never mentions infrar."""
    from infrar.erase import erase_tree

    src = _tree(tmp_path, {
        "__init__.py": "",
        "lib.py": "from infrar import storage\n",
        "use_relative.py": "from .lib import storage\n\nprint(storage.exists('re-bucket', 'k'))\n",
        "sub/__init__.py": "from infrar import storage\n",
        "sub/inner.py": "from . import storage\n",
        "plain.py": "import json\n\nprint(json.dumps({}))\n",  # names neither: not parsed, not refused
    })
    report = erase_tree(src, tmp_path / "out", "local")
    found = sorted((d.file.rpartition("src/")[2], d.line, d.code) for d in report.errors)
    assert found == [("sub/inner.py", 1, "re-export"), ("use_relative.py", 1, "re-export")]
