"""How Azure Blob Storage's errors become infrar errors, for the storage domain's azure adapters.

Shared by ``storage.py`` and ``blob_features.py``: both work on containers and blobs and
translate the same SDK errors the same way. Erase copies what an adapter body reaches.
"""

from __future__ import annotations

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceRequestTimeoutError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
)

from infrar.errors import (
    AlreadyExists,
    ConfigurationError,
    InfrarError,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Timeout,
    Unavailable,
)
from infrar.providers.azure._clients import blob_service
from infrar.storage import timeouts

# What each HTTP status of Blob Storage means (any other 5xx as 500); {what} is the container
# or blob, {said} Azure's error code (or the status), {endpoint} the account's scheme://host.
_BY_STATUS: dict[int, tuple[type[InfrarError], str]] = {
    status: (kind, text) for kind, text, statuses in (
        (PermissionDenied, "access denied to {what} ({said}); check the account key in "
         f"{blob_service.CONNECTION_STRING_VARIABLE}, or grant the signed-in identity a role such as Storage "
         "Blob Data Contributor", (401, 403)),
        (AlreadyExists, "{what} conflicts with an existing resource ({said})", (409,)),
        (InvalidArgument, "Azure Blob Storage rejected the request for {what} ({said})", (400,)),
        (Unavailable, "{endpoint} is busy or failing for {what} ({said}) after bounded retries; retry later",
         (429, 500)),
    ) for status in statuses
}
# The status an azure-core error class stands for, when the error carries none.
_CLASS_STATUS = ((ResourceNotFoundError, 404), (ClientAuthenticationError, 401), (ResourceExistsError, 409))


def translate_error(exc: AzureError, bucket: str, key: str | None = None) -> InfrarError:
    """The infrar error for ``exc`` raised by an operation on container ``bucket`` (blob ``key``).

    Callers raise it ``from exc``. Messages name the container and blob, never a credential.
    """
    what = f"container {bucket!r}" if key is None else f"blob {key!r} in container {bucket!r}"
    endpoint = blob_service.endpoint()
    # A connect that timed out (ServiceRequestTimeoutError) is an unreachable endpoint, as on
    # aws and gcp; a response that never came, or a body that could not be sent, is Timeout
    # whatever the transfer size.
    if isinstance(exc, ServiceResponseTimeoutError) or (
        isinstance(exc, ServiceResponseError) and not isinstance(exc, ServiceRequestTimeoutError)
        and timeouts.timed_out(exc)
    ):
        return Timeout(f"{endpoint} did not answer in time for {what} after bounded retries; retry later")
    if isinstance(exc, (ServiceRequestError, ServiceResponseError)):
        return Unavailable(
            f"cannot reach {endpoint} for {what} after bounded retries; check that the account in "
            f"{blob_service.CONNECTION_STRING_VARIABLE} or {blob_service.ACCOUNT_URL_VARIABLE} is reachable"
        )
    if not isinstance(exc, HttpResponseError):
        return InfrarError(f"Azure Blob Storage failed on {what}: {type(exc).__name__}")
    if isinstance(exc, ClientAuthenticationError) and exc.response is None:
        # Raised before sending: no credential could be obtained, or the key cannot sign.
        return ConfigurationError(
            f"could not authenticate to Azure Storage for {what}: the AccountKey in "
            f"{blob_service.CONNECTION_STRING_VARIABLE} is malformed or DefaultAzureCredential found no "
            "identity (sign in with `az login` or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET)"
        )
    code = getattr(exc, "error_code", None) or ""
    code = str(getattr(code, "value", code))
    status = next((status for kind, status in _CLASS_STATUS if isinstance(exc, kind)), exc.status_code or 0)
    if status == 404:
        if key is None or code == "ContainerNotFound":
            return NotFound(f"container {bucket!r} does not exist; create it first")
        return NotFound(f"blob {key!r} does not exist in container {bucket!r}")
    if code == "BlobArchived":
        return PermissionDenied(
            f"{what} is in the Archive tier and cannot be read; rehydrate it first: set its access "
            "tier to Hot (Set Blob Tier; Azure takes up to hours)"
        )
    default = (InfrarError, "Azure Blob Storage refused {what} ({said})")
    kind, text = _BY_STATUS.get(status) or (_BY_STATUS[500] if status >= 500 else default)
    return kind(text.format(what=what, said=code or exc.status_code, endpoint=endpoint))
