"""How S3's errors become infrar errors, for the storage domain's aws adapters.

Shared by ``storage.py`` and ``s3_features.py``: both work on buckets and objects and
translate the same SDK errors the same way. The meaning of each S3 error code is data (one
table); erase copies what an adapter body reaches.
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
SDK_ERRORS: tuple[type[Exception], ...] = (ClientError, BotoCoreError, Boto3Error, TransferRetriesExceeded)
# HEAD answers have no body, so S3 answers them with a bare 404 that names neither bucket nor
# object: the adapter must ask which one is missing.
BARE_NOT_FOUND = ("404", "NotFound")

# What S3's error codes mean, then (as "HTTP<status>", 5xx as HTTP500) what others mean by status (SlowDown,
# InternalError, a HEAD's bare 403 only come with theirs). {target}: bucket or object; {said}: S3's code, message.
_MEANINGS: tuple[tuple[type[InfrarError], str, str], ...] = (
    (NotFound, "bucket {bucket!r} does not exist ({said}); create it or check its name", "NoSuchBucket"),
    (NotFound, "object {key!r} does not exist in bucket {bucket!r} ({said}); check the key (keys are "
     "case-sensitive)", "NoSuchKey NoSuchVersion"),
    (NotFound, "{target}: something it needs does not exist ({said})", "HTTP404"),
    (PermissionDenied, "access denied to {target} ({said}); check the credentials in use (AWS_PROFILE or "
     "AWS_ACCESS_KEY_ID) and that their policy allows s3:{action} on it",
     "AccessDenied Forbidden AllAccessDisabled AccountProblem InvalidAccessKeyId SignatureDoesNotMatch "
     "ExpiredToken InvalidToken TokenRefreshRequired InvalidSecurity HTTP403"),
    (ConfigurationError, "{target} is not in the region this client uses ({said}); set AWS_REGION / "
     "AWS_DEFAULT_REGION to the bucket's region",
     "PermanentRedirect AuthorizationHeaderMalformed IllegalLocationConstraintException 301"),
    (AlreadyExists, "{target} already exists ({said}); choose another name",
     "BucketAlreadyExists BucketAlreadyOwnedByYou"),
    (Timeout, "S3 timed out on {target} ({said}); retry later", "RequestTimeout RequestTimeoutException"),
    (Unavailable, "S3 could not serve {target} after bounded retries ({said}); retry later",
     "Throttling ThrottlingException RequestLimitExceeded HTTP500"),
    (InvalidArgument, "S3 rejected the request for {target} ({said}); fix the argument it names",
     "InvalidBucketName InvalidArgument InvalidRequest KeyTooLongError MalformedXML MalformedPolicy "
     "InvalidDigest BadDigest EntityTooLarge EntityTooSmall InvalidPart InvalidPartOrder InvalidRange "
     "InvalidStorageClass MetadataTooLarge InvalidObjectState NoSuchUpload HTTP400"),
)
_BY_CODE = {code: (kind, text) for kind, text, codes in _MEANINGS for code in codes.split()}
# The errors botocore raises itself (no answer from S3), by class, first match wins.
_NATIVE: tuple[tuple[tuple[type[Exception], ...], type[InfrarError], str], ...] = (
    ((ParamValidationError,), InvalidArgument, "invalid request for {target}: {said}"),
    ((ReadTimeoutError,), Timeout, "S3 did not answer in time for {target} after bounded retries: {said}; "
     "retry later"),
    ((BotoConnectionError, ConnectionClosedError, ResponseStreamingError, IncompleteReadError), Unavailable,
     "cannot reach S3 for {target} after bounded retries: {said}; check the network, AWS_ENDPOINT_URL / "
     "AWS_ENDPOINT_URL_S3 and AWS_REGION"),
    ((NoCredentialsError, PartialCredentialsError, CredentialRetrievalError, ProfileNotFound),
     ConfigurationError, "no usable AWS credentials for {target}: {said}; set AWS_PROFILE, or "
     "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an IAM role"),
)
_UNKNOWN: tuple[type[InfrarError], str] = (InfrarError, "S3 failed on {target}: {said}")
# The IAM action an operation needs, where its name is not the action's (for the fix in a message).
_IAM_ACTION = {"HeadObject": "GetObject", "HeadBucket": "ListBucket", "ListObjectsV2": "ListBucket",
               "CreateMultipartUpload": "PutObject", "UploadPart": "PutObject",
               "CompleteMultipartUpload": "PutObject",
               "PutBucketLifecycleConfiguration": "PutLifecycleConfiguration"}

# What only some S3 operations answer with (or, in _IAM_ACTION, are), by the functions making those
# calls: erase cuts the rest from a program's copy of each table (docs/adapters.md, contract 8).
_GETS = "storage:_download_to_stream storage:AwsStorage.read_bytes"
_HEADS = "storage:_download_to_stream storage:AwsStorage.delete storage:AwsStorage.exists storage:AwsStorage.signed_url"
_PUTS = "storage:AwsStorage.write_bytes storage:AwsStorage.upload"
ERASE_TIME_TABLES = {
    "_MEANINGS": {
        "NoSuchKey NoSuchVersion": f"{_GETS} {_HEADS}",  # a HEAD's bare 404 with a key becomes NoSuchKey
        "InvalidRange": "storage:_download_to_stream",  # ranged GETs: only transfers send them
        "InvalidObjectState": _GETS,  # an archived object
        "EntityTooLarge BadDigest InvalidDigest MetadataTooLarge KeyTooLongError": _PUTS,
        "EntityTooSmall InvalidPart InvalidPartOrder NoSuchUpload": "storage:AwsStorage.upload",  # multipart
        # request bodies of XML: lifecycle and versioning settings, a multipart upload's part list
        "MalformedXML": "s3_features:AwsS3Features.set_lifecycle_policy s3_features:AwsS3Features.enable_versioning "
                        "storage:AwsStorage.upload",
        # CreateBucket's and PutBucketPolicy's: no adapter makes those calls
        "BucketAlreadyExists BucketAlreadyOwnedByYou IllegalLocationConstraintException MalformedPolicy": "",
    },
    "_IAM_ACTION": {
        "HeadObject": _HEADS,
        "HeadBucket": "storage:_bucket_exists",
        "ListObjectsV2": "storage:AwsStorage.iter_objects",
        "CreateMultipartUpload UploadPart CompleteMultipartUpload": "storage:AwsStorage.upload",
        "PutBucketLifecycleConfiguration": "s3_features:AwsS3Features.set_lifecycle_policy",
    },
}


def error_code(exc: BaseException) -> str:
    """S3's error code of ``exc`` ("NoSuchKey", "404", ...), or "" for a non-service error."""
    root = _root_cause(exc)
    return str(root.response.get("Error", {}).get("Code", "")) if isinstance(root, ClientError) else ""


def _root_cause(exc: BaseException) -> BaseException:
    # boto3's upload_file wraps a ClientError in S3UploadFailedError (as __context__, not
    # __cause__), and s3transfer wraps the last failed attempt of a download.
    if isinstance(exc, TransferRetriesExceeded) and isinstance(exc.last_exception, BaseException):
        return _root_cause(exc.last_exception)
    context = exc.__context__
    return context if isinstance(exc, Boto3Error) and isinstance(context, SDK_ERRORS[:2]) else exc


def translate_error(exc: BaseException, bucket: str, key: str | None = None) -> InfrarError:
    """The infrar error for an SDK error raised while working on ``bucket`` (and ``key``).

    A bare 404 means the object when ``key`` is given and the bucket otherwise; callers
    that cannot tell (HEAD) check the bucket first. Messages carry S3's code and message,
    never a credential.
    """
    root = _root_cause(exc)
    target = f"object {key!r} in bucket {bucket!r}" if key is not None else f"bucket {bucket!r}"
    said, action = f"{type(root).__name__}: {root}", ""
    if isinstance(root, ClientError):
        error, action = root.response.get("Error", {}), _IAM_ACTION.get(root.operation_name, root.operation_name)
        code = str(error.get("Code", ""))
        said = f"S3 {code} on {root.operation_name}: {error.get('Message') or 'no message'}"
        if code in BARE_NOT_FOUND:  # a HEAD's: the object when there is a key, else the bucket
            code = "NoSuchBucket" if key is None else "NoSuchKey"
        elif key is None and code in ("NoSuchKey", "NoSuchVersion"):
            code = "HTTP404"  # no key to name
        status = min(int(root.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0), 500)
        kind, text = _BY_CODE.get(code) or _BY_CODE.get(f"HTTP{status}", _UNKNOWN)
    else:
        kind, text = next(((k, t) for types, k, t in _NATIVE if isinstance(root, types)), _UNKNOWN)
        if kind is Unavailable and timeouts.timed_out(root):
            # A body that could not be sent in time is the same fault as an answer that never came.
            kind, text = _NATIVE[1][1:]
    return kind(text.format(target=target, said=said, bucket=bucket, key=key, action=action))
