"""infrar.testing.services: which services exist, and a registry that starts and stops them."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from infrar import plugins
from infrar.errors import ConfigurationError, MissingDependency
from infrar.plugins import Plugin
from infrar.testing.services import BUILTIN_SERVICES, Declaration, ServiceRegistry, declared_services
from tests.testing.support import URL_VARIABLE, HttpService, process_gone

HTTP = "tests.testing.support:HttpService"


def _plugin(name: str, services: dict[str, str]) -> Plugin:
    """A plugin object as infrar.plugins builds it from a plugin.yaml with a ``services:`` table."""
    table = "".join(f"  {service}: {target}\n" for service, target in services.items())
    manifest = f"name: {name}\nversion: 0.1.0\ndomain: {name}\nadapters: {{}}\nservices:\n{table}"
    return plugins.parse_manifest(manifest, f"{name}_package", f"{name}/plugin.yaml")


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[ServiceRegistry]:
    found = ServiceRegistry(tmp_path, declared_services([_plugin("web", {"http": HTTP})]))
    yield found
    found.stop_all()


def test_built_in_services_are_known_without_any_plugin() -> None:
    assert {name: d.target for name, d in declared_services([]).items()} == BUILTIN_SERVICES


def test_installed_plugins_declare_nothing_that_conflicts_with_the_built_ins() -> None:
    found = declared_services()
    assert set(BUILTIN_SERVICES) <= set(found)
    assert all(found[name].target == target for name, target in BUILTIN_SERVICES.items())


def test_a_service_a_plugin_declares_is_found_and_its_environment_reaches_it(registry: ServiceRegistry) -> None:
    assert registry.declarations["http"] == Declaration("http", HTTP, "web")
    service = registry.get("http")
    assert isinstance(service, HttpService)
    service.publish("hello.txt", "served")
    url = service.environment()[URL_VARIABLE]
    assert url == f"http://127.0.0.1:{service.port}"
    with urllib.request.urlopen(f"{url}/hello.txt", timeout=10) as response:
        assert response.read() == b"served"


def test_a_service_starts_once(registry: ServiceRegistry) -> None:
    first = registry.get("http")
    assert registry.get("http") is first
    assert registry.running() == {"http": first}


def test_the_same_name_with_another_factory_is_an_error_naming_both() -> None:
    first, second = _plugin("web", {"http": HTTP}), _plugin("other", {"http": "other_package.testing:Http"})
    with pytest.raises(ConfigurationError, match=r"'http' is declared twice .* by web .* by other"):
        declared_services([first, second])


def test_a_plugin_cannot_redefine_a_built_in_service() -> None:
    with pytest.raises(ConfigurationError, match=r"'moto' is declared twice .* by infrar.testing \(built-in\)"):
        declared_services([_plugin("mine", {"moto": HTTP})])


def test_the_same_declaration_twice_agrees() -> None:
    found = declared_services([_plugin("web", {"http": HTTP}), _plugin("again", {"http": HTTP})])
    assert found["http"] == Declaration("http", HTTP, "web")


def test_a_plugin_object_without_services_declares_none() -> None:
    class OldPlugin:  # what a Plugin from before the services field looked like to this code
        name = "old"

    assert set(declared_services([OldPlugin()])) == set(BUILTIN_SERVICES)  # type: ignore[list-item]


def test_stop_all_ends_the_server_process(registry: ServiceRegistry) -> None:
    service = registry.get("http")
    assert isinstance(service, HttpService)
    pid = service.pid
    assert pid is not None and not process_gone(pid)
    registry.stop_all()
    assert process_gone(pid)
    assert service.pid is None and registry.running() == {}
    # A stopped registry starts a new server for the next test that asks.
    again = registry.get("http")
    assert isinstance(again, HttpService) and again.pid not in (None, pid)


def test_an_unknown_service_lists_the_known_ones(registry: ServiceRegistry) -> None:
    with pytest.raises(ConfigurationError, match=r"no emulated service is named 'redis' \(known: azurite, gcs, http"):
        registry.get("redis")


def test_a_factory_that_cannot_be_imported_is_a_missing_dependency(tmp_path: Path) -> None:
    broken = ServiceRegistry(tmp_path, declared_services([_plugin("gone", {"gone": "no_such_package.x:Service"})]))
    with pytest.raises(MissingDependency, match=r"service 'gone' \(declared by gone\) needs module no_such_package"):
        broken.get("gone")
    assert broken.running() == {}


def test_a_factory_whose_service_has_another_name_is_refused(tmp_path: Path) -> None:
    misnamed = ServiceRegistry(
        tmp_path, declared_services([_plugin("web", {"http": "tests.testing.support:MisnamedService"})])
    )
    with pytest.raises(ConfigurationError, match="calls itself 'not-http'"):
        misnamed.get("http")
    assert misnamed.running() == {}


def test_providers_map_to_their_storage_service(registry: ServiceRegistry) -> None:
    with pytest.raises(ConfigurationError, match="no emulated service stands in for provider 'local'"):
        registry.for_provider("local")
