"""How S3's errors become infrar errors, for the storage domain's aws adapters.

Shared by ``storage.py`` and ``s3_features.py``: both work on buckets and objects and
translate the same SDK errors the same way. Erase copies what an adapter body reaches.
"""

from __future__ import annotations

from boto3.exceptions import Boto3Error
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    CredentialRetrievalError,
    IncompleteReadError,
    NoCredentialsError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    ResponseStreamingError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError
from s3transfer.exceptions import RetriesExceededError as TransferRetriesExceeded

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
from infrar.storage import timeouts

# Every exception an S3 call can raise that is not the caller's own (a local file error,
# say): adapters catch exactly this tuple and hand it to translate_error.
SDK_ERRORS: tuple[type[Exception], ...] = (
    ClientError,
    BotoCoreError,
    Boto3Error,
    TransferRetriesExceeded,
)

# Error codes of a missing bucket or object. HEAD requests have no body, so S3 answers
# them with a bare "404" that names neither: the adapter must ask which one is missing.
NO_SUCH_BUCKET = frozenset({"NoSuchBucket"})
NO_SUCH_KEY = frozenset({"NoSuchKey", "NoSuchVersion"})
BARE_NOT_FOUND = frozenset({"404", "NotFound"})

_DENIED = frozenset({
    "AccessDenied", "403", "Forbidden", "AllAccessDisabled", "AccountProblem",
    "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken",
    "TokenRefreshRequired", "InvalidSecurity",
})
_INVALID = frozenset({
    "InvalidBucketName", "InvalidArgument", "InvalidRequest", "KeyTooLongError", "MalformedXML",
    "MalformedPolicy", "InvalidDigest", "BadDigest", "EntityTooLarge", "EntityTooSmall",
    "InvalidPart", "InvalidPartOrder", "InvalidRange", "InvalidStorageClass",
    "MetadataTooLarge", "InvalidObjectState", "NoSuchUpload", "400",
})
_BUSY = frozenset({
    "SlowDown", "ServiceUnavailable", "InternalError", "Throttling", "ThrottlingException",
    "RequestLimitExceeded", "500", "502", "503", "504",
})
_TIMED_OUT = frozenset({"RequestTimeout", "RequestTimeoutException"})
_WRONG_REGION = frozenset({
    "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException", "301",
})
_EXISTS = frozenset({"BucketAlreadyExists", "BucketAlreadyOwnedByYou"})
_CREDENTIALS = (NoCredentialsError, PartialCredentialsError, CredentialRetrievalError, ProfileNotFound)
_LOST_CONNECTION = (BotoConnectionError, ConnectionClosedError, ResponseStreamingError, IncompleteReadError)

# The IAM action an operation needs, where its name is not the action's (for the fix in a message).
_IAM_ACTION = {
    "HeadObject": "GetObject",
    "HeadBucket": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "PutBucketLifecycleConfiguration": "PutLifecycleConfiguration",
}


def error_code(exc: BaseException) -> str:
    """S3's error code of ``exc`` ("NoSuchKey", "404", ...), or "" for a non-service error."""
    root = _root_cause(exc)
    if isinstance(root, ClientError):
        return str(root.response.get("Error", {}).get("Code", ""))
    return ""


def _root_cause(exc: BaseException) -> BaseException:
    # boto3's upload_file wraps a ClientError in S3UploadFailedError (as __context__, not
    # __cause__), and s3transfer wraps the last failed attempt of a download.
    if isinstance(exc, TransferRetriesExceeded) and isinstance(exc.last_exception, BaseException):
        return _root_cause(exc.last_exception)
    context = exc.__context__
    if isinstance(exc, Boto3Error) and isinstance(context, (ClientError, BotoCoreError)):
        wrapped: BaseException = context
        return wrapped
    return exc


def translate_error(exc: BaseException, bucket: str, key: str | None = None) -> InfrarError:
    """The infrar error for an SDK error raised while working on ``bucket`` (and ``key``).

    A bare 404 means the object when ``key`` is given and the bucket otherwise; callers
    that cannot tell (HEAD) check the bucket first. Messages carry S3's code and message,
    never a credential.
    """
    root = _root_cause(exc)
    target = f"object {key!r} in bucket {bucket!r}" if key is not None else f"bucket {bucket!r}"
    if isinstance(root, ClientError):
        return _from_client_error(root, bucket, key, target)
    if isinstance(root, ParamValidationError):
        return InvalidArgument(f"invalid request for {target}: {root}")
    if isinstance(root, ReadTimeoutError) or (isinstance(root, _LOST_CONNECTION) and timeouts.timed_out(root)):
        # A body that could not be sent in time is the same fault as an answer that never came.
        return Timeout(f"S3 did not answer in time for {target} after bounded retries: {root}; retry later")
    if isinstance(root, _LOST_CONNECTION):
        return Unavailable(
            f"cannot reach S3 for {target} after bounded retries: {root}; check the network, "
            "AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_S3 and AWS_REGION"
        )
    if isinstance(root, _CREDENTIALS):
        return ConfigurationError(
            f"no usable AWS credentials for {target}: {root}; set AWS_PROFILE, or "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an IAM role"
        )
    return InfrarError(f"S3 failed on {target}: {type(root).__name__}: {root}")


def _from_client_error(exc: ClientError, bucket: str, key: str | None, target: str) -> InfrarError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    operation = exc.operation_name
    said = f"S3 {code} on {operation}: {error.get('Message') or 'no message'}"
    if code in NO_SUCH_BUCKET or (code in BARE_NOT_FOUND and key is None):
        return NotFound(f"bucket {bucket!r} does not exist ({said}); create it or check its name")
    if key is not None and (code in NO_SUCH_KEY or code in BARE_NOT_FOUND):
        return NotFound(
            f"object {key!r} does not exist in bucket {bucket!r} ({said}); "
            "check the key (keys are case-sensitive)"
        )
    if status == 404 or code in NO_SUCH_KEY:
        return NotFound(f"{target}: something it needs does not exist ({said})")
    if code in _DENIED or status == 403:
        action = _IAM_ACTION.get(operation, operation)
        return PermissionDenied(
            f"access denied to {target} ({said}); check the credentials in use (AWS_PROFILE or "
            f"AWS_ACCESS_KEY_ID) and that their policy allows s3:{action} on it"
        )
    if code in _WRONG_REGION:
        return ConfigurationError(
            f"{target} is not in the region this client uses ({said}); "
            "set AWS_REGION / AWS_DEFAULT_REGION to the bucket's region"
        )
    if code in _EXISTS:
        return AlreadyExists(f"{target} already exists ({said}); choose another name")
    if code in _TIMED_OUT:
        return Timeout(f"S3 timed out on {target} ({said}); retry later")
    if code in _BUSY or status >= 500:
        return Unavailable(f"S3 could not serve {target} after bounded retries ({said}); retry later")
    if code in _INVALID or status == 400:
        return InvalidArgument(f"S3 rejected the request for {target} ({said}); fix the argument it names")
    return InfrarError(f"S3 failed on {target} ({said})")
