"""The built-in GCP sources of implementations still left out of a fetch (a price without a source: internet
egress, GKE's node sizes, Cloud Scheduler): each declared filter resolves to the one SKU it names in a Tier 1 and
a Tier 2 region of Cloud Run, past the SKUs it must leave out, replayed in the Cloud Billing Catalog's format."""

from __future__ import annotations

from typing import Any

import pytest

from infrar.cost.models import CostModelError, load_models
from infrar.cost.pricing.fetch import unmapped_keys
from infrar.cost.pricing.gcp import GcpBillingCatalog
from infrar.cost.pricing.quotes import choose
from tests.cost._price_server import PriceServer, gcp_sku

RUN, GCE, GKE = "152E-C115-5142", "6F81-5844-456A", "CCD8-9BF1-090E"
TIER_1, TIER_2 = ["us-central1", "europe-west1"], ["asia-south1"]  # the regions a request-based SKU lists

# (SKU description, serviceRegions, unit, nanos of the paid rate, a free first tier up to): as the catalog lists them
_RUN = [("Services CPU (Instance-based billing) in europe-west1", ["europe-west1"], "s", 18_000, 0),
        ("Services Memory (Instance-based billing) in europe-west1", ["europe-west1"], "GiBy.s", 2_000, 0),
        ("Services CPU (Instance-based billing) in asia-south1", TIER_2, "s", 21_600, 0),
        ("Services Memory (Instance-based billing) in asia-south1", TIER_2, "GiBy.s", 2_400, 0),
        ("Services CPU (Request-based billing)", TIER_1, "s", 24_000, 180_000),
        ("Services Memory (Request-based billing)", TIER_1, "GiBy.s", 2_500, 360_000),
        ("Services CPU Tier 2  (Request-based billing)", TIER_2, "s", 33_600, 180_000),  # two spaces, as listed
        ("Services Memory Tier 2 (Request-based billing)", TIER_2, "GiBy.s", 3_500, 360_000),
        ("Services Min Instance CPU (Request-based billing)", TIER_1, "s", 2_500, 0),  # idle min instances: not these
        ("Services Min Instance CPU Tier 2 (Request-based billing)", TIER_2, "s", 3_500, 0),
        ("Requests", ["global"], "count", 400, 2_000_000),
        ("Jobs CPU in europe-west1", ["europe-west1"], "s", 18_000, 0),
        ("Jobs Memory in europe-west1", ["europe-west1"], "GiBy.s", 2_000, 0),
        ("Jobs CPU in asia-south1", TIER_2, "s", 25_000, 0),
        ("Jobs Memory in asia-south1", TIER_2, "GiBy.s", 2_500, 0)]
_GKE = [("Regional Kubernetes Clusters", ["global"], "h", 100_000_000, 0),
        ("Zonal Kubernetes Clusters", ["global"], "h", 90_000_000, 0),  # a zonal or Autopilot cluster: not deployed
        ("Autopilot Kubernetes Clusters", ["global"], "h", 80_000_000, 0)]
_GCE = [("Balanced PD Capacity in Belgium", ["europe-west1"], "GiBy.mo", 110_000_000, 0),
        ("Regional Balanced PD Capacity in Belgium", ["europe-west1"], "GiBy.mo", 220_000_000, 0),  # replicated PD
        ("Balanced PD Capacity in Mumbai", TIER_2, "GiBy.mo", 120_000_000, 0),
        ("Regional Balanced PD Capacity in Mumbai", TIER_2, "GiBy.mo", 240_000_000, 0)]


def _skus(service: str, listed: list[tuple[str, list[str], str, int, int]]) -> list[dict[str, Any]]:
    return [gcp_sku(f"{service}-{n}", description, regions, unit,
                    [(0, 0, 0), (free, 0, nanos)] if free else [(0, 0, nanos)], service)
            for n, (description, regions, unit, nanos, free) in enumerate(listed)]


def _catalog(method: str, path: str, query: dict[str, str], body: Any, headers: Any) -> tuple[int, Any]:
    service = path.split("/")[3]
    listed = {RUN: _RUN, GKE: _GKE, GCE: _GCE}[service]
    return 200, {"skus": _skus(service, listed), "nextPageToken": ""}


def _resolved(implementation: str, region: str) -> dict[str, float]:
    """Every declared (not fixed) source of the built-in implementation, resolved in ``region``."""
    impl = load_models()["gcp"].implementations[implementation]
    catalog = GcpBillingCatalog()
    return {key: choose(source, catalog.quotes(source, region), catalog, region)
            for key, source in impl.price_sources.items() if source is not None}


@pytest.mark.parametrize(("region", "run", "job", "gke"), [
    ("europe-west1", {"vcpu_second": 0.000018, "gib_second": 0.000002, "request_vcpu_second": 0.000024,
                      "request_gib_second": 0.0000025, "requests_per_million": 0.4},
     {"vcpu_second": 0.000018, "gib_second": 0.000002}, {"cluster_hour": 0.1, "balanced_pd_gb_month": 0.11}),
    ("asia-south1", {"vcpu_second": 0.0000216, "gib_second": 0.0000024, "request_vcpu_second": 0.0000336,
                     "request_gib_second": 0.0000035, "requests_per_million": 0.4},
     {"vcpu_second": 0.000025, "gib_second": 0.0000025}, {"cluster_hour": 0.1, "balanced_pd_gb_month": 0.12}),
])
def test_cloud_run_and_gke_sources_resolve_in_tier_1_and_tier_2_regions(
        price_api: PriceServer, region: str, run: dict[str, float], job: dict[str, float],
        gke: dict[str, float]) -> None:
    price_api.app = _catalog
    assert _resolved("gcp_cloud_run", region) == pytest.approx(run)
    assert _resolved("gcp_cloud_run_job", region) == pytest.approx(job)
    assert _resolved("gcp_gke", region) == pytest.approx(gke)


def test_they_stay_left_out_for_the_prices_without_a_source() -> None:
    model = load_models()["gcp"]
    assert {impl: unmapped_keys(model.implementations[impl]) for impl in ("gcp_cloud_run", "gcp_cloud_run_job",
                                                                          "gcp_gke")} == {
        "gcp_cloud_run": ("egress_per_gb",), "gcp_cloud_run_job": ("egress_per_gb", "scheduler_job_month"),
        "gcp_gke": ("egress_per_gb", "instances.hourly")}


def test_a_request_based_price_with_both_tiers_listed_in_the_region_is_an_error(price_api: PriceServer) -> None:
    def app(method: str, path: str, query: dict[str, str], body: Any, headers: Any) -> tuple[int, Any]:
        listed = [(d, TIER_1 + TIER_2 if "Request-based" in d else regions, u, n, f) for d, regions, u, n, f in _RUN]
        return 200, {"skus": _skus(RUN, listed), "nextPageToken": ""}
    price_api.app = app
    with pytest.raises(CostModelError, match=r"gcp\.yaml:\d+:\d+: implementations\.gcp_cloud_run\.price_sources\."
                                             r"request_vcpu_second: .* matched 2 distinct prices"):
        _resolved("gcp_cloud_run", "asia-south1")
