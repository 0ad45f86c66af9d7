"""Bad input, table-driven: each case names the error class and words its message must hold.

The words are the problem (which argument, which resource) and the fix (the rule, the
variable, the pip command). Every case also checks that nothing was written.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import infrar
from infrar import storage
from infrar.aws import s3
from infrar.errors import ConfigurationError, InvalidArgument, MissingDependency, NotFound

B = "good-bucket"
Case = tuple[str, Callable[[Path], Any], type[Exception], tuple[str, ...]]

CASES: list[Case] = [
    ("bucket-not-str", lambda t: storage.write_bytes(123, "k", b"x"), InvalidArgument,  # type: ignore[arg-type]
     ("bucket must be a str", "int", "pass the bucket name")),
    ("bucket-none", lambda t: storage.read_bytes(None, "k"), InvalidArgument, ("bucket must be a str", "None")),  # type: ignore[arg-type]
    ("bucket-empty", lambda t: storage.write_bytes("", "k", b"x"), InvalidArgument,
     ("invalid bucket name ''", "3-63 characters")),
    ("bucket-uppercase-underscore", lambda t: storage.write_bytes("Bad_Name", "k", b"x"), InvalidArgument,
     ("'Bad_Name'", "lowercase letters")),
    ("bucket-too-short", lambda t: storage.list_objects("ab"), InvalidArgument, ("'ab'", "3-63 characters")),
    ("bucket-too-long", lambda t: storage.exists("a" * 64, "k"), InvalidArgument, ("a" * 64, "3-63")),
    ("bucket-leading-hyphen", lambda t: storage.write_bytes("-abc", "k", b"x"), InvalidArgument,
     ("'-abc'", "starting and ending with a letter or digit")),
    ("bucket-double-hyphen", lambda t: storage.write_bytes("a--b", "k", b"x"), InvalidArgument,
     ("'a--b'", "single hyphens")),
    ("bucket-dots-not-portable", lambda t: storage.write_bytes("my.bucket", "k", b"x"), InvalidArgument,
     ("'my.bucket'", "every cloud accepts")),
    ("key-not-str", lambda t: storage.write_bytes(B, None, b"x"), InvalidArgument,  # type: ignore[arg-type]
     ("key in bucket 'good-bucket' must be a str", "NoneType")),
    ("key-empty", lambda t: storage.write_bytes(B, "", b"x"), InvalidArgument, ("is empty", "name the object")),
    ("key-traversal", lambda t: storage.write_bytes(B, "../../etc/passwd", b"x"), InvalidArgument,
     ("'../../etc/passwd'", "may not climb out of their bucket")),
    ("key-traversal-inside", lambda t: storage.write_bytes(B, "a/../../b", b"x"), InvalidArgument,
     ("'..'", "climb")),
    ("key-absolute", lambda t: storage.write_bytes(B, "/etc/passwd", b"x"), InvalidArgument,
     ("not a relative key", "no leading or trailing '/'")),
    ("key-backslash", lambda t: storage.write_bytes(B, "a\\b", b"x"), InvalidArgument, ("no backslashes",)),
    ("key-nul", lambda t: storage.write_bytes(B, "a\x00b", b"x"), InvalidArgument, ("NUL", "remove it")),
    ("key-too-long", lambda t: storage.write_bytes(B, "é" * 513, b"x"), InvalidArgument,
     ("1026 bytes", "at most 1024 bytes")),
    ("key-empty-segment", lambda t: storage.write_bytes(B, "a//b", b"x"), InvalidArgument, ("empty",)),
    ("key-trailing-slash", lambda t: storage.write_bytes(B, "dir/", b"x"), InvalidArgument, ("trailing '/'",)),
    ("data-text", lambda t: storage.write_bytes(B, "k", "text"), InvalidArgument,  # type: ignore[arg-type]
     ("must be bytes, got str", "encode text first")),
    ("data-int", lambda t: storage.write_bytes(B, "k", 7), InvalidArgument, ("got int", "good-bucket/k")),  # type: ignore[arg-type]
    ("prefix-not-str", lambda t: storage.list_objects(B, 5), InvalidArgument, ("prefix", "must be a str")),  # type: ignore[arg-type]
    ("upload-missing-file", lambda t: storage.upload(B, str(t / "nope.csv"), "k"), NotFound,
     ("nope.csv", "does not exist", "good-bucket/k")),
    ("download-missing-bucket", lambda t: storage.download("no-such-bucket", "k", str(t / "o")), NotFound,
     ("'no-such-bucket'", "created by its first write")),
    ("read-missing-key", lambda t: storage.read_bytes("made-bucket", "absent.txt"), NotFound,
     ("'absent.txt'", "'made-bucket'")),
    ("download-into-missing-dir", lambda t: storage.download("made-bucket", "present", str(t / "a" / "b")),
     NotFound, ("does not exist", "made-bucket/present")),
    ("key-collides-with-object", lambda t: storage.write_bytes("made-bucket", "present/child", b"x"),
     InvalidArgument, ("already an object", "rename one of them")),
    ("signed-url-method", lambda t: storage.signed_url(B, "k", method="POST"), InvalidArgument,
     ("'POST'", "use 'GET' or 'PUT'")),
    ("signed-url-expiry-range", lambda t: storage.signed_url(B, "k", expires_in=10**7), InvalidArgument,
     ("expires_in=10000000", "1 to 604800 seconds")),
    ("signed-url-expiry-type", lambda t: storage.signed_url(B, "k", expires_in="60"), InvalidArgument,  # type: ignore[arg-type]
     ("must be an int", "'60'")),
    ("use-provider-unknown", lambda t: infrar.use_provider("ibm").__enter__(), ConfigurationError,
     ("'ibm'", "local, aws, gcp, azure")),
    ("provider-only-feature-on-local", lambda t: s3.enable_versioning(B), ConfigurationError,
     ("aws-only feature", "INFRAR_PROVIDER=aws")),
]


@pytest.fixture
def prepared(infrar_local: Path, tmp_path: Path) -> Path:
    storage.write_bytes("made-bucket", "present", b"x")
    return tmp_path


@pytest.mark.filterwarnings("ignore::infrar.lockin.LockInWarning")
@pytest.mark.parametrize(("case", "call", "error", "words"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_gets_a_clear_error(prepared: Path, case: str, call: Callable[[Path], Any],
                                      error: type[Exception], words: tuple[str, ...]) -> None:
    before = sorted(p.relative_to(prepared) for p in prepared.rglob("*"))
    with pytest.raises(error) as caught:
        call(prepared)
    message = str(caught.value)
    for word in words:
        assert word in message, f"{case}: {word!r} missing from {message!r}"
    after = sorted(p.relative_to(prepared) for p in prepared.rglob("*"))
    assert after == before, f"{case} changed files: {set(after) ^ set(before)}"


def test_the_table_is_at_least_25_cases() -> None:
    assert len(CASES) >= 25


def test_unknown_provider_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRAR_PROVIDER", "Aws")
    with pytest.raises(ConfigurationError) as caught:
        storage.exists(B, "k")
    assert "INFRAR_PROVIDER='Aws'" in str(caught.value)
    assert "one of: local, aws, gcp, azure" in str(caught.value)


@pytest.mark.parametrize(("provider", "sdk_roots"), [
    ("aws", ("boto3", "botocore")),
    ("gcp", ("google.cloud.storage",)),
    ("azure", ("azure.storage.blob",)),
])
def test_missing_extra_names_the_pip_command(monkeypatch: pytest.MonkeyPatch, provider: str,
                                             sdk_roots: tuple[str, ...]) -> None:
    monkeypatch.setenv("INFRAR_PROVIDER", provider)
    for name in list(sys.modules):
        if name.startswith(f"infrar.providers.{provider}."):
            monkeypatch.delitem(sys.modules, name)
        if any(name == root or name.startswith(root + ".") for root in sdk_roots):
            monkeypatch.setitem(sys.modules, name, None)  # `import name` now fails as if not installed
    for root in sdk_roots:
        monkeypatch.setitem(sys.modules, root, None)
    with pytest.raises(MissingDependency) as caught:
        storage.exists(B, "k")
    assert f"pip install 'infrar[{provider}]'" in str(caught.value)
    assert isinstance(caught.value, ImportError)
