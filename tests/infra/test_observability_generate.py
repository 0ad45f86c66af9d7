"""project.yaml's top-level ``observability:`` in the generated root modules: the module is called
once, every workload (whatever its ``uses``) gets exactly the variables the observability adapter
of its provider reads, and the grants to send logs, metrics and traces."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml

from infrar.errors import ConfigurationError
from infrar.infra.checks import dropped_warnings
from infrar.infra.generate import access_warnings, generate
from infrar.infra.profiles import profile
from infrar.infra.project import OBSERVABILITY, Project, ProjectError, parse_project

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = yaml.safe_load((ROOT / "infrar" / "observability" / "plugin.yaml").read_text(encoding="utf-8"))
PROVIDERS = ("aws", "gcp", "azure")
WORKLOADS = ("web", "nightly")

PROJECT = textwrap.dedent("""\
    name: shop
    capabilities:
      - name: web
        type: web_application
        uses: [orders]
        config: {container_image: "ghcr.io/acme/web:1"}
      - name: nightly
        type: background_worker
        uses: []
        config: {container_image: "ghcr.io/acme/nightly:1", schedule: "0 3 * * *"}
    resources:
      - {name: orders, type: queue}
    observability:
      retention_days: 90
    """)

# What the workloads get from observability, per provider: plain variables (the module's
# environment, the root's native ones the adapter reads, OTEL_SERVICE_NAME) and secrets.
EXPECTED = {
    "aws": ({"INFRAR_LOG_GROUP", "INFRAR_METRICS_NAMESPACE", "OTEL_SERVICE_NAME", "AWS_REGION",
             "AWS_DEFAULT_REGION"}, set()),
    "gcp": ({"GOOGLE_CLOUD_PROJECT", "OTEL_SERVICE_NAME"}, set()),
    "azure": ({"OTEL_SERVICE_NAME"}, {"APPLICATIONINSIGHTS_CONNECTION_STRING"}),
}


def _project(text: str = PROJECT) -> Project:
    return parse_project(text, "project.yaml")


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _modules(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {_unquote(name): body for block in hcl2.loads(files["main.tf"])["module"]
            for name, body in block.items()}


def _output(files: dict[str, str], name: str) -> Any:
    outputs = hcl2.loads(files["modules/observability/outputs.tf"])["output"]
    return next(body["value"] for block in outputs for key, body in block.items() if _unquote(key) == name)


def _keys(value: Any) -> set[str]:
    """The keys of an HCL map that python-hcl2 read (a dict, or ``{}`` as a string)."""
    return {_unquote(k) for k in value} if isinstance(value, dict) else set()


@pytest.fixture(scope="module")
def generated() -> dict[str, dict[str, str]]:
    project = _project()
    return {provider: generate(project, provider, with_plugins=False) for provider in PROVIDERS}


def test_the_top_level_key_is_one_resource_named_after_its_kind() -> None:
    resource = _project().resource(OBSERVABILITY, OBSERVABILITY)
    assert resource is not None
    assert resource.settings == {"retention_days": 90, "namespace": "shop", "services": WORKLOADS}
    defaults = _project(PROJECT.replace("  retention_days: 90\n", "")).resource(OBSERVABILITY, OBSERVABILITY)
    assert defaults is not None and defaults.settings["retention_days"] == 30


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_file_parses_and_the_module_is_called_once(generated: dict[str, dict[str, str]],
                                                         provider: str) -> None:
    files = generated[provider]
    for name, text in files.items():
        if name.endswith(".tf"):
            hcl2.loads(text)
    modules = _modules(files)
    assert _unquote(modules["observability"]["source"]) == "./modules/observability"
    assert modules["observability"]["retention_days"] == 90
    assert _unquote(modules["observability"]["namespace"]) == "shop"
    assert {"main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"} <= {
        name.split("/")[-1] for name in files if name.startswith("modules/observability/")}
    assert not dropped_warnings(_project(), provider, with_plugins=False)  # every setting is applied


@pytest.mark.parametrize("provider", PROVIDERS)
def test_workloads_receive_exactly_the_variables_the_adapter_reads(generated: dict[str, dict[str, str]],
                                                                   provider: str) -> None:
    files = generated[provider]
    modules = _modules(files)
    plain = _keys(_output(files, "environment")) | set(profile(provider).environment) | {"OTEL_SERVICE_NAME"}
    secret = _keys(_output(files, "secret_environment")) if 'output "secret_environment"' in (
        files["modules/observability/outputs.tf"]) else set()
    assert (plain, secret) == EXPECTED[provider]
    assert plain | secret <= set(PLUGIN["variables"][provider])  # nothing the adapter does not read
    for workload in WORKLOADS:  # nightly has uses: [] and still gets its telemetry configured
        body = next(b for label, b in modules.items() if label.endswith(f"_{workload}"))
        environment = body["environment"]
        assert "local.environment" in environment and "module.observability.environment" in environment
        assert re.search(r'OTEL_SERVICE_NAME\s*=\s*"' + workload + '"', environment), environment
        if secret:
            assert "module.observability.secret_environment" in body["secret_environment"]
        else:
            assert "module.observability" not in str(body.get("secret_environment", ""))


def test_aws_grants_exactly_logs_metrics_and_xray_on_every_workload(generated: dict[str, dict[str, str]]) -> None:
    files = generated["aws"]
    modules = _modules(files)
    assert "module.observability.policy_statements" in modules["web_application_web"]["policy_statements"]
    assert "module.queue_orders.policy_statements" in modules["web_application_web"]["policy_statements"]
    assert modules["background_worker_nightly"]["policy_statements"] == "${module.observability.policy_statements}"
    actions = sorted(_unquote(a) for statement in _output(files, "policy_statements") for a in statement["Action"])
    assert actions == ["cloudwatch:PutMetricData", "logs:CreateLogStream", "logs:PutLogEvents",
                       "xray:PutTraceSegments"]
    main = files["modules/observability/main.tf"]
    assert "retention_in_days = var.retention_days" in main and "kms_key_id        = aws_kms_key.logs.arn" in main


def test_gcp_grants_the_three_writer_roles_to_every_workload(generated: dict[str, dict[str, str]]) -> None:
    files = generated["gcp"]
    members = _modules(files)["observability"]["members"]
    assert sorted(members) == ["${module.background_worker_nightly.member}", "${module.web_application_web.member}"]
    assert _output(files, "roles") == "${local.roles}"
    main = files["modules/observability/main.tf"]
    roles = next(block["roles"] for block in hcl2.loads(main)["locals"] if "roles" in block)
    assert sorted(_unquote(r) for r in roles) == [
        "roles/cloudtrace.agent", "roles/logging.logWriter", "roles/monitoring.metricWriter"]
    assert [_unquote(s) for s in _modules(files)["observability"]["services"]] == list(WORKLOADS)
    for resource in ("google_logging_project_bucket_config", "google_logging_project_sink",
                     "google_logging_project_exclusion", "google_monitoring_alert_policy"):
        assert f'resource "{resource}"' in main


def test_azure_hands_the_connection_string_as_a_secret_only(generated: dict[str, dict[str, str]]) -> None:
    files = generated["azure"]
    outputs = files["modules/observability/outputs.tf"]
    block = outputs.split('output "secret_environment"')[1].split("\noutput ")[0]
    assert "sensitive   = true" in block
    assert _keys(_output(files, "environment")) == set()
    assert "connection_string" not in files["main.tf"]  # only through module.observability.secret_environment
    root = files["outputs.tf"]
    assert "module.observability.secret_environment" in root.split('output "secret_environment"')[1]
    main = files["modules/observability/main.tf"]
    assert "workspace_id        = azurerm_log_analytics_workspace.this.id" in main


def test_without_the_key_nothing_is_generated() -> None:
    project = _project(PROJECT.split("observability:")[0])
    for provider in PROVIDERS:
        files = generate(project, provider, with_plugins=False)
        assert "module.observability" not in files["main.tf"] and "OTEL_SERVICE_NAME" not in files["main.tf"]
        assert not any(name.startswith("modules/observability/") for name in files)


def test_observability_alone_does_not_warn_about_missing_uses() -> None:
    project = _project(PROJECT.replace("    uses: [orders]\n", "").replace("    uses: []\n", "")
                       .replace("resources:\n  - {name: orders, type: queue}\n", ""))
    assert [r.kind for r in project.resources] == [OBSERVABILITY]
    assert access_warnings(project) == []


@pytest.mark.parametrize(("text", "message"), [
    (PROJECT.replace("retention_days: 90", "retention_days: 45"), "observability.retention_days"),
    (PROJECT.replace("retention_days: 90", "sampling: 0.5"), "observability"),
    (PROJECT.replace("{name: orders, type: queue}", "{name: observability, type: queue}")
     .replace("uses: [orders]", "uses: [observability]"), "names the project's telemetry"),
    (PROJECT + "usage:\n  observability: {log_gbs: 3}\n", "unknown usage key for a observability"),
    (PROJECT.replace("uses: [orders]", "uses: [orders, observability]"), "capabilities[0].uses[1]: every workload"),
])
def test_invalid_observability_is_reported_with_its_place(text: str, message: str) -> None:
    with pytest.raises(ProjectError, match=re.escape(message)):
        _project(text)


def test_usage_figures_are_accepted_under_its_name() -> None:
    project = _project(PROJECT + "usage:\n  observability: {log_gb: 20, metric_series: 10, monthly_spans: 5}\n")
    assert project.usage["observability"] == {"log_gb": 20.0, "metric_series": 10.0, "monthly_spans": 5.0}


def test_a_plugin_module_cannot_be_missing() -> None:
    from infrar.infra import mapping

    table = {k: v for k, v in mapping.module_table("aws", with_plugins=False).items() if k != OBSERVABILITY}
    with pytest.raises(ConfigurationError, match="no aws module implements 'observability'"):
        mapping.resolve(table, OBSERVABILITY, "aws")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_root_environment_output_carries_the_observability_variables(
        generated: dict[str, dict[str, str]], provider: str) -> None:
    """So a program run outside the cloud is configured from ``tofu output`` like the workloads."""
    root = generated[provider]["outputs.tf"]
    environment = root.split('output "environment"')[1].split("\noutput ")[0]
    assert "module.observability.environment" in environment
    if provider == "azure":
        assert "module.observability.secret_environment" in root.split('output "secret_environment"')[1]
