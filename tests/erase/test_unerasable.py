"""What cannot be erased is an error with file:line:col, the reason and the fix."""

from __future__ import annotations

import textwrap

import pytest

from infrar.erase import EraseError, erase_source
from infrar.erase.report import Diagnostic
from tests.erase._support import assert_no_infrar


def diagnostics(code: str, provider: str = "local") -> list[Diagnostic]:
    with pytest.raises(EraseError) as caught:
        erase_source(textwrap.dedent(code).lstrip("\n"), provider, "app.py")
    return caught.value.diagnostics


def one(code: str, provider: str = "local") -> Diagnostic:
    found = diagnostics(code, provider)
    assert len(found) == 1, found
    return found[0]


def test_function_passed_as_value() -> None:
    d = one(
        """
        from infrar.storage import exists
        found = list(map(exists, ["a-bucket"], ["k"]))
        """
    )
    assert (d.file, d.line, d.col, d.code) == ("app.py", 2, 18, "function-as-value")
    assert d.text() == (
        "app.py:2:18: error: infrar.storage.exists is used as a value, not called; erase replaces calls, "
        "so a function passed around or stored cannot be erased; "
        "fix: call it where it is needed, e.g. wrap it: 'lambda *args: exists(*args)'"
    )


def test_function_stored_through_module_attribute() -> None:
    d = one(
        """
        import infrar.storage as st
        handlers = {"put": st.upload}
        """
    )
    assert (d.line, d.col, d.code) == (2, 20, "function-as-value")
    assert "infrar.storage.upload is used as a value" in d.message
    assert "'lambda *args: st.upload(*args)'" in d.fix


def test_getattr_on_module() -> None:
    d = one(
        """
        from infrar import storage
        name = "exists"
        getattr(storage, name)("a-bucket", "k")
        """
    )
    assert (d.line, d.col, d.code) == (3, 9, "dynamic-access")
    assert d.message == (
        "getattr(storage, ...) chooses a name of infrar.storage at run time; "
        "erase must know each call when it rewrites the code"
    )
    assert d.fix.startswith("name what you use, e.g. 'storage.delete(...)'")


def test_module_as_value() -> None:
    d = one(
        """
        import infrar.storage
        backend = infrar.storage
        """
    )
    assert (d.line, d.col, d.code) == (2, 11, "function-as-value")
    assert "module infrar.storage is used as a value" in d.message


def test_star_import() -> None:
    d = one("from infrar.storage import *\n")
    assert (d.line, d.col, d.code) == (1, 1, "star-import")
    assert d.message == "'from infrar.storage import *' hides which names the code uses, so it cannot be erased"
    assert d.fix == "import the names you use, e.g. 'from infrar.storage import upload, download'"


def test_name_no_plugin_provides() -> None:
    found = diagnostics(
        """
        from infrar.storage import copy_object
        import infrar.nosuchdomain
        infrar.storage.move("a", "b")
        """
    )
    assert [(d.line, d.col, d.code) for d in found] == [
        (1, 28, "unknown-name"), (2, 8, "unknown-name"), (3, 1, "unknown-name")
    ]
    assert found[0].message.startswith(
        "infrar.storage.copy_object is not provided by any installed plugin, so it cannot be erased (installed: "
    )
    assert "infrar-storage 0.1.0 (infrar.storage)" in found[0].message
    assert "infrar.nosuchdomain is not provided" in found[1].message
    assert "infrar.storage.move is not provided" in found[2].message
    assert found[0].fix.startswith("use a function listed under provides.transformations")


def test_infrar_runtime_helpers_are_not_erasable() -> None:
    d = one(
        """
        import infrar
        with infrar.use_provider("aws"):
            pass
        """
    )
    assert d.code == "runtime-only"
    assert "infrar.use_provider chooses the provider at run time" in d.message
    assert "--provider" in d.fix


def test_provider_only_feature_for_another_provider() -> None:
    code = """
    import infrar.aws.s3

    def setup(bucket):
        infrar.aws.s3.enable_versioning(bucket)
    """
    for provider in ("local", "gcp", "azure"):
        d = one(code, provider)
        assert (d.line, d.col, d.code) == (4, 5, "lock-in")
        assert d.text() == (
            "app.py:4:5: error: infrar.aws.s3.enable_versioning ties this code to aws: it exists only there "
            "(plugin infrar-aws-s3); fix: erase with --provider aws or remove the call"
        )


def test_provider_only_feature_for_its_provider_is_inlined() -> None:
    out = erase_source(
        "from infrar.aws.s3 import enable_versioning\n\nenable_versioning('my-bucket')\n", "aws", "app.py"
    )
    assert_no_infrar(out)
    assert "put_bucket_versioning" in out


def test_ambiguous_binding() -> None:
    d = one(
        """
        import os
        if os.environ.get("X"):
            from infrar.storage import exists
        else:
            def exists(bucket, key):
                return False
        exists("a-bucket", "k")
        """
    )
    assert (d.line, d.col, d.code) == (7, 1, "ambiguous-name")
    assert "'exists' may be" in d.message and "infrar.storage.exists" in d.message
    assert d.fix.startswith("bind 'exists' once")


def test_syntax_error_is_a_diagnostic_not_a_traceback() -> None:
    d = one("from infrar import storage\ndef f(:\n    pass\n")
    assert (d.file, d.line, d.col, d.code) == ("app.py", 2, 7, "syntax-error")
    assert d.text().startswith("app.py:2:")
    assert "syntax error" in d.message


def test_every_problem_reported_at_once_sorted() -> None:
    found = diagnostics(
        """
        from infrar import storage
        f = storage.exists
        g = getattr(storage, "upload")
        from infrar.storage import *
        """
    )
    assert [(d.line, d.code) for d in found] == [(2, "function-as-value"), (3, "dynamic-access"), (4, "star-import")]
