"""How Service Bus errors become infrar errors, for the messaging domain's azure adapter."""

from __future__ import annotations

from azure.core.exceptions import AzureError, ClientAuthenticationError, HttpResponseError, ResourceNotFoundError
from azure.servicebus.exceptions import (
    MessageAlreadySettled,
    MessageLockLostError,
    MessageSizeExceededError,
    MessagingEntityDisabledError,
    MessagingEntityNotFoundError,
    OperationTimeoutError,
    ServiceBusAuthenticationError,
    ServiceBusAuthorizationError,
    ServiceBusQuotaExceededError,
)

from infrar.errors import InfrarError, InvalidArgument, PermissionDenied, Timeout, Unavailable
from infrar.messaging.rules import missing

SDK_ERRORS: tuple[type[Exception], ...] = (AzureError, MessageAlreadySettled)
GONE: tuple[type[Exception], ...] = (MessagingEntityNotFoundError, ResourceNotFoundError)
# Settling a message whose lock was lost (it expired, or it was settled already): a no-op by the
# messaging contract, since at-least-once delivery hands it out again.
STALE: tuple[type[Exception], ...] = (MessageLockLostError, MessageAlreadySettled)
LIMIT_NAME = "Service Bus Standard (256 KiB)"
# Service Bus's answer to a receiver on an entity that forwards ("Cannot create a message receiver
# on an entity with auto-forwarding enabled."): a topic subscription wired to a queue.
_AUTO_FORWARDING = "auto-forwarding enabled"


def translate_error(exc: BaseException, kind: str, name: str) -> InfrarError:
    """The infrar error for an SDK error raised while working on topic/queue/subscription ``name``."""
    target = f"{kind} {name!r}"
    if isinstance(exc, GONE):
        return missing(kind, name, "azure")
    if isinstance(exc, MessageSizeExceededError):
        return InvalidArgument(f"message to {target} is over {LIMIT_NAME}'s limit of {256 * 1024} bytes "
                               "(Service Bus counts its headers too); put the payload in storage and send its key")
    if isinstance(exc, (ServiceBusAuthorizationError, ServiceBusAuthenticationError, ClientAuthenticationError)):
        return PermissionDenied(f"Service Bus refused access to {target}: {exc}; grant this identity the Azure "
                                "Service Bus Data Sender / Data Receiver role on it, or check the shared access key")
    if isinstance(exc, MessagingEntityDisabledError):
        return Unavailable(f"Service Bus {target} is disabled; enable it in the portal (Overview > Status)")
    if isinstance(exc, ServiceBusQuotaExceededError):
        return Unavailable(f"Service Bus {target} is full (quota exceeded): {exc}; consume or raise its size")
    if isinstance(exc, OperationTimeoutError):
        return Timeout(f"Service Bus did not answer in time for {target}: {exc}; retry later")
    if isinstance(exc, HttpResponseError) and exc.status_code == 400:
        return InvalidArgument(f"Service Bus refused the request on {target}: {exc.message}")
    if _AUTO_FORWARDING in str(exc):  # amqp:not-allowed, a plain ServiceBusError: only its text tells
        return InvalidArgument(f"Service Bus {target} forwards every message to a queue (auto-forwarding), so "
                               "nothing can be received from it; receive from the queue it forwards to")
    if isinstance(exc, ValueError):  # the SDK's own argument checks
        return InvalidArgument(f"Service Bus refused the request on {target}: {exc}")
    return Unavailable(f"Service Bus failed on {target}: {exc}; check the network and "
                       "AZURE_SERVICEBUS_CONNECTION_STRING / AZURE_SERVICEBUS_NAMESPACE, retry later")
