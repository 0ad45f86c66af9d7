"""An endpoint that accepts connections and never answers: the fault a timeout must bound.

The listening socket accepts every connection and keeps it open without reading or
writing, so a request is sent (until the socket buffers fill) and no response ever comes.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Silent:
    url: str  # http://127.0.0.1:<port>
    held: list[socket.socket]

    @property
    def connections(self) -> int:
        """How many connections were accepted: one per attempt, as a timed-out one is dropped."""
        return len(self.held)


@contextmanager
def silent_endpoint() -> Iterator[Silent]:
    """A server on 127.0.0.1 that accepts and never answers, for the ``with`` block."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)  # a large body stalls soon
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            held.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield Silent(url=f"http://127.0.0.1:{listener.getsockname()[1]}", held=held)
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()
