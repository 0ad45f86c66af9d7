"""Copied code reads the builtins it meant when the user's module binds their names.

A copied adapter reads ``open``, ``type``, ``len``... as builtins; pasted into a module that binds
one of those names (``type = "daily"``, ``def open(...)``, ``from os import *``, a local that an
inlined body lands beside), it would read the user's object instead and fail, or, worse, succeed
differently. Erase then reads such builtins through ``from builtins import open as _open``, and
only then: a module binding no builtin's name gets the plain names, through the fast path.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from infrar.erase.fast import erase_fast
from tests.erase._support import _analysis, differential, erase

SHADOWING = '''
import os
from infrar import storage
from infrar.errors import InvalidArgument, NotFound

type = "daily"
B = os.environ.get("APP_BUCKET", "shadow-bucket")


def open(path, mode="r"):
    return f"user open {path} {mode}"


def main():
    len = 3  # a local beside the inlined calls
    storage.write_bytes(B, "a.txt", b"hi")
    print(storage.read_bytes(B, "a.txt"), len)
    storage.upload(B, __file__, "copy.py")  # the copies open the path
    storage.download(B, "copy.py", "copy.txt")
    print(os.path.getsize("copy.txt") == os.path.getsize(__file__))
    for bad in ("not bytes", 12345):
        try:
            storage.write_bytes(B, "a.txt", bad)
        except InvalidArgument as exc:
            print("invalid:", exc)
    try:
        storage.read_bytes(B, "missing.txt")
    except NotFound as exc:
        print("missing:", exc)
    print(open("x"), type)


main()
'''

STAR = '''
from os import *  # binds open (os.open), among others
from infrar import storage

storage.write_bytes("star-bucket", "a.txt", b"hi")
print(storage.read_bytes("star-bucket", "a.txt"))
storage.download("star-bucket", "a.txt", "a.copy")  # the copy opens the path
print(stat("a.copy").st_size, sep)
'''


def test_a_module_binding_builtins_erases_to_the_same_behaviour(tmp_path: Path) -> None:
    runtime, erased = differential(tmp_path, SHADOWING)
    assert runtime == erased
    assert "user open x r daily" in runtime and "got str" in runtime and "got int" in runtime
    text = erase(textwrap.dedent(SHADOWING), "local")
    assert "from builtins import " in text
    assert "_type(data).__name__" in text  # the copied check, not the user's "daily"


def test_a_star_import_may_bind_any_builtin(tmp_path: Path) -> None:
    runtime, erased = differential(tmp_path, STAR)
    assert runtime == erased == "b'hi'\n2 /\n"
    assert "as _open" in erase(textwrap.dedent(STAR), "local")


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_the_clouds_copies_read_builtins_through_builtins_too(provider: str) -> None:
    text = erase(textwrap.dedent(SHADOWING), provider)
    compile(text, "erased.py", "exec")
    assert "from builtins import " in text and "_type(" in text
    assert " type(" not in text.replace("_type(", "")  # no copied read of the user's `type`


def test_only_a_module_that_binds_a_builtin_leaves_the_fast_path() -> None:
    catalog, library = _analysis()
    plain = 'from infrar import storage\n\nkind = "daily"\nstorage.write_bytes("fast-bucket", "a.txt", b"hi")\n'
    fast = erase_fast(plain.encode(), "local", "app.py", catalog, library)
    assert fast is not None and fast.code is not None and b"builtins" not in fast.code
    shadowing = plain.replace("kind =", "type =")
    assert erase_fast(shadowing.encode(), "local", "app.py", catalog, library) is None
    assert "from builtins import type as _type" in erase(shadowing, "local")
