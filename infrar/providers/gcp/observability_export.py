"""Cloud Logging shapes: a record as a structured stdout line (Cloud Run, Functions, GKE) or an ``entries:write`` entry.

Where the platform ships stdout to Cloud Logging (K_SERVICE on Cloud Run and Cloud Functions,
KUBERNETES_SERVICE_HOST on GKE) a record is one JSON line whose special fields the logging
agent reads (``severity``, ``message``, ``logging.googleapis.com/trace`` and ``/spanId``).
Elsewhere records are batched to ``entries:write`` under the log ``<service.name>``, resource
type ``global``. Python's level names are Cloud Logging severities as they are (WARNING,
ERROR, CRITICAL ...).
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any

from infrar.observability.logs import Fields
from infrar.providers.gcp._clients import cloud_logging

_LOG_ID_REFUSED = re.compile(r"[^A-Za-z0-9._/-]")


def ships_stdout() -> bool:
    return bool(os.environ.get("K_SERVICE") or os.environ.get("KUBERNETES_SERVICE_HOST"))


def _trace_fields(fields: Fields, project: str) -> dict[str, Any]:
    if not fields["trace_id"]:
        return {}
    return {"logging.googleapis.com/trace": f"projects/{project}/traces/{fields['trace_id']}",
            "logging.googleapis.com/spanId": fields["span_id"]}


def _payload(fields: Fields) -> dict[str, Any]:
    payload: dict[str, Any] = {"message": fields["message"], "logger": fields["logger"], **fields["fields"]}
    if "exception" in fields:
        payload["exception"] = fields["exception"]
    return payload


def structured_line(fields: Fields, project: str) -> str:
    line = {"severity": fields["severity"], "time": fields["timestamp"], **_payload(fields),
            **_trace_fields(fields, project)}
    return json.dumps(line, default=repr)


class StdoutWriter:
    def __init__(self, project: str) -> None:
        self.project = project

    def __call__(self, fields: Fields) -> None:
        sys.stdout.write(structured_line(fields, self.project) + "\n")
        sys.stdout.flush()


def entry(fields: Fields, project: str) -> dict[str, Any]:
    found: dict[str, Any] = {"severity": fields["severity"], "timestamp": fields["timestamp"],
                             "jsonPayload": _payload(fields)}
    if fields["trace_id"]:
        found["trace"] = f"projects/{project}/traces/{fields['trace_id']}"
        found["spanId"] = fields["span_id"]
    return found


class EntriesSender:
    """Sends a batch of records as one ``entries:write`` request."""

    def __init__(self, project: str, service_name: str) -> None:
        self.project = project
        self.log_name = f"projects/{project}/logs/" + _LOG_ID_REFUSED.sub("-", service_name)[:500]

    def __call__(self, batch: list[Fields]) -> None:
        cloud_logging.write_entries({
            "logName": self.log_name,
            "resource": {"type": "global", "labels": {"project_id": self.project}},
            "entries": [entry(fields, self.project) for fields in batch],
            "partialSuccess": True,
        })
