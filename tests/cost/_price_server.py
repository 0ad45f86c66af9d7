"""A local HTTP server on 127.0.0.1 that replays the price APIs' answers, recording every request; the fixtures
pointing the importers at it, and items in each API's documented format."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

# (method, path, query, JSON body or None, headers) -> (status, JSON answer)
App = Callable[[str, str, dict[str, str], Any, dict[str, str]], tuple[int, Any]]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class PriceServer:
    url: str
    requests: list[Request] = field(default_factory=list)
    app: App | None = None


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def _serve(self, method: str) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        headers = {k.lower(): v for k, v in self.headers.items()}
        state: PriceServer = self.server.state
        state.requests.append(Request(method, parsed.path, query, body, headers))
        assert state.app is not None, "no replay set for this test"
        status, answer = state.app(method, parsed.path, query, body, headers)
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1" if method == "POST" else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return


def serve() -> Iterator[PriceServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    state = PriceServer(url=f"http://127.0.0.1:{httpd.server_address[1]}")
    httpd.state = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def point_at(server: PriceServer, monkeypatch: pytest.MonkeyPatch) -> PriceServer:
    """The importers' API addresses (and test credentials) set to ``server``, its record and replay cleared."""
    server.requests.clear()
    server.app = None
    monkeypatch.setenv("INFRAR_AZURE_PRICES_URL", f"{server.url}/api/retail/prices")
    monkeypatch.setenv("INFRAR_GCP_BILLING_URL", f"{server.url}/v1")
    monkeypatch.setenv("INFRAR_GCP_BILLING_API_KEY", "test-key-not-shown")
    monkeypatch.setenv("INFRAR_AWS_PRICING_ENDPOINT", server.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    for name in ("NO_PROXY", "no_proxy"):  # a CI proxy must not carry requests to the local server
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    return server


def item(product: str, sku: str, meter: str, price: float, unit: str, tier: float = 0, meter_id: str = "m1",
          region: str = "westeurope", **extra: Any) -> dict[str, Any]:
    """One Retail Prices item, with every property the API documents."""
    return {"currencyCode": "USD", "tierMinimumUnits": tier, "retailPrice": price, "unitPrice": price,
            "armRegionName": region, "location": "EU West", "effectiveStartDate": "2024-01-01T00:00:00Z",
            "meterId": meter_id, "meterName": meter, "productId": "DZH318Z0BNVX", "skuId": f"DZH318Z0BNVX/{sku}",
            "availabilityId": None, "productName": product, "skuName": sku, "serviceName": extra.pop("service", "x"),
            "serviceId": "DZH317F1HKN0", "serviceFamily": "Storage", "unitOfMeasure": unit, "type": "Consumption",
            "isPrimaryMeterRegion": True, "armSkuName": extra.pop("arm", ""), **extra}


def aws_product(sku: str, usagetype: str, ranges: list[tuple[str, str]], unit: str) -> str:
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


def gcp_sku(sku_id: str, description: str, regions: list[str], unit: str, rates: list[tuple[float, int, int]],
            service: str = "152E-C115-5142", group: str = "RunCPU", usage: str = "OnDemand") -> Any:
    """One Cloud Billing Catalog SKU, with every field the API documents."""
    return {"name": f"services/{service}/skus/{sku_id}", "skuId": sku_id, "description": description,
            "category": {"serviceDisplayName": "Cloud Run", "resourceFamily": "Compute", "resourceGroup": group,
                         "usageType": usage}, "serviceRegions": regions,
            "pricingInfo": [{"effectiveTime": "2024-01-01T00:00:00Z", "summary": "", "pricingExpression": {
                "usageUnit": unit, "usageUnitDescription": unit, "baseUnit": unit, "baseUnitDescription": unit,
                "baseUnitConversionFactor": 1, "displayQuantity": 1, "tieredRates": [
                    {"startUsageAmount": start, "unitPrice": {"currencyCode": "USD", "units": str(units),
                                                              "nanos": nanos}} for start, units, nanos in rates]},
                "currencyConversionRate": 1}], "serviceProviderName": "Google",
            "geoTaxonomy": {"type": "REGIONAL", "regions": regions}}
