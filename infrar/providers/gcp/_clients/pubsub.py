"""The gcp provider's Pub/Sub clients (publisher and subscriber APIs): one each per process, built on first use.

Configuration is google-cloud-pubsub's own: Application Default Credentials
(GOOGLE_APPLICATION_CREDENTIALS, gcloud's, or the metadata server), GOOGLE_CLOUD_PROJECT for
the project, and PUBSUB_EMULATOR_HOST, which the library honours itself (an insecure channel to
the emulator, no credentials). The GAPIC clients are used directly: every call is one
synchronous RPC, so ``send_message`` returns once the message is stored.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import google.auth
import grpc
from google.pubsub_v1 import PublisherClient, SubscriberClient  # by path: if absent, the error names it
from google.pubsub_v1.services.publisher.transports.grpc import PublisherGrpcTransport
from google.pubsub_v1.services.subscriber.transports.grpc import SubscriberGrpcTransport

from infrar.errors import ConfigurationError

_UNLIMITED = [("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1)]
_lock = threading.Lock()
_clients: dict[str, Any] = {}
_project: list[str] = []
ordered: dict[str, bool] = {}  # queue -> whether its subscription orders messages (looked up once per process)


def _build(kind: str) -> Any:
    with _lock:
        if kind not in _clients:
            _clients[kind] = _new(PublisherClient if kind == "publisher" else SubscriberClient,
                                  PublisherGrpcTransport if kind == "publisher" else SubscriberGrpcTransport)
        return _clients[kind]


def _new(client_class: Any, transport_class: Any) -> Any:
    emulator = os.environ.get("PUBSUB_EMULATOR_HOST")
    if not emulator:
        return client_class()  # Application Default Credentials; unlimited message sizes
    # The library's own emulator channel keeps gRPC's 4 MiB receive limit; Pub/Sub's is 10 MB.
    channel = grpc.insecure_channel(emulator, options=_UNLIMITED)
    return client_class(transport=transport_class(channel=channel))


def publisher() -> Any:
    """The process's publisher API client (topics, publish)."""
    return _clients.get("publisher") or _build("publisher")


def subscriber() -> Any:
    """The process's subscriber API client (subscriptions, pull, acknowledge)."""
    return _clients.get("subscriber") or _build("subscriber")


def project() -> str:
    """GOOGLE_CLOUD_PROJECT, else the Application Default Credentials' project."""
    if not _project:
        found = os.environ.get("GOOGLE_CLOUD_PROJECT")
        if not found:
            try:
                found = google.auth.default()[1]
            except google.auth.exceptions.DefaultCredentialsError:
                found = None
        if not found:
            raise ConfigurationError("no Google Cloud project for Pub/Sub; set GOOGLE_CLOUD_PROJECT")
        _project.append(found)
    return _project[0]


def topic_path(topic: str) -> str:
    return f"projects/{project()}/topics/{topic}"


def subscription_path(name: str) -> str:
    return f"projects/{project()}/subscriptions/{name}"


def reset() -> None:
    """Drop the clients and the project (after fork, or for a new endpoint); a fresh lock."""
    global _lock
    _clients.clear()
    _project.clear()
    ordered.clear()
    _UNLIMITED = [("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1)]
_lock = threading.Lock()
