"""BigQuery, Cloud Run and Cloud Scheduler errors as infrar errors (the data domain's translation on gcp)."""

from __future__ import annotations

from google.api_core import exceptions as api

from infrar.errors import AlreadyExists, InfrarError, InvalidArgument, NotFound, PermissionDenied, Unavailable


def translate_error(exc: Exception, resource: str) -> InfrarError:
    """The infrar error for a google-api-core (or transport) error on ``resource``."""
    kind: type[InfrarError]
    if isinstance(exc, api.NotFound):
        kind = NotFound
    elif isinstance(exc, api.Conflict):
        kind = AlreadyExists
    elif isinstance(exc, (api.Forbidden, api.Unauthorized)):
        kind = PermissionDenied
    elif isinstance(exc, (api.ServiceUnavailable, api.RetryError, api.DeadlineExceeded, ConnectionError)):
        kind = Unavailable
    else:
        kind = InvalidArgument
    message = getattr(exc, "message", None) or str(exc)
    return kind(f"{resource}: {message}")
