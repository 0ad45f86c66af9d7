"""Athena, Glue and EventBridge Scheduler errors as infrar errors (the data domain's translation on aws)."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from infrar.errors import AlreadyExists, InfrarError, InvalidArgument, NotFound, PermissionDenied, Unavailable

_BY_CODE: dict[str, type[InfrarError]] = {
    "EntityNotFoundException": NotFound,
    "ResourceNotFoundException": NotFound,
    "MetadataException": NotFound,
    "NoSuchKey": NotFound,  # S3: a job's stored script
    "NoSuchBucket": NotFound,
    "AlreadyExistsException": AlreadyExists,
    "ConflictException": AlreadyExists,
    "AccessDeniedException": PermissionDenied,
    "AccessDenied": PermissionDenied,
    "UnrecognizedClientException": PermissionDenied,
    "InvalidSignatureException": PermissionDenied,
    "ThrottlingException": Unavailable,
    "TooManyRequestsException": Unavailable,
    "InternalServerException": Unavailable,
    "InternalServiceException": Unavailable,
    "ServiceUnavailableException": Unavailable,
}


def translate_error(exc: Exception, resource: str) -> InfrarError:
    """The infrar error for a botocore error on ``resource`` (a warehouse, table or job)."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        kind = _BY_CODE.get(code, InvalidArgument)
        return kind(f"{resource}: {code}: {error.get('Message', '')}")
    if isinstance(exc, EndpointConnectionError):
        return Unavailable(f"{resource}: cannot reach AWS ({exc}); check AWS_ENDPOINT_URL and the network")
    if isinstance(exc, BotoCoreError):
        return Unavailable(f"{resource}: {exc}")
    return InfrarError(f"{resource}: {exc}")


def failed_query(reason: str, warehouse: str) -> InfrarError:
    """The infrar error for an Athena query that ended FAILED with ``reason``."""
    upper = reason.upper()
    kind: type[InfrarError]
    if "NOT_FOUND" in upper or "DOES NOT EXIST" in upper:
        kind = NotFound
    elif "ACCESS DENIED" in upper or "ACCESSDENIED" in upper or "NOT AUTHORIZED" in upper:
        kind = PermissionDenied
    elif "OUTPUT LOCATION" in upper:
        return InvalidArgument(
            f"warehouse {warehouse!r}: {reason}; set a result location on the workgroup or ATHENA_OUTPUT_LOCATION"
        )
    else:
        kind = InvalidArgument
    return kind(f"warehouse {warehouse!r}: Athena query failed: {reason}")
