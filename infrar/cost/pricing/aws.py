"""AWS prices from the Price List Query API (``pricing`` in boto3; credentials as any boto3 program).

``GetProducts(ServiceCode, Filters=[{Type: TERM_MATCH, Field, Value}], FormatVersion=aws_v1)`` pages
with ``NextToken``; each ``PriceList`` entry is a JSON document: ``product.attributes`` and
``terms.OnDemand.<term>.priceDimensions.<rate>`` = ``{unit, beginRange, pricePerUnit: {USD}}``.
A source's ``ServiceCode`` picks the service, its other plain fields are TERM_MATCH filters (with
``regionCode``, unless a field names ``{region}``); ``contains``/``exclude`` match attributes here.
The API answers in us-east-1 (also eu-central-1, ap-south-1): INFRAR_AWS_PRICING_REGION.
"""

from __future__ import annotations

import json
import os
from typing import Any

from infrar.cost.pricing.quotes import PriceFetchError, Quote, parse_unit, region_of, selected
from infrar.cost.pricing.sources import PriceSource

__all__ = ["ENDPOINT_ENV", "AwsPriceList"]

NAME = "https://api.pricing.us-east-1.amazonaws.com (AWS Price List Query API, GetProducts)"
ENDPOINT_ENV = "INFRAR_AWS_PRICING_ENDPOINT"  # a mirror, or the tests' replay server
REGION_ENV = "INFRAR_AWS_PRICING_REGION"
MAX_PAGES = 50

UNITS: dict[str, tuple[str, float]] = {
    "hrs": ("time", 1.0), "hours": ("time", 1.0), "hour": ("time", 1.0), "vcpu-hours": ("time", 1.0),
    "vcpu-hour": ("time", 1.0), "dpu-hour": ("time", 1.0), "lcu-hrs": ("time", 1.0),
    "gb-hours": ("data_time", 1.0), "gb-mo": ("data_time", 730.0), "gb-month": ("data_time", 730.0),
    "gb": ("data", 1.0), "terabytes": ("data", 1024.0), "tb": ("data", 1024.0),
    "requests": ("count", 1.0), "request": ("count", 1.0), "api requests": ("count", 1.0),
    "keys": ("time", 730.0), "secrets": ("time", 730.0),  # KMS and Secrets Manager: one key (secret) a month
    "metrics": ("time", 730.0), "traces": ("count", 1.0),  # CloudWatch: one metric a month; X-Ray: traces stored
}


class AwsPriceList:
    name = NAME

    def __init__(self, client: Any = None) -> None:
        self._client = client
        self.requests: list[dict[str, Any]] = []  # every GetProducts call's parameters (the tests assert them)
        self._products: dict[str, list[dict[str, Any]]] = {}  # a request's products, asked once per fetch

    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("pricing", region_name=os.environ.get(REGION_ENV, "us-east-1"),
                                        endpoint_url=os.environ.get(ENDPOINT_ENV) or None)
        return self._client

    def filters(self, source: PriceSource, region: str) -> tuple[str, list[dict[str, str]]]:
        fields = {k: region_of(v, region) for k, v in source.fields.items()}
        service = fields.pop("ServiceCode", None)
        if service is None:
            raise PriceFetchError(f"{source.where}: give ServiceCode (e.g. AmazonEC2, AmazonS3)")
        if not source.global_price and not any("{region}" in v for v in source.fields.values()):
            fields.setdefault("regionCode", region)
        return service, [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in fields.items()]

    def quotes(self, source: PriceSource, region: str) -> list[Quote]:
        service, filters = self.filters(source, region)
        asked = json.dumps([service, filters])
        if asked not in self._products:
            self._products[asked] = self._get_products(service, filters, source)
        return [quote for product in self._products[asked] for quote in self._quotes(product, source)]

    def _get_products(self, service: str, filters: list[dict[str, str]], source: PriceSource) -> list[dict[str, Any]]:
        from botocore.exceptions import BotoCoreError, ClientError

        found: list[dict[str, Any]] = []
        token: str | None = None
        for _ in range(MAX_PAGES):
            call: dict[str, Any] = {"ServiceCode": service, "Filters": filters, "FormatVersion": "aws_v1",
                                    "MaxResults": 100}
            if token:
                call["NextToken"] = token
            self.requests.append(call)
            try:
                page = self.client().get_products(**call)
            except (BotoCoreError, ClientError) as exc:
                raise PriceFetchError(f"{NAME}: GetProducts {service}: {exc}; give credentials as for any "
                                      "boto3 program (the Price List API needs pricing:GetProducts)") from exc
            found += [entry if isinstance(entry, dict) else json.loads(entry) for entry in page.get("PriceList", [])]
            token = page.get("NextToken")
            if not token:
                return found
        raise PriceFetchError(f"{source.where}: {source.shown()} pages beyond {MAX_PAGES} pages; narrow the filter")

    def _quotes(self, product: dict[str, Any], source: PriceSource) -> list[Quote]:
        attributes = {str(k): str(v) for k, v in product.get("product", {}).get("attributes", {}).items()}
        if not selected(source, attributes):
            return []
        sku = str(product.get("product", {}).get("sku", ""))
        label = attributes.get("usagetype", sku)
        quotes = []
        for term in product.get("terms", {}).get("OnDemand", {}).values():
            for rate, dimension in term.get("priceDimensions", {}).items():
                try:
                    price = float(dimension["pricePerUnit"]["USD"])
                    begin = float(dimension.get("beginRange", 0))
                except (KeyError, ValueError) as exc:
                    raise PriceFetchError(f"{NAME}: {sku} {rate}: no USD pricePerUnit or beginRange") from exc
                quotes.append(Quote(price, str(dimension.get("unit", "")), begin, sku,
                                    f"{label} ({dimension.get('description', rate)})"))
        return quotes

    def unit(self, text: str) -> tuple[str, float] | None:
        return parse_unit(text, UNITS)
