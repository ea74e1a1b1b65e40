"""A TCP proxy on loopback that breaks connections on purpose, between a terminal and a real head office.

    with FaultProxy(hq.url) as proxy:
        proxy.cut(Fault("down", after=40, trigger=b"POST /v1/push"))
        run_sync(cfg_pointing_at(proxy.url))   # the push response is cut after 40 bytes

A `Fault` counts bytes in one direction ("up": terminal -> head office, "down": the answer) from a
trigger: the first occurrence of `trigger` in the upstream stream of a connection (the start of a
request; `skip` lets that many occurrences pass first), or the connection's first byte if there is
no trigger. When `after` bytes have passed, the
proxy forwards no more and closes both sockets (with a TCP reset if `reset`). A fault fires `times`
times (default once) and is then spent; `clear()` lifts all faults. Everything else passes through.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import struct
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

UP, DOWN = "up", "down"
CHUNK = 65536


@dataclass
class Fault:
    direction: str  # "up" or "down"
    after: int  # bytes let through (counted from the trigger) before the cut
    trigger: bytes = b""  # start counting where this appears upstream; b"" = from the first byte
    times: int = 1
    skip: int = 0  # let this many triggers pass first (e.g. cut the second push, not the first)
    reset: bool = True  # RST rather than FIN, like a pulled cable's aftermath
    fired: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.direction not in (UP, DOWN):
            raise ValueError("direction is 'up' or 'down'")


@dataclass(eq=False)  # kept in a set by identity
class _Conn:
    client: socket.socket
    server: socket.socket
    fault: Fault | None = None
    armed: bool = False  # the trigger was seen: counting
    counted: int = 0
    tail: bytes = b""  # the end of the last upstream chunk, for triggers split across chunks


class FaultProxy:
    """Listens on 127.0.0.1:<free port>; forwards to `upstream` ("http://host:port" or (host, port))."""

    def __init__(self, upstream: str | tuple[str, int]) -> None:
        if isinstance(upstream, str):
            parts = urlsplit(upstream)
            upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.upstream = upstream
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._conns: set[_Conn] = set()
        self.connections = 0
        self.cuts: list[tuple[str, int]] = []  # (direction, bytes let through after the trigger)
        self._accepter = threading.Thread(target=self._accept_loop, name="fault-proxy", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        self._accepter.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._accepter.join(2)
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            _close(conn.client, reset=False)
            _close(conn.server, reset=False)
        for thread in self._threads:
            thread.join(2)
        self._listener.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def cut(self, *faults: Fault) -> None:
        """Queue faults; each new connection (or request matching a trigger) takes the first live one."""
        with self._lock:
            self._faults.extend(faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def open_connections(self) -> int:
        """Connections neither side has closed yet."""
        with self._lock:
            return len(self._conns)

    @property
    def pending_faults(self) -> int:
        with self._lock:
            return sum(f.times - f.fired for f in self._faults)

    # --- plumbing ----------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _close(client, reset=True)  # head office down: the terminal sees a refused/reset connection
                continue
            # Timeout mode: the selector says when to read; sendall may wait a little for room.
            client.settimeout(5)
            server.settimeout(5)
            conn = _Conn(client, server)
            with self._lock:
                self.connections += 1
                self._conns.add(conn)
            thread = threading.Thread(target=self._pump, args=(conn,), name="fault-proxy-conn", daemon=True)
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
            thread.start()

    def _take_fault(self) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.fired < fault.times:
                    return fault
        return None

    def _pump(self, conn: _Conn) -> None:
        sel = selectors.DefaultSelector()
        sel.register(conn.client, selectors.EVENT_READ, UP)
        sel.register(conn.server, selectors.EVENT_READ, DOWN)
        try:
            while not self._stop.is_set():
                for key, _ in sel.select(timeout=0.1):
                    direction = key.data
                    src, dst = (conn.client, conn.server) if direction == UP else (conn.server, conn.client)
                    try:
                        data = src.recv(CHUNK)
                    except (BlockingIOError, InterruptedError, TimeoutError):
                        continue
                    except OSError:
                        return
                    if not data:
                        return
                    data, cut = self._filter(conn, direction, data)
                    if data:
                        try:
                            dst.sendall(data)
                        except OSError:
                            return
                    if cut:
                        fault = conn.fault
                        with self._lock:
                            self.cuts.append((fault.direction, conn.counted))
                        _close(conn.client, reset=fault.reset)
                        _close(conn.server, reset=fault.reset)
                        return
        finally:
            sel.close()
            _close(conn.client, reset=False)
            _close(conn.server, reset=False)
            with self._lock:
                self._conns.discard(conn)

    def _filter(self, conn: _Conn, direction: str, data: bytes) -> tuple[bytes, bool]:
        """What of `data` may pass, and whether the connection is cut after it."""
        if conn.fault is None and direction == UP:
            fault = self._take_fault()
            if fault is not None:
                start = _find(conn.tail, data, fault.trigger)
                if start is not None and fault.skip > 0 and fault.trigger:
                    with self._lock:
                        fault.skip -= 1
                    conn.tail = b""  # that occurrence is used up
                    return data, False
                if start is not None:
                    with self._lock:
                        fault.fired += 1
                    conn.fault, conn.armed, conn.counted = fault, True, 0
                    if fault.direction == UP:
                        data, cut = self._count(conn, data, start)
                        return data, cut
                    return data, False
            conn.tail = (conn.tail + data)[-256:]
            return data, False
        fault = conn.fault
        if fault is None or not conn.armed or fault.direction != direction:
            return data, False
        return self._count(conn, data, 0)

    @staticmethod
    def _count(conn: _Conn, data: bytes, start: int) -> tuple[bytes, bool]:
        room = conn.fault.after - conn.counted  # type: ignore[union-attr]
        counted = len(data) - start
        if counted < room:
            conn.counted += counted
            return data, False
        conn.counted += room
        return data[:start + room], True


def _find(tail: bytes, data: bytes, trigger: bytes) -> int | None:
    """Offset in `data` where `trigger` starts (0 if it began in `tail`), or None."""
    if not trigger:
        return 0
    joined = tail + data
    at = joined.find(trigger)
    if at < 0:
        return None
    return max(0, at - len(tail))


def _close(sock: socket.socket, *, reset: bool) -> None:
    with contextlib.suppress(OSError):
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
