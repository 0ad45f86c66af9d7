"""Calls in every kind of scope are erased; locally shadowed names are left alone."""

from __future__ import annotations

from pathlib import Path

from tests.erase._support import assert_no_infrar, differential, erase

PROGRAM = '''
import infrar.storage
from infrar.storage import exists as ex, write_bytes, read_bytes
from infrar import errors

B = "scope-bucket"


def shadow():
    write_bytes = lambda *a: "local"  # noqa: E731
    return write_bytes(B, "k", b"v")


def param_shadow(read_bytes):
    return read_bytes(B, "a")


class Repo:
    def __init__(self, bucket):
        self.bucket = bucket

    def save(self, key, text):
        write_bytes(self.bucket, key, text.encode() + b"!")

    def load(self, key):
        return read_bytes(self.bucket, key).decode()


def nested():
    from infrar.storage import list_objects

    def inner(prefix):
        return [k.upper() for k in list_objects(B, prefix=prefix)]

    return inner("")


def main():
    r = Repo(B)
    r.save("a", "x")
    r.save(key="b", text="y" * 3)
    print(r.load("a"), r.load("b"), len(read_bytes(B, "a")) + 1)
    print(shadow(), param_shadow(lambda b, k: "param"))
    print(nested())
    check = lambda k: ex(B, k)  # noqa: E731
    print([check(k) for k in ("a", "zz")], {k: ex(B, k) for k in ["a"]})
    print(infrar.storage.exists(B, "a") and not ex(bucket=B, key="nope"))
    args = (B, "a")
    print(read_bytes(*args), infrar.storage.read_bytes(**{"bucket": B, "key": "b"}))


main()
'''


def test_scopes_behave_the_same(tmp_path: Path) -> None:
    runtime, erased = differential(tmp_path, PROGRAM)
    assert runtime == erased
    assert runtime.splitlines()[1] == "local param"


def test_shadowed_names_untouched() -> None:
    out = erase(PROGRAM)
    assert_no_infrar(out)
    assert '    write_bytes = lambda *a: "local"  # noqa: E731\n    return write_bytes(B, "k", b"v")' in out
    assert 'def param_shadow(read_bytes):\n    return read_bytes(B, "a")' in out


def test_lambda_comprehension_and_method_calls_rewritten() -> None:
    out = erase(PROGRAM)
    assert "check = lambda k: _exists(B, k)  # noqa: E731" in out
    assert "{k: _exists(B, k) for k in [\"a\"]}" in out
    # an attribute may be a property and an expression may have effects: the emitted function
    # evaluates them once, left to right, before its body, as the runtime call did
    assert "return _read_bytes(self.bucket, key).decode()" in out
    assert "_write_bytes(self.bucket, key, text.encode() + b\"!\")" in out
    assert 'len(_read_object(B, "a"))' in out  # names and literals are inlined


def test_star_args_call_the_emitted_function() -> None:
    out = erase(PROGRAM)
    assert "print(_read_bytes(*args), _read_bytes(**{\"bucket\": B, \"key\": \"b\"}))" in out
    assert "\ndef _read_bytes(bucket: str, key: str) -> bytes:\n" in out


def test_argument_used_twice_is_not_duplicated() -> None:
    out = erase(
        """
        from infrar.storage import write_bytes
        def f(make):
            write_bytes(make(), "k", b"x")
        """
    )
    # bucket is used more than once in the adapter body: a call must not be evaluated twice
    assert "_write_bytes(make(), \"k\", b\"x\")" in out
    assert out.count("make()") == 1


def test_result_inside_larger_expression_is_parenthesized_when_needed(tmp_path: Path) -> None:
    code = """
    from infrar.storage import write_bytes, read_bytes, list_objects
    write_bytes("expr-bucket", "k", b"abc")
    print(len(read_bytes("expr-bucket", "k")) * 2, list_objects("expr-bucket") + ["z"])
    print(read_bytes("expr-bucket", "k")[1:], ", ".join(list_objects("expr-bucket")))
    """
    runtime, erased = differential(tmp_path, code)
    assert runtime == erased == "6 ['k', 'z']\nb'bc' k\n"


def test_comments_and_untouched_lines_kept_exactly() -> None:
    code = (
        "# header comment\n"
        "import json  # why json\n"
        "from infrar import storage\n"
        "\n"
        "\n"
        "def f(x):\n"
        "    # explain\n"
        "    y = json.dumps( x )   # odd spacing kept\n"
        "    return storage.exists('a-bucket', y)\n"
    )
    out = erase(code)
    assert out.startswith("# header comment\nimport json  # why json\n")
    assert "    # explain\n    y = json.dumps( x )   # odd spacing kept\n    return _exists('a-bucket', y)\n" in out
