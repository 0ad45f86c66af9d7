"""--fetch-prices against a local server replaying each price API's documented answers: the exact requests
(filters, pages), tiers and units, the table written, that it prices a project in that region, and the errors."""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
import urllib.parse
from collections.abc import Iterator
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
from infrar.errors import InvalidArgument
from infrar.infra.project import parse_project
from tests.cost._price_server import PriceServer, serve

TODAY = dt.date(2026, 12, 2)


@pytest.fixture(scope="module")
def server() -> Iterator[PriceServer]:
    yield from serve()


@pytest.fixture
def api(server: PriceServer, monkeypatch: pytest.MonkeyPatch) -> PriceServer:
    server.requests.clear()
    server.app = None
    monkeypatch.setenv("INFRAR_AZURE_PRICES_URL", f"{server.url}/api/retail/prices")
    monkeypatch.setenv("INFRAR_GCP_BILLING_URL", f"{server.url}/v1")
    monkeypatch.setenv("INFRAR_GCP_BILLING_API_KEY", "test-key-not-shown")
    monkeypatch.setenv("INFRAR_AWS_PRICING_ENDPOINT", server.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return server


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


def _item(product: str, sku: str, meter: str, price: float, unit: str, tier: float = 0, meter_id: str = "m1",
          region: str = "westeurope", **extra: Any) -> dict[str, Any]:
    """One Retail Prices item, with every property the API documents."""
    return {"currencyCode": "USD", "tierMinimumUnits": tier, "retailPrice": price, "unitPrice": price,
            "armRegionName": region, "location": "EU West", "effectiveStartDate": "2024-01-01T00:00:00Z",
            "meterId": meter_id, "meterName": meter, "productId": "DZH318Z0BNVX", "skuId": f"DZH318Z0BNVX/{sku}",
            "availabilityId": None, "productName": product, "skuName": sku, "serviceName": extra.pop("service", "x"),
            "serviceId": "DZH317F1HKN0", "serviceFamily": "Storage", "unitOfMeasure": unit, "type": "Consumption",
            "isPrimaryMeterRegion": True, "armSkuName": extra.pop("arm", ""), **extra}


def _azure_app(base: str) -> Any:
    def app(method: str, path: str, query: dict[str, str], body: Any, headers: Any) -> tuple[int, Any]:
        flt = query["$filter"]
        items: list[dict[str, Any]] = []
        nxt = None
        if "Hot LRS Data Stored" in flt and "$skip" not in query:  # page 1: the first tiers, then a next page
            items = [_item("Blob Storage", "Hot LRS", "Hot LRS Data Stored", 0.0208, "1 GB/Month", 0),
                     _item("Blob Storage", "Hot LRS", "Hot LRS Data Stored", 0.02, "1 GB/Month", 51200)]
            nxt = f"{base}?" + urllib.parse.urlencode({"$filter": flt, "$skip": "100"})  # as the API encodes it
        elif "Hot LRS Data Stored" in flt:
            items = [_item("Blob Storage", "Hot LRS", "Hot LRS Data Stored", 0.0191, "1 GB/Month", 512000)]
        elif "Write Operations" in flt:
            items = [_item("Blob Storage", "Hot LRS", "Hot LRS Write Operations", 0.065, "10K")]
        elif "Uptime SLA" in flt:
            items = [_item("Azure Kubernetes Service", "Standard", "Standard Uptime SLA", 0.10, "1 Hour")]
        elif "armSkuName eq 'Standard_D" in flt:
            arm = flt.split("armSkuName eq '")[1].split("'")[0]
            vcpus = int(arm.split("_D")[1].split("s")[0])
            name = f"D{vcpus}s v5"
            items = [_item("Virtual Machines Dsv5 Series", name, name, 0.053 * vcpus, "1 Hour", arm=arm,
                           meter_id="linux"),
                     _item("Virtual Machines Dsv5 Series Windows", name, name, 0.1 * vcpus, "1 Hour", arm=arm,
                           meter_id="win"),
                     _item("Virtual Machines Dsv5 Series", f"{name} Spot", f"{name} Spot", 0.01, "1 Hour", arm=arm,
                           meter_id="spot")]
        return 200, {"BillingCurrency": "USD", "CustomerEntityId": "Default", "CustomerEntityType": "Retail",
                     "Items": items, "NextPageLink": nxt, "Count": len(items)}
    return app


def _azure_model() -> CostModel:
    return parse_model(AZURE_MODEL, "azure-test.yaml")


def test_azure_table_requests_tiers_units_and_pages(api: PriceServer, tmp_path: Path) -> None:
    base = f"{api.url}/api/retail/prices"
    api.app = _azure_app(base)
    azure = AzureRetailPrices()
    fetched = fetch_table(_azure_model(), "westeurope", azure, TODAY)
    filters = [r.query["$filter"] for r in api.requests]
    assert filters[:2] == [
        "serviceName eq 'Storage' and skuName eq 'Hot LRS' and meterName eq 'Hot LRS Data Stored' and "
        "armRegionName eq 'westeurope' and priceType eq 'Consumption'"] * 2
    assert "$skip" not in api.requests[0].query and api.requests[1].query["$skip"] == "100"  # NextPageLink followed
    assert all(r.query["api-version"] == "2023-01-01-preview" and r.query["currencyCode"] == "'USD'"
               for r in api.requests[:1])
    assert "serviceName eq 'Virtual Machines' and armSkuName eq 'Standard_D8s_v5' and armRegionName eq " \
           "'westeurope' and priceType eq 'Consumption'" in filters
    assert len(api.requests) == 2 + 1 + 1 + 4  # two pages, writes, the SLA, one per size
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
    ([_item("Blob Storage", "Hot LRS", "Hot LRS Write Operations", 0.065, "10K", meter_id="a"),
      _item("Blob Storage", "Hot LRS", "Hot LRS Write Operations", 0.07, "10K", meter_id="b")],
     "matched 2 distinct prices: Blob Storage / Hot LRS / Hot LRS Write Operations 0.065 per 10K (= 0.065 per "
     "10000); Blob Storage / Hot LRS / Hot LRS Write Operations 0.07 per 10K (= 0.07 per 10000); narrow"),
    ([_item("Blob Storage", "Hot LRS", "W", 0.065, "10K", 0), _item("Blob Storage", "Hot LRS", "W", 0.05, "10K", 100)],
     "has tiers starting at 0, 100 10K; give tier: (a start or first_paid)"),
    ([_item("Blob Storage", "Hot LRS", "W", 0.065, "1 GB/Month")], "the API prices it per data_time, the model "
     "per 10000 (count)"),
    ([_item("Blob Storage", "Hot LRS", "W", 0.065, "1 Lightyear")], "is priced per '1 Lightyear', a unit infrar "
     "does not convert"),
    ([_item("Blob Storage", "Hot LRS", "W", 65, "10K")], "implementations.blob.price_sources.write_per_10000: "
     "{serviceName='Storage', skuName='Hot LRS', meterName='Hot LRS Write Operations'} gives 65 in westeurope, the "
     "base region's price is 0.05 (more than 4x apart): a wrong filter or unit"),
])
def test_azure_errors_name_the_key_the_filter_and_what_matched(api: PriceServer, items: list[Any],
                                                               message: str) -> None:
    def app(method: str, path: str, query: dict[str, str], body: Any, headers: Any) -> tuple[int, Any]:
        found = items if "Write Operations" in query["$filter"] else [
            _item("p", "s", "m", 9.0, "1 Hour", arm="Standard_D2s_v5")]
        return 200, {"Items": found, "NextPageLink": None}
    api.app = app
    with pytest.raises(CostModelError) as caught:
        fetch_table(_azure_model(), "westeurope", AzureRetailPrices(), TODAY)
    text = str(caught.value)
    assert "(nothing written; --partial writes the implementations that were)" in text and message in text
    assert re.search(r"azure-test\.yaml:\d+:\d+: implementations\.blob\.price_sources\.write_per_10000: "
                     r"\{serviceName='Storage', skuName='Hot LRS', meterName='Hot LRS Write Operations'\}", text)
    assert "azure-test.yaml:" in text  # file:line:col of the declaration


def test_partial_leaves_out_the_implementations_that_fail(api: PriceServer) -> None:
    def app(method: str, path: str, query: dict[str, str], body: Any, headers: Any) -> tuple[int, Any]:
        if "Write Operations" in query["$filter"]:
            return 200, {"Items": [], "NextPageLink": None}  # the blob's write price: nothing matches
        answer: tuple[int, Any] = replay(method, path, query, body, headers)
        return answer
    replay = _azure_app(f"{api.url}/api/retail/prices")
    api.app = app
    fetched = fetch_table(_azure_model(), "westeurope", AzureRetailPrices(), TODAY, partial=True)
    table = yaml.safe_load(fetched.text)["regions"]["westeurope"]
    assert list(table["implementations"]) == ["aks"] and fetched.priced == ("aks",)
    assert list(fetched.failed) == ["blob"] and "matched nothing" in fetched.failed["blob"][0]
    assert "Not fetched (--partial; a price could not be resolved): blob." in table["notes"]


def test_the_base_region_and_an_unreachable_api_are_errors(api: PriceServer) -> None:
    with pytest.raises(CostModelError, match=r"eastus is the base region of azure-test\.yaml"):
        fetch_table(_azure_model(), "eastus", AzureRetailPrices(), TODAY)
    api.app = lambda *a: (503, {"error": "busy"})
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


def _aws_product(sku: str, usagetype: str, ranges: list[tuple[str, str]], unit: str) -> str:
    """One PriceList entry as the API returns it: a JSON document in a string."""
    dims = {f"{sku}.JRTCKXETXF.{i}": {"unit": unit, "endRange": "Inf", "description": f"{usagetype} {begin}",
                                      "appliesTo": [], "rateCode": f"{sku}.JRTCKXETXF.{i}", "beginRange": begin,
                                      "pricePerUnit": {"USD": price}}
            for i, (begin, price) in enumerate(ranges)}
    return json.dumps({"product": {"productFamily": "Compute", "attributes": {"usagetype": usagetype,
                                                                              "regionCode": "eu-west-1"}, "sku": sku},
                       "serviceCode": "AmazonECS", "terms": {"OnDemand": {f"{sku}.JRTCKXETXF": {
                           "priceDimensions": dims, "sku": sku, "effectiveDate": "2024-01-01T00:00:00Z",
                           "offerTermCode": "JRTCKXETXF", "termAttributes": {}}}},
                       "version": "20240101", "publicationDate": "2024-01-01T00:00:00Z"})


def test_aws_get_products_filters_pages_and_tiers(api: PriceServer) -> None:
    def app(method: str, path: str, query: Any, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
        assert headers["x-amz-target"] == "AWSPriceListService.GetProducts"
        if body["ServiceCode"] == "AmazonECS" and "NextToken" not in body:
            return 200, {"FormatVersion": "aws_v1", "NextToken": "page-2", "PriceList": [
                _aws_product("A", "EUW1-Fargate-vCPU-Hours:perCPU", [("0", "0.0404800000")], "hours")]}
        if body["ServiceCode"] == "AmazonECS":
            return 200, {"FormatVersion": "aws_v1", "PriceList": [
                _aws_product("B", "EUW1-Fargate-GB-Hours", [("0", "0.0044450000")], "hours")]}
        return 200, {"FormatVersion": "aws_v1", "PriceList": [
            _aws_product("C", "EUW1-Requests-Tier1", [("0", "0.0000000000"), ("2000", "0.0000054000")], "Requests")]}
    api.app = app
    model = parse_model(AWS_MODEL, "aws-test.yaml")
    fetched = fetch_table(model, "eu-west-1", AwsPriceList(), TODAY)
    bodies = [r.body for r in api.requests]
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


def _sku(sku_id: str, description: str, regions: list[str], unit: str, rates: list[tuple[float, int, int]]) -> Any:
    return {"name": f"services/152E-C115-5142/skus/{sku_id}", "skuId": sku_id, "description": description,
            "category": {"serviceDisplayName": "Cloud Run", "resourceFamily": "Compute", "resourceGroup": "RunCPU",
                         "usageType": "OnDemand"}, "serviceRegions": regions,
            "pricingInfo": [{"effectiveTime": "2024-01-01T00:00:00Z", "summary": "", "pricingExpression": {
                "usageUnit": unit, "usageUnitDescription": unit, "baseUnit": unit, "baseUnitDescription": unit,
                "baseUnitConversionFactor": 1, "displayQuantity": 1, "tieredRates": [
                    {"startUsageAmount": start, "unitPrice": {"currencyCode": "USD", "units": str(units),
                                                              "nanos": nanos}} for start, units, nanos in rates]},
                "currencyConversionRate": 1}], "serviceProviderName": "Google",
            "geoTaxonomy": {"type": "REGIONAL", "regions": regions}}


def test_gcp_catalog_pages_regions_tiers_and_the_key_never_shown(api: PriceServer) -> None:
    def app(method: str, path: str, query: dict[str, str], body: Any, headers: Any) -> tuple[int, Any]:
        assert query["key"] == "test-key-not-shown" and query["currencyCode"] == "USD"
        if path.endswith("152E-C115-5142/skus") and "pageToken" not in query:
            return 200, {"skus": [_sku("1", "CPU Allocation Time (tier 1)", ["us-central1"], "s",
                                       [(0, 0, 0), (180000, 0, 18000)])], "nextPageToken": "t2"}
        if path.endswith("152E-C115-5142/skus"):
            return 200, {"skus": [_sku("2", "CPU Allocation Time (tier 1)", ["europe-west1"], "s",
                                       [(0, 0, 0), (180000, 0, 24000)])], "nextPageToken": ""}
        return 200, {"skus": [_sku("3", "Standard Storage Belgium", ["europe-west1"], "GiBy.mo", [(0, 0, 20000000)]),
                              _sku("4", "Standard Storage Belgium", ["us-central1"], "GiBy.mo", [(0, 0, 1)])]}
    api.app = app
    catalog = GcpBillingCatalog()
    fetched = fetch_table(parse_model(GCP_MODEL, "gcp-test.yaml"), "europe-west1", catalog, TODAY)
    assert [(r.path, r.query.get("pageToken")) for r in api.requests] == [
        ("/v1/services/152E-C115-5142/skus", None), ("/v1/services/152E-C115-5142/skus", "t2"),
        ("/v1/services/95FF-2EF5-5EA1/skus", None)]
    assert not any("test-key" in url for url in catalog.requests)
    table = yaml.safe_load(fetched.text)["regions"]["europe-west1"]
    assert table["implementations"] == {"run": {"prices": {"vcpu_second": 0.000024}}}  # storage: 0.02, unchanged


def _service_bus_and_log_analytics(method: str, path: str, query: dict[str, str], body: Any,
                                   headers: Any) -> tuple[int, Any]:
    """westeurope's Service Bus Standard and Log Analytics pay-as-you-go items, as the API lists them."""
    flt = query["$filter"]
    assert "armRegionName eq 'westeurope'" in flt and flt.endswith("priceType eq 'Consumption'")
    items: list[dict[str, Any]] = []
    if "serviceName eq 'Service Bus' and skuName eq 'Standard'" in flt:
        items = [_item("Service Bus", "Standard", "Standard Base Unit", 0.0141, "1/Hour", meter_id="base"),
                 *(_item("Service Bus", "Standard", "Standard Messaging Operations", price, "1M", tier, meter_id="ops")
                   for tier, price in ((0, 0.0), (13, 0.84), (100, 0.52), (2500, 0.21))),
                 _item("Service Bus", "Standard", "Standard Brokered Connection", 0.03, "1", 1000, meter_id="conn")]
    elif "serviceName eq 'Log Analytics' and skuName eq 'Pay-as-you-go'" in flt:
        items = [_item("Log Analytics", "Pay-as-you-go", "Pay-as-you-go Data Ingestion", 0.0, "1 GB", 0, "ing"),
                 _item("Log Analytics", "Pay-as-you-go", "Pay-as-you-go Data Ingestion", 2.99, "1 GB", 5, "ing"),
                 _item("Log Analytics", "Pay-as-you-go", "Pay-as-you-go Data Retention", 0.13, "1 GB/Month",
                       meter_id="ret")]
    return 200, {"Items": items, "NextPageLink": None}


_AZURE_UNITS = {"hour": ("1 Hour", 1.0), "second": ("1 Second", 1.0), "gb_second": ("1 GiB Second", 1.0),
                "month": ("1/Month", 1.0), "gb": ("1 GB", 1.0), "gb_month": ("1 GB/Month", 1.0),
                "million": ("1M", 1.0)}


def _azure_replay(model: CostModel, region: str, factor: float) -> dict[str, list[dict[str, Any]]]:
    """Items for every filter the built-in Azure sources ask (other than Service Bus and Log Analytics, replayed by
    hand above), at ``factor`` x the base region's price: the OData filter -> the items answered."""
    api = AzureRetailPrices()
    answers: dict[str, list[dict[str, Any]]] = {}
    for impl in model.implementations.values():
        for key, source in impl.price_sources.items():
            if source is None:
                continue
            rows = ([(source.for_type(str(row["type"])), float(row[key.partition(".")[2]]), size)
                     for size, row in impl.instances.items()] if key.startswith("instances.") else
                    [(source, impl.prices[key], "")])
            for each, base, size in rows:
                unit = _AZURE_UNITS[each.per][0]
                names = {**each.fields, **{k: f"Standard {v}" for k, v in each.contains.items()}}
                tiers = [(0.0, 0.0), (1.0 if each.tier == "first_paid" else float(each.tier or 0), base * factor)]
                odata = api.odata_filter(each, region)
                answers.setdefault(odata, []).extend(
                    _item(names.get("productName", "p"), names.get("skuName", "s"), names.get("meterName", "m"),
                          price, unit, tier, meter_id=f"{impl.id}.{key}.{size}", arm=names.get("armSkuName", ""))
                    for tier, price in (tiers if each.tier not in (None, 0.0) else tiers[1:]))
    return answers


def test_cli_fetches_the_built_in_sources_and_prices_the_project(api: PriceServer, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from infrar.cost.models import load_models
    from tests.cost.test_regions import run

    answers = _azure_replay(load_models()["azure"], "westeurope", 1.1)

    def app(method: str, path: str, query: dict[str, str], body: Any, headers: Any) -> tuple[int, Any]:
        if "'Service Bus'" in query["$filter"] or "'Log Analytics'" in query["$filter"]:
            return _service_bus_and_log_analytics(method, path, query, body, headers)
        return 200, {"Items": answers[query["$filter"]], "NextPageLink": None}
    api.app = app
    path = tmp_path / "project.yaml"
    path.write_text(textwrap.dedent("""\
        name: shop
        regions: {azure: westeurope}
        resources: [{name: jobs, type: queue}, {name: uploads, type: bucket}]
        observability: {}
        usage:
          jobs: {monthly_messages: 10000000}
          observability: {log_gb: 20, metric_series: 0, monthly_spans: 0}
        """))
    assert run(str(path), "--fetch-prices", "--provider", "azure", "--region", "westeurope") == 0
    written = tmp_path / "cost_prices" / "azure-westeurope.yaml"
    err = capsys.readouterr().err
    assert f"wrote {written}: 5 implementation(s) priced in westeurope" in err
    assert "not fetched: azure_blob (no price source for storage_gb_month," in err
    table = yaml.safe_load(written.read_text())["regions"]["westeurope"]["implementations"]
    assert table["azure_service_bus"] == {"prices": {"base_hour": 0.0141, "per_million_operations": 0.84}}
    assert table["azure_log_analytics_app_insights"] == {"prices": {"ingestion_per_gb": 2.99,
                                                                     "retention_gb_month": 0.13}}
    assert table["azure_aks"]["prices"] == {"cluster_hour": pytest.approx(0.11), "log_ingest_per_gb": 2.99,
                                            "node_disk_month": pytest.approx(19.71 * 1.1),
                                            "egress_per_gb": pytest.approx(0.087 * 1.1)}
    assert table["azure_aks"]["instances"]["xlarge"] == {"hourly": pytest.approx(0.768 * 1.1)}
    assert set(table) == {"azure_service_bus", "azure_log_analytics_app_insights", "azure_aks",
                          "azure_container_apps", "azure_container_apps_job"}
    assert run(str(path), "--provider", "azure", "--format", "json") == 0
    doc = json.loads(capsys.readouterr().out)
    costs = {x["name"]: x["costs"]["azure"] for x in doc["lines"]}
    assert costs["observability"]["monthly"] == pytest.approx(20 * 2.99)  # 31 days retention: none beyond
    assert costs["servicebus-namespace"]["monthly"] == pytest.approx(730 * 0.0141, abs=0.005)  # in cents
    assert costs["uploads"]["monthly"] is None  # Blob has no fetched price: n/a, not eastus's


def test_cli_fetch_needs_one_provider_and_its_region(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.cost.test_regions import run

    with pytest.raises(InvalidArgument, match="--fetch-prices needs one --provider P and its --region REGION"):
        run(str(tmp_path / "project.yaml"), "--fetch-prices", "--provider", "azure")
    with pytest.raises(InvalidArgument, match="name the provider"):
        run(str(tmp_path / "project.yaml"), "--fetch-prices", "--region", "westeurope")
    with pytest.raises(InvalidArgument, match="'westeurope' is not a region of aws"):
        run(str(tmp_path / "project.yaml"), "--fetch-prices", "--provider", "aws", "--region", "westeurope")
    with pytest.raises(CostModelError, match=r"no implementation of gcp has a source for every price; declare "
                                             r"price_sources: in cost_models/gcp\.yaml"):
        run(str(tmp_path / "project.yaml"), "--fetch-prices", "--provider", "gcp", "--region", "asia-south1")
    assert not (tmp_path / "cost_prices").exists()


def test_price_files_from_prices_and_their_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.cost.test_regions import run

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
              "month": ("Keys", 1.0), "million": ("Requests", 1e-6), "1000": ("Requests", 1e-3)}


def _aws_replay(model: CostModel, region: str, factor: float) -> dict[tuple[str, str], list[str]]:
    """Every product the built-in AWS sources ask for, at ``factor`` x the base region's price: the request
    (service and TERM_MATCH filters, as the importer sends them) -> the PriceList entries answered."""
    api = AwsPriceList()
    answers: dict[tuple[str, str], list[str]] = {}
    for impl in model.implementations.values():
        for key, source in impl.price_sources.items():
            if source is None:
                continue
            rows = ([(s.for_type(str(row["type"])), float(row[key.partition(".")[2]]))
                     for s, row in ((source, row) for row in impl.instances.values())]
                    if key.startswith("instances.") else [(source, impl.prices[key])])
            for each, base in rows:
                service, filters = api.filters(each, region)
                unit, per_unit = _AWS_UNITS[each.per]
                attrs = {f["Field"]: f["Value"] for f in filters}
                attrs.update({k: f"EUN1-{v}" for k, v in each.contains.items()})
                price = f"{base * factor * per_unit:.10f}"
                start = "1" if each.tier == "first_paid" else f"{float(each.tier or 0):g}"  # a free band first
                ranges = [("0", "0.0000000000"), (start, price)] if each.tier not in (None, 0.0) else [("0", price)]
                entry = json.loads(_aws_product(f"{impl.id}-{key}-{len(answers)}", attrs.get("usagetype", key),
                                                ranges, unit))
                entry["product"]["attributes"] = attrs
                answers.setdefault((service, json.dumps(filters)), []).append(json.dumps(entry))
    return answers


def test_aws_built_in_sources_fetch_a_complete_region(api: PriceServer, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from infrar.cost.models import load_models
    from tests.cost.test_regions import run

    answers = _aws_replay(load_models()["aws"], "eu-north-1", 1.1)
    api.app = lambda method, path, query, body, headers: (200, {"FormatVersion": "aws_v1", "PriceList": answers[
        body["ServiceCode"], json.dumps(body["Filters"])]})
    path = tmp_path / "project.yaml"
    path.write_text("name: shop\nresources: [{name: main-db, type: database}, {name: jobs, type: queue}]\n")
    assert run(str(path), "--fetch-prices", "--provider", "aws", "--region", "eu-north-1") == 0
    assert "wrote " in capsys.readouterr().err
    assert len(api.requests) == len(answers)  # a filter several implementations share is asked once
    table = yaml.safe_load((tmp_path / "cost_prices" / "aws-eu-north-1.yaml").read_text())["regions"]["eu-north-1"]
    rds = table["implementations"]["aws_rds_postgres"]
    assert rds["prices"] == {"storage_gb_month": pytest.approx(0.1265), "backup_gb_month": pytest.approx(0.1045),
                             "kms_key_month": pytest.approx(1.1), "secret_month": pytest.approx(0.44)}
    assert rds["instances"]["small"] == {"hourly": pytest.approx(0.032 * 1.1)}
    assert set(table["implementations"]) == {"aws_ecs_fargate_alb", "aws_ecs_worker", "aws_eks", "aws_s3",
                                             "aws_rds_postgres", "aws_sqs", "aws_sns", "aws_elasticache_redis"}
    assert run(str(path), "--provider", "aws", "--region", "aws=eu-north-1", "--format", "json") == 0
    costs = {x["name"]: x["costs"]["aws"] for x in json.loads(capsys.readouterr().out)["lines"]}
    assert costs["jobs"]["monthly"] == pytest.approx(3 * 0.44, abs=0.005)
    assert costs["main-db"]["monthly"] is not None
