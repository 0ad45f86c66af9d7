"""Charges a project pays once: the Service Bus namespace and its included operations, the Azure
storage account's private endpoint and the private DNS zones every private endpoint registers in."""

from __future__ import annotations

import pytest

from infrar.cost.estimate import estimate
from infrar.cost.models import CostModelError, parse_model
from infrar.infra.project import parse_project

SERVICE_BUS = "name: bus\nresources:\n{entities}usage:\n{usage}"


def test_service_bus_included_operations_are_the_namespaces_once() -> None:
    """13 M operations a month are included once per namespace, used up by its entities in file order."""
    entities = "  - {name: alpha, type: queue}\n  - {name: bravo, type: queue}\n  - {name: charlie, type: queue}\n"
    # 3 operations per message (send, receive, complete): alpha and bravo use 9 M each, charlie 3 M
    usage = ("  alpha: {monthly_messages: 3000000}\n  bravo: {monthly_messages: 3000000}\n"
             "  charlie: {monthly_messages: 1000000}\n")
    est = estimate(parse_project(SERVICE_BUS.format(entities=entities, usage=usage), "bus.yaml"), ["azure"])
    lines = {x.name: x for x in est.lines}
    assert lines["alpha"].monthly == 0  # 9 M of the 13 M
    assert lines["bravo"].monthly == pytest.approx(5 * 0.80)  # the 4 M left included, 5 M charged
    assert lines["charlie"].monthly == pytest.approx(3 * 0.80)  # nothing left
    assert est.total("azure") == pytest.approx(730 * 0.0135 + 8 * 0.80)  # 21 M - 13 M, once
    assert (lines["bravo"].inputs["operations"], lines["bravo"].inputs["operations_included"]) == (9e6, 4e6)
    (component,) = lines["bravo"].components
    assert (component.name, component.quantity, component.unit) == ("per_million_operations", 5, "1M operations")


def test_azure_private_endpoints_per_resource_and_dns_zones_once() -> None:
    """Each database and cache has its own private endpoint; the storage account (one for every container)
    and the four privatelink zones are the project's, once, whichever resources use them."""
    text = ("name: net\nresources:\n  - {name: photos, type: bucket}\n  - {name: videos, type: bucket}\n"
            "  - {name: main-db, type: database}\n  - {name: ledger, type: database, engine: sqlserver}\n"
            "  - {name: sessions, type: cache}\n")
    est = estimate(parse_project(text, "net.yaml"), ["azure"])
    lines = {x.name: x for x in est.lines}
    for name in ("main-db", "ledger", "sessions"):
        endpoint = [c for c in lines[name].components if c.name == "private_endpoint_hour"]
        assert [(c.quantity, c.unit, round(c.monthly, 6)) for c in endpoint] == [(730.0, "hours", 7.3)]
    assert not [c for c in lines["photos"].components if c.name == "private_endpoint_hour"]
    shared = [(x.name, x.implementation, round(x.monthly or 0, 6)) for x in est.lines if x.kind == "shared"]
    assert shared == [("storage-account", "azure_blob", 7.3), ("private-dns-zones", "azure_blob", 2.0)]
    only_db = estimate(parse_project("name: dbs\nresources:\n  - {name: main-db, type: database}\n", "d.yaml"),
                       ["azure"])
    assert [(x.name, x.implementation) for x in only_db.lines if x.kind == "shared"] == [
        ("private-dns-zones", "azure_postgres_flexible")]


MODEL = """\
provider: azure
region: eastus
implementations:
  first:
    serves: [bucket]
    title: one
    source: https://azure.microsoft.com/pricing/
    taken: 2024-06-01
    prices: {zone_month: 0.5}
    formula: zone_month
    shared: {name: zones, title: Zones, formula: zone_month}
  second:
    serves: [cache]
    title: two
    source: https://azure.microsoft.com/pricing/
    taken: 2024-06-01
    prices: {zone_month: 0.5, per_million_operations: 1, included_operations: 5}
    formula: zone_month
    shared:
      - {name: zones, title: Zones, formula: zone_month}
"""


def test_a_charge_declared_twice_must_be_priced_alike() -> None:
    assert set(parse_model(MODEL, "m.yaml").implementations) == {"first", "second"}
    with pytest.raises(CostModelError, match=r"m\.yaml:\d+:\d+: implementations\.second\.shared: zones costs 0\.6 "
                                             r"here but 0\.5 in first; it is charged once, so price it alike"):
        parse_model(MODEL.replace("prices: {zone_month: 0.5, per", "prices: {zone_month: 0.6, per"), "m.yaml")


@pytest.mark.parametrize(("includes", "message"), [
    ("{name: ops, quantity: 1, amount: nothing}", r"'nothing' is not one of the implementation's prices"),
    ("{name: ops, quantity: unknown_figure, amount: included_operations}", r"unknown name 'unknown_figure'"),
    ("{name: ops, amount: included_operations}", r"shared\.includes\.quantity: missing required key"),
])
def test_includes_errors(includes: str, message: str) -> None:
    text = MODEL.replace("      - {name: zones, title: Zones, formula: zone_month}\n",
                         f"      - {{name: zones, title: Zones, formula: zone_month, includes: {includes}}}\n")
    with pytest.raises((CostModelError, ValueError), match=message):
        parse_model(text, "m.yaml")
