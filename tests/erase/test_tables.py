"""Error tables cut to the codes a program's calls can meet (infrar/erase/tables.py): what each
errors module declares names real functions and real codes, a copy loses exactly the codes of
the functions it does not reach, and the codes it keeps mean what they meant."""

from __future__ import annotations

import ast
import importlib

import pytest

from infrar.erase import erase_source, tables
from infrar.erase.adapters import Code
from infrar.providers.aws import storage_errors

ERRORS_MODULES = ["infrar.providers.aws.storage_errors"]


def _resolve(code: Code) -> object:
    found: object = importlib.import_module(code.module)
    for part in code.name.split("."):
        found = getattr(found, part)
    return found


def _runtime_codes(table: object) -> set[str]:
    if isinstance(table, dict):
        return set(table)
    assert isinstance(table, tuple)
    return {code for row in table for code in row[-1].split()}


@pytest.mark.parametrize("module", ERRORS_MODULES)
def test_every_declared_code_and_function_exists(module: str) -> None:
    declared = tables.declared(module)
    assert declared, f"{module} declares no ERASE_TIME_TABLES"
    for table, rows in declared.items():
        codes = _runtime_codes(getattr(importlib.import_module(module), table))
        for row_codes, functions in rows.items():
            assert row_codes <= codes, f"{table} has no {sorted(row_codes - codes)}"
            for function in functions:
                assert callable(_resolve(function)), function


def _erased_table(text: str, table: str) -> object:
    """The value of ``table`` as the erased ``text`` defines it, each name in it (an error class)
    read as its own name."""
    for node in ast.parse(text).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == table for t in targets) and node.value is not None:
                return ast.literal_eval(ast.unparse(_names_as_strings(node.value)))
    raise AssertionError(f"no {table} in the erased text")


def _erased_codes(text: str, table: str) -> set[str]:
    return _runtime_codes(_erased_table(text, table))


def _names_as_strings(node: ast.expr) -> ast.expr:
    class _Names(ast.NodeTransformer):
        def visit_Name(self, name: ast.Name) -> ast.Constant:
            return ast.Constant(name.id)

    found = _Names().visit(node)
    assert isinstance(found, ast.expr)
    return ast.fix_missing_locations(found)


_CALLS = {
    "write_bytes": 'storage.write_bytes(B, "k", b"x")',
    "iter_objects": 'print(list(storage.iter_objects(B, "p/")))',
    "read_bytes": 'print(storage.read_bytes(B, "k"))',
    "upload": 'storage.upload(B, "f.txt", "k")',
    "exists": 'print(storage.exists(B, "k"))',
}
_PUT_CODES = {"EntityTooLarge", "BadDigest", "InvalidDigest", "MetadataTooLarge", "KeyTooLongError"}
_MULTIPART = {"EntityTooSmall", "InvalidPart", "InvalidPartOrder", "NoSuchUpload"}
# program -> (the declared codes of _MEANINGS its copy keeps, the operations of _IAM_ACTION it keeps)
EXPECTED = {
    ("write_bytes", "iter_objects"): (_PUT_CODES, {"ListObjectsV2"}),
    # a key passed to the translation: a HEAD's bare 404 makes it ask for the bucket (HeadBucket)
    ("read_bytes",): ({"NoSuchKey", "NoSuchVersion", "InvalidObjectState"}, {"HeadBucket"}),
    ("upload",): (_PUT_CODES | _MULTIPART | {"MalformedXML"},  # a part list is XML
                  {"CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"}),
    ("exists",): ({"NoSuchKey", "NoSuchVersion"}, {"HeadObject", "HeadBucket"}),
}


@pytest.mark.parametrize("calls", EXPECTED, ids=" and ".join)
def test_a_copy_keeps_exactly_the_codes_its_calls_can_meet(calls: tuple[str, ...]) -> None:
    source = "import os\n\nfrom infrar import storage\n\nB = os.environ['APP_BUCKET']\n" + "\n".join(
        _CALLS[c] for c in calls) + "\n"
    text = erase_source(source, "aws", "app.py")
    for table, expected in zip(("_MEANINGS", "_IAM_ACTION"), EXPECTED[calls], strict=True):
        declared = set().union(*tables.declared(storage_errors.__name__)[table])
        runtime = _runtime_codes(getattr(storage_errors, table))
        kept = _erased_codes(text, table)
        assert kept & declared == expected, table
        assert runtime - declared <= kept, table  # a code no function is named for: any call may meet it


def test_the_meaning_of_a_kept_code_is_unchanged() -> None:
    source = "from infrar import storage\n\nprint(storage.read_bytes('bucket-a', 'k'))\n"
    text = erase_source(source, "aws", "app.py")
    erased = _erased_table(text, "_MEANINGS")
    assert isinstance(erased, tuple)
    runtime = {(kind.__name__, words): set(codes.split()) for kind, words, codes in storage_errors._MEANINGS}
    for kind, words, codes in erased:  # each row as it was, less the codes cut
        assert set(codes.split()) <= runtime[(kind, words)] and codes.split()
    assert {(kind, words) for kind, words, _codes in erased} == {
        row for row, codes in runtime.items() if codes & _erased_codes(text, "_MEANINGS")}
    assert "NoSuchKey" in _erased_codes(text, "_MEANINGS")  # read_bytes meets it
    assert "BucketAlreadyExists" not in text and "class AlreadyExists" not in text  # CreateBucket's
