"""The built-in GCP sources of Cloud Run services and jobs, GKE (its E2 nodes a sum of vCPU and memory SKUs),
Premium Tier internet egress and Pub/Sub's retained messages: each filter resolves to the one SKU it names in a
Tier 1 and a Tier 2 region of Cloud Run, past the SKUs it must leave out, replayed in the Cloud Billing Catalog's
format (tests/cost/_gcp_catalog.py)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import yaml

from infrar.cost.models import CostModelError, load_models
from infrar.cost.pricing.fetch import fetch_table, unmapped_keys
from infrar.cost.pricing.gcp import GcpBillingCatalog
from infrar.cost.pricing.quotes import choose
from tests.cost import _gcp_catalog as gcp
from tests.cost._price_server import PriceServer

_SIZES = {"small": 2, "medium": 4, "large": 8, "xlarge": 16}  # e2-standard-<vCPUs>


def _resolved(implementation: str, region: str) -> dict[str, float]:
    """Every declared (not fixed) price source of the built-in implementation, resolved in ``region``."""
    impl = load_models()["gcp"].implementations[implementation]
    catalog = GcpBillingCatalog()
    return {key: choose(source, catalog.quotes(source, region), catalog, region)
            for key, source in impl.price_sources.items() if source is not None and not source.sizes}


@pytest.mark.parametrize("region", ["europe-west1", "asia-south1"])
def test_cloud_run_and_gke_sources_resolve_in_tier_1_and_tier_2_regions(price_api: PriceServer, region: str) -> None:
    price_api.app = gcp.catalog
    for implementation, prices in gcp.EXPECTED[region].items():
        assert _resolved(implementation, region) == pytest.approx(prices), implementation


def _compute_model() -> Any:
    """The built-in GCP model with only the implementations the replayed services price."""
    model = load_models()["gcp"]
    kept = {k: v for k, v in model.implementations.items()
            if k in (*gcp.EXPECTED["asia-south1"], "gcp_pubsub", "gcp_cloud_logging_monitoring_trace")}
    return dataclasses.replace(model, implementations=kept)


@pytest.mark.parametrize("region", ["europe-west1", "asia-south1"])
def test_a_fetch_prices_each_gke_node_as_its_vcpus_and_memory(price_api: PriceServer, region: str) -> None:
    price_api.app = gcp.catalog
    fetched = fetch_table(_compute_model(), region, GcpBillingCatalog())
    table = yaml.safe_load(fetched.text)["regions"][region]["implementations"]
    assert table["gcp_gke"]["instances"] == {size: {"hourly": pytest.approx(gcp.e2_hourly(region, n))}
                                             for size, n in _SIZES.items()}
    assert table["gcp_pubsub"] == "same" and table["gcp_cloud_logging_monitoring_trace"] == "same"  # global prices
    assert fetched.unmapped == {}
    assert sorted(r.path for r in price_api.requests) == sorted(f"/v1/services/{s}/skus" for s in gcp.SERVICES)


def test_the_base_region_prices_are_what_the_skus_give_in_us_central1() -> None:
    """The recorded e2-standard rows are 2 vCPUs + 8 GiB at Iowa's 0.021811 and 0.002923 (the catalog's rates)."""
    rows = load_models()["gcp"].implementations["gcp_gke"].instances
    for size, vcpus in _SIZES.items():
        assert rows[size]["type"] == f"e2-standard-{vcpus}"
        assert float(rows[size]["hourly"]) == pytest.approx(vcpus * 0.021811 + 4 * vcpus * 0.002923)


def test_each_size_sums_the_vcpus_and_memory_of_its_machine_type() -> None:
    """The ``times:`` of a size's two SKUs are its machine type's vCPUs and GiB (e2-standard: 4 GiB a vCPU)."""
    impl = load_models()["gcp"].implementations["gcp_gke"]
    hourly = impl.price_sources["instances.hourly"]
    assert hourly is not None
    for size, row in impl.instances.items():
        core, ram = hourly.for_row(size, str(row["type"])).parts
        vcpus = int(str(row["type"]).rsplit("-", 1)[1])
        assert (core.per, core.times, ram.per, ram.times) == ("hour", vcpus, "gb_hour", 4 * vcpus)


def test_every_gcp_implementation_has_a_source_for_every_price() -> None:
    model = load_models()["gcp"]
    assert {impl: unmapped_keys(found) for impl, found in model.implementations.items() if unmapped_keys(found)} == {}


def test_a_request_based_price_with_both_tiers_listed_in_the_region_is_an_error(price_api: PriceServer) -> None:
    both = [(d, gcp.TIER_1 + gcp.TIER_2 if "Request-based" in d else regions, u, r, g, t)
            for d, regions, u, r, g, t in gcp.listed(gcp.RUN)]

    def app(method: str, path: str, query: dict[str, str], body: Any, headers: Any) -> tuple[int, Any]:
        return 200, {"skus": gcp.skus(gcp.RUN, both), "nextPageToken": ""}
    price_api.app = app
    with pytest.raises(CostModelError, match=r"gcp\.yaml:\d+:\d+: implementations\.gcp_cloud_run\.price_sources\."
                                             r"request_vcpu_second: .* matched 2 distinct prices"):
        _resolved("gcp_cloud_run", "asia-south1")


def test_a_node_whose_memory_sku_is_missing_names_that_part(price_api: PriceServer) -> None:
    listed = [entry for entry in gcp.listed(gcp.GCE) if entry[0] != "E2 Instance Ram running in Mumbai"]

    def app(method: str, path: str, query: dict[str, str], body: Any, headers: Any) -> tuple[int, Any]:
        service = path.split("/")[3]
        return 200, {"skus": gcp.skus(service, listed if service == gcp.GCE else None), "nextPageToken": ""}
    price_api.app = app
    with pytest.raises(CostModelError, match=r"gcp\.yaml:\d+:\d+: implementations\.gcp_gke\.price_sources\.instances"
                                             r"\.hourly\.small\.sum\[1\]: .*'E2 Instance Ram running in'.* x 8 in "
                                             r"asia-south1 .* matched nothing"):
        fetch_table(_compute_model(), "asia-south1", GcpBillingCatalog())
