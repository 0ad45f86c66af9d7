"""Provider profiles pass the application only native variables that some adapter reads."""

from __future__ import annotations

import pytest

from infrar import plugins
from infrar.infra.profiles import PROFILES, profile


@pytest.mark.parametrize("provider", sorted(PROFILES))
def test_profile_environment_names_only_variables_a_plugin_declares(provider: str) -> None:
    declared = set(plugins.native_variables(provider))
    assert set(profile(provider).environment) <= declared

