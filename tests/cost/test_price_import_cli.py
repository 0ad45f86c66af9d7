"""--fetch-prices through the built-in cost models' price_sources (every source of a provider replayed in its API's
format), the files it writes priced by `infrar cost` (cost_prices/, --prices FILE), and the command's errors."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from infrar.cost.models import CostModel, CostModelError
from infrar.cost.pricing.aws import AwsPriceList
from infrar.cost.pricing.azure import AzureRetailPrices
from infrar.errors import InvalidArgument
from tests.cost import _gcp_catalog as gcp_catalog
from tests.cost._price_server import PriceServer, aws_product, gcp_sku, item
from tests.cost.test_regions import run


def _service_bus_and_log_analytics(method: str, path: str, query: dict[str, str], body: Any,
                                   headers: Any) -> tuple[int, Any]:
    """westeurope's Service Bus Standard and Log Analytics pay-as-you-go items, as the API lists them."""
    flt = query["$filter"]
    assert "armRegionName eq 'westeurope'" in flt and flt.endswith("priceType eq 'Consumption'")
    items: list[dict[str, Any]] = []
    if "serviceName eq 'Service Bus' and skuName eq 'Standard'" in flt:
        items = [item("Service Bus", "Standard", "Standard Base Unit", 0.0141, "1/Hour", meter_id="base"),
                 *(item("Service Bus", "Standard", "Standard Messaging Operations", price, "1M", tier, meter_id="ops")
                   for tier, price in ((0, 0.0), (13, 0.84), (100, 0.52), (2500, 0.21))),
                 item("Service Bus", "Standard", "Standard Brokered Connection", 0.03, "1", 1000, meter_id="conn")]
    elif "serviceName eq 'Log Analytics' and skuName eq 'Pay-as-you-go'" in flt:
        items = [item("Log Analytics", "Pay-as-you-go", "Pay-as-you-go Data Ingestion", 0.0, "1 GB", 0, "ing"),
                 item("Log Analytics", "Pay-as-you-go", "Pay-as-you-go Data Ingestion", 2.99, "1 GB", 5, "ing"),
                 item("Log Analytics", "Pay-as-you-go", "Pay-as-you-go Data Retention", 0.13, "1 GB/Month",
                       meter_id="ret")]
    return 200, {"Items": items, "NextPageLink": None}


_AZURE_UNITS = {"hour": ("1 Hour", 1.0), "second": ("1 Second", 1.0), "gb_second": ("1 GiB Second", 1.0),
                "month": ("1/Month", 1.0), "gb": ("1 GB", 1.0), "gb_month": ("1 GB/Month", 1.0),
                "million": ("1M", 1.0), "10000": ("10K", 1.0),
                "tb": ("1 TB", 1.0)}


def _azure_replay(model: CostModel, region: str, factor: float) -> dict[str, list[dict[str, Any]]]:
    """Items for every filter the built-in Azure sources ask (other than Service Bus and Log Analytics, replayed by
    hand above), at ``factor`` x the base region's price: the OData filter -> the items answered."""
    api = AzureRetailPrices()
    answers: dict[str, list[dict[str, Any]]] = {}
    for impl in model.implementations.values():
        for key, source in impl.price_sources.items():
            if source is None:
                continue
            rows = ([(source.for_row(size, str(row["type"])), float(row[key.partition(".")[2]]), size)
                     for size, row in impl.instances.items()] if key.startswith("instances.") else
                    [(source, impl.prices[key], "")])
            # a sum's parts (compute + license x vCores) each answer their share of the price
            rows = [(part, base / len(each.parts or (each,)) / part.times, size) for each, base, size in rows
                    for part in (each.parts or (each,))]
            for each, base, size in rows:
                unit = _AZURE_UNITS[each.per][0]
                if each.fields.get("skuName") == "S1":  # SQL Database's DTU meters are priced per day
                    unit, base = "1/Day", base * 24
                names = {**each.fields, **{k: f"Standard {v}" for k, v in each.contains.items()}}
                tiers = [(0.0, 0.0), (1.0 if each.tier == "first_paid" else float(each.tier or 0), base * factor)]
                odata = api.odata_filter(each, region)
                answers.setdefault(odata, []).extend(
                    item(names.get("productName", "p"), names.get("skuName", "s"), names.get("meterName", "m"),
                          price, unit, tier, meter_id=f"{impl.id}.{key}.{size}", arm=names.get("armSkuName", ""))
                    for tier, price in (tiers if each.tier not in (None, 0.0) else tiers[1:]))
    return answers


def test_cli_fetches_the_built_in_sources_and_prices_the_project(price_api: PriceServer, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from infrar.cost.models import load_models
    answers = _azure_replay(load_models()["azure"], "westeurope", 1.1)

    def app(method: str, path: str, query: dict[str, str], body: Any, headers: Any) -> tuple[int, Any]:
        if "'Service Bus'" in query["$filter"] or "'Log Analytics'" in query["$filter"]:
            return _service_bus_and_log_analytics(method, path, query, body, headers)
        return 200, {"Items": answers[query["$filter"]], "NextPageLink": None}
    price_api.app = app
    path = tmp_path / "project.yaml"
    path.write_text(textwrap.dedent("""\
        name: shop
        regions: {azure: westeurope}
        resources: [{name: jobs, type: queue}, {name: uploads, type: bucket}, {name: main-db, type: database},
                    {name: sessions, type: cache}, {name: analytics, type: warehouse}]
        observability: {}
        usage:
          jobs: {monthly_messages: 10000000}
          observability: {log_gb: 20, metric_series: 0, monthly_spans: 0}
        """))
    assert run(str(path), "--fetch-prices", "--provider", "azure", "--region", "westeurope") == 0
    written = tmp_path / "cost_prices" / "azure-westeurope.yaml"
    err = capsys.readouterr().err
    assert f"wrote {written}: 10 implementation(s) priced in westeurope" in err
    assert "not fetched" not in err
    table = yaml.safe_load(written.read_text())["regions"]["westeurope"]["implementations"]
    assert table["azure_service_bus"] == {"prices": {"base_hour": 0.0141, "per_million_operations": 0.84}}
    # S1 from its price per day; a vCore size is its compute meter plus the SQL license per vCore-hour
    sql = table["azure_sql_database"]["instances"]
    assert {size: row["hourly"] for size, row in sql.items()} == {
        "small": pytest.approx(0.0411 * 1.1), "medium": pytest.approx(0.5044 * 1.1),
        "large": pytest.approx(1.0088 * 1.1), "xlarge": pytest.approx(2.0176 * 1.1)}
    assert table["azure_log_analytics_app_insights"] == {"prices": {"ingestion_per_gb": 2.99,
                                                                     "retention_gb_month": 0.13}}
    assert table["azure_aks"]["prices"] == {"cluster_hour": pytest.approx(0.11), "log_ingest_per_gb": 2.99,
                                            "node_disk_month": pytest.approx(19.71 * 1.1),
                                            "egress_per_gb": pytest.approx(0.087 * 1.1)}
    assert table["azure_aks"]["instances"]["xlarge"] == {"hourly": pytest.approx(0.768 * 1.1)}
    assert table["azure_blob"]["prices"] == {
        "storage_gb_month": pytest.approx(0.018 * 1.1), "write_per_10000": pytest.approx(0.05 * 1.1),
        "read_per_10000": pytest.approx(0.004 * 1.1), "egress_per_gb": pytest.approx(0.087 * 1.1),
        "private_endpoint_hour": pytest.approx(0.011), "dns_zone_month": pytest.approx(0.55)}
    assert table["azure_cache_redis"]["instances"]["medium"] == {"basic_hourly": pytest.approx(0.18 * 1.1),
                                                                 "standard_hourly": pytest.approx(0.45 * 1.1)}
    assert table["azure_postgres_flexible"]["prices"]["dns_zone_month"] == pytest.approx(0.55)
    assert set(table) == {"azure_service_bus", "azure_log_analytics_app_insights", "azure_aks",
                          "azure_container_apps", "azure_container_apps_job", "azure_blob", "azure_postgres_flexible",
                          "azure_cache_redis", "azure_synapse", "azure_sql_database"}
    assert table["azure_synapse"]["prices"] == {"per_tb_scanned": pytest.approx(5.5),
                                                "storage_gb_month": pytest.approx(0.019 * 1.1),
                                                "spark_vcore_hour": pytest.approx(0.143 * 1.1),
                                                "private_endpoint_hour": pytest.approx(0.011),
                                                "dns_zone_month": pytest.approx(0.55)}
    assert run(str(path), "--provider", "azure", "--format", "json") == 0
    doc = json.loads(capsys.readouterr().out)
    costs = {x["name"]: x["costs"]["azure"] for x in doc["lines"]}
    assert costs["observability"]["monthly"] == pytest.approx(20 * 2.99)  # 31 days retention: none beyond
    assert costs["servicebus-namespace"]["monthly"] == pytest.approx(730 * 0.0141, abs=0.005)  # in cents
    assert costs["uploads"]["monthly"] == pytest.approx(1.1 * (10 * 0.018 + 0.05 + 10 * 0.004 + 0.087), abs=0.005)
    assert costs["sessions"]["monthly"] is not None and costs["main-db"]["monthly"] is not None
    # its four private endpoints at the fetched 0.011 an hour
    assert costs["analytics"]["monthly"] == pytest.approx(1.1 * (5 + 100 * 0.019 + 10 * 12 * 0.143 + 4 * 730 * 0.01),
                                                          abs=0.005)


def test_cli_fetch_needs_one_provider_and_its_region(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InvalidArgument, match="--fetch-prices needs one --provider P and its --region REGION"):
        run(str(tmp_path / "project.yaml"), "--fetch-prices", "--provider", "azure")
    with pytest.raises(InvalidArgument, match="name the provider"):
        run(str(tmp_path / "project.yaml"), "--fetch-prices", "--region", "westeurope")
    with pytest.raises(InvalidArgument, match="'westeurope' is not a region of aws"):
        run(str(tmp_path / "project.yaml"), "--fetch-prices", "--provider", "aws", "--region", "westeurope")
    assert not (tmp_path / "cost_prices").exists()


_MUMBAI_REDIS = {("Basic", "M1"): 59, ("Basic", "M2"): 32, ("Basic", "M3"): 27,  # US$ thousandths a GiB-hour
                 ("Standard", "M1"): 77, ("Standard", "M2"): 65, ("Standard", "M3"): 55}


def _memorystore_skus(service: str) -> list[dict[str, Any]]:
    """asia-south1's Memorystore capacity-tier SKUs, an Iowa one and a commitment one the filters leave out."""
    skus = [gcp_sku(f"R{tier}{m}", f"Redis Capacity {tier} {m} Mumbai", ["asia-south1"], "GiBy.h",
                    [(0, 0, price * 1_000_000)], service) for (tier, m), price in _MUMBAI_REDIS.items()]
    skus.append(gcp_sku("RI", "Redis Capacity Basic M1 Iowa", ["us-central1"], "GiBy.h", [(0, 0, 49_000_000)], service))
    skus.append(gcp_sku("RC", "Commitment v1: Redis Capacity Basic M1 Mumbai for 1 Year", ["asia-south1"], "GiBy.h",
                        [(0, 0, 30_000_000)], service))
    return skus


def _gcs_skus(service: str) -> list[dict[str, Any]]:
    """Cloud Storage's Mumbai storage SKU and the global operation and download SKUs, with SKUs of the same
    resource group the filters leave out (early delete, dual-region, multi-region operations)."""
    def sku(sku_id: str, description: str, regions: list[str], unit: str, rates: list[tuple[float, int, int]],
            group: str = "RegionalStorage") -> dict[str, Any]:
        found: dict[str, Any] = gcp_sku(sku_id, description, regions, unit, rates, service)
        found["category"].update(serviceDisplayName="Cloud Storage", resourceFamily="Storage", resourceGroup=group)
        return found
    return [sku("G1", "Standard Storage Mumbai", ["asia-south1"], "GiBy.mo", [(0, 0, 23_000_000)]),
            sku("G2", "Standard Storage Mumbai (Early Delete)", ["asia-south1"], "GiBy.mo", [(0, 0, 23_000_000)]),
            sku("G3", "Standard Storage Mumbai/Delhi Dual-region", ["asia-south1", "asia-south2"], "GiBy.mo",
                [(0, 0, 46_000_000)]),
            sku("G4", "Regional Standard Class A Operations", ["global"], "count", [(0, 0, 5_000)]),
            sku("G5", "Multi-Region Standard Class A Operations", ["global"], "count", [(0, 0, 10_000)]),
            sku("G6", "Regional Standard Class B Operations", ["global"], "count", [(0, 0, 400)]),
            sku("G7", "Download Worldwide Destinations (excluding Asia & Australia)", ["global"], "GiBy",
                [(0, 0, 120_000_000), (1024, 0, 110_000_000), (10240, 0, 80_000_000)], "InternetEgress")]


def _warehouse_skus(path: str) -> list[dict[str, Any]]:
    """BigQuery's asia-south1 analysis and storage SKUs (a free tier first); its jobs' Cloud Run SKUs are
    tests/cost/_gcp_catalog.py's."""
    return [gcp_sku("B1", "Analysis (asia-south1)", ["asia-south1"], "TiBy", [(0, 0, 0), (1, 7, 500_000_000)],
                    "24E6-581D-38E5"),
            gcp_sku("B2", "Active Logical Storage (asia-south1)", ["asia-south1"], "GiBy.mo",
                    [(0, 0, 0), (10, 0, 23_000_000)], "24E6-581D-38E5"),
            gcp_sku("B3", "Analysis (us-central1)", ["us-central1"], "TiBy", [(0, 0, 0), (1, 6, 250_000_000)],
                    "24E6-581D-38E5")]


def _cloud_sql_mumbai(method: str, path: str, query: dict[str, str], body: Any, headers: Any) -> tuple[int, Any]:
    """asia-south1's Cloud SQL SKUs (and a trial and a commitment SKU the filters leave out), Memorystore's and
    Secret Manager's."""
    sql, secrets, redis = "9662-B51E-5089", "EE82-7A5E-775C", "5AF5-2C11-D467"
    if path == f"/v1/services/{redis}/skus":
        return 200, {"skus": _memorystore_skus(redis), "nextPageToken": ""}
    if path == "/v1/services/24E6-581D-38E5/skus":
        return 200, {"skus": _warehouse_skus(path), "nextPageToken": ""}
    if path.split("/")[3] in gcp_catalog.SERVICES:  # Cloud Run (BigQuery's jobs too), GKE, Pub/Sub, observability
        return gcp_catalog.catalog(method, path, query, body, headers)
    if path == "/v1/services/95FF-2EF5-5EA1/skus":
        return 200, {"skus": _gcs_skus("95FF-2EF5-5EA1"), "nextPageToken": ""}
    if path == f"/v1/services/{sql}/skus":
        skus = [gcp_sku("A", "Cloud SQL for PostgreSQL: Zonal - vCPU in Mumbai", ["asia-south1"], "h",
                        [(0, 0, 53_000_000)], sql),
                gcp_sku("B", "FDC Trial in Cloud SQL for PostgreSQL: Zonal - vCPU in Mumbai", ["asia-south1"], "h",
                        [(0, 0, 0)], sql),
                gcp_sku("C", "Cloud SQL for PostgreSQL: Zonal - RAM in Mumbai", ["asia-south1"], "GiBy.h",
                        [(0, 0, 9_000_000)], sql),
                gcp_sku("D", "Cloud SQL for PostgreSQL: Zonal - Standard storage in Mumbai", ["asia-south1"],
                        "GiBy.mo", [(0, 0, 200_000_000)], sql),
                gcp_sku("E", "Cloud SQL: Backups in Mumbai", ["asia-south1"], "GiBy.mo", [(0, 0, 100_000_000)], sql),
                gcp_sku("F", "Cloud SQL for PostgreSQL: Zonal - vCPU in Americas", ["us-central1"], "h",
                        [(0, 0, 41_300_000)], sql)]
        skus[1]["category"]["usageType"] = "OnDemand"
        commitment = gcp_sku("G", "Commitment v1: Cloud SQL for PostgreSQL: Zonal - vCPU in Mumbai for 1 Year",
                             ["asia-south1"], "h", [(0, 0, 30_000_000)], sql)
        commitment["category"]["usageType"] = "Commit1Yr"
        return 200, {"skus": [*skus, commitment], "nextPageToken": ""}
    assert path == f"/v1/services/{secrets}/skus"
    return 200, {"skus": [gcp_sku("S", "Secret version replica storage", ["global"], "mo",
                                  [(0, 0, 0), (6, 0, 60_000_000)], secrets)], "nextPageToken": ""}


def test_gcp_built_in_sources_fetch_every_implementation(price_api: PriceServer, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    price_api.app = _cloud_sql_mumbai
    path = tmp_path / "project.yaml"
    path.write_text("name: shop\nresources: [{name: main-db, type: database, storage_gb: 100}, "
                    "{name: sessions, type: cache, size: medium}, {name: uploads, type: bucket}, "
                    "{name: analytics, type: warehouse}]\n"
                    "usage: {main-db: {backup_gb: 0}}\n")
    assert run(str(path), "--fetch-prices", "--provider", "gcp", "--region", "asia-south1") == 0
    assert "wrote " in capsys.readouterr().err
    table = yaml.safe_load((tmp_path / "cost_prices" / "gcp-asia-south1.yaml").read_text())["regions"]["asia-south1"]
    cloud_run = gcp_catalog.EXPECTED["asia-south1"]["gcp_cloud_run"]
    redis = {size: {"basic_gb_hour": _MUMBAI_REDIS["Basic", m] / 1000,
                    "standard_gb_hour": _MUMBAI_REDIS["Standard", m] / 1000}
             for size, m in (("small", "M1"), ("medium", "M2"), ("large", "M3"), ("xlarge", "M3"))}
    assert table["implementations"] == {"gcp_cloud_sql_postgres": {"prices": {
        "vcpu_hour": 0.053, "gb_hour": 0.009, "ssd_gb_month": 0.2, "backup_gb_month": 0.1}},  # secret: unchanged
        "gcp_memorystore_redis": {"instances": redis},
        "gcp_gcs": {"prices": {"storage_gb_month": 0.023}},  # the global operation and egress SKUs: unchanged
        "gcp_bigquery": {"prices": {"per_tb_scanned": 7.5, "storage_gb_month": 0.023,
                                    "run_vcpu_hour": pytest.approx(0.09), "run_gib_hour": pytest.approx(0.009)}},
        # the compute, messaging and observability implementations: tests/cost/test_price_import_gcp.py's
        "gcp_cloud_run": {"prices": {k: pytest.approx(v) for k, v in cloud_run.items() if k != "requests_per_million"}},
        "gcp_cloud_run_job": {"prices": pytest.approx(gcp_catalog.EXPECTED["asia-south1"]["gcp_cloud_run_job"])},
        "gcp_gke": {"prices": {"balanced_pd_gb_month": 0.12, "egress_per_gb": 0.13},
                    "instances": {size: {"hourly": pytest.approx(gcp_catalog.e2_hourly("asia-south1", n))}
                                  for size, n in (("small", 2), ("medium", 4), ("large", 8), ("xlarge", 16))}},
        "gcp_pubsub": "same", "gcp_cloud_logging_monitoring_trace": "same"}
    assert sorted(r.path for r in price_api.requests) == sorted(  # each listed once
        f"/v1/services/{s}/skus" for s in ("24E6-581D-38E5", "5AF5-2C11-D467", "95FF-2EF5-5EA1", "9662-B51E-5089",
                                           "EE82-7A5E-775C", *gcp_catalog.SERVICES))
    assert "Not fetched" not in (tmp_path / "cost_prices" / "gcp-asia-south1.yaml").read_text()
    assert run(str(path), "--provider", "gcp", "--region", "gcp=asia-south1", "--format", "json") == 0
    lines = {x["name"]: x["costs"]["gcp"] for x in json.loads(capsys.readouterr().out)["lines"]}
    assert lines["main-db"]["inputs"]["vcpu_hour"] == 0.053 and lines["main-db"]["monthly"] is not None
    assert lines["uploads"]["inputs"]["storage_gb_month"] == 0.023
    assert lines["analytics"]["monthly"] == pytest.approx(7.5 + 100 * 0.023 + 10 * (0.09 + 0.5 * 0.009), abs=0.005)
    assert lines["sessions"]["monthly"] == pytest.approx(730 * 6 * 0.032 + 3 * 0.06, abs=0.005)  # M2 6 GB, Basic


def test_price_files_from_prices_and_their_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "project.yaml"
    path.write_text("name: shop\nresources: [{name: jobs, type: queue}]\nusage: {jobs: {monthly_messages: 1000000}}\n")
    prices = tmp_path / "sqs.yaml"
    prices.write_text(textwrap.dedent("""\
        provider: aws
        regions:
          ap-southeast-2:
            title: Asia Pacific (Sydney), by hand
            source: https://aws.amazon.com/sqs/pricing/
            taken: 2026-12-01
            implementations:
              aws_sqs: {prices: {standard_per_million: 0.44}}
        """))
    assert run(str(path), "--provider", "aws", "--region", "aws=ap-southeast-2", "--prices", str(prices),
               "--format", "json") == 0
    jobs = next(x for x in json.loads(capsys.readouterr().out)["lines"] if x["name"] == "jobs")["costs"]["aws"]
    assert jobs["monthly"] == pytest.approx(3 * 0.44, abs=0.005)
    for text, message in (
        ("provider: oci\nregions: {}\n", r"sqs\.yaml:1:1: provider: 'oci' has no cost model; allowed: aws, gcp, azure"),
        ("provider: aws\ncurrency: EUR\nregions: {}\n", r"sqs\.yaml:2:1: currency: EUR prices cannot be added"),
        ("provider: aws\nregions: {westeurope: {}}\n", r"sqs\.yaml:2:11: regions\.westeurope: not a region of aws"),
        ("provider: aws\nprice: 1\n", r"sqs\.yaml:2:1: price: unknown key; did you mean 'provider'\?"),
    ):
        prices.write_text(text)
        with pytest.raises(CostModelError, match=message):
            run(str(path), "--provider", "aws", "--prices", str(prices))


_AWS_UNITS = {"hour": ("Hrs", 1.0), "gb_hour": ("GB-Hours", 1.0), "gb_month": ("GB-Mo", 1.0), "gb": ("GB", 1.0),
              "month": ("Keys", 1.0), "million": ("Requests", 1e-6), "1000": ("Requests", 1e-3),
              "tb": ("Terabytes", 1.0)}
_AWS_SERVICE_UNITS = {("AmazonCloudWatch", "month"): ("Metrics", 1.0), ("AWSXRay", "million"): ("traces", 1e-6)}


def _aws_replay(model: CostModel, region: str, factor: float) -> dict[tuple[str, str], list[str]]:
    """Every product the built-in AWS sources ask for, at ``factor`` x the base region's price: the request
    (service and TERM_MATCH filters, as the importer sends them) -> the PriceList entries answered."""
    api = AwsPriceList()
    answers: dict[tuple[str, str], list[str]] = {}
    for impl in model.implementations.values():
        for key, source in impl.price_sources.items():
            if source is None:
                continue
            rows = ([(source.for_row(size, str(row["type"])), float(row[key.partition(".")[2]]))
                     for size, row in impl.instances.items()]
                    if key.startswith("instances.") else [(source, impl.prices[key])])
            for each, base in rows:
                service, filters = api.filters(each, region)
                unit, per_unit = _AWS_SERVICE_UNITS.get((service, each.per), _AWS_UNITS[each.per])
                attrs = {f["Field"]: f["Value"] for f in filters}
                attrs.update({k: f"EUN1-{v}" for k, v in each.contains.items()})
                price = f"{base * factor * per_unit:.10f}"
                start = "1" if each.tier == "first_paid" else f"{float(each.tier or 0):g}"  # a free band first
                ranges = [("0", "0.0000000000"), (start, price)] if each.tier not in (None, 0.0) else [("0", price)]
                entry = json.loads(aws_product(f"{impl.id}-{key}-{len(answers)}", attrs.get("usagetype", key),
                                                ranges, unit))
                entry["product"]["attributes"] = attrs
                answers.setdefault((service, json.dumps(filters)), []).append(json.dumps(entry))
    return answers


def test_aws_built_in_sources_fetch_a_complete_region(price_api: PriceServer, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from infrar.cost.models import load_models
    answers = _aws_replay(load_models()["aws"], "eu-north-1", 1.1)
    price_api.app = lambda method, path, query, body, headers: (200, {"FormatVersion": "aws_v1", "PriceList": answers[
        body["ServiceCode"], json.dumps(body["Filters"])]})
    path = tmp_path / "project.yaml"
    path.write_text("name: shop\nresources: [{name: main-db, type: database}, {name: jobs, type: queue}]\n"
                    "observability: {}\nusage: {observability: {log_gb: 10, metric_series: 0, monthly_spans: 0}}\n")
    assert run(str(path), "--fetch-prices", "--provider", "aws", "--region", "eu-north-1") == 0
    assert "wrote " in capsys.readouterr().err
    assert len(price_api.requests) == len(answers)  # a filter several implementations share is asked once
    table = yaml.safe_load((tmp_path / "cost_prices" / "aws-eu-north-1.yaml").read_text())["regions"]["eu-north-1"]
    rds = table["implementations"]["aws_rds_postgres"]
    assert rds["prices"] == {"storage_gb_month": pytest.approx(0.1265), "backup_gb_month": pytest.approx(0.1045),
                             "kms_key_month": pytest.approx(1.1), "secret_month": pytest.approx(0.44)}
    assert rds["instances"]["small"] == {"hourly": pytest.approx(0.032 * 1.1)}
    assert set(table["implementations"]) == {"aws_ecs_fargate_alb", "aws_ecs_worker", "aws_eks", "aws_s3",
                                             "aws_rds_postgres", "aws_sqs", "aws_sns", "aws_elasticache_redis",
                                             "aws_athena_glue", "aws_cloudwatch_xray"}
    assert table["implementations"]["aws_cloudwatch_xray"]["prices"] == {
        "ingestion_per_gb": pytest.approx(0.55), "storage_gb_month": pytest.approx(0.033),
        "metric_month": pytest.approx(0.33), "per_million_traces": pytest.approx(5.5),
        "kms_key_month": pytest.approx(1.1)}
    assert run(str(path), "--provider", "aws", "--region", "aws=eu-north-1", "--format", "json") == 0
    costs = {x["name"]: x["costs"]["aws"] for x in json.loads(capsys.readouterr().out)["lines"]}
    assert costs["jobs"]["monthly"] == pytest.approx(3 * 0.44, abs=0.005)
    assert costs["main-db"]["monthly"] is not None
    assert costs["observability"]["inputs"]["ingestion_per_gb"] == pytest.approx(0.55)  # eu-north-1's, fetched
