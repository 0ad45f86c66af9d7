"""A Cloud Billing Catalog replay of the SKUs the built-in GCP compute, messaging and observability sources name,
in a Tier 1 (europe-west1) and a Tier 2 (asia-south1) region of Cloud Run, with the SKUs each filter must leave
out beside them (other tiers, Spot, commitments, ingress, other destinations, regional PD)."""

from __future__ import annotations

from typing import Any

from tests.cost._price_server import gcp_sku

RUN, GCE, GKE = "152E-C115-5142", "6F81-5844-456A", "CCD8-9BF1-090E"
PUBSUB, LOGGING, MONITORING = "A1E8-BE35-7EBC", "5490-F7B7-8DF6", "58CD-E7C3-72CA"
SERVICES = (RUN, GCE, GKE, PUBSUB, LOGGING, MONITORING)
TIER_1, TIER_2 = ["us-central1", "europe-west1"], ["asia-south1"]  # the regions a request-based SKU lists
_BE, _IN = ["europe-west1"], TIER_2

Rates = list[tuple[float, int, int]]  # (tier start, units, nanos), as the catalog lists them
Listed = tuple[str, list[str], str, Rates, str, str]  # description, serviceRegions, unit, rates, group, usage


def _flat(nanos: int, free: float = 0) -> Rates:
    return [(0, 0, 0), (free, 0, nanos)] if free else [(0, 0, nanos)]


def _run(description: str, regions: list[str], unit: str, nanos: int, free: float = 0) -> Listed:
    return description, regions, unit, _flat(nanos, free), "RunCPU", "OnDemand"


_LISTED: dict[str, list[Listed]] = {
    RUN: [_run("Services CPU (Instance-based billing) in europe-west1", _BE, "s", 18_000),
          _run("Services Memory (Instance-based billing) in europe-west1", _BE, "GiBy.s", 2_000),
          _run("Services CPU (Instance-based billing) in asia-south1", _IN, "s", 21_600),
          _run("Services Memory (Instance-based billing) in asia-south1", _IN, "GiBy.s", 2_400),
          _run("Services CPU (Request-based billing)", TIER_1, "s", 24_000, 180_000),
          _run("Services Memory (Request-based billing)", TIER_1, "GiBy.s", 2_500, 360_000),
          _run("Services CPU Tier 2  (Request-based billing)", _IN, "s", 33_600, 180_000),  # two spaces, as listed
          _run("Services Memory Tier 2 (Request-based billing)", _IN, "GiBy.s", 3_500, 360_000),
          _run("Services Min Instance CPU (Request-based billing)", TIER_1, "s", 2_500),  # idle min instances
          _run("Services Min Instance CPU Tier 2 (Request-based billing)", _IN, "s", 3_500),
          _run("Requests", ["global"], "count", 400, 2_000_000),
          _run("Jobs CPU in europe-west1", _BE, "s", 18_000),
          _run("Jobs Memory in europe-west1", _BE, "GiBy.s", 2_000),
          _run("Jobs CPU in asia-south1", _IN, "s", 25_000),
          _run("Jobs Memory in asia-south1", _IN, "GiBy.s", 2_500)],
    GKE: [_run("Regional Kubernetes Clusters", ["global"], "h", 100_000_000),
          _run("Zonal Kubernetes Clusters", ["global"], "h", 90_000_000),  # a zonal or Autopilot cluster: not deployed
          _run("Autopilot Kubernetes Clusters", ["global"], "h", 80_000_000)],
    GCE: [("Balanced PD Capacity in Belgium", _BE, "GiBy.mo", _flat(110_000_000), "SSD", "OnDemand"),
          ("Regional Balanced PD Capacity in Belgium", _BE, "GiBy.mo", _flat(220_000_000), "SSD", "OnDemand"),
          ("Balanced PD Capacity in Mumbai", _IN, "GiBy.mo", _flat(120_000_000), "SSD", "OnDemand"),
          ("Regional Balanced PD Capacity in Mumbai", _IN, "GiBy.mo", _flat(240_000_000), "SSD", "OnDemand"),
          ("E2 Instance Core running in Belgium", _BE, "h", _flat(23_992_000), "CPU", "OnDemand"),
          ("E2 Instance Ram running in Belgium", _BE, "GiBy.h", _flat(3_216_000), "RAM", "OnDemand"),
          ("Spot Preemptible E2 Instance Core running in Belgium", _BE, "h", _flat(7_000_000), "CPU", "Preemptible"),
          ("Spot Preemptible E2 Instance Ram running in Belgium", _BE, "GiBy.h", _flat(940_000), "RAM", "Preemptible"),
          ("Commitment v1: E2 Cpu in Belgium for 1 Year", _BE, "h", _flat(15_115_000), "CPU", "Commit1Yr"),
          ("E2 Instance Core running in Mumbai", _IN, "h", _flat(26_060_000), "CPU", "OnDemand"),
          ("E2 Instance Ram running in Mumbai", _IN, "GiBy.h", _flat(3_494_000), "RAM", "OnDemand"),
          ("E2 Instance Core running in Americas", ["us-central1"], "h", _flat(21_811_000), "CPU", "OnDemand"),
          # Premium Tier internet egress: the current names ("Data Transfer Out"), and the former ("Egress") in Mumbai
          ("Network Internet Data Transfer Out from EMEA to Americas", _BE, "GiBy",
           [(0, 0, 120_000_000), (1024, 0, 110_000_000), (10240, 0, 80_000_000)], "PremiumInternetEgress", "OnDemand"),
          ("Network Internet Data Transfer Out from EMEA to EMEA", _BE, "GiBy",
           [(0, 0, 85_000_000), (1024, 0, 65_000_000)], "PremiumInternetEgress", "OnDemand"),
          ("Network Internet Ingress from EMEA to Americas", _BE, "GiBy", _flat(0), "PremiumInternetEgress",
           "OnDemand"),
          ("Network Vpn Internet Egress from EMEA to Americas", _BE, "GiBy", _flat(120_000_000), "VPNInternetEgress",
           "OnDemand"),
          ("Network Internet Egress from Mumbai to Americas", _IN, "GiBy",
           [(0, 0, 130_000_000), (1024, 0, 120_000_000), (10240, 0, 90_000_000)], "PremiumInternetEgress", "OnDemand"),
          ("Network Internet Egress from Mumbai to APAC", _IN, "GiBy", _flat(90_000_000), "PremiumInternetEgress",
           "OnDemand")],
    PUBSUB: [("Message Delivery Basic", ["global"], "TiBy", [(0, 0, 0), (0.009765625, 40, 0)], "Message", "OnDemand"),
             ("Topics message backlog", ["global"], "GiBy.mo", _flat(270_000_000), "Message", "OnDemand"),
             ("Subscriptions message backlog", ["global"], "GiBy.mo", _flat(270_000_000), "Message", "OnDemand")],
    LOGGING: [("Log Storage cost", ["global"], "GiBy", [(0, 0, 0), (50, 0, 500_000_000)], "Logging", "OnDemand")],
    MONITORING: [("Metric Volume", ["global"], "MiBy", [(0, 0, 0), (150, 0, 258_000_000), (100_000, 0, 151_000_000)],
                  "Monitoring", "OnDemand")],
}

# What the built-in sources resolve to (per the model's units) in each region, from the SKUs above
E2 = {"europe-west1": (0.023992, 0.003216), "asia-south1": (0.02606, 0.003494)}  # per vCPU-hour, per GiB-hour
EXPECTED = {
    "europe-west1": {
        "gcp_cloud_run": {"vcpu_second": 0.000018, "gib_second": 0.000002, "request_vcpu_second": 0.000024,
                          "request_gib_second": 0.0000025, "requests_per_million": 0.4, "egress_per_gb": 0.12},
        "gcp_cloud_run_job": {"vcpu_second": 0.000018, "gib_second": 0.000002, "egress_per_gb": 0.12},
        "gcp_gke": {"cluster_hour": 0.1, "balanced_pd_gb_month": 0.11, "egress_per_gb": 0.12}},
    "asia-south1": {
        "gcp_cloud_run": {"vcpu_second": 0.0000216, "gib_second": 0.0000024, "request_vcpu_second": 0.0000336,
                          "request_gib_second": 0.0000035, "requests_per_million": 0.4, "egress_per_gb": 0.13},
        "gcp_cloud_run_job": {"vcpu_second": 0.000025, "gib_second": 0.0000025, "egress_per_gb": 0.13},
        "gcp_gke": {"cluster_hour": 0.1, "balanced_pd_gb_month": 0.12, "egress_per_gb": 0.13}},
}


def e2_hourly(region: str, vcpus: int) -> float:
    """An e2-standard-<vcpus> node's hourly price in ``region``: its vCPUs and 4 GiB per vCPU."""
    core, ram = E2[region]
    return vcpus * core + 4 * vcpus * ram


def skus(service: str, listed: list[Listed] | None = None) -> list[dict[str, Any]]:
    """The service's SKUs in the catalog's format (``listed``: others instead of the built-in list)."""
    found = []
    for n, (description, regions, unit, rates, group, usage) in enumerate(_LISTED[service] if listed is None
                                                                          else listed):
        found.append(gcp_sku(f"{service}-{n}", description, regions, unit, rates, service, group, usage))
    return found


def listed(service: str) -> list[Listed]:
    return list(_LISTED[service])


def catalog(method: str, path: str, query: dict[str, str], body: Any, headers: Any) -> tuple[int, Any]:
    """The replay server's app: ``GET /v1/services/{service}/skus`` of the services above, one page."""
    return 200, {"skus": skus(path.split("/")[3]), "nextPageToken": ""}
