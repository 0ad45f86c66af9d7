"""How SNS and SQS errors become infrar errors, for the messaging domain's aws adapter."""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
)

from infrar.errors import ConfigurationError, InfrarError, InvalidArgument, PermissionDenied, Timeout, Unavailable
from infrar.messaging.rules import missing

SDK_ERRORS: tuple[type[Exception], ...] = (ClientError, BotoCoreError)

# A queue or topic that does not exist (SQS's JSON and query protocols name it differently).
GONE = frozenset({"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "NotFound", "NotFoundException"})
# Settling with a receipt handle whose lease was lost: a no-op by the messaging contract.
STALE = frozenset({"ReceiptHandleIsInvalid", "InvalidReceiptHandle", "MessageNotInflight",
                   "AWS.SimpleQueueService.MessageNotInflight"})
_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "AuthorizationError", "InvalidClientTokenId",
                     "SignatureDoesNotMatch", "ExpiredToken", "KMSAccessDeniedException"})
_INVALID = frozenset({"InvalidParameterValue", "InvalidParameter", "InvalidMessageContents",
                      "InvalidAttributeName", "InvalidAttributeValue", "MessageTooLong", "ValidationError"})


def error_code(exc: BaseException) -> str:
    """The service's error code of ``exc``, or "" for a non-service error."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def translate_error(exc: BaseException, kind: str, name: str) -> InfrarError:
    """The infrar error for an SDK error raised while working on topic/queue/subscription ``name``."""
    code = error_code(exc)
    target = f"{kind} {name!r}"
    if code in GONE:
        return missing(kind, name, "aws")
    if code in _DENIED:
        return PermissionDenied(f"AWS refused access to {target} ({code}); grant the sns:/sqs: actions on it "
                                "to this role or user")
    if code in _INVALID or isinstance(exc, ParamValidationError):
        return InvalidArgument(f"AWS refused the request on {target}: {exc}")
    if isinstance(exc, (ReadTimeoutError, ConnectTimeoutError)):
        return Timeout(f"AWS did not answer in time for {target} after bounded retries: {exc}; retry later")
    if isinstance(exc, EndpointConnectionError):
        return Unavailable(f"cannot reach AWS for {target}: {exc}; check the network, AWS_ENDPOINT_URL and AWS_REGION")
    if isinstance(exc, NoCredentialsError):
        return ConfigurationError(f"no usable AWS credentials for {target}; set AWS_PROFILE, or "
                                  "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an IAM role")
    return Unavailable(f"AWS failed on {target}: {exc}; retry later")
