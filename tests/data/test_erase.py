"""Erase proof: data programs (and the worked example) erased hold no infrar and print the same with infrar blocked."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from infrar.erase import erase_tree
from infrar.testing.plugin import ServiceUser
from tests.data.test_example import EXPECTED
from tests.erase._support import ROOT, assert_no_infrar, erase, run

PROGRAM = """
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

from infrar import data, storage
from infrar.data import catalog
from infrar.errors import NotFound

storage.write_bytes("landing", "sales/a.csv", b"day,product,revenue\\n2024-01-01,tv,10.50\\n2024-01-02,radio,3.25\\n")
catalog.create_table("shop", "sales", {"day": "DATE", "product": "STRING", "revenue": "DECIMAL(10,2)"},
                     location=("landing", "sales/"))
print(catalog.list_tables("shop"), [(c.name, c.type) for c in catalog.get_schema("shop.sales")])
rows = data.query("shop", "SELECT product, revenue FROM sales WHERE revenue > ? AND day >= ? ORDER BY product",
                  [Decimal("1"), date(2024, 1, 1)])
print([dict(r) for r in rows], rows[0][1])
print(sum(r["x"] for r in data.iter_query("shop", "SELECT range AS x FROM range(?)", [1000])))
try:
    data.query("shop", "SELECT * FROM nowhere")
except NotFound:
    print("no such table")
try:
    catalog.drop_table("shop", "nowhere")
except FileNotFoundError:
    print("nothing to drop")
script = Path("job.py")
script.write_text("import sys\\nprint(sys.argv[1:])\\n")
print(data.run_job("report", script, args={"day": "2024-01-02"}).wait(timeout=120))
print(data.run_job("report", script, schedule="0 2 * * *").status())
"""


def _both(tmp_path: Path, source: str, provider: str = "local") -> tuple[str, str]:
    (tmp_path / "app.py").write_text(source)
    erased = erase(source, provider)
    assert_no_infrar(erased)
    (tmp_path / "erased.py").write_text(erased)
    first = run(tmp_path / "app.py", tmp_path / "root1", blocked=False, provider=provider)
    second = run(tmp_path / "erased.py", tmp_path / "root2", blocked=True, provider=provider)
    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    return first.stdout, second.stdout


def test_program_prints_the_same_erased(tmp_path: Path) -> None:
    first, second = _both(tmp_path, textwrap.dedent(PROGRAM))
    assert "no such table\nnothing to drop\nSUCCEEDED\nPENDING\n" in first
    assert first == second


def test_the_worked_example_erased(tmp_path: Path) -> None:
    out = tmp_path / "erased"
    erase_tree(ROOT / "examples" / "data_pipeline", out, "local")
    for path in out.glob("*.py"):
        assert_no_infrar(path.read_text())
    result = run(out / "pipeline.py", tmp_path / "root", blocked=True)
    assert (result.returncode, result.stdout) == (0, EXPECTED), result.stderr
    log = next((tmp_path / "root" / "data" / "jobs" / "nightly-totals").glob("*.log")).read_text()
    assert log == "wrote 3 daily totals\n"  # the erased job ran, not the original


# The seed's import style: the functions by name.
QUERY_PROGRAM = """
from infrar import data
from infrar.data import catalog, query
from infrar.errors import NotFound

print([dict(r) for r in query("w", "SELECT name, n FROM t WHERE n > ? ORDER BY n", [1])])
print(catalog.list_tables("w"), [c.type for c in catalog.get_schema("w.t")])
print(sum(1 for _ in data.iter_query("w", "SELECT name FROM t")))
try:
    data.query("w", "SELECT * FROM nowhere")
except NotFound:
    print("missing")
"""


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_a_query_program_on_a_cloud(provider: str, request: pytest.FixtureRequest, tmp_path: Path,
                                    infrar_service: ServiceUser) -> None:
    import os

    from infrar import data, storage
    from infrar.data import catalog

    if provider == "aws":  # ministack: Athena runs the SQL over a Glue table of files
        bucket = request.getfixturevalue("lake")
        storage.write_bytes(bucket, "t/rows.csv", b"name,n\na,1\nb,2\nc,3\n")
        catalog.create_table("w", "t", {"name": "STRING", "n": "INT64"}, (bucket, "t/"))
    else:
        if provider == "gcp":
            request.getfixturevalue("bq_datasets")
            data.query("w", "CREATE TABLE t (name STRING, n INT64)")
        else:
            request.getfixturevalue("synapse_on_postgres")
            data.query("w", "CREATE TABLE t (name VARCHAR(10), n BIGINT)")
        data.query("w", "INSERT INTO t (name, n) VALUES ('a', 1), ('b', 2), ('c', 3)")
    program = textwrap.dedent(QUERY_PROGRAM)
    if provider == "aws":  # ministack lacks ExecutionParameters (they are tested on moto)
        program = program.replace('WHERE n > ? ORDER BY n", [1]', 'WHERE n > 1 ORDER BY n"')
    first, second = _both(tmp_path, program, provider)
    assert first == second
    assert first.endswith("['t'] ['STRING', 'INT64']\n3\nmissing\n"), first
    assert os.environ["INFRAR_PROVIDER"] == provider


# A program that runs a Glue job whose script writes through infrar.storage: erased, the script
# imports the tree's _cloud.py, which the adapter (erased too) carries to the job in one file.
JOB_PROGRAM = """
import os
from pathlib import Path

from infrar import data

# ministack starts a job with its own environment: the job's settings go as its arguments.
names = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")
settings = {"out": os.environ["REPORT_BUCKET"], **{name: os.environ[name] for name in names}}
job = data.run_job("erased-report", str(Path(__file__).with_name("report.py")), args=settings)
print(job.wait(timeout=120))
"""
JOB_SCRIPT = """
import os
import sys

from infrar import storage

# Glue hands the arguments as --key value; ministack as environment variables (its convention).
args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
bucket = args.get("--out", os.environ.get("out"))
storage.write_bytes(bucket, "reports/done.txt", b"written by the erased job")
"""


def test_an_erased_job_script_runs_where_the_glue_job_runs(lake: str, tmp_path: Path) -> None:
    """ministack runs the uploaded file alone, as Glue does: the erased script reaches its _cloud.py."""
    from infrar import storage

    source = tmp_path / "src"
    source.mkdir()
    (source / "app.py").write_text(textwrap.dedent(JOB_PROGRAM))
    (source / "report.py").write_text(textwrap.dedent(JOB_SCRIPT))
    out = tmp_path / "erased"
    erase_tree(source, out, "aws")
    for path in out.glob("*.py"):
        assert_no_infrar(path.read_text())
    assert "_cloud" in (out / "report.py").read_text()  # what a lone upload could not import
    extra = {"GLUE_SCRIPTS": f"s3://{lake}/scripts/", "REPORT_BUCKET": lake,
             "GLUE_JOB_ROLE_ARN": "arn:aws:iam::000000000000:role/glue-job"}
    result = run(out / "app.py", tmp_path / "root", blocked=True, provider="aws", extra=extra)
    assert (result.returncode, result.stdout) == (0, "SUCCEEDED\n"), result.stderr
    assert storage.read_bytes(lake, "reports/done.txt") == b"written by the erased job"
