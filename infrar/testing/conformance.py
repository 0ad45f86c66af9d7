"""Does a plugin keep the adapter contract? One check, run for every installed plugin.

Erase binds each call to the adapter method's parameters and defaults, so an adapter whose
signature drifts from the public function's would make the runtime and erased programs
differ silently. ``problems(plugin)`` lists every such drift, and every provider the
manifest names without an adapter for each transformation; a plugin author runs it from a
test exactly as infrar's own suite does::

    from infrar import plugins
    from infrar.testing.conformance import problems

    def test_my_plugin_conforms():
        assert problems(plugins.get("my-domain")) == []
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

from infrar import plugins
from infrar.dispatch import adapter_class
from infrar.plugins import Plugin

__all__ = ["problems"]


def _public_function(qualified: str) -> Callable[..., Any] | None:
    module_name, _, name = qualified.rpartition(".")
    module = importlib.import_module(module_name)
    found = getattr(module, name, None)
    return found if callable(found) else None


def _parameters(function: Callable[..., Any], *, drop_self: bool) -> list[tuple[str, str, object]]:
    params = list(inspect.signature(function).parameters.values())
    if drop_self:
        params = params[1:]
    return [(p.name, p.kind.name, p.default) for p in params]


def _providers_named(plugin: Plugin) -> set[str]:
    """Every provider the manifest mentions anywhere: each must have an adapter."""
    return {*plugin.adapters, *plugin.requirements, *plugin.variables, *plugin.sdk_modules}


def _adapter_problems(plugin: Plugin, provider: str, expected: dict[str, list[tuple[str, str, object]]]) -> list[str]:
    try:
        cls = adapter_class(plugin, provider)
    except Exception as exc:  # any failure to import the adapter is the finding itself
        return [f"{plugin.name}: the {provider} adapter {plugin.adapters[provider]} does not load: {exc}"]
    found: list[str] = []
    public = {name for name, _ in inspect.getmembers(cls, inspect.isfunction) if not name.startswith("_")}
    for extra in sorted(public - set(expected)):
        found.append(f"{plugin.name}: {cls.__name__}.{extra}() is public but no transformation maps to it; "
                     "make it private (a leading underscore) or list its function in plugin.yaml")
    for method, params in expected.items():
        implementation = getattr(cls, method, None)
        if implementation is None:
            found.append(f"{plugin.name}: {provider} adapter {cls.__name__} has no method {method}()")
            continue
        actual = _parameters(implementation, drop_self=True)
        if actual != params:
            found.append(f"{plugin.name}: {cls.__name__}.{method}{_show(actual)} differs from the public "
                         f"function's {_show(params)}; give it exactly the same parameters and defaults")
    return found


def _show(params: list[tuple[str, str, object]]) -> str:
    shown = [name if default is inspect.Parameter.empty else f"{name}={default!r}" for name, _, default in params]
    return f"({', '.join(shown)})"


def problems(plugin: Plugin) -> list[str]:
    """Every way ``plugin``'s adapters break the contract; empty when it conforms."""
    found: list[str] = []
    expected: dict[str, list[tuple[str, str, object]]] = {}
    for qualified in plugin.transformations:
        function = _public_function(qualified)
        if function is None:
            found.append(f"{plugin.name}: transformation {qualified} is not a function of its module")
            continue
        expected[plugins.method_name(plugin, qualified)] = _parameters(function, drop_self=False)
    for provider in sorted(_providers_named(plugin)):
        if provider not in plugin.adapters:
            found.append(f"{plugin.name}: plugin.yaml names provider {provider!r} but lists no adapter for it "
                         "under `adapters:`")
            continue
        found += _adapter_problems(plugin, provider, expected)
    return found
