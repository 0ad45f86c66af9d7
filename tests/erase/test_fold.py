"""Literal folding (infrar/erase/fold.py): a check is run at erase time on every literal a
parameter can hold and left out of the copy only where all pass, never where the parameter
may hold anything else by then; erased programs of literals behave as the runtime ones."""

from __future__ import annotations

import functools
from pathlib import Path

import libcst as cst
import pytest

from infrar.erase import erase_source, fold
from infrar.erase.adapters import Code, Library
from infrar.erase.catalog import Catalog
from infrar.erase.emit import erase_module
from infrar.erase.reach import closure
from infrar.testing.services import ServiceRegistry
from tests.erase._grammar import BUCKET, program
from tests.erase._support import both_ways, run
from tests.erase.test_generated import _erased, _same_cases

ADAPTER = "tests.erase.fold_adapter:Adapter"
CHECK_BUCKET = Code("infrar.storage.rules", "check_bucket")
CHECK_KEY = Code("infrar.storage.rules", "check_key")


def _fold(method: str, *calls: str) -> tuple[str, list[Code]]:
    """The text of what a program calling ``method`` with each of ``calls``' arguments copies,
    and what that reaches."""
    library = Library(Catalog(None))
    code = library.method(ADAPTER, method)
    sites = []
    for args in calls:
        call = cst.parse_expression(f"f({args})")
        assert isinstance(call, cst.Call)
        sites.append(fold.site(library.definition(code), call))
    folded, _refused = fold.specialise(library, sites, [code])
    reached, _externals = closure(folded, [code])
    text = "\n".join(cst.Module([]).code_for_node(folded.definition(c).node) for c in reached)
    return text, reached


def test_valid_literals_leave_the_checks_out() -> None:
    text, reached = _fold("both", '"good-bucket", "k/a"', 'key="k/b", bucket="other.bucket"')
    assert "return key" in text
    assert CHECK_BUCKET not in reached and CHECK_KEY not in reached


def test_a_literal_that_fails_keeps_its_check() -> None:
    text, reached = _fold("via_helper", '"good-bucket", "k/a"', '"Bad_Bucket", "k/b"')
    assert CHECK_BUCKET in reached  # it raises for "Bad_Bucket", where and as the runtime does
    # the key check around it stays too: leaving it out would leave out the bucket check
    assert "return check_key(key, check_bucket(bucket, S3_BUCKET))" in text


def test_a_check_is_left_out_apart_from_the_arguments_it_is_passed() -> None:
    text, reached = _fold("statement", '"Bad_Bucket", "k/a"')
    assert CHECK_KEY not in reached and "check_key" not in text  # its bucket argument is a plain name


def test_one_unknown_argument_keeps_the_check() -> None:
    _text, reached = _fold("both", '"good-bucket", "k/a"', '"good-bucket", name')
    assert CHECK_KEY in reached and CHECK_BUCKET not in reached


@pytest.mark.parametrize("method", ["rebound", "walrus", "branch", "by_keyword"])
def test_a_parameter_rebound_before_its_check_or_passed_by_keyword_keeps_it(method: str) -> None:
    _text, reached = _fold(method, '"good-bucket", "k/a"')
    assert CHECK_KEY in reached


def test_a_check_called_for_its_verdict_only_goes() -> None:
    text, reached = _fold("statement", '"good-bucket", "k/a"')
    assert CHECK_KEY not in reached and "check_key" not in text


def test_what_a_helper_is_passed_is_followed() -> None:
    _text, reached = _fold("via_helper", '"good-bucket", "k/a"')
    assert Code("tests.erase.fold_adapter", "_helper") in reached
    assert CHECK_BUCKET not in reached and CHECK_KEY not in reached


def test_a_function_passed_as_a_value_is_not_specialised() -> None:
    _text, reached = _fold("as_callback", '"good-bucket", "k/a"')
    assert CHECK_KEY in reached


def test_a_default_is_a_literal_and_a_self_assignment_goes() -> None:
    text, reached = _fold("default", '"good-bucket"')
    assert Code("infrar.storage.rules", "check_prefix") not in reached
    assert "prefix = prefix" not in text and "return prefix" in text


def test_is_none_of_a_default_is_decided_before_the_branch_that_rebinds_it() -> None:
    text, reached = _fold("optional", '"good-bucket"')
    assert "if " not in text and 'target = f"bucket {bucket!r}"' in text
    assert 'return target + ("")' in text and CHECK_KEY not in reached


@pytest.mark.parametrize("calls", [('"good-bucket", "k/a"',), ('"good-bucket"', '"good-bucket", "k/a"')])
def test_is_none_stays_where_the_parameter_may_hold_something_else(calls: tuple[str, ...]) -> None:
    text, reached = _fold("optional", *calls)
    # with "k/a" the test is `key.endswith("/")`, unknown, and its branch rebinds key: nothing after is known
    assert "if key is not None and key.endswith" in text or "if key.endswith" in text
    assert 'if key is not None else f"bucket {bucket!r}"' in text and CHECK_KEY in reached


def test_a_walrus_or_a_comprehension_in_the_test_hides_what_the_parameter_held() -> None:
    text, _reached = _fold("rebinds_in_test", '"good-bucket"')
    assert "and key is None" in text
    shadowed, _reached = _fold("shadowed_in_test", '"good-bucket"')
    assert "if any(key is None for key in keys)" in shadowed


def test_is_none_and_isinstance_decide_a_chain_of_ifs() -> None:
    text, _reached = _fold("flags", '"good-bucket", True')
    assert "is None" not in text and "isinstance" not in text and 'return "bool"' in text
    assert 'return "none"' not in text


def test_equal_literals_of_different_types_are_not_told_apart() -> None:
    # 0 == False: a set of literals holding both would hold one of them, and decide isinstance wrongly
    text, _reached = _fold("flags", '"good-bucket", 0', '"good-bucket", False')
    assert "isinstance(flag, bool)" in text


def test_a_local_bound_to_a_literal_is_known_and_what_follows_a_return_goes() -> None:
    text, reached = _fold("local_literal", '"good-bucket"')
    body = text.partition("def local_literal")[2]
    assert "exists" not in body and "if " not in body and "unsure" not in body  # nothing reads it any more
    assert body.endswith('return check_key("k/fixed", bucket)\n') and CHECK_KEY in reached


def test_what_follows_a_return_stays_where_it_makes_a_generator_or_a_local() -> None:
    generator, _reached = _fold("generator_after_return", '"good-bucket"')
    assert "yield key" in generator and "if " not in generator
    local, _reached = _fold("local_read_after_return", '"good-bucket"')
    # `bucket` is a parameter: its binding after the return changes nothing, so it may go
    assert local.strip().endswith("return bucket") and "other" not in local
    unbound, _reached = _fold("local_made_by_dead_code", '"good-bucket"')
    assert "total = 1" in unbound and "if " not in unbound


def test_a_function_calling_itself_is_folded_only_on_what_it_passes_itself() -> None:
    other, reached = _fold("recurse_other", '"good-bucket"')
    assert "if key is None" in other and CHECK_KEY in reached  # it calls itself with "k/a" too
    same, _reached = _fold("recurse_same", '"good-bucket"')
    assert "key is None" not in same and 'return "bucket"' in same  # `key` on as `key`: still None


def test_a_tree_folds_only_what_is_not_shared(tmp_path: Path) -> None:
    """Two modules sharing `_cloud.py` keep every check there; one alone folds its own."""
    from infrar.erase.tree import erase_tree

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.py").write_text('from infrar import storage\nprint(storage.exists("good-bucket", "k"))\n')
    (src / "b.py").write_text('from infrar import storage\nprint(storage.read_bytes("good-bucket", "k"))\n')
    (src / "c.py").write_text("print('no infrar')\n")
    report = erase_tree(src, tmp_path / "shared", "aws", jobs=1)
    assert report.ok, report.as_text()
    assert "def check_bucket(" in (tmp_path / "shared" / "_cloud.py").read_text()
    (src / "b.py").unlink()
    report = erase_tree(src, tmp_path / "alone", "aws", jobs=1)
    assert report.ok, report.as_text()
    assert "_check_bucket" not in (tmp_path / "alone" / "a.py").read_text()


@functools.cache
def _plain() -> Library:
    return Library(Catalog(None), fold=False)


def _unfolded(source: str, provider: str) -> str:
    library = _plain()
    result = erase_module(source.encode(), provider, "app.py", library.catalog, library)
    assert result.code is not None and not result.diagnostics
    return result.code.decode()


@pytest.mark.parametrize("seed", [11])
def test_literal_programs_fold_and_behave_the_same_locally(seed: int, tmp_path: Path) -> None:
    source = program(seed, 20, literal=True)
    erased = _erased(source, "local", seed)
    assert len(erased.splitlines()) < len(_unfolded(source, "local").splitlines())
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    (tmp_path / "erased.py").write_text(erased, encoding="utf-8")
    runtime = run(tmp_path / "app.py", tmp_path / "root1", blocked=False)
    after = run(tmp_path / "erased.py", tmp_path / "root2", blocked=True)
    assert runtime.returncode == 0, runtime.stderr
    assert after.returncode == 0, after.stderr
    _same_cases(runtime.stdout, after.stdout, 20, tmp_path)


@pytest.mark.parametrize(("provider", "seed"), [("aws", 111), ("gcp", 211), ("azure", 311)])
def test_literal_programs_fold_and_behave_the_same_on_clouds(
    provider: str, seed: int, tmp_path: Path, infrar_emulators: ServiceRegistry
) -> None:
    source = program(seed, 12, literal=True)
    erased = _erased(source, provider, seed)
    assert len(erased.splitlines()) < len(_unfolded(source, provider).splitlines())
    if provider == "aws":  # erase_source (a Library of its own) folds as the kept one does
        assert erase_source(source, provider, "app.py") == erased
    # the bucket is renamed per run: erase checked "gen-bucket", and the fresh name is as valid
    runtime, after = both_ways(tmp_path, provider, source, erased, infrar_emulators.for_provider(provider), BUCKET)
    _same_cases(runtime, after, 12, tmp_path)


TRANSFERS = f'''
import os
from infrar import storage

storage.write_bytes("{BUCKET}", "seed.txt", b"seed")
with open("report.csv", "w") as f:
    f.write("a,b\\n")
storage.upload("{BUCKET}", "report.csv", "in/report.csv")
storage.download("{BUCKET}", "in/report.csv", "copy.csv")
print(open("copy.csv").read(), storage.exists("{BUCKET}", "in/report.csv"))
try:
    storage.upload("{BUCKET}", "no-such-file.csv", "in/x.csv")
except Exception as exc:
    print("upload", type(exc).__name__, [c.__name__ for c in type(exc).__mro__ if c.__module__ == "builtins"],
          storage.exists("{BUCKET}", "in/x.csv"))
os.makedirs("a-directory", exist_ok=True)
try:
    storage.download("{BUCKET}", "in/report.csv", "a-directory")
except Exception as exc:
    print("download", type(exc).__name__, [c.__name__ for c in type(exc).__mro__ if c.__module__ == "builtins"])
print(sorted(n for n in os.listdir(".") if n.endswith(".part")))
'''


@pytest.mark.parametrize("provider", ["local", "aws", "gcp", "azure"])
def test_a_literal_path_copies_only_the_path_branch_and_behaves_the_same(
    provider: str, tmp_path: Path, infrar_emulators: ServiceRegistry
) -> None:
    erased = _erased(TRANSFERS, provider, 0)
    assert "def _check_source(" not in erased and "def _check_destination(" not in erased
    assert "upload_fileobj" not in erased  # the stream branch (aws: upload_fileobj) is not copied
    emulator = infrar_emulators.for_provider(provider) if provider != "local" else None
    runtime, after = both_ways(tmp_path, provider, TRANSFERS, erased, emulator, BUCKET)
    assert runtime == after
    assert "a,b" in runtime and "upload NotFound" in runtime and "download InvalidArgument" in runtime


@pytest.mark.parametrize(("source", "expected"), [
    ('BUCKET = "reports"\nPREFIX: str = "daily/"\nB, K = "b", "k"\n',
     {"BUCKET": "reports", "PREFIX": "daily/", "B": "b", "K": "k"}),
    ('BUCKET = "reports"\ndef f():\n    BUCKET = "other"\n', {}),  # a local of the same name
    ('BUCKET = "reports"\ndef f():\n    global BUCKET\n', {}),
    ('BUCKET = "reports"\ndef f(BUCKET):\n    pass\n', {}),
    ('BUCKET = "reports"\nBUCKET += "-2"\n', {}),
    ('BUCKET = "reports"\nfor BUCKET in ():\n    pass\n', {}),
    ('BUCKET = "reports"\n[0 for BUCKET in ()]\n', {}),
    ('BUCKET = "reports"\ndel BUCKET\n', {}),
    ('BUCKET = "reports"\nimport BUCKET\n', {}),
    ('BUCKET = "reports"\nglobals()["BUCKET"] = "x"\n', {}),
    ('BUCKET = "reports"\nfrom config import *\n', {}),
    ('BUCKET = os.environ["B"]\nLIMIT = -3\n', {"LIMIT": -3}),
])
def test_constants_are_names_bound_once_to_a_literal(source: str, expected: dict[str, object]) -> None:
    import ast

    assert fold.constants(ast.parse(source)) == expected


CONSTANTS = f'''
from infrar import storage
from infrar.errors import InvalidArgument

BUCKET = "{BUCKET}"
KEY, OTHER = "reports/a.txt", "reports/b.txt"


def main() -> None:
    storage.write_bytes(BUCKET, KEY, b"a")
    storage.write_bytes(BUCKET, OTHER, b"b")
    print(storage.list_objects(BUCKET, "reports/"), storage.read_bytes(BUCKET, KEY))
    try:
        storage.read_bytes("Bad_Bucket", KEY)
    except InvalidArgument as exc:
        print("refused", type(exc).__name__)


main()
'''


def test_a_module_constant_is_followed_like_a_literal(tmp_path: Path) -> None:
    erased = _erased(CONSTANTS, "local", 0)
    assert "def _check_local_key(" not in erased and "def _check_bucket(" in erased
    assert len(erased.splitlines()) < len(_unfolded(CONSTANTS, "local").splitlines())
    (tmp_path / "app.py").write_text(CONSTANTS, encoding="utf-8")
    (tmp_path / "erased.py").write_text(erased, encoding="utf-8")
    runtime = run(tmp_path / "app.py", tmp_path / "root1", blocked=False)
    after = run(tmp_path / "erased.py", tmp_path / "root2", blocked=True)
    assert runtime.returncode == 0 and after.returncode == 0, runtime.stderr + after.stderr
    assert runtime.stdout == after.stdout and "refused InvalidArgument" in runtime.stdout


@pytest.mark.parametrize("module", ["infrar.storage.rules", "infrar.database.rules", "infrar.cache.rules",
                                    "infrar.messaging.rules", "infrar.data.rules", "infrar.providers.local.storage"])
def test_every_declared_check_exists_with_its_deciding_parameters(module: str) -> None:
    import importlib
    import inspect

    found = importlib.import_module(module)
    assert found.ERASE_TIME_CHECKS
    for name, positions in found.ERASE_TIME_CHECKS.items():
        params = list(inspect.signature(getattr(found, name)).parameters)
        assert positions and len(set(positions)) == len(positions), name
        assert all(0 <= p < len(params) for p in positions), f"{module}.{name}: {positions} vs {params}"
