"""Azure prices from the public Retail Prices API (no authentication).

``GET https://prices.azure.com/api/retail/prices?$filter=...`` answers ``{"Items": [...],
"NextPageLink": URL or null}``; an item has ``retailPrice`` per ``unitOfMeasure`` ("1 Hour",
"1 GB/Month", "10K") from ``tierMinimumUnits``. A source's plain fields become the OData filter
(with ``armRegionName`` and ``priceType eq 'Consumption'``); ``contains``/``exclude`` are matched here.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from infrar.cost.pricing.http import get_json
from infrar.cost.pricing.quotes import PriceFetchError, Quote, env_url, parse_unit, region_of, selected
from infrar.cost.pricing.sources import PriceSource

__all__ = ["URL_ENV", "AzureRetailPrices"]

URL = "https://prices.azure.com/api/retail/prices"
URL_ENV = "INFRAR_AZURE_PRICES_URL"
API_VERSION = "2023-01-01-preview"
FIELDS = ("serviceName", "serviceFamily", "productName", "skuName", "meterName", "armSkuName", "meterId",
          "productId", "skuId", "armRegionName", "location")
MAX_PAGES = 50  # a filter that pages further is too loose to name one price

UNITS: dict[str, tuple[str, float]] = {
    "hour": ("time", 1.0), "hours": ("time", 1.0), "second": ("time", 1 / 3600), "seconds": ("time", 1 / 3600),
    "day": ("time", 24.0), "month": ("time", 730.0), "gb/month": ("data_time", 730.0),
    "gib/month": ("data_time", 730.0), "gb": ("data", 1.0), "gib": ("data", 1.0), "tb": ("data", 1024.0),
    "gib hour": ("data_time", 1.0), "gib hours": ("data_time", 1.0), "gib second": ("data_time", 1 / 3600),
    "gib seconds": ("data_time", 1 / 3600), "gb second": ("data_time", 1 / 3600),
    "gb seconds": ("data_time", 1 / 3600), "vcpu hour": ("time", 1.0), "vcore hour": ("time", 1.0), "": ("count", 1.0),
}


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class AzureRetailPrices:
    name = URL

    def __init__(self) -> None:
        self.url = env_url(URL_ENV, URL)
        self.requests: list[str] = []  # every URL asked, in order (the tests assert them)
        self._items: dict[str, list[dict[str, Any]]] = {}  # a filter's items, asked once per fetch

    def odata_filter(self, source: PriceSource, region: str) -> str:
        for field in source.fields:
            if field not in FIELDS:
                raise PriceFetchError(f"{source.where}: {field!r} is not a Retail Prices field; allowed: "
                                      + ", ".join(FIELDS))
        fields = {k: region_of(v, region) for k, v in source.fields.items()}
        fields.setdefault("armRegionName", "Global" if source.global_price else region)  # Private Link is Global
        terms = [f"{k} eq {_quoted(v)}" for k, v in fields.items()]
        return " and ".join([*terms, "priceType eq 'Consumption'"])

    def quotes(self, source: PriceSource, region: str) -> list[Quote]:
        odata = self.odata_filter(source, region)
        if odata not in self._items:
            self._items[odata] = self._pages(odata, source)
        return [self._quote(item) for item in self._items[odata] if selected(source, item)]

    def _pages(self, odata: str, source: PriceSource) -> list[dict[str, Any]]:
        query = urllib.parse.urlencode({"api-version": API_VERSION, "currencyCode": "'USD'", "$filter": odata},
                                       quote_via=urllib.parse.quote)
        url: str | None = f"{self.url}?{query}"
        found: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            if not url:
                return found
            self.requests.append(url)
            page = get_json(url, self.name)
            found += self._page_items(page)
            url = page.get("NextPageLink")
        raise PriceFetchError(f"{source.where}: {source.shown()} pages beyond {MAX_PAGES} pages; narrow the filter")

    def _page_items(self, page: dict[str, Any]) -> list[dict[str, Any]]:
        items = page.get("Items")
        if not isinstance(items, list):
            raise PriceFetchError(f"{self.name}: the answer has no Items list")
        return [{k: (v if isinstance(v, (int, float)) else str(v)) for k, v in item.items()} for item in items]

    def _quote(self, item: dict[str, Any]) -> Quote:
        try:
            return Quote(price=float(item["retailPrice"]), unit=str(item["unitOfMeasure"]),
                         tier=float(item.get("tierMinimumUnits", 0)),
                         item=f"{item.get('meterId', '')}/{item.get('skuId', '')}",
                         label=f"{item.get('productName')} / {item.get('skuName')} / {item.get('meterName')}")
        except (KeyError, ValueError) as exc:
            raise PriceFetchError(f"{self.name}: an item without retailPrice or unitOfMeasure: {exc}") from exc

    def unit(self, text: str) -> tuple[str, float] | None:
        return parse_unit(text, UNITS)
