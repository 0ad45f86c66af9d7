"""A local job script that imports modules beside it becomes one file that runs alone (infrar.data.scripts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infrar.data.scripts import JOB_VARIABLES, bundle, bundle_stored, sibling_modules
from infrar.errors import InvalidArgument


def _tree(tmp_path: Path) -> Path:
    """job.py imports _cloud (which imports _errors) and a stdlib module; unused.py is not imported."""
    (tmp_path / "_errors.py").write_text("class Failed(Exception):\n    pass\n")
    (tmp_path / "_cloud.py").write_text("from __future__ import annotations\n\nfrom _errors import Failed\n\n"
                                        "def greet(who: str) -> str:\n    return f'hello {who}'\n")
    (tmp_path / "unused.py").write_text("raise SystemExit('never imported')\n")
    job = tmp_path / "job.py"
    job.write_text("import json\nimport sys\n\nfrom _cloud import Failed, greet\n\n"
                   "print(greet(sys.argv[2]), __name__, json.dumps(sys.argv[1:]))\n"
                   "if sys.argv[2] == 'boom':\n    raise Failed('the job failed')\n")
    return job


def _run(path: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True, cwd=cwd,
                          timeout=60, check=False)


@pytest.fixture
def nothing_to_carry(monkeypatch: pytest.MonkeyPatch) -> None:
    """No variable a job would carry from this environment (what a starter without infrastructure has)."""
    listed = [entry.rstrip("*") for names in JOB_VARIABLES.values() for entry in names]
    for name in [n for n in os.environ if n.startswith(("BUCKET_NAME_", "QUEUE_NAME_", "TOPIC_NAME_", "PGDATABASE_",
                                                         "INFRAR_JOB_", *listed))]:
        monkeypatch.delenv(name)


@pytest.mark.usefixtures("nothing_to_carry")
def test_sibling_modules_follows_imports_beside_the_script_only(tmp_path: Path) -> None:
    job = _tree(tmp_path)
    assert list(sibling_modules(str(job))) == ["_cloud", "_errors"]  # through _cloud; not json, not unused
    alone = tmp_path / "alone.py"
    alone.write_text("import os\nprint(os.sep)\n")
    assert sibling_modules(str(alone)) == {} and bundle(str(alone), "aws") is None  # uploaded as it is


def test_the_bundle_runs_alone_as_the_script_does_beside_its_modules(tmp_path: Path) -> None:
    job = _tree(tmp_path)
    body = bundle(str(job), "aws")
    assert body is not None
    elsewhere = tmp_path / "job-run"  # where a cloud job keeps the one uploaded file
    elsewhere.mkdir()
    (elsewhere / "script.py").write_bytes(body)
    beside = _run(job, "--who", "world", cwd=tmp_path)
    alone = _run(elsewhere / "script.py", "--who", "world", cwd=elsewhere)
    assert (beside.returncode, alone.returncode) == (0, 0), beside.stderr + alone.stderr
    assert alone.stdout == beside.stdout == 'hello world __main__ ["--who", "world"]\n'
    failed = _run(elsewhere / "script.py", "--who", "boom", cwd=elsewhere)
    assert failed.returncode == 1 and "_errors.Failed: the job failed" in failed.stderr
    assert 'File "job.py", line 8' in failed.stderr  # tracebacks name the script's own file and line
    bare = elsewhere / "bare.py"  # without the bundle, the script alone cannot import _cloud
    bare.write_text(job.read_text())
    assert "No module named '_cloud'" in _run(bare, "--who", "x", cwd=elsewhere).stderr


@pytest.mark.usefixtures("nothing_to_carry")
def test_a_script_importing_infrar_runs_on_the_provider_that_started_it(tmp_path: Path) -> None:
    """A cloud job has not the starter's environment: without INFRAR_PROVIDER, infrar would pick local."""
    script = tmp_path / "uses_infrar.py"
    script.write_text("import os\n\nimport infrar\n\nprint(os.environ['INFRAR_PROVIDER'])\n")
    body = bundle(str(script), "gcp")
    assert body is not None and b"import infrar" in body
    (tmp_path / "run").mkdir()
    uploaded = tmp_path / "run" / "script.py"
    uploaded.write_bytes(body)
    env = {k: v for k, v in os.environ.items() if k != "INFRAR_PROVIDER"}
    ran = subprocess.run([sys.executable, str(uploaded)], capture_output=True, text=True, env=env, timeout=60,
                         check=False)
    assert (ran.returncode, ran.stdout) == (0, "gcp\n"), ran.stderr
    env["INFRAR_PROVIDER"] = "local"  # what the job's own environment says wins
    ran = subprocess.run([sys.executable, str(uploaded)], capture_output=True, text=True, env=env, timeout=60,
                         check=False)
    assert ran.stdout == "local\n"
    erased_like = tmp_path / "plain.py"
    erased_like.write_text("import boto3\n")
    assert bundle(str(erased_like), "aws") is None  # neither infrar nor a module beside it: as it is


@pytest.mark.usefixtures("nothing_to_carry")
def test_a_plain_script_is_bundled_when_it_has_variables_to_carry(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """An erased job script is plain boto3 (no infrar, no module beside it) and needs its starter's PGHOST and
    deployed names as much as the runtime one does: erased and runtime jobs must see the same environment."""
    script = tmp_path / "plain.py"
    script.write_text("import os\n\nprint(os.environ.get('PGHOST'), os.environ.get('BUCKET_NAME_LANDING'))\n")
    assert bundle(str(script), "aws") is None
    monkeypatch.setenv("PGHOST", "orders.internal")
    monkeypatch.setenv("BUCKET_NAME_LANDING", "shop-prod-landing-1a2b")
    body = bundle(str(script), "aws")
    assert body is not None and b"INFRAR_PROVIDER" not in body  # it does not import infrar
    assert bundle_stored("jobs/plain.py", script.read_bytes(), "aws") == body  # the same file, wherever it lies
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "script.py").write_bytes(body)
    ran = subprocess.run([sys.executable, str(tmp_path / "run" / "script.py")], capture_output=True, text=True,
                         env={"PATH": os.environ["PATH"]}, timeout=60, check=False)
    assert (ran.returncode, ran.stdout) == (0, "orders.internal shop-prod-landing-1a2b\n"), ran.stderr


@pytest.mark.parametrize(("body", "words"), [
    (b"print(\n", "job script jobs/bad.py is not valid Python (line 1"),
    (b"\xff\xfeprint(1)\n", "job script 'jobs/bad.py' is not UTF-8 text (byte 0)"),
])
def test_a_stored_script_that_is_not_python_is_invalid_argument(body: bytes, words: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        bundle_stored("jobs/bad.py", body, "aws")
    assert words in str(caught.value) and isinstance(caught.value, ValueError)


def test_a_local_script_that_is_not_python_is_invalid_argument_naming_the_file(tmp_path: Path) -> None:
    script = tmp_path / "broken.py"
    script.write_text("def f(:\n")
    with pytest.raises(InvalidArgument, match=r"job script .*broken\.py is not valid Python \(line 1"):
        bundle(str(script), "gcp")


def _package_tree(tmp_path: Path) -> Path:
    """job.py imports package helpers (relative imports, a subpackage, a module loaded by name at run time)."""
    helpers = tmp_path / "helpers"
    (helpers / "inner").mkdir(parents=True)
    (helpers / "notes").mkdir()  # no __init__.py: not part of the package
    (helpers / "__pycache__").mkdir()
    (helpers / "__init__.py").write_text("from .codes import CODE, fail\n")
    (helpers / "codes.py").write_text("from _errors import Failed\n\nCODE = 7\n\n\n"
                                      "def fail() -> None:\n    raise Failed('from the package')\n")
    (helpers / "inner" / "__init__.py").write_text("")
    (helpers / "inner" / "deep.py").write_text("from ..codes import CODE\n\nVALUE = CODE * 6\n")
    (helpers / "lazy.py").write_text("NAME = 'lazy'\n")
    (helpers / "notes" / "stray.py").write_text("raise SystemExit('not a package module')\n")
    (helpers / "__pycache__" / "codes.cpython-311.py").write_text("broken(\n")
    (tmp_path / "_errors.py").write_text("class Failed(Exception):\n    pass\n")
    job = tmp_path / "job.py"
    job.write_text("import importlib\nimport sys\n\nimport helpers\nfrom helpers.inner.deep import VALUE\n\n"
                   "print(helpers.CODE, VALUE, importlib.import_module('helpers.lazy').NAME, helpers.__package__)\n"
                   "if sys.argv[1:] == ['boom']:\n    helpers.fail()\n")
    return job


def test_a_package_beside_the_script_is_bundled_whole_and_imports_as_it_does_beside_it(tmp_path: Path) -> None:
    job = _package_tree(tmp_path)
    assert list(sibling_modules(str(job))) == ["_errors", "helpers", "helpers.codes", "helpers.inner",
                                               "helpers.inner.deep", "helpers.lazy"]  # not notes/, not __pycache__
    body = bundle(str(job), "aws")
    assert body is not None
    elsewhere = tmp_path / "job-run"
    elsewhere.mkdir()
    (elsewhere / "script.py").write_bytes(body)
    beside = _run(job, cwd=tmp_path)
    alone = _run(elsewhere / "script.py", cwd=elsewhere)
    assert (beside.returncode, alone.returncode) == (0, 0), beside.stderr + alone.stderr
    assert alone.stdout == beside.stdout == "7 42 lazy helpers\n"
    failed = _run(elsewhere / "script.py", "boom", cwd=elsewhere)
    assert failed.returncode == 1 and "_errors.Failed: from the package" in failed.stderr
    assert 'File "helpers/codes.py", line 7' in failed.stderr  # the package module's own file and line


def test_the_bundle_carries_the_starters_deployed_names_and_no_other_variable(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The job resolves the program's resource names as its starter does (BUCKET_NAME_<B> ...), secrets stay out."""
    monkeypatch.setenv("BUCKET_NAME_LANDING", "shop-prod-landing-1a2b3c4d")
    monkeypatch.setenv("QUEUE_NAME_TASKS", "shop-prod-tasks")
    monkeypatch.setenv("PGDATABASE_ORDERS_DB", "orders_db")
    monkeypatch.setenv("PGPASSWORD", "s3cret-value")
    monkeypatch.setenv("REDIS_URL", "rediss://:s3cret-token@cache:6379")
    script = tmp_path / "names.py"
    script.write_text("import os\n\nimport infrar\n\n"
                      "print(os.environ['BUCKET_NAME_LANDING'], os.environ['QUEUE_NAME_TASKS'],"
                      " os.environ['PGDATABASE_ORDERS_DB'], os.environ.get('PGPASSWORD'))\n")
    body = bundle(str(script), "aws")
    assert body is not None and b"s3cret" not in body
    (tmp_path / "run").mkdir()
    uploaded = tmp_path / "run" / "script.py"
    uploaded.write_bytes(body)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BUCKET_NAME_", "QUEUE_NAME_", "PG", "REDIS"))}
    ran = subprocess.run([sys.executable, str(uploaded)], capture_output=True, text=True, env=env, timeout=60,
                         check=False)
    assert (ran.returncode, ran.stdout) == (0, "shop-prod-landing-1a2b3c4d shop-prod-tasks orders_db None\n"), \
        ran.stderr
    env["QUEUE_NAME_TASKS"] = "set-by-the-job"  # the job's own environment wins
    ran = subprocess.run([sys.executable, str(uploaded)], capture_output=True, text=True, env=env, timeout=60,
                         check=False)
    assert ran.stdout.split()[1] == "set-by-the-job"


def test_job_variables_are_the_ones_the_database_cache_and_messaging_plugins_declare() -> None:
    """The bundle's literal allow-list (erased programs carry it) is the plugins' job_variables, no more."""
    from infrar.data.scripts import JOB_VARIABLES
    from infrar.plugins import registry

    declared: dict[str, set[str]] = {}
    for name in ("database", "cache", "messaging"):
        for provider, names in registry()[name].extra["job_variables"].items():
            declared.setdefault(provider, set()).update(names)
    assert {provider: set(names) for provider, names in JOB_VARIABLES.items()} == declared
    secret_words = ("PASSWORD", "SECRET_ACCESS", "SESSION_TOKEN", "CLIENT_SECRET", "CONNECTION_STRING", "KEY")
    assert not [n for names in declared.values() for n in names
                if any(w in n for w in secret_words) and not n.endswith("_ARN")]


_CANARY = "c4nary-7f3e"


@pytest.mark.parametrize(("provider", "carried", "own"), [
    ("aws", {"PGHOST": "db.internal", "PGPORT": "5432", "PGUSER": "api", "PGSSLMODE": "require",
             "RDS_IAM_AUTH": "true", "PGPASSWORD_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:1:secret:db",
             "REDIS_URL": "rediss://cache.internal:6379", "AWS_REGION": "eu-west-1"}, {}),
    ("gcp", {"PGHOST": "10.1.0.3", "INSTANCE_CONNECTION_NAME": "p:r:i", "PRIVATE_IP": "1",
             "REDIS_URL_SESSIONS": "redis://10.1.0.9:6379", "GOOGLE_CLOUD_PROJECT": "p"},
     {"INFRAR_JOB_DB_IAM_USER": ("DB_IAM_USER", "shop-jobs@p.iam")}),
    ("azure", {"PGHOST": "pg.postgres.database.azure.com", "AZURE_POSTGRES_ENTRA": "1",
               "AZURE_SQL_CONNECTIONSTRING": "Driver={ODBC Driver 18 for SQL Server};Server=tcp:s,1433;"
                                             "Authentication=ActiveDirectoryMsi",
               "AZURE_SERVICEBUS_NAMESPACE": "shop.servicebus.windows.net"},
     {"INFRAR_JOB_PGUSER": ("PGUSER", "shop-prod-analytics")}),
])
def test_the_bundle_carries_the_starters_connection_variables_and_never_a_secret(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, provider: str, carried: dict[str, str],
        own: dict[str, tuple[str, str]]) -> None:
    """A job signs in like its starter: PGHOST ... come along; PGPASSWORD, keys and URLs with a password never."""
    for key in [k for k in os.environ if k.startswith(("PG", "REDIS", "AZURE_", "AWS_", "DB_IAM", "INFRAR_JOB_"))]:
        monkeypatch.delenv(key)
    for key, value in carried.items():
        monkeypatch.setenv(key, value)
    for key, (_, value) in own.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("DB_IAM_USER", "starter@p.iam")  # the starter's own identity: never the job's
    secrets = {"PGPASSWORD": _CANARY, "REDIS_URL_ORDERS": f"rediss://default:{_CANARY}@cache:6380",
               "AZURE_REDIS_CONNECTIONSTRING": f"cache:6380,password={_CANARY},ssl=True",
               "AZURE_SERVICEBUS_CONNECTION_STRING": f"Endpoint=sb://x/;SharedAccessKey={_CANARY}",
               "AWS_SECRET_ACCESS_KEY": _CANARY, "AZURE_CLIENT_SECRET": _CANARY, "AWS_SESSION_TOKEN": _CANARY}
    if provider == "azure":  # a listed variable whose value holds a password is dropped
        secrets["AZURE_SQL_CONNECTIONSTRING"] = f"Server=tcp:s,1433;Uid=admin;Password={_CANARY}"
        carried = {k: v for k, v in carried.items() if k != "AZURE_SQL_CONNECTIONSTRING"}
    for key, value in secrets.items():
        monkeypatch.setenv(key, value)
    script = tmp_path / "env.py"
    script.write_text("import json\nimport os\n\nimport infrar\n\nprint(json.dumps(dict(os.environ)))\n")
    body = bundle(str(script), provider)
    assert body is not None and _CANARY.encode() not in body and b"starter@p.iam" not in body
    uploaded = tmp_path / "run" / "script.py"
    uploaded.parent.mkdir()
    uploaded.write_bytes(body)
    env = {k: v for k, v in os.environ.items() if k not in {*carried, *secrets, *own, "DB_IAM_USER"}}
    ran = subprocess.run([sys.executable, str(uploaded)], capture_output=True, text=True, env=env, timeout=60,
                         check=False)
    assert ran.returncode == 0, ran.stderr
    seen = json.loads(ran.stdout)
    expected = {**carried, **{name: value for name, value in own.values()}}
    assert {k: seen.get(k) for k in expected} == expected
    assert _CANARY not in ran.stdout and not {*secrets, *own} & set(seen)
    assert seen.get("DB_IAM_USER") == expected.get("DB_IAM_USER")  # the job's own user or none, never the starter's
