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


def _error_code(exc: HttpResponseError) -> str:
    code = getattr(exc, "error_code", None) or ""
    return str(getattr(code, "value", code))


def translate_error(exc: AzureError, bucket: str, key: str | None = None) -> InfrarError:
    """The infrar error for ``exc`` raised by an operation on container ``bucket`` (blob ``key``).

    Callers raise it ``from exc``. Messages name the container and blob, never a credential.
    """
    what = f"container {bucket!r}" if key is None else f"blob {key!r} in container {bucket!r}"
    # A connect that timed out (ServiceRequestTimeoutError) is an unreachable endpoint, as on
    # aws and gcp; a response that never came, or a body that could not be sent, is Timeout
    # whatever the transfer size.
    if isinstance(exc, ServiceResponseTimeoutError) or (
        isinstance(exc, ServiceResponseError) and not isinstance(exc, ServiceRequestTimeoutError)
        and timeouts.timed_out(exc)
    ):
        return Timeout(
            f"{blob_service.endpoint()} did not answer in time for {what} after bounded retries; retry later"
        )
    if isinstance(exc, (ServiceRequestError, ServiceResponseError)):
        return Unavailable(
            f"cannot reach {blob_service.endpoint()} for {what} after bounded retries; check that the "
            f"account in {blob_service.CONNECTION_STRING_VARIABLE} or {blob_service.ACCOUNT_URL_VARIABLE} is reachable"
        )
    if not isinstance(exc, HttpResponseError):
        return InfrarError(f"Azure Blob Storage failed on {what}: {type(exc).__name__}")
    code = _error_code(exc)
    status = exc.status_code
    if isinstance(exc, ClientAuthenticationError) and exc.response is None:
        # Raised before sending: no credential could be obtained, or the key cannot sign.
        return ConfigurationError(
            f"could not authenticate to Azure Storage for {what}: the AccountKey in "
            f"{blob_service.CONNECTION_STRING_VARIABLE} is malformed or DefaultAzureCredential found no "
            "identity (sign in with `az login` or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET)"
        )
    if isinstance(exc, ResourceNotFoundError) or status == 404:
        if key is None or code == "ContainerNotFound":
            return NotFound(f"container {bucket!r} does not exist; create it first")
        return NotFound(f"blob {key!r} does not exist in container {bucket!r}")
    if isinstance(exc, ClientAuthenticationError) or status in (401, 403):
        return PermissionDenied(
            f"access denied to {what} ({code or status}); check the account key in "
            f"{blob_service.CONNECTION_STRING_VARIABLE}, or grant the signed-in identity a role such as "
            "Storage Blob Data Contributor"
        )
    if code == "BlobArchived":
        return PermissionDenied(
            f"{what} is in the Archive tier and cannot be read; rehydrate it first: set its access "
            "tier to Hot (Set Blob Tier; Azure takes up to hours)"
        )
    if isinstance(exc, ResourceExistsError) or status == 409:
        return AlreadyExists(f"{what} conflicts with an existing resource ({code or status})")
    if status == 400:
        return InvalidArgument(f"Azure Blob Storage rejected the request for {what} ({code or status})")
    if status is not None and (status >= 500 or status == 429):
        return Unavailable(
            f"{blob_service.endpoint()} is busy or failing for {what} ({code or status}) after bounded retries; "
            "retry later"
        )
    return InfrarError(f"Azure Blob Storage refused {what} ({code or status})")
