"""A small TCP proxy the test controls: pass traffic through, cut it, or refuse it.

Point the app's DATABASE_URL at the proxy instead of the server: `cut()` closes every open
connection mid-stream (the server sees a client vanish, the client a reset), `refuse()`
stops listening so new connections are refused, `allow()` listens again on the same port.
The server itself keeps running for everyone else.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading


class TcpProxy:
    """Forward 127.0.0.1:<port> to `target`, one thread per connection pair."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._listener: socket.socket | None = None
        self.port = 0
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self.connections = 0
        self.cuts = 0
        self.cut_connections = 0
        self.refusals = 0

    # ----- control -----

    def start(self) -> TcpProxy:
        self._listen()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self.refuse()
        self.cut()

    def cut(self) -> int:
        """Close every connection open now; return how many."""
        with self._lock:
            pairs = list(self._pairs)
            self._pairs.clear()
        for client, server in pairs:
            for sock in (client, server):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    sock.close()
        self.cuts += 1
        self.cut_connections += len(pairs)
        return len(pairs)

    def refuse(self) -> None:
        """Stop listening: new connections are refused until `allow()`."""
        with self._lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            self.refusals += 1
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def allow(self) -> None:
        """Listen again, on the same port."""
        if self._listener is None and not self._stopped.is_set():
            self._listen()

    # ----- the forwarding -----

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self.port = listener.getsockname()[1]
        with self._lock:
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # refused or stopped
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # refused meanwhile
                    client.close()
                    server.close()
                    return
                self._pairs.add((client, server))
                self.connections += 1
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        other = {client: server, server: client}
        with selectors.DefaultSelector() as selector:
            try:
                # Inside the try: a cut may close the pair before this thread gets going.
                selector.register(client, selectors.EVENT_READ)
                selector.register(server, selectors.EVENT_READ)
                while True:
                    for key, _ in selector.select(timeout=1.0):
                        sock = key.fileobj
                        assert isinstance(sock, socket.socket)
                        data = sock.recv(65536)
                        if not data:
                            return
                        other[sock].sendall(data)
                    if self._stopped.is_set():
                        return
            except (OSError, ValueError):
                return  # cut
            finally:
                with self._lock:
                    self._pairs.discard((client, server))
                for sock in (client, server):
                    with contextlib.suppress(OSError):
                        sock.close()
