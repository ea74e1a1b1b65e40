"""Raw TCP to port 9100 (JetDirect/AppSocket), what most network label and receipt printers accept."""

from __future__ import annotations

import socket

from printing.backends.base import Outgoing
from printing.errors import PrinterUnavailable


def parse_target(target: str, default_port: int = 9100) -> tuple[str, int]:
    host, sep, port = target.rpartition(":")
    if sep and port.isdigit() and host and not host.endswith(":"):
        return host.strip("[]"), int(port)
    return target.strip("[]"), default_port


class TcpBackend:
    def __init__(
        self,
        host: str,
        port: int = 9100,
        *,
        connect_timeout: float = 5.0,
        send_timeout: float = 30.0,
        drain_timeout: float = 2.0,
    ) -> None:
        self.host, self.port = host, port
        self.connect_timeout = connect_timeout
        self.send_timeout = send_timeout
        self.drain_timeout = drain_timeout

    def describe(self) -> str:
        return f"raw TCP {self.host}:{self.port}"

    def send(self, job: Outgoing) -> None:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        except OSError as exc:  # refused, unreachable, timed out: nothing reached the printer
            raise PrinterUnavailable(f"cannot connect to {self.host}:{self.port}: {exc}") from exc
        with sock:
            try:
                sock.settimeout(self.send_timeout)
                sock.sendall(job.data)
                # Half-close and wait briefly for the printer to close its side: a printer that
                # resets the connection here did not take the whole job, even though sendall()
                # returned (the bytes were only in our kernel's buffer).
                sock.shutdown(socket.SHUT_WR)
                sock.settimeout(self.drain_timeout)
                try:
                    while sock.recv(4096):
                        pass  # status bytes some printers send back; not interpreted
                except TimeoutError:
                    pass  # printer keeps the connection open: it had the whole job
            except OSError as exc:
                raise PrinterUnavailable(
                    f"connection to {self.host}:{self.port} lost during the job: {exc}", partial=True
                ) from exc
