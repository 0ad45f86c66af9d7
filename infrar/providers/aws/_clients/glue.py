"""The aws provider's Glue client (Data Catalog and Python-shell jobs), built on first use.

Configured like every aws client (see athena.py; AWS_ENDPOINT_URL_GLUE too), plus what
``infrar infra`` outputs for jobs:

- GLUE_JOB_ROLE_ARN: the IAM role a Glue job runs as;
- GLUE_SCRIPTS: ``s3://bucket/prefix/`` where a job's local script is uploaded;
- GLUE_PYTHON_MODULES (optional): ``--additional-python-modules`` of the job, e.g.
  ``infrar[aws]==0.1.0`` so that a script importing infrar finds it (an erased one needs none).
"""

from __future__ import annotations

import os
from typing import Any

from infrar.errors import ConfigurationError
from infrar.providers._keyed import PerResource
from infrar.providers.aws._clients import athena

_clients: PerResource[Any] = PerResource(athena.build)


def client() -> Any:
    return _clients.get("glue")


def setting(name: str, job: str, what: str) -> str:
    """The infra output ``name``, else ConfigurationError saying what it is for."""
    value = os.environ.get(name)
    if not value:
        raise ConfigurationError(
            f"job {job!r}: {name} is not set; it names {what} (the warehouse module's `environment` output sets it)"
        )
    return value


def reset() -> None:
    _clients.reset()
