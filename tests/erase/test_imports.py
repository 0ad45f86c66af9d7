"""Every import form of infrar is followed, erased, and leaves no infrar behind."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.erase._support import assert_no_infrar, differential, erase

BODY = """
def main():
    {w}(BUCKET, "k.txt", b"hello")
    print({r}(BUCKET, "k.txt"), {e}(BUCKET, "k.txt"))
"""

FORMS = {
    "from-import": (
        "from infrar.storage import write_bytes, read_bytes, exists", "write_bytes", "read_bytes", "exists"
    ),
    "from-import-as": (
        "from infrar.storage import write_bytes as put, read_bytes as get, exists as has", "put", "get", "has"
    ),
    "import-dotted": ("import infrar.storage", "infrar.storage.write_bytes", "infrar.storage.read_bytes",
                      "infrar.storage.exists"),
    "import-as": ("import infrar.storage as st", "st.write_bytes", "st.read_bytes", "st.exists"),
    "from-infrar-import-module": ("from infrar import storage", "storage.write_bytes", "storage.read_bytes",
                                  "storage.exists"),
    "import-infrar-then-dotted": ("import infrar\nimport infrar.storage", "infrar.storage.write_bytes",
                                  "infrar.storage.read_bytes", "infrar.storage.exists"),
}


def _program(form: str) -> str:
    header, w, r, e = FORMS[form]
    return f"{header}\n\nBUCKET = 'imports-bucket'\n" + BODY.format(w=w, r=r, e=e) + "\n\nmain()\n"


@pytest.mark.parametrize("form", sorted(FORMS))
def test_import_form_is_erased_and_behaves_the_same(tmp_path: Path, form: str) -> None:
    code = _program(form)
    out = erase(code)
    assert_no_infrar(out)
    runtime, erased = differential(tmp_path, code)
    assert runtime == erased == "b'hello' True\n"


def test_import_inside_function(tmp_path: Path) -> None:
    code = """
    def main():
        from infrar.storage import write_bytes, exists
        import infrar.storage as st
        write_bytes("fn-bucket", "a", b"1")
        print(exists("fn-bucket", "a"), st.exists("fn-bucket", "b"))

    main()
    """
    out = erase(code)
    assert_no_infrar(out)
    assert "def main():\n    _write_stream(" in out
    runtime, erased = differential(tmp_path, code)
    assert runtime == erased == "True False\n"


def test_errors_imports_removed_and_other_imports_kept() -> None:
    out = erase(
        """
        import os, infrar.storage as st
        from infrar import errors
        from infrar.errors import NotFound
        from pathlib import Path  # kept

        try:
            st.read_bytes("a-bucket", os.sep)
        except (NotFound, errors.PermissionDenied):
            pass
        """
    )
    assert "import os\n" in out
    assert "from pathlib import Path  # kept" in out
    # the erased module's own classes (test_errors_mapping.py), under their own names
    assert "except (NotFound, PermissionDenied):" in out
    assert "class PermissionDenied(ServiceError, PermissionError):" in out
    assert_no_infrar(out)


def test_module_without_infrar_is_unchanged() -> None:
    code = "import os\n\n# a comment\nprint(os.sep)\n"
    assert erase(code) == code


def test_type_import_copies_definition() -> None:
    out = erase(
        """
        from infrar.storage import ObjectInfo, iter_objects

        def sizes(bucket: str) -> list[ObjectInfo]:
            return [o for o in iter_objects(bucket) if isinstance(o, ObjectInfo)]
        """
    )
    assert "class ObjectInfo(NamedTuple):" in out
    assert "def sizes(bucket: str) -> list[ObjectInfo]:" in out
    assert_no_infrar(out)


def test_type_checking_block_of_infrar_imports_goes_on_both_paths() -> None:
    """`if TYPE_CHECKING:` holding only infrar imports is removed whole, never left as `pass`;
    a block that keeps other imports keeps them."""
    from infrar.erase.adapters import Library
    from infrar.erase.catalog import Catalog
    from infrar.erase.emit import erase_slow

    code = textwrap.dedent(
        """
        from typing import TYPE_CHECKING
        import typing

        if TYPE_CHECKING:
            from infrar.storage import ObjectInfo
        if typing.TYPE_CHECKING:
            import infrar.storage
            from collections.abc import Iterator
        from infrar import storage


        def f(x: "ObjectInfo") -> bool:
            return storage.exists("b", "k")
        """
    )
    catalog = Catalog()
    result = erase_slow(code.encode(), "local", "app.py", catalog, Library(catalog))
    assert result.code is not None
    slow = result.code.decode()
    for out in (erase(code), slow):
        assert_no_infrar(out)
        assert "if TYPE_CHECKING:" not in out and "pass" not in out.split("def f")[1], out
        assert "if typing.TYPE_CHECKING:\n    from collections.abc import Iterator\n" in out, out


def test_added_imports_merge_into_the_users_plain_from_imports() -> None:
    """An import erase adds joins the user's own top-level ``from M import a, b`` (comment kept,
    sorted names stay sorted); an aliased, rebound or conditional user import is left alone."""
    code = (Path(__file__).parent / "fast_cases" / "merged_imports.py").read_text()
    out = erase(code, "aws")
    lines = out.splitlines()
    assert "from datetime import datetime, timedelta, timezone  # the comment stays on the line" in lines
    assert "from typing import Optional, cast, Any, NamedTuple" in lines  # unsorted: appended
    assert sum(line.startswith(("from datetime ", "from typing ")) for line in lines) == 2
    assert "from collections.abc import Sized as Iterator" in lines  # aliased: its own line
    assert "from collections.abc import Iterator as _Iterator" in lines
    assert "    from botocore.config import Config" in lines  # inside try
    assert "from botocore.config import Config as _Config" in lines
    assert "from botocore.exceptions import ClientError" in lines  # rebound below
    assert_no_infrar(out)
