"""A workload that uses a warehouse gets every variable the data adapters read, on every cloud.

The project has a workload that uses a warehouse and a bucket, and one that uses neither; each
workload's ``environment`` is collected from the generated modules' outputs (as
tests/infra/test_environment.py does) and compared with (1) the exact set per cloud and (2) what
``infrar/providers/<p>/data*.py`` and the clients they import read: ``os.environ`` lookups,
``setting("NAME", ...)`` helpers that raise ConfigurationError naming the variable, and
``*_VARIABLE`` constants (the data-specific ones; the rest come from the platform and the
storage plugin's modules).
"""

from __future__ import annotations

import re
from pathlib import Path

import hcl2
import pytest

from infrar.infra.generate import environment_warnings, generate
from infrar.infra.project import parse_project
from tests.infra.test_environment import _keys, _outputs, _unquote

ROOT = Path(__file__).resolve().parents[2]
PROJECT = """\
name: shop
capabilities:
  - name: etl
    type: background_worker
    config: {container_image: x, schedule: "0 2 * * *"}
    uses: [analytics, landing]
  - {name: web, type: web_application, config: {container_image: x}, uses: [landing]}
resources:
  - {name: analytics, type: warehouse}
  - {name: landing, type: bucket}
"""
EXPECTED = {
    "aws": {"ATHENA_WORKGROUP", "ATHENA_OUTPUT_LOCATION", "GLUE_JOB_ROLE_ARN", "GLUE_SCRIPTS",
            "GLUE_PYTHON_MODULES", "SCHEDULER_ROLE_ARN", "GLUE_CONNECTIONS"},
    "gcp": {"CLOUD_RUN_REGION", "CLOUD_RUN_JOB_IMAGE", "CLOUD_RUN_JOB_SERVICE_ACCOUNT", "GCS_SCRIPTS",
            "SCHEDULER_SERVICE_ACCOUNT", "CLOUD_RUN_JOB_NETWORK"},
    "azure": {"AZURE_SYNAPSE_CONNECTIONSTRING", "AZURE_SYNAPSE_ENDPOINT", "SYNAPSE_SPARK_POOL",
              "SYNAPSE_SCRIPTS"},
}
# the user each job's own identity signs in to the starter's databases as: read by the job bundle
# (infrar.data.scripts carries INFRAR_JOB_<X> as <X>), not by the adapters
JOB_USERS = {"aws": set(), "gcp": {"INFRAR_JOB_DB_IAM_USER"}, "azure": {"INFRAR_JOB_PGUSER"}}
_READ = re.compile(r"""(?:environ(?:\.get\(|\[)|setting\()\s*["']([A-Z][A-Z0-9_]+)["']""")
_CONSTANT = re.compile(r"""^[A-Z_]*VARIABLE\s*=\s*["']([A-Z][A-Z0-9_]+)["']""", re.MULTILINE)


def _files(provider: str) -> dict[str, str]:
    return generate(parse_project(PROJECT, "p.yaml"), provider, with_plugins=False)


def data_environment(provider: str) -> dict[str, set[str]]:
    """workload -> the variable names its ``environment`` gets from the modules it uses."""
    files = _files(provider)
    modules = {_unquote(label): body for block in hcl2.loads(files["main.tf"])["module"]
               for label, body in block.items()}
    result: dict[str, set[str]] = {}
    for workload in ("etl", "web"):
        body = modules[next(label for label in modules if label.endswith(f"_{workload}"))]
        found: set[str] = set()
        for ref, output in re.findall(r"module\.([a-z0-9_]+)\.([a-z_]+)", str(body.get("environment", ""))):
            source = _unquote(modules[ref]["source"]).removeprefix("./modules/")
            found |= _keys(_outputs(files, source)[output]["value"], _unquote(modules[ref]["name"]))
        result[workload] = found
    return result


def _data_reads_only(provider: str) -> set[str]:
    """What the data adapter (its own modules and the clients they import) reads, nothing else."""
    base = ROOT / "infrar" / "providers" / provider
    own = [*base.glob("data*.py")]
    imported = set(re.findall(r"_clients import ([a-z_, ]+)", "".join(p.read_text() for p in own)))
    names = {n.strip() for group in imported for n in group.split(",")}
    text = "".join(p.read_text() for p in own + [base / "_clients" / f"{n}.py" for n in names
                                                   if (base / "_clients" / f"{n}.py").exists()])
    return set(_READ.findall(text)) | set(_CONSTANT.findall(text))


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_a_workload_using_a_warehouse_gets_exactly_the_data_variables(provider: str) -> None:
    found = data_environment(provider)
    bucket_only = found["web"]
    assert found["etl"] - bucket_only == EXPECTED[provider] | JOB_USERS[provider]
    assert not (EXPECTED[provider] | JOB_USERS[provider]) & bucket_only  # none without the warehouse


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_the_data_adapters_read_each_variable_infra_outputs_and_need_no_other(provider: str) -> None:
    reads = _data_reads_only(provider)
    data_specific = {v for v in reads if v.startswith(("ATHENA_", "GLUE_", "SCHEDULER_", "CLOUD_RUN_", "GCS_SCRIPTS",
                                                       "SYNAPSE_", "AZURE_SYNAPSE"))}
    assert data_specific == EXPECTED[provider]


@pytest.mark.parametrize(("provider", "setting"), [("aws", "job_python_modules"), ("gcp", "job_image")])
def test_job_settings_of_the_warehouse_reach_its_module(provider: str, setting: str) -> None:
    text = PROJECT.replace("{name: analytics, type: warehouse}",
                           f"{{name: analytics, type: warehouse, {setting}: 'x/y:1'}}")
    main = " ".join(generate(parse_project(text, "p.yaml"), provider, with_plugins=False)["main.tf"].split())
    assert f'{setting} = "x/y:1"' in main


def test_two_warehouses_for_one_workload_are_warned_about() -> None:
    text = PROJECT.replace("uses: [analytics, landing]", "uses: [analytics, lake]") + \
        "  - {name: lake, type: warehouse}\n"
    warnings = environment_warnings(parse_project(text, "p.yaml"), "aws")
    assert warnings == ["p.yaml:3:5: warning: capability 'etl' uses 2 warehouses (analytics, lake) on aws; their "
                        "variables (the job and query settings, GLUE_JOB_ROLE_ARN ...) name one server, so it is "
                        "configured for 'lake' only; split the capability or put the warehouses on one server"]
