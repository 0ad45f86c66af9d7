"""Entra sign-in inside a Synapse Spark pool, where azure-identity finds no managed identity endpoint.

No Spark pool runs here, so its token service is a stand-in ``notebookutils`` package on sys.path
(the module only a pool has) that records exactly what ``mssparkutils.credentials.getToken`` is
asked; outside it the clients get DefaultAzureCredential as before.
"""

from __future__ import annotations

import base64
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import DefaultAzureCredential

from infrar.providers.azure._clients import _entra, blob_service

_SERVICE = '''
import json
CALLS = []
class credentials:
    @staticmethod
    def getToken(audience):
        CALLS.append(audience)
        return TOKENS[audience]
TOKENS = json.loads({tokens!r})
'''


def _jwt(claims: dict[str, object]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJub25lIn0.{body}.sig"


EXPIRES = int(time.time()) + 3600
TOKENS = {"Storage": _jwt({"aud": "https://storage.azure.com", "exp": EXPIRES}), "DW": "opaque-token"}


@pytest.fixture
def spark_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A ``notebookutils`` package as a Synapse Spark pool has it; yields the audiences it was asked for."""
    package = tmp_path / "notebookutils"
    package.mkdir()
    (package / "__init__.py").write_text("from . import mssparkutils\n")
    (package / "mssparkutils.py").write_text(_SERVICE.format(tokens=json.dumps(TOKENS)))
    monkeypatch.syspath_prepend(str(tmp_path))
    import notebookutils  # type: ignore[import-not-found]

    yield notebookutils.mssparkutils.CALLS
    for name in [n for n in sys.modules if n == "notebookutils" or n.startswith("notebookutils.")]:
        del sys.modules[name]


def test_outside_a_pool_the_clients_get_default_azure_credential() -> None:
    assert isinstance(_entra.credential(), DefaultAzureCredential)


def test_in_a_pool_tokens_come_from_its_token_service_by_audience(spark_pool: list[str]) -> None:
    credential = _entra.credential(managed_identity_client_id=None)
    assert isinstance(credential, _entra.SparkPoolCredential)
    token = credential.get_token("https://storage.azure.com/.default")
    assert (token.token, token.expires_on) == (TOKENS["Storage"], EXPIRES)
    sql = credential.get_token("https://database.windows.net//.default")  # Azure SQL and Synapse SQL
    assert sql.token == "opaque-token" and sql.expires_on > time.time()  # no readable exp: kept briefly
    assert spark_pool == ["Storage", "DW"]


def test_in_a_pool_a_resource_its_service_has_no_audience_for_is_refused_by_name(spark_pool: list[str]) -> None:
    with pytest.raises(ClientAuthenticationError) as caught:
        _entra.credential().get_token("https://servicebus.azure.net/.default")
    message = str(caught.value)
    assert "https://servicebus.azure.net/.default" in message and "Synapse Spark pool" in message
    assert "AzureManagement, DW, Storage, Synapse" in message and spark_pool == []


def test_in_a_pool_the_blob_client_signs_in_through_the_pool(spark_pool: list[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(blob_service.CONNECTION_STRING_VARIABLE, raising=False)
    monkeypatch.setenv(blob_service.ACCOUNT_URL_VARIABLE, "https://lake.blob.core.windows.net")
    blob_service.reset()
    try:
        service = blob_service.client()
        assert isinstance(service.credential, _entra.SparkPoolCredential)
        assert service.credential.get_token("https://storage.azure.com/.default").token == TOKENS["Storage"]
    finally:
        blob_service.reset()
