"""--fetch-prices against a local server replaying each price API's documented answers: the exact requests
(filters, pages), tiers and units, the table written, that it prices a project in that region, and the errors."""

from __future__ import annotations

import datetime as dt
import re
import textwrap
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import yaml

from infrar.cost.estimate import estimate
from infrar.cost.models import CostModel, CostModelError, parse_model
from infrar.cost.pricing.aws import AwsPriceList
from infrar.cost.pricing.azure import AzureRetailPrices
from infrar.cost.pricing.fetch import fetch_table
from infrar.cost.pricing.files import with_price_files
from infrar.cost.pricing.gcp import GcpBillingCatalog
from infrar.infra.project import parse_project
from tests.cost._price_server import PriceServer, aws_product, gcp_sku, item

TODAY = dt.date(2026, 12, 2)


AZURE_MODEL = """\
provider: azure
region: eastus
implementations:
  blob:
    serves: [bucket]
    title: Blob
    source: https://azure.microsoft.com/pricing/details/storage/blobs/
    taken: 2024-06-01
    prices: {storage_gb_month: 0.018, write_per_10000: 0.05, hours_per_month: 730}
    price_sources:
      storage_gb_month: {serviceName: Storage, skuName: Hot LRS, meterName: Hot LRS Data Stored, per: gb_month,
                         tier: 0}
      write_per_10000: {serviceName: Storage, skuName: Hot LRS, meterName: Hot LRS Write Operations, per: "10000"}
      hours_per_month: fixed
    formula: storage_gb * storage_gb_month + hours_per_month * 0 + write_per_10000 * 0
    usage: {storage_gb: 100}
  aks:
    serves: [container_orchestrator]
    title: AKS
    source: https://azure.microsoft.com/pricing/details/kubernetes-service/
    taken: 2024-06-01
    prices: {cluster_hour: 0.10}
    price_sources:
      cluster_hour: {serviceName: Azure Kubernetes Service, meterName: Standard Uptime SLA, per: hour}
      instances:
        hourly: {serviceName: Virtual Machines, armSkuName: "{type}", per: hour,
                 exclude: {productName: [Windows], skuName: [Spot, Low Priority]}}
    instances:
      small: {type: Standard_D2s_v5, hourly: 0.096}
      medium: {type: Standard_D4s_v5, hourly: 0.192}
      large: {type: Standard_D8s_v5, hourly: 0.384}
      xlarge: {type: Standard_D16s_v5, hourly: 0.768}
    formula: 730 * (cluster_hour + node_count * instance_hourly)
  queue:
    serves: [queue]
    title: Service Bus
    source: https://azure.microsoft.com/pricing/details/service-bus/
    taken: 2024-06-01
    prices: {per_million: 0.8}
    formula: per_million
"""


def _azure_app(base: str) -> Any:
    def app(method: str, path: str, query: dict[str, str], body: Any, headers: Any) -> tuple[int, Any]:
        flt = query["$filter"]
        items: list[dict[str, Any]] = []
        nxt = None
        if "Hot LRS Data Stored" in flt and "$skip" not in query:  # page 1: the first tiers, then a next page
            items = [item("Blob Storage", "Hot LRS", "Hot LRS Data Stored", 0.0208, "1 GB/Month", 0),
                     item("Blob Storage", "Hot LRS", "Hot LRS Data Stored", 0.02, "1 GB/Month", 51200)]
            nxt = f"{base}?" + urllib.parse.urlencode({"$filter": flt, "$skip": "100"})  # as the API encodes it
        elif "Hot LRS Data Stored" in flt:
            items = [item("Blob Storage", "Hot LRS", "Hot LRS Data Stored", 0.0191, "1 GB/Month", 512000)]
        elif "Write Operations" in flt:
            items = [item("Blob Storage", "Hot LRS", "Hot LRS Write Operations", 0.065, "10K")]
        elif "Uptime SLA" in flt:
            items = [item("Azure Kubernetes Service", "Standard", "Standard Uptime SLA", 0.10, "1 Hour")]
        elif "armSkuName eq 'Standard_D" in flt:
            arm = flt.split("armSkuName eq '")[1].split("'")[0]
            vcpus = int(arm.split("_D")[1].split("s")[0])
            name = f"D{vcpus}s v5"
            items = [item("Virtual Machines Dsv5 Series", name, name, 0.053 * vcpus, "1 Hour", arm=arm,
                           meter_id="linux"),
                     item("Virtual Machines Dsv5 Series Windows", name, name, 0.1 * vcpus, "1 Hour", arm=arm,
                           meter_id="win"),
                     item("Virtual Machines Dsv5 Series", f"{name} Spot", f"{name} Spot", 0.01, "1 Hour", arm=arm,
                           meter_id="spot")]
        return 200, {"BillingCurrency": "USD", "CustomerEntityId": "Default", "CustomerEntityType": "Retail",
                     "Items": items, "NextPageLink": nxt, "Count": len(items)}
    return app


def _azure_model() -> CostModel:
    return parse_model(AZURE_MODEL, "azure-test.yaml")


def test_azure_table_requests_tiers_units_and_pages(price_api: PriceServer, tmp_path: Path) -> None:
    base = f"{price_api.url}/api/retail/prices"
    price_api.app = _azure_app(base)
    azure = AzureRetailPrices()
    fetched = fetch_table(_azure_model(), "westeurope", azure, TODAY)
    filters = [r.query["$filter"] for r in price_api.requests]
    assert filters[:2] == [
        "serviceName eq 'Storage' and skuName eq 'Hot LRS' and meterName eq 'Hot LRS Data Stored' and "
        "armRegionName eq 'westeurope' and priceType eq 'Consumption'"] * 2
    first, second = price_api.requests[:2]
    assert "$skip" not in first.query and second.query["$skip"] == "100"  # NextPageLink followed
    assert all(r.query["api-version"] == "2023-01-01-preview" and r.query["currencyCode"] == "'USD'"
               for r in price_api.requests[:1])
    assert "serviceName eq 'Virtual Machines' and armSkuName eq 'Standard_D8s_v5' and armRegionName eq " \
           "'westeurope' and priceType eq 'Consumption'" in filters
    assert len(price_api.requests) == 2 + 1 + 1 + 4  # two pages, writes, the SLA, one per size
    doc = yaml.safe_load(fetched.text)
    table = doc["regions"]["westeurope"]
    assert (doc["provider"], table["source"], table["taken"]) == ("azure", azure.name, TODAY)
    assert table["implementations"]["blob"] == {"prices": {"storage_gb_month": 0.0208, "write_per_10000": 0.065}}
    assert table["implementations"]["aks"] == {"instances": {  # Linux pay-as-you-go only; cluster_hour unchanged
        "small": {"hourly": 0.106}, "medium": {"hourly": 0.212}, "large": {"hourly": 0.424},
        "xlarge": {"hourly": 0.848}}}
    assert fetched.unmapped == {"queue": ("per_million",)} and "queue" not in table["implementations"]
    assert "queue (per_million)" in table["notes"]
    # The written file prices a project in westeurope, read from cost_prices/ beside project.yaml.
    (tmp_path / "cost_prices").mkdir()
    (tmp_path / "cost_prices" / "azure-westeurope.yaml").write_text(fetched.text)
    project = parse_project(textwrap.dedent("""\
        name: shop
        regions: {azure: westeurope}
        resources: [{name: uploads, type: bucket}, {name: jobs, type: queue}]
        usage: {uploads: {storage_gb: 1000}}
        """), str(tmp_path / "project.yaml"))
    from infrar.cost.pricing.files import price_files

    models = with_price_files({"azure": _azure_model()}, price_files(tmp_path / "project.yaml"))
    est = estimate(project, ["azure"], models)
    lines = {name: costs["azure"] for name, _kind, costs in est.rows()}
    assert lines["uploads"].monthly == pytest.approx(1000 * 0.0208)
    assert lines["jobs"].monthly is None  # no source for its price: n/a in westeurope, not eastus's price


@pytest.mark.parametrize(("items", "message"), [
    ([], "matched nothing; fix the filter"),
    ([item("Blob Storage", "Hot LRS", "Hot LRS Write Operations", 0.065, "10K", meter_id="a"),
      item("Blob Storage", "Hot LRS", "Hot LRS Write Operations", 0.07, "10K", meter_id="b")],
     "matched 2 distinct prices: Blob Storage / Hot LRS / Hot LRS Write Operations 0.065 per 10K (= 0.065 per "
     "10000); Blob Storage / Hot LRS / Hot LRS Write Operations 0.07 per 10K (= 0.07 per 10000); narrow"),
    ([item("Blob Storage", "Hot LRS", "W", 0.065, "10K", 0), item("Blob Storage", "Hot LRS", "W", 0.05, "10K", 100)],
     "has tiers starting at 0, 100 10K; give tier: (a start or first_paid)"),
    ([item("Blob Storage", "Hot LRS", "W", 0.065, "1 GB/Month")], "the API prices it per data_time, the model "
     "per 10000 (count)"),
    ([item("Blob Storage", "Hot LRS", "W", 0.065, "1 Lightyear")], "is priced per '1 Lightyear', a unit infrar "
     "does not convert"),
    ([item("Blob Storage", "Hot LRS", "W", 65, "10K")], "implementations.blob.price_sources.write_per_10000: "
     "{serviceName='Storage', skuName='Hot LRS', meterName='Hot LRS Write Operations'} gives 65 in westeurope, the "
     "base region's price is 0.05 (more than 4x apart): a wrong filter or unit"),
])
def test_azure_errors_name_the_key_the_filter_and_what_matched(price_api: PriceServer, items: list[Any],
                                                               message: str) -> None:
    def app(method: str, path: str, query: dict[str, str], body: Any, headers: Any) -> tuple[int, Any]:
        found = items if "Write Operations" in query["$filter"] else [
            item("p", "s", "m", 9.0, "1 Hour", arm="Standard_D2s_v5")]
        return 200, {"Items": found, "NextPageLink": None}
    price_api.app = app
    with pytest.raises(CostModelError) as caught:
        fetch_table(_azure_model(), "westeurope", AzureRetailPrices(), TODAY)
    text = str(caught.value)
    assert "(nothing written; --partial writes the implementations that were)" in text and message in text
    assert re.search(r"azure-test\.yaml:\d+:\d+: implementations\.blob\.price_sources\.write_per_10000: "
                     r"\{serviceName='Storage', skuName='Hot LRS', meterName='Hot LRS Write Operations'\}", text)
    assert "azure-test.yaml:" in text  # file:line:col of the declaration


def test_partial_leaves_out_the_implementations_that_fail(price_api: PriceServer) -> None:
    def app(method: str, path: str, query: dict[str, str], body: Any, headers: Any) -> tuple[int, Any]:
        if "Write Operations" in query["$filter"]:
            return 200, {"Items": [], "NextPageLink": None}  # the blob's write price: nothing matches
        answer: tuple[int, Any] = replay(method, path, query, body, headers)
        return answer
    replay = _azure_app(f"{price_api.url}/api/retail/prices")
    price_api.app = app
    fetched = fetch_table(_azure_model(), "westeurope", AzureRetailPrices(), TODAY, partial=True)
    table = yaml.safe_load(fetched.text)["regions"]["westeurope"]
    assert list(table["implementations"]) == ["aks"] and fetched.priced == ("aks",)
    assert list(fetched.failed) == ["blob"] and "matched nothing" in fetched.failed["blob"][0]
    assert "Not fetched (--partial; a price could not be resolved): blob." in table["notes"]


def test_the_base_region_and_an_unreachable_api_are_errors(price_api: PriceServer) -> None:
    with pytest.raises(CostModelError, match=r"eastus is the base region of azure-test\.yaml"):
        fetch_table(_azure_model(), "eastus", AzureRetailPrices(), TODAY)
    price_api.app = lambda *a: (503, {"error": "busy"})
    with pytest.raises(CostModelError, match=r"HTTP 503: \{\"error\": \"busy\"\}"):
        fetch_table(_azure_model(), "westeurope", AzureRetailPrices(), TODAY)


AWS_MODEL = """\
provider: aws
region: us-east-1
implementations:
  fargate:
    serves: [background_worker]
    title: Fargate
    source: https://aws.amazon.com/fargate/pricing/
    taken: 2024-06-01
    prices: {vcpu_hour: 0.04048, put_per_1000: 0.005}
    price_sources:
      vcpu_hour: {ServiceCode: AmazonECS, productFamily: Compute, usagetype: {contains: Fargate-vCPU-Hours:perCPU},
                  per: hour}
      put_per_1000: {ServiceCode: AmazonS3, group: S3-API-Tier1, per: "1000", tier: first_paid}
    formula: cpu * vcpu_hour * 730 + put_per_1000 * 0
"""


def test_aws_get_products_filters_pages_and_tiers(price_api: PriceServer) -> None:
    def app(method: str, path: str, query: Any, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
        assert headers["x-amz-target"] == "AWSPriceListService.GetProducts"
        if body["ServiceCode"] == "AmazonECS" and "NextToken" not in body:
            return 200, {"FormatVersion": "aws_v1", "NextToken": "page-2", "PriceList": [
                aws_product("A", "EUW1-Fargate-vCPU-Hours:perCPU", [("0", "0.0404800000")], "hours")]}
        if body["ServiceCode"] == "AmazonECS":
            return 200, {"FormatVersion": "aws_v1", "PriceList": [
                aws_product("B", "EUW1-Fargate-GB-Hours", [("0", "0.0044450000")], "hours")]}
        return 200, {"FormatVersion": "aws_v1", "PriceList": [
            aws_product("C", "EUW1-Requests-Tier1", [("0", "0.0000000000"), ("2000", "0.0000054000")], "Requests")]}
    price_api.app = app
    model = parse_model(AWS_MODEL, "aws-test.yaml")
    fetched = fetch_table(model, "eu-west-1", AwsPriceList(), TODAY)
    bodies = [r.body for r in price_api.requests]
    assert bodies == [
        {"ServiceCode": "AmazonECS", "FormatVersion": "aws_v1", "MaxResults": 100, "Filters": [
            {"Type": "TERM_MATCH", "Field": "productFamily", "Value": "Compute"},
            {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-1"}]},
        {"ServiceCode": "AmazonECS", "FormatVersion": "aws_v1", "MaxResults": 100, "NextToken": "page-2", "Filters": [
            {"Type": "TERM_MATCH", "Field": "productFamily", "Value": "Compute"},
            {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-1"}]},
        {"ServiceCode": "AmazonS3", "FormatVersion": "aws_v1", "MaxResults": 100, "Filters": [
            {"Type": "TERM_MATCH", "Field": "group", "Value": "S3-API-Tier1"},
            {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-1"}]}]
    table = yaml.safe_load(fetched.text)["regions"]["eu-west-1"]
    # vCPU is us-east-1's price (not listed); the first paid tier of requests, per 1000
    assert table["implementations"] == {"fargate": {"prices": {"put_per_1000": 0.0054}}}


GCP_MODEL = """\
provider: gcp
region: us-central1
implementations:
  run:
    serves: [api_service]
    title: Cloud Run
    source: https://cloud.google.com/run/pricing
    taken: 2024-06-01
    prices: {vcpu_second: 0.000018, storage_gb_month: 0.02}
    price_sources:
      vcpu_second: {service: 152E-C115-5142, description: {contains: CPU Allocation Time}, per: second,
                    tier: first_paid}
      storage_gb_month: {service: 95FF-2EF5-5EA1, description: Standard Storage Belgium, per: gb_month}
    formula: vcpu_second + storage_gb_month
"""


def test_gcp_catalog_pages_regions_tiers_and_the_key_never_shown(price_api: PriceServer) -> None:
    def app(method: str, path: str, query: dict[str, str], body: Any, headers: Any) -> tuple[int, Any]:
        assert query["key"] == "test-key-not-shown" and query["currencyCode"] == "USD"
        if path.endswith("152E-C115-5142/skus") and "pageToken" not in query:
            return 200, {"skus": [gcp_sku("1", "CPU Allocation Time (tier 1)", ["us-central1"], "s",
                                       [(0, 0, 0), (180000, 0, 18000)])], "nextPageToken": "t2"}
        if path.endswith("152E-C115-5142/skus"):
            return 200, {"skus": [gcp_sku("2", "CPU Allocation Time (tier 1)", ["europe-west1"], "s",
                                       [(0, 0, 0), (180000, 0, 24000)])], "nextPageToken": ""}
        return 200, {"skus": [gcp_sku("3", "Standard Storage Belgium", ["europe-west1"], "GiBy.mo", [(0, 0, 20000000)]),
                              gcp_sku("4", "Standard Storage Belgium", ["us-central1"], "GiBy.mo", [(0, 0, 1)])]}
    price_api.app = app
    catalog = GcpBillingCatalog()
    fetched = fetch_table(parse_model(GCP_MODEL, "gcp-test.yaml"), "europe-west1", catalog, TODAY)
    assert [(r.path, r.query.get("pageToken")) for r in price_api.requests] == [
        ("/v1/services/152E-C115-5142/skus", None), ("/v1/services/152E-C115-5142/skus", "t2"),
        ("/v1/services/95FF-2EF5-5EA1/skus", None)]
    assert not any("test-key" in url for url in catalog.requests)
    table = yaml.safe_load(fetched.text)["regions"]["europe-west1"]
    assert table["implementations"] == {"run": {"prices": {"vcpu_second": 0.000024}}}  # storage: 0.02, unchanged


def test_a_global_price_is_asked_in_the_apis_global_region() -> None:
    from infrar.cost.pricing.sources import parse_sources

    sources = parse_sources({"pe": {"serviceName": "Virtual Network", "meterName": "Standard Private Endpoint",
                                    "region": "global", "per": "hour"},
                             "sqs": {"ServiceCode": "AWSQueueService", "region": "global", "per": "million"}},
                            {"pe": 0.01, "sqs": 0.4}, set(), "m.yaml", "implementations.x.price_sources")
    pe, sqs = sources["pe"], sources["sqs"]
    assert pe is not None and sqs is not None
    assert AzureRetailPrices().odata_filter(pe, "westeurope") == (
        "serviceName eq 'Virtual Network' and meterName eq 'Standard Private Endpoint' and armRegionName eq 'Global' "
        "and priceType eq 'Consumption'")
    assert AwsPriceList().filters(sqs, "eu-west-1") == ("AWSQueueService", [])  # no regionCode
    with pytest.raises(CostModelError, match=r"m\.yaml: implementations\.x\.price_sources\.pe\.region: only `global`"):
        parse_sources({"pe": {"serviceName": "x", "region": "eu", "per": "hour"}}, {"pe": 1.0}, set(), "m.yaml",
                      "implementations.x.price_sources")


def test_a_model_with_no_complete_implementation_is_an_error() -> None:
    queue_only = AZURE_MODEL.split("  blob:")[0] + "  queue:" + AZURE_MODEL.split("  queue:")[1]
    with pytest.raises(CostModelError, match=r"no implementation of azure has a source for every price; declare "
                                             r"price_sources: in azure-test\.yaml"):
        fetch_table(parse_model(queue_only, "azure-test.yaml"), "westeurope", AzureRetailPrices(), TODAY)


def test_a_size_row_field_may_name_a_filter_per_size() -> None:
    from infrar.cost.pricing.sources import parse_sources

    each = {size: {"serviceName": "Redis Cache", "skuName": sku, "per": "hour"}
            for size, sku in (("small", "C1"), ("medium", "C3"), ("large", "C4"), ("xlarge", "C5"))}
    where = "implementations.x.price_sources"
    sources = parse_sources({"instances": {"hourly": each}}, {}, {"hourly"}, "m.yaml", where)
    hourly = sources["instances.hourly"]
    assert hourly is not None
    assert hourly.for_row("large", "C4 13 GB").fields == {"serviceName": "Redis Cache", "skuName": "C4"}
    del each["xlarge"]
    with pytest.raises(CostModelError, match=r"instances\.hourly: missing sizes: xlarge; give every size its filter"):
        parse_sources({"instances": {"hourly": each}}, {}, {"hourly"}, "m.yaml", where)


SUM_MODEL = """\
provider: azure
region: eastus
implementations:
  sql:
    serves: [database]
    title: SQL
    source: https://azure.microsoft.com/pricing/details/azure-sql-database/single/
    taken: 2024-06-01
    prices: {vcore_hour: 0.5044}
    price_sources:
      vcore_hour: {sum: [{serviceName: SQL Database, productName: {contains: General Purpose - Compute Gen5},
                          skuName: 2 vCore, per: hour},
                         {serviceName: SQL Database, productName: {contains: General Purpose - SQL License},
                          region: global, per: hour, times: 2}]}
    formula: vcore_hour
"""


def _sql_app(license_items: list[dict[str, Any]]) -> Any:
    def app(method: str, path: str, query: dict[str, str], body: Any, headers: Any) -> tuple[int, Any]:
        flt = query["$filter"]
        if "armRegionName eq 'Global'" in flt:
            return 200, {"Items": license_items, "NextPageLink": None}
        assert "armRegionName eq 'westeurope'" in flt and "skuName eq '2 vCore'" in flt
        found = [item("SQL Database Single/Elastic Pool General Purpose - Compute Gen5", "2 vCore", "vCore", 0.29,
                      "1 Hour")]
        return 200, {"Items": found, "NextPageLink": None}
    return app


def test_a_sum_adds_its_meters_each_times_its_count(price_api: PriceServer) -> None:
    price_api.app = _sql_app([item("SQL Database Single/Elastic Pool General Purpose - SQL License", "vCore",
                                   "vCore", 0.1, "1 Hour")])
    fetched = fetch_table(parse_model(SUM_MODEL, "sum.yaml"), "westeurope", AzureRetailPrices(), TODAY)
    prices = yaml.safe_load(fetched.text)["regions"]["westeurope"]["implementations"]["sql"]["prices"]
    assert prices == {"vcore_hour": pytest.approx(0.29 + 2 * 0.1)}
    assert len(price_api.requests) == 2  # each meter asked once


def test_a_sum_with_a_meter_missing_is_an_error_naming_that_meter(price_api: PriceServer) -> None:
    price_api.app = _sql_app([])
    with pytest.raises(CostModelError, match=r"sum\.yaml:\d+:\d+: implementations\.sql\.price_sources\.vcore_hour"
                                             r"\.sum\[1\]: \{serviceName='SQL Database', productName contains "
                                             r"'General Purpose - SQL License'\} x 2 in westeurope .* matched nothing"):
        fetch_table(parse_model(SUM_MODEL, "sum.yaml"), "westeurope", AzureRetailPrices(), TODAY)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("vcore_hour: {sum: [{", "vcore_hour: {tier: 0, sum: [{", r"vcore_hour: beside sum: only the total's per:"),
    ("region: global, per: hour, times: 2", "region: global, per: gb, times: 2",
     r"vcore_hour\.sum: the parts of a sum are priced per gb and per hour; give each the same per:, or the total's"),
    ("vcore_hour: {sum: [{", "vcore_hour: {per: hours, sum: [{", r"vcore_hour\.per: 'hours' is not a unit"),
    ("times: 2", "times: 0", r"vcore_hour\.sum\[1\]\.times: give how many of the meter the price holds"),
    ("vcore_hour: {sum: [{serviceName: SQL Database, productName: {contains: General Purpose - Compute Gen5},\n"
     "                          skuName: 2 vCore, per: hour},\n", "vcore_hour: {sum: [",
     r"vcore_hour\.sum: give sum: a list of two or more filters"),
])
def test_a_bad_sum_is_an_error_with_its_place(old: str, new: str, message: str) -> None:
    assert old in SUM_MODEL
    with pytest.raises(CostModelError, match=r"sum\.yaml:\d+:\d+: implementations\.sql\.price_sources\." + message):
        parse_model(SUM_MODEL.replace(old, new), "sum.yaml")
