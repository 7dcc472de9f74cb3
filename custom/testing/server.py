"""The emulator on a real socket: uvicorn, in a background thread or in the foreground.

The server speaks HTTP/1.1 through uvicorn's h11 protocol, extended so the app
can close a connection without an answer (dropped-connection faults): each
connection puts an "abort" hook into the ASGI ``scope["state"]``.  Access
logs are off (URLs of the token endpoint may carry secrets in their query).
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol

from .app import ABORT_HOOK

__all__ = ["LoopbackServer", "ServerURL", "bind_socket", "run_server"]


class _AbortableH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, plus a per-connection hook that closes (or resets) the socket."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.app_state = {**self.app_state, ABORT_HOOK: self._abort}

    def _abort(self, reset: bool) -> None:
        if reset:
            sock = self.transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()


class ServerURL(str):
    """The API base URL of a running loopback server (``http://127.0.0.1:<port>/api/v2``).

    It is a ``str`` (pass it as a client's ``base_url``) with the other
    addresses as attributes: ``origin``, ``api_base_url``, ``accounts_url``,
    ``token_url``, ``port``.
    """

    origin: str
    port: int

    def __new__(cls, origin: str, port: int) -> ServerURL:
        url = super().__new__(cls, f"{origin}/api/v2")
        url.origin = origin
        url.port = port
        return url

    @property
    def api_base_url(self) -> str:
        return str.__str__(self)

    @property
    def accounts_url(self) -> str:
        return self.origin

    @property
    def token_url(self) -> str:
        return f"{self.origin}/oauth/v2/token"


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket; its protocol is stated so that accepted connections get ``TCP_NODELAY``.

    asyncio sets ``TCP_NODELAY`` only on sockets whose ``proto`` is
    ``IPPROTO_TCP``, and accepted sockets inherit the listener's ``proto``;
    with ``proto=0`` every small answer waited ~40 ms for the client's delayed ACK.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _config(app: ASGIApp, host: str, port: int, log_level: str, *, own_logging: bool) -> uvicorn.Config:
    """uvicorn settings; ``own_logging`` lets uvicorn configure logging (only in a process of its own)."""
    extra: dict[str, Any] = {} if own_logging else {"log_config": None}
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=_AbortableH11Protocol,
        lifespan="off",
        access_log=False,
        log_level=log_level if own_logging else None,
        loop="asyncio",
        timeout_keep_alive=5,
        timeout_graceful_shutdown=2,
        **extra,
    )


def _origin(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class LoopbackServer:
    """uvicorn serving an ASGI app in a daemon thread: ``start()``, ``url``, ``stop()``.

    It leaves the process's logging configuration alone (uvicorn's loggers
    propagate to the root logger as usual).
    """

    def __init__(self, app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url: ServerURL | None = None

    def start(self, timeout: float = 10.0) -> ServerURL:
        sock = bind_socket(self._host, self._port)
        port = int(sock.getsockname()[1])
        server = uvicorn.Server(_config(self._app, self._host, port, "warning", own_logging=False))
        errors: list[BaseException] = []

        def run() -> None:
            try:
                server.run(sockets=[sock])
            except BaseException as error:  # pragma: no cover - reported to start()
                errors.append(error)
            finally:
                sock.close()

        thread = threading.Thread(target=run, name=f"cliq-emulator-server-{port}", daemon=True)
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if errors or not thread.is_alive():
                raise RuntimeError("the emulator server failed to start") from (errors[0] if errors else None)
            if time.monotonic() > deadline:
                server.should_exit = True
                raise TimeoutError("the emulator server did not start in time")
            time.sleep(0.005)
        self._server, self._thread = server, thread
        self.url = ServerURL(_origin(self._host, port), port)
        return self.url

    def stop(self, timeout: float = 10.0) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(timeout)
        if thread.is_alive():  # pragma: no cover - stuck connections
            server.force_exit = True
            thread.join(timeout)


def run_server(
    app: ASGIApp,
    *,
    host: str,
    port: int,
    on_ready: Callable[[ServerURL], Any] | None = None,
    log_level: str = "warning",
) -> None:
    """Serve in the foreground until interrupted (Ctrl-C / SIGTERM)."""
    sock = bind_socket(host, port)
    bound = int(sock.getsockname()[1])
    server = uvicorn.Server(_config(app, host, bound, log_level, own_logging=True))
    if on_ready is not None:
        url = ServerURL(_origin(host, bound), bound)
        original_startup = server.startup

        async def startup(sockets: list[socket.socket] | None = None) -> None:
            await original_startup(sockets=sockets)
            on_ready(url)

        server.startup = startup  # type: ignore[method-assign]
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
