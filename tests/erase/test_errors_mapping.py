"""infrar.errors classes become their builtins, however they are spelled."""

from __future__ import annotations

from pathlib import Path

import pytest

from infrar.errors import BUILTIN_OF
from tests.erase._support import assert_no_infrar, differential, erase


@pytest.mark.parametrize("name", sorted(BUILTIN_OF))
def test_each_class_becomes_its_builtin(name: str) -> None:
    builtin = BUILTIN_OF[name]
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
    assert f"except {builtin}:" in out
    assert f"except ({builtin}, {builtin}) as e:" in out
    assert f"raise {builtin}(\"x\") from e" in out
    assert f"return isinstance(exc, ({builtin}, {builtin}))" in out


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
