"""How Pub/Sub errors become infrar errors, for the messaging domain's gcp adapter."""

from __future__ import annotations

from google.api_core import exceptions as api
from google.auth import exceptions as auth

from infrar.errors import ConfigurationError, InfrarError, InvalidArgument, PermissionDenied, Timeout, Unavailable
from infrar.messaging.rules import missing

SDK_ERRORS: tuple[type[Exception], ...] = (api.GoogleAPIError, auth.GoogleAuthError)


def translate_error(exc: BaseException, kind: str, name: str) -> InfrarError:
    """The infrar error for an SDK error raised while working on topic/queue/subscription ``name``."""
    target = f"{kind} {name!r}"
    if isinstance(exc, api.NotFound):
        return missing(kind, name, "gcp")
    if isinstance(exc, (api.PermissionDenied, api.Unauthenticated, api.Forbidden)):
        return PermissionDenied(f"Pub/Sub refused access to {target}: {exc.message}; grant this identity "
                                "roles/pubsub.publisher or roles/pubsub.subscriber on it")
    if isinstance(exc, (api.InvalidArgument, api.BadRequest, api.FailedPrecondition)):
        return InvalidArgument(f"Pub/Sub refused the request on {target}: {exc.message}")
    if isinstance(exc, api.DeadlineExceeded):
        return Timeout(f"Pub/Sub did not answer in time for {target}: {exc.message}; retry later")
    if isinstance(exc, auth.GoogleAuthError):
        return ConfigurationError(f"no usable Google credentials for {target}: {exc}; set "
                                  "GOOGLE_APPLICATION_CREDENTIALS or run `gcloud auth application-default login`")
    return Unavailable(f"Pub/Sub failed on {target}: {exc}; check the network and PUBSUB_EMULATOR_HOST, retry later")
