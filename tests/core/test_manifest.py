"""plugin.yaml keys added for many domains (variables, sdk_modules, services, a resource per
transformation): parsed, validated with messages naming the file and entry, optional for old manifests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from infrar import plugins
from infrar.errors import ConfigurationError
from infrar.plugins import Resource

EXAMPLE_PLUGIN = Path(__file__).resolve().parents[1] / "plugins" / "infrar_example_plugin"

FULL = """
name: acme-data
version: 2.0.0
domain: data
api: acme.data
adapters: {local: acme.data.local:LocalData, aws: acme.data.aws:AwsData}
provides:
  transformations:
    - acme.data.query
    - name: acme.data.catalog.list_tables
      resource: {parameter: database, kind: warehouse}
    - {name: acme.data.list_tables, resource: {parameter: schema, kind: schema}}
variables:
  aws: [AWS_REGION, ATHENA_WORKGROUP]
sdk_modules:
  aws: [boto3]
services:
  athena: acme.data.testing:Athena
infra_modules: {warehouse: {}}
"""


def _parse(text: str) -> plugins.Plugin:
    return plugins.parse_manifest(text, "acme.data", "acme/data/plugin.yaml")


def test_new_keys_are_parsed() -> None:
    plugin = _parse(FULL)
    assert plugin.transformations == ("acme.data.query", "acme.data.catalog.list_tables", "acme.data.list_tables")
    assert plugin.resources == {
        "acme.data.catalog.list_tables": Resource(parameter="database", kind="warehouse"),
        "acme.data.list_tables": Resource(parameter="schema", kind="schema"),
    }
    assert plugin.variables == {"aws": ("AWS_REGION", "ATHENA_WORKGROUP")}
    assert plugin.sdk_modules == {"aws": ("boto3",)}
    assert plugin.services == {"athena": "acme.data.testing:Athena"}
    assert plugin.extra == {"infra_modules": {"warehouse": {}}}  # unknown keys are kept for other readers


def test_adapter_method_is_the_path_below_the_api() -> None:
    plugin = _parse(FULL)
    assert plugins.method_name(plugin, "acme.data.query") == "query"
    assert plugins.method_name(plugin, "acme.data.catalog.list_tables") == "catalog_list_tables"
    assert plugins.method_name(plugin, "acme.data.list_tables") == "list_tables"
    assert plugins.method_name(plugins.get("storage"), "infrar.storage.upload") == "upload"
    with pytest.raises(ConfigurationError, match=re.escape("other.query is not a function of plugin acme-data's api")):
        plugins.method_name(plugin, "other.query")


def test_builtin_manifests_declare_a_bucket_for_every_function() -> None:
    for domain in ("storage", "aws.s3", "gcp.storage", "azure.blob"):
        plugin = plugins.get(domain)
        assert set(plugin.resources) == set(plugin.transformations), domain
        assert set(plugin.resources.values()) == {Resource("bucket", "bucket")}, domain
        assert set(plugin.sdk_modules) <= set(plugin.adapters), domain
        assert set(plugin.variables) <= set(plugin.adapters), domain


def test_old_style_manifest_loads_with_todays_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLE_PLUGIN))
    plugin = plugins.load_package_manifest("infrar_example_kv")
    assert plugin.transformations == ("infrar_example_kv.get", "infrar_example_kv.put")
    assert (plugin.resources, plugin.variables, plugin.sdk_modules, plugin.services) == ({}, {}, {}, {})
    assert plugins.method_name(plugin, "infrar_example_kv.put") == "put"


def test_unions_over_installed_plugins_keep_first_seen_order(monkeypatch: pytest.MonkeyPatch) -> None:
    first = _parse(FULL)
    second = plugins.parse_manifest(
        "name: b\nversion: 1.0\ndomain: b\nvariables: {aws: [B_TOKEN, AWS_REGION]}\n"
        "sdk_modules: {aws: [botocore, boto3], gcp: [google.cloud.bigquery]}\n",
        "b", "b/plugin.yaml")
    monkeypatch.setattr(plugins, "registry", lambda: {"data": first, "b": second})
    assert plugins.native_variables("aws") == ("AWS_REGION", "ATHENA_WORKGROUP", "B_TOKEN")
    assert plugins.sdk_modules("aws") == ("boto3", "botocore")
    assert plugins.sdk_modules("gcp") == ("google.cloud.bigquery",)
    assert plugins.native_variables("azure") == ()


def test_builtin_variables_include_storage_variables() -> None:
    # INFRAR_LOCAL_ROOT is declared by several local plugins and listed once.
    assert plugins.native_variables("local").count("INFRAR_LOCAL_ROOT") == 1
    assert "INFRAR_MESSAGING_LEASE_SECONDS" in plugins.native_variables("local")
    assert "AWS_ENDPOINT_URL_S3" in plugins.native_variables("aws")
    assert "STORAGE_EMULATOR_HOST" in plugins.native_variables("gcp")
    assert "AZURE_STORAGE_CONNECTION_STRING" in plugins.native_variables("azure")
    # Other built-in plugins (cache: redis) add their own; storage's must be among them.
    assert {"azure.storage.blob", "azure.identity"} <= set(plugins.sdk_modules("azure"))


HEAD = "name: x\nversion: 1.0\ndomain: x\napi: pkg\n"


@pytest.mark.parametrize(("body", "words"), [
    ("provides: {transformations: pkg.f}", "provides.transformations must be a list"),
    ("provides: {transformations: [{resource: {parameter: a, kind: b}}]}",
     "transformation entry {'resource': {'parameter': 'a', 'kind': 'b'}} must be a qualified function name"),
    ("provides: {transformations: [{name: pkg.f, resources: {}}]}", "transformation entry {'name': 'pkg.f'"),
    ("provides: {transformations: [{name: pkg.f, resource: bucket}]}",
     "transformation pkg.f: resource must be {parameter: <name>, kind: <kind>}, got 'bucket'"),
    ("provides: {transformations: [{name: pkg.f, resource: {parameter: bucket}}]}",
     "transformation pkg.f: resource must be"),
    ("provides: {transformations: [other.f]}", "transformation other.f is not a function of the api module pkg"),
    ("provides: {transformations: [pkg.a.b_c, pkg.a_b.c]}",
     "transformations pkg.a.b_c and pkg.a_b.c would both be adapter method a_b_c"),
    ("variables: [AWS_REGION]", "variables must be a mapping of provider to a list"),
    ("variables: {aws: AWS_REGION}", "variables.aws must be a list of strings, got 'AWS_REGION'"),
    ("sdk_modules: {aws: [1]}", "sdk_modules.aws must be a list of strings"),
    ("services: {moto: infrar.testing}", "services.moto is 'infrar.testing'; write it as 'package.module:Name'"),
    ("adapters: {aws: pkg.aws}", "adapters.aws is 'pkg.aws'"),
])
def test_bad_new_keys_are_clear_and_name_the_file(body: str, words: str) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(words)) as caught:
        plugins.parse_manifest(HEAD + body, "pkg", "pkg/plugin.yaml")
    assert str(caught.value).startswith("pkg/plugin.yaml: ")
