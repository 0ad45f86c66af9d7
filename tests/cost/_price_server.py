"""A local HTTP server on 127.0.0.1 that replays the price APIs' answers, recording every request."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# (method, path, query, JSON body or None, headers) -> (status, JSON answer)
App = Callable[[str, str, dict[str, str], Any, dict[str, str]], tuple[int, Any]]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class PriceServer:
    url: str
    requests: list[Request] = field(default_factory=list)
    app: App | None = None


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def _serve(self, method: str) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        headers = {k.lower(): v for k, v in self.headers.items()}
        state: PriceServer = self.server.state
        state.requests.append(Request(method, parsed.path, query, body, headers))
        assert state.app is not None, "no replay set for this test"
        status, answer = state.app(method, parsed.path, query, body, headers)
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1" if method == "POST" else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return


def serve() -> Iterator[PriceServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    state = PriceServer(url=f"http://127.0.0.1:{httpd.server_address[1]}")
    httpd.state = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
