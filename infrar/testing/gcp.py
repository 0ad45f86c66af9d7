"""Service ``gcs``: gcp-storage-emulator standing in for Google Cloud Storage in tests, on a free 127.0.0.1 port."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.api_core.exceptions import Conflict, NotFound
from google.auth.credentials import AnonymousCredentials
from google.cloud.storage import Client

from infrar.testing._process import ServerProcess
from infrar.testing.services import ServerService

PROJECT = "test-project"
BATCH_SIZE = 100  # calls per batch request, the most the JSON API takes
# The identity of the throwaway signing key below; it exists nowhere but in that file.
SIGNER_EMAIL = f"infrar-emulator@{PROJECT}.iam.gserviceaccount.com"


# Runs the emulator's own entry point (gcp_storage_emulator.__main__.main) from this
# interpreter, after two fixes for how it behaves under load, both harmless if a later
# release changes the names they touch:
# - it serves one request at a time with socketserver's listen backlog of 5, so more
#   concurrent clients than that have their connections dropped and retried by the kernel
#   for seconds (and time out); a deeper backlog queues them instead;
# - after every write it re-serialises all object metadata to a ".meta" file, which costs
#   time proportional to the objects stored (1,100 small writes took 30 s); in memory that
#   file is read by nobody (only a restart reads it), so it is skipped.
_LAUNCHER = """
import sys
import http.server
http.server.HTTPServer.request_queue_size = 1024
from gcp_storage_emulator import storage
_write = getattr(storage.Storage, "_write_config_to_file", None)
if _write is not None:
    def _write_unless_in_memory(self):
        if not getattr(self, "_use_memory_fs", False):
            _write(self)
    storage.Storage._write_config_to_file = _write_unless_in_memory
from gcp_storage_emulator.__main__ import main
main(sys.argv[1:])
"""


def emulator_command(port: int) -> list[str]:
    """``gcp-storage-emulator start`` in memory on ``port``, from this interpreter's environment."""
    return [sys.executable, "-c", _LAUNCHER, "start", "--host", "127.0.0.1", "--port", str(port), "--in-memory"]


def write_service_account_key(path: Path, email: str = SIGNER_EMAIL, project: str = PROJECT) -> Path:
    """Write a service account JSON key with a freshly generated RSA key to ``path``.

    It can sign (V4 signed URLs) but authenticates nowhere: no such account exists. Its
    token_uri is never used, because clients talking to STORAGE_EMULATOR_HOST are anonymous.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    info = {
        "type": "service_account",
        "project_id": project,
        "private_key_id": "infrar-emulator-key",
        "private_key": pem,
        "client_email": email,
        "client_id": "0",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    path.write_text(json.dumps(info))
    path.chmod(0o600)
    return path


class GcsEmulator(ServerService):
    """Service ``gcs``: one gcp-storage-emulator per test session; ``environment()`` points google-cloud-storage at it.

    The environment also names a throwaway service account key in GOOGLE_APPLICATION_CREDENTIALS,
    as a user with a key file would: the emulator does not check signatures, but signing a
    V4 URL needs a private key, and this keeps a developer's own key out of the tests.
    """

    name = "gcs"

    def __init__(self, log_dir: Path) -> None:
        super().__init__(log_dir)
        self._client: Any = None
        self.key_file = log_dir / "gcs-emulator-signer.json"

    def _prepare(self, port: int) -> ServerProcess:
        write_service_account_key(self.key_file)
        return ServerProcess("gcp-storage-emulator", emulator_command(port), port, self.log_dir)

    def _forget_clients(self) -> None:
        self._client = None

    def environment(self) -> dict[str, str]:
        return {
            "STORAGE_EMULATOR_HOST": self.endpoint,
            "GOOGLE_CLOUD_PROJECT": PROJECT,
            "GOOGLE_APPLICATION_CREDENTIALS": str(self.key_file),
        }

    def client(self) -> Any:
        """A storage client of the emulator's own (not infrar's), for setting up and checking."""
        if self._client is None:
            self._client = Client(
                project=PROJECT,
                credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
                client_options={"api_endpoint": self.endpoint},
            )
        return self._client

    def create_bucket(self, name: str) -> None:
        self.client().create_bucket(name)

    def delete_bucket(self, name: str) -> None:
        """Delete every object, then the bucket; no error if it is already gone."""
        client = self.client()
        try:
            blobs = list(client.list_blobs(name))
            # Deletes go 100 to a batch request (the JSON API's limit), as `gsutil -m rm` would:
            # one request per object made emptying a 1,000-object bucket take seconds. One
            # already gone is answered 404 inside the batch, and that is no error here.
            for start in range(0, len(blobs), BATCH_SIZE):
                with client.batch(raise_exception=False):
                    for blob in blobs[start:start + BATCH_SIZE]:
                        blob.delete()
            client.bucket(name).delete()
        except NotFound:
            pass
        except Conflict:
            # The emulator refuses to delete a bucket with an unfinished resumable upload
            # (a test that broke one off) and offers no way to cancel it; the bucket lives
            # in the emulator's memory and goes with it at the end of the session.
            pass
