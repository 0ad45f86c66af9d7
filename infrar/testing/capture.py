"""An HTTP capture server on 127.0.0.1: records every request, answers like the ingestion APIs it stands for.

Where nothing real can run here (Azure Monitor's ingestion endpoint, Cloud Logging's REST
``/v2/entries:write``), the real exporter still sends real HTTP: point it at this server and
assert what arrived. Requests are kept in order; a gzip body is decoded. The default reply is
what those APIs answer on success: for a JSON array (Application Insights ``/v2.1/track``)
``{"itemsReceived": n, "itemsAccepted": n, "errors": []}``, otherwise ``{}``.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Captured:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def json_lines(self) -> list[Any]:
        """A body of JSON objects one per line (Application Insights accepts that form too)."""
        text = self.body.decode()
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        return parsed if isinstance(parsed, list) else [parsed]


Reply = Callable[[Captured], tuple[int, bytes]]


def default_reply(request: Captured) -> tuple[int, bytes]:
    try:
        items = request.json_lines()
    except (ValueError, UnicodeDecodeError):
        return 200, b"{}"
    if request.path.endswith("/track"):
        return 200, json.dumps({"itemsReceived": len(items), "itemsAccepted": len(items), "errors": []}).encode()
    return 200, b"{}"


class CaptureServer:
    """``with CaptureServer() as server:`` then ``server.url``, ``server.requests``."""

    def __init__(self, reply: Reply = default_reply) -> None:
        self.reply = reply
        self.requests: list[Captured] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the capture server first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> CaptureServer:
        capture = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if self.headers.get("Content-Encoding", "").lower() == "gzip":
                    body = gzip.decompress(body)
                request = Captured(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with capture._lock:
                    capture.requests.append(request)
                status, answer = capture.reply(request)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_POST = do_PUT = do_GET = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass  # no request lines on the test's stderr

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="capture-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def received(self, path_suffix: str = "") -> list[Captured]:
        with self._lock:
            return [request for request in self.requests if request.path.endswith(path_suffix)]

    def __enter__(self) -> CaptureServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class GrpcCaptureServer:
    """A plain-text gRPC server on 127.0.0.1 that records every unary call and answers an empty message.

    An empty message is a valid (all-default) answer of any protobuf type, so a real client of
    any service (Cloud Monitoring's ``CreateTimeSeries`` ...) completes its call; the test
    decodes ``calls`` with the request type it expects.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[str, bytes]] = []  # (full method name, serialized request)
        self._lock = threading.Lock()
        self._server: Any = None
        self.port = 0

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> GrpcCaptureServer:
        from concurrent.futures import ThreadPoolExecutor

        import grpc  # only the tests that need a gRPC server import it

        capture = self

        class Handler(grpc.GenericRpcHandler):  # type: ignore[misc]
            def service(self, details: Any) -> Any:
                method = details.method

                def answer(request: bytes, context: Any) -> bytes:
                    with capture._lock:
                        capture.calls.append((method, request))
                    return b""

                return grpc.unary_unary_rpc_method_handler(answer)

        self._server = grpc.server(ThreadPoolExecutor(max_workers=4), handlers=[Handler()])
        self.port = self._server.add_insecure_port("127.0.0.1:0")
        self._server.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop(grace=None)
            self._server = None

    def received(self, method_suffix: str) -> list[bytes]:
        with self._lock:
            return [request for method, request in self.calls if method.endswith(method_suffix)]

    def __enter__(self) -> GrpcCaptureServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
