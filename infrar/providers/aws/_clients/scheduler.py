"""The aws provider's EventBridge Scheduler client, built on first use.

Configured like every aws client (see athena.py; AWS_ENDPOINT_URL_SCHEDULER too), plus
SCHEDULER_ROLE_ARN: the role the scheduler assumes to start Glue job runs
(``infrar infra`` outputs it; read through ``glue.setting``).
"""

from __future__ import annotations

from typing import Any

from infrar.providers._keyed import PerResource
from infrar.providers.aws._clients import athena

_clients: PerResource[Any] = PerResource(athena.build)


def client() -> Any:
    return _clients.get("scheduler")


def reset() -> None:
    _clients.reset()
