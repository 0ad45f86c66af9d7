"""GCP prices from the Cloud Billing Catalog API, over REST (no Google SDK needed).

``GET https://cloudbilling.googleapis.com/v1/services/{service}/skus?currencyCode=USD`` answers
``{"skus": [...], "nextPageToken": ""}``; a SKU has ``description``, ``category``
(``serviceDisplayName``, ``resourceFamily``, ``resourceGroup``, ``usageType``), ``serviceRegions``
and ``pricingInfo[].pricingExpression`` = ``{usageUnit, tieredRates: [{startUsageAmount,
unitPrice: {units, nanos}}]}``. The API filters by service only: a source's ``service`` (the
service id, e.g. 6F81-5844-456A for Compute Engine) is listed once per fetch and its other fields
are matched here, with the region in ``serviceRegions`` (``global`` for ``region: global``).
Authentication: an API key in INFRAR_GCP_BILLING_API_KEY, else Application Default Credentials
(google-auth, installed with the gcp extra).
"""

from __future__ import annotations

import os
import urllib.parse
from typing import Any

from infrar.cost.pricing.http import get_json
from infrar.cost.pricing.quotes import PriceFetchError, Quote, env_url, region_of, selected
from infrar.cost.pricing.sources import PriceSource

__all__ = ["KEY_ENV", "URL_ENV", "GcpBillingCatalog"]

URL = "https://cloudbilling.googleapis.com/v1"
URL_ENV = "INFRAR_GCP_BILLING_URL"
KEY_ENV = "INFRAR_GCP_BILLING_API_KEY"
SCOPE = "https://www.googleapis.com/auth/cloud-billing.readonly"
FIELDS = ("service", "description", "serviceDisplayName", "resourceFamily", "resourceGroup", "usageType")
MAX_PAGES = 100

UNITS: dict[str, tuple[str, float]] = {
    "h": ("time", 1.0), "s": ("time", 1 / 3600), "mo": ("time", 730.0),
    "giby.mo": ("data_time", 730.0), "giby.h": ("data_time", 1.0), "giby.s": ("data_time", 1 / 3600),
    "miby": ("data", 1 / 1024), "giby": ("data", 1.0), "tiby": ("data", 1024.0), "count": ("count", 1.0),
}


def _fields(sku: dict[str, Any]) -> dict[str, str]:
    category = sku.get("category") or {}
    return {"description": str(sku.get("description", "")),
            **{k: str(category.get(k, "")) for k in ("serviceDisplayName", "resourceFamily", "resourceGroup",
                                                     "usageType")}}


class GcpBillingCatalog:
    name = f"{URL}/services/*/skus (Cloud Billing Catalog API)"

    def __init__(self) -> None:
        self.url = env_url(URL_ENV, URL)
        self.requests: list[str] = []  # every URL asked, without the key (the tests assert them)
        self._skus: dict[str, list[dict[str, Any]]] = {}  # service -> its SKUs, listed once per fetch

    def _auth(self) -> tuple[dict[str, str], dict[str, str]]:
        """(query parameters, headers) that authenticate a request; the key is never shown."""
        key = os.environ.get(KEY_ENV)
        if key:
            return {"key": key}, {}
        try:
            import google.auth
            import google.auth.transport.requests

            credentials, _ = google.auth.default(scopes=[SCOPE])
            credentials.refresh(google.auth.transport.requests.Request())  # type: ignore[no-untyped-call]
        except Exception as exc:  # ImportError, DefaultCredentialsError, RefreshError: all mean "no credentials"
            raise PriceFetchError(f"{self.name}: no credentials: set {KEY_ENV} to an API key, or configure "
                                  f"Application Default Credentials ({type(exc).__name__})") from exc
        return {}, {"Authorization": f"Bearer {credentials.token}"}

    def skus(self, service: str) -> list[dict[str, Any]]:
        if service in self._skus:
            return self._skus[service]
        params, headers = self._auth()
        found: list[dict[str, Any]] = []
        token = ""
        for _ in range(MAX_PAGES):
            query = {"currencyCode": "USD", "pageSize": "5000", **({"pageToken": token} if token else {})}
            shown = f"{self.url}/services/{urllib.parse.quote(service)}/skus?{urllib.parse.urlencode(query)}"
            self.requests.append(shown)
            url = shown + ("&" + urllib.parse.urlencode(params) if params else "")
            page = get_json(url, shown, headers)
            skus = page.get("skus", [])
            if not isinstance(skus, list):
                raise PriceFetchError(f"{shown}: the answer's skus is not a list")
            found += skus
            token = str(page.get("nextPageToken") or "")
            if not token:
                self._skus[service] = found
                return found
        raise PriceFetchError(f"{self.name}: service {service} pages beyond {MAX_PAGES} pages")

    def quotes(self, source: PriceSource, region: str) -> list[Quote]:
        fields = {k: region_of(v, region) for k, v in source.fields.items()}
        unknown = sorted(set(fields) - set(FIELDS))
        if unknown or "service" not in fields:
            raise PriceFetchError(f"{source.where}: give service (the service id) and only fields of "
                                  f"{', '.join(FIELDS)}" + (f"; not {', '.join(unknown)}" if unknown else ""))
        service = fields.pop("service")
        where = "global" if source.global_price else region
        found: list[Quote] = []
        for sku in self.skus(service):
            values = _fields(sku)
            if where not in sku.get("serviceRegions", []) or any(values.get(k) != v for k, v in fields.items()):
                continue
            if selected(source, values):
                found += self._quotes(sku)
        return found

    def _quotes(self, sku: dict[str, Any]) -> list[Quote]:
        infos = sku.get("pricingInfo") or []
        if not infos:
            return []
        expression = infos[-1].get("pricingExpression", {})  # the list's last entry is the current price
        unit = str(expression.get("usageUnit", ""))
        quotes = []
        for rate in expression.get("tieredRates", []):
            price = rate.get("unitPrice", {})
            try:
                value = int(price.get("units") or 0) + int(price.get("nanos") or 0) / 1e9
            except ValueError as exc:
                raise PriceFetchError(f"{self.name}: SKU {sku.get('skuId')}: unitPrice is not units+nanos") from exc
            quotes.append(Quote(value, unit, float(rate.get("startUsageAmount", 0)), str(sku.get("skuId", "")),
                                f"SKU {sku.get('skuId')} {sku.get('description', '')!r}"))
        return quotes

    def unit(self, text: str) -> tuple[str, float] | None:
        return UNITS.get(text.lower())
