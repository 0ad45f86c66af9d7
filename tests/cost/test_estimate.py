"""Cost arithmetic against values computed by hand, defaulted-usage flags, and cost model errors."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from infrar import plugins
from infrar.cost import models as cost_models
from infrar.cost.estimate import estimate
from infrar.cost.formula import FormulaError
from infrar.cost.models import CostModelError, load_models, merge, parse_model
from infrar.errors import InvalidArgument
from infrar.infra.project import CAPABILITY_TYPES, RESOURCE_KINDS, parse_project

PROJECT = """\
name: hand
capabilities:
  - name: api
    type: api_service
    config: {container_image: x, cpu: 0.5, memory: 1024, min_instances: 2}
resources:
  - {name: uploads, type: bucket}
  - {name: main-db, type: database, size: medium, storage_gb: 50, high_availability: true}
  - {name: jobs, type: queue}
usage:
  api: {monthly_requests: 0, egress_gb: 0, log_gb: 4}
  uploads: {storage_gb: 100, monthly_write_requests: 20000, monthly_read_requests: 1000000, egress_gb: 10}
  main-db: {backup_gb: 0}
  jobs: {monthly_messages: 10000000, message_kb: 1}
"""

# Worked out by hand from the list prices in cost_models/*.yaml.
EXPECTED = {
    # Fargate tasks + ALB hours + the log group's KMS key + 4 GB of logs ingested
    ("api", "aws"): 2 * 730 * (0.5 * 0.04048 + 1 * 0.004445) + 730 * 0.0225 + 1.00 + 4 * 0.50,
    # 0.5 vCPU: Cloud Run bills per request (busy the whole month; no requests in this project)
    ("api", "gcp"): 2 * 730 * 3600 * (0.5 * 0.000024 + 1 * 0.0000025),
    # + 4 GB of console logs into the Container Apps environment's Log Analytics workspace
    ("api", "azure"): 2 * 730 * 3600 * (0.5 * 0.000024 + 1 * 0.000003) + 4 * 2.30,
    ("uploads", "aws"): 100 * 0.023 + 20 * 0.005 + 1000 * 0.0004 + 10 * 0.09 + 1.00,  # + its KMS key
    ("uploads", "gcp"): 100 * 0.020 + 20 * 0.005 + 1000 * 0.0004 + 10 * 0.12,
    ("uploads", "azure"): 100 * 0.018 + 2 * 0.05 + 100 * 0.004 + 10 * 0.087,
    # Multi-AZ doubles instance and storage; + the KMS key and the RDS-managed secret
    ("main-db", "aws"): 2 * (730 * 0.159 + 50 * 0.115) + 1.00 + 0.40,
    ("main-db", "gcp"): 2 * (730 * (2 * 0.0413 + 7.5 * 0.007) + 50 * 0.17) + 0.06,  # + the password secret
    # Flexible Server: the standby doubles it; + its private endpoint
    ("main-db", "azure"): 2 * (730 * 0.178 + 50 * 0.115) + 730 * 0.01,
    ("jobs", "aws"): 10 * 3 * 0.40,  # 10 M messages x (send, receive, delete) at $0.40 per million
    # publish + one delivery, 1 KiB each; + 7 days of messages kept by the topic at 0.27 per GiB-month
    ("jobs", "gcp"): 10_000_000 * 1 * 2 / 1073741824 * 40 + 10_000_000 * 7 / 30 / 1048576 * 0.27,
    ("jobs", "azure"): (30 - 13) * 0.80,  # operations above the 13 M the namespace's base charge includes
    ("servicebus-namespace", "azure"): 730 * 0.0135,  # that base charge: once per project, its own line
    ("storage-account", "azure"): 730 * 0.01,  # the one storage account's blob private endpoint
    ("private-dns-zones", "azure"): 4 * 0.50,  # four privatelink zones, once for the bucket and the database
}


def test_every_line_matches_the_hand_computed_value() -> None:
    est = estimate(parse_project(PROJECT, "hand.yaml"))
    assert est.providers == ("aws", "gcp", "azure")
    got = {(line.name, line.provider): line.monthly for line in est.lines}
    assert got == pytest.approx(EXPECTED)
    for provider in est.providers:
        want = sum(v for (_, p), v in EXPECTED.items() if p == provider)
        assert est.total(provider) == pytest.approx(want)
        assert est.complete(provider)


def test_hand_values_rounded_to_cents() -> None:
    est = estimate(parse_project(PROJECT, "hand.yaml"), providers=["aws"])
    assert [round(line.monthly or 0, 2) for line in est.lines] == [55.47, 4.70, 245.04, 12.00]
    assert round(est.total("aws"), 2) == 317.21


def test_instance_table_and_inputs_are_reported() -> None:
    est = estimate(parse_project(PROJECT, "hand.yaml"), providers=["gcp"])
    db = next(line for line in est.lines if line.name == "main-db")
    assert db.implementation == "gcp_cloud_sql_postgres" and db.instance_type == "db-custom-2-7680"
    assert db.inputs["instance_vcpu"] == 2 and db.inputs["high_availability"] == 1


def test_defaulted_usage_is_flagged() -> None:
    text = "resources:\n  - {name: uploads, type: bucket}\nusage:\n  uploads: {storage_gb: 5}\n"
    line = estimate(parse_project(text), providers=["aws"]).lines[0]
    assert line.defaulted == ("monthly_write_requests", "monthly_read_requests", "egress_gb")
    assert line.depends_on_usage == line.defaulted
    # defaults: 10k writes, 100k reads, 1 GB egress
    assert line.monthly == pytest.approx(5 * 0.023 + 10 * 0.005 + 100 * 0.0004 + 1 * 0.09 + 1.00)  # + KMS key


def test_running_hours_and_instances_defaults_are_not_usage_flags() -> None:
    text = "capabilities:\n  - {name: worker, type: background_worker, config: {container_image: x}}\n" \
           "usage:\n  worker: {egress_gb: 0, log_gb: 0}\n"
    line = estimate(parse_project(text), providers=["aws"]).lines[0]
    assert set(line.defaulted) == {"hours", "average_instances"} and line.depends_on_usage == ()
    assert line.monthly == pytest.approx(730 * (0.5 * 0.04048 + 1 * 0.004445) + 1.00)  # + the logs' KMS key


def test_scheduled_worker_runs_30_hours_by_default() -> None:
    text = "capabilities:\n  - name: nightly\n    type: background_worker\n" \
           "    config: {container_image: x, schedule: '0 2 * * *'}\n"
    line = estimate(parse_project(text), providers=["gcp"]).lines[0]
    assert line.inputs["hours"] == 30
    # + its Cloud Scheduler job
    assert line.monthly == pytest.approx(30 * 3600 * (0.5 * 0.000018 + 1 * 0.000002) + 1 * 0.12 + 0.10)


def test_orchestrator_uses_node_size_and_count() -> None:
    text = "capabilities:\n  - {name: platform, type: container_orchestrator, config: {node_count: 2, " \
           "node_size: small}}\nusage:\n  platform: {egress_gb: 0}\n"
    lines = estimate(parse_project(text)).lines
    by = {line.provider: line for line in lines}
    assert by["aws"].monthly == pytest.approx(730 * 0.10 + 2 * (730 * 0.096 + 20 * 0.08) + 1.00)  # + KMS key
    # GKE: a regional pool, 2 nodes in each of 3 zones; AKS: a system and a workload pool of 2 nodes
    assert by["gcp"].monthly == pytest.approx(730 * 0.10 + 3 * 2 * (730 * 0.067006 + 100 * 0.10))
    # + 5 GB (the default log_gb) into the cluster's Log Analytics workspace
    assert by["azure"].monthly == pytest.approx(730 * 0.10 + 2 * 2 * (730 * 0.096 + 19.71) + 5 * 2.30)
    assert by["azure"].instance_type == "Standard_D2s_v5"


def test_unknown_provider_suggests() -> None:
    with pytest.raises(InvalidArgument, match="no cost model for provider 'gpc'; did you mean 'gcp'"):
        estimate(parse_project(PROJECT), providers=["gpc"])


def test_builtin_models_price_every_kind_with_sources_and_dates() -> None:
    models = load_models(include_plugins=False)
    assert list(models) == ["aws", "gcp", "azure"]
    for model in models.values():
        for kind in CAPABILITY_TYPES + RESOURCE_KINDS:
            impl = model.for_kind(kind)
            assert impl is not None, f"{model.provider} does not price {kind}"
            assert impl.sources and all(s.startswith("https://") for s in impl.sources)
            assert impl.taken.year >= 2023


def _model(impl: str) -> str:
    return "provider: test\nimplementations:\n  t_bucket:\n" + textwrap.indent(textwrap.dedent(impl), "    ")


BASE_IMPL = """\
serves: [bucket]
title: T
source: https://example.com/pricing
taken: 2024-06-01
prices: {per_gb: 0.02}
usage: {storage_gb: 10}
formula: storage_gb * per_gb
"""

# (change to BASE_IMPL, error class, words in the message)
BAD_MODELS = [
    ("formula: storage_gb ** per_gb", FormulaError, ("implementations.t_bucket.formula", "'**' (power)")),
    ("formula: storage_gb * price_gb", FormulaError, ("unknown name 'price_gb'", "did you mean")),
    ("formula: __import__('os')", FormulaError, ("a call to '__import__'",)),
    ("usage: {storage_gb: 10 + bogus}", FormulaError, ("usage.storage_gb", "unknown name 'bogus'")),
    ("usage: {storage: 10}", CostModelError, ("usage.storage", "did you mean 'storage_gb'?")),
    ("taken: last year", CostModelError, ("taken", "YYYY-MM-DD")),
    ("source: example.com", CostModelError, ("source", "https://")),
    ("serves: [buckets]", CostModelError, ("serves", "did you mean 'bucket'?")),
    ("prices: {per_gb: cheap}", CostModelError, ("prices.per_gb", "expected a number")),
    ("formla: x", CostModelError, ("formla", "did you mean 'formula'?")),
    ("instances: {small: {type: a, hourly: 1}}", CostModelError, ("instances", "missing sizes: medium")),
]


@pytest.mark.parametrize(("change", "error", "words"), BAD_MODELS, ids=[c[0] for c in BAD_MODELS])
def test_bad_cost_models_name_file_and_implementation(change: str, error: type[Exception],
                                                      words: tuple[str, ...]) -> None:
    key = change.split(":")[0]
    impl = "\n".join(line for line in BASE_IMPL.splitlines() if not line.startswith(f"{key}:")) + "\n" + change
    with pytest.raises(error) as caught:
        parse_model(_model(impl), "plugin/cost_models/test.yaml")
    message = str(caught.value)
    # file:line:col of the key at fault (BASE_IMPL's keys are indented under implementations.t_bucket)
    assert re.match(r"plugin/cost_models/test\.yaml:\d+:\d+: implementations\.t_bucket", message), message
    for word in words:
        assert word in message


def test_merge_refuses_a_second_implementation_of_a_kind() -> None:
    a = parse_model(_model(BASE_IMPL), "a.yaml")
    b = parse_model(_model(BASE_IMPL), "b.yaml")
    with pytest.raises(CostModelError, match=r"b.yaml: implementations.t_bucket: conflicts with t_bucket in a.yaml"):
        merge([a, b])


def test_plugin_contributes_a_new_provider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "infrar_oci_costs"
    (package / "cost_models").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "cost_models" / "oci.yaml").write_text(_model(BASE_IMPL).replace("provider: test", "provider: oci"))
    monkeypatch.syspath_prepend(str(tmp_path))
    fake = plugins.Plugin(name="oci-costs", version="1.0", description="", package="infrar_oci_costs",
                          api="infrar_oci_costs", domain="oci", adapters={}, requirements={},
                          extra={"cost_models": ["cost_models/oci.yaml"]})
    monkeypatch.setattr(plugins, "registry", lambda: {"oci": fake})
    cost_models.load_models.cache_clear()
    try:
        models = load_models()
        assert list(models) == ["aws", "gcp", "azure", "oci"]
        est = estimate(parse_project("resources:\n  - {name: uploads, type: bucket}\n"
                                     "  - {name: jobs, type: queue}\n"))
        by = {(line.name, line.provider): line for line in est.lines}
        assert by[("uploads", "oci")].monthly == pytest.approx(10 * 0.02)
        assert by[("jobs", "oci")].monthly is None and not est.complete("oci")
    finally:
        cost_models.load_models.cache_clear()


def test_plugin_listing_a_missing_file_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = plugins.Plugin(name="broken", version="1.0", description="", package="infrar.storage",
                          api="infrar.storage", domain="x", adapters={}, requirements={},
                          extra={"cost_models": ["nope.yaml"]})
    monkeypatch.setattr(plugins, "registry", lambda: {"x": fake})
    cost_models.load_models.cache_clear()
    try:
        with pytest.raises(CostModelError, match=r"plugin broken: plugin.yaml lists cost model 'nope.yaml'"):
            load_models()
    finally:
        cost_models.load_models.cache_clear()


def test_engine_chooses_what_is_priced_or_is_refused() -> None:
    text = "resources:\n  - {name: main-db, type: database, engine: sqlserver, size: medium}\n"
    line = estimate(parse_project(text, "e.yaml"), providers=["azure"]).lines[0]
    assert (line.implementation, line.instance_type) == ("azure_sql_database", "GP_Gen5_2")
    default = estimate(parse_project(text.replace(", engine: sqlserver", ""), "e.yaml"), providers=["azure"])
    assert default.lines[0].implementation == "azure_postgres_flexible"
    with pytest.raises(InvalidArgument, match=r"e\.yaml:2:5: engine 'sqlserver' is not available for a database "
                                              r"on aws; allowed: postgres"):
        estimate(parse_project(text, "e.yaml"), providers=["aws"])


def test_azure_sql_backups_up_to_the_database_size_are_free() -> None:
    text = ("resources:\n  - {name: db1, type: database, engine: sqlserver, size: medium, storage_gb: 100}\n"
            "usage:\n  db1: {backup_gb: 150}\n")
    line = estimate(parse_project(text, "e.yaml"), providers=["azure"]).lines[0]
    assert line.monthly == pytest.approx(730 * 0.5044 + 100 * 0.115 + 50 * 0.20 + 730 * 0.01)  # + private endpoint


def test_a_highly_available_azure_sql_database_pays_zone_redundancy_per_vcore() -> None:
    """The module makes a General Purpose database zone-redundant when high_availability is set."""
    module = (Path(__file__).resolve().parents[2] / "modules/azure/mssql_database/main.tf").read_text()
    assert "zone_redundant                      = var.high_availability" in module
    text = ("resources:\n  - {name: db1, type: database, engine: sqlserver, size: large, storage_gb: 100,"
            " high_availability: true}\n")
    line = estimate(parse_project(text, "e.yaml"), providers=["azure"]).lines[0]
    assert line.monthly == pytest.approx(730 * (1.0088 + 4 * 0.09133) + 100 * 0.115 + 730 * 0.01)
    plain = estimate(parse_project(text.replace("true", "false"), "e.yaml"), providers=["azure"]).lines[0]
    assert line.monthly - (plain.monthly or 0) == pytest.approx(730 * 4 * 0.09133)  # 266.68, Infracost's GP_Gen5_4


def test_a_shared_service_bus_namespace_is_charged_once() -> None:
    """Every queue and topic of a project is in one namespace: its base charge is one line, not one per entity."""
    text = ("name: bus\nresources:\n  - {name: alpha, type: queue}\n  - {name: beta, type: queue}\n"
            "  - {name: events, type: topic, subscriptions: [alpha, beta]}\n")
    est = estimate(parse_project(text, "bus.yaml"), ["azure", "aws"])
    namespace = [line for line in est.lines if line.name == "servicebus-namespace"]
    assert [(line.provider, line.kind, line.monthly) for line in namespace] == [("azure", "shared", 730 * 0.0135)]
    # 1 M messages each by default: within the 13 M included operations, so the entities add nothing
    assert {line.name: line.monthly for line in est.lines if line.provider == "azure"} == {
        "alpha": 0, "beta": 0, "events": 0, "servicebus-namespace": 730 * 0.0135}
    assert est.total("azure") == pytest.approx(730 * 0.0135)
    assert [c.name for c in namespace[0].components] == ["base_hour"]
    # a provider without a shared charge gets no such line
    assert not [line for line in est.lines if line.provider == "aws" and line.kind == "shared"]
