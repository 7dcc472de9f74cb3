"""In-process transports: the emulator's ASGI app behind httpx, without sockets.

* :class:`EmulatorASGITransport` is an ``httpx.ASGITransport`` that also turns
  the app's dropped connections into the httpx errors a socket would raise and
  honours the request's read timeout (``httpx.ReadTimeout``).
* :class:`EmulatorTransport` is both an ``httpx.BaseTransport`` and an
  ``httpx.AsyncBaseTransport`` (like ``httpx.MockTransport``): async requests go
  straight to the ASGI transport; sync requests run it on a private event loop
  in a daemon thread, through an anyio blocking portal, so one instance may be
  shared by many threads (and by a sync and an async client at once).
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from typing import Any

import anyio
import httpx
from anyio.from_thread import BlockingPortal
from starlette.types import ASGIApp

from .errors import ConnectionDropped

__all__ = ["EmulatorASGITransport", "EmulatorTransport"]


def _to_httpx_error(drop: ConnectionDropped, request: httpx.Request) -> httpx.TransportError:
    if drop.error == "refuse":
        return httpx.ConnectError("[Errno 111] Connection refused", request=request)
    if drop.error == "reset":
        return httpx.ReadError("[Errno 104] Connection reset by peer", request=request)
    if drop.received is not None:
        return httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body: "
            f"received {drop.received} bytes, expected {drop.expected}",
            request=request,
        )
    return httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)


class EmulatorASGITransport(httpx.ASGITransport):
    """``httpx.ASGITransport`` for the emulator: dropped connections and read timeouts behave like sockets."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app=app, raise_app_exceptions=True)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts: dict[str, Any] = request.extensions.get("timeout") or {}
        read_timeout = timeouts.get("read")
        try:
            with anyio.fail_after(read_timeout) if read_timeout else contextlib.nullcontext():
                response = await super().handle_async_request(request)
        except ConnectionDropped as drop:
            raise _to_httpx_error(drop, request) from None
        except TimeoutError:
            raise httpx.ReadTimeout("emulator did not answer within the read timeout", request=request) from None
        return response


class _PortalThread:
    """An event loop in a daemon thread, reachable through a blocking portal."""

    def __init__(self) -> None:
        self._ready = threading.Event()
        self._portal: BlockingPortal | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="cliq-emulator-transport", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise RuntimeError("could not start the emulator transport's event loop") from self._error

    def _run(self) -> None:
        try:
            anyio.run(self._main)
        except BaseException as error:  # pragma: no cover - only if the loop cannot start
            self._error = error
            self._ready.set()

    async def _main(self) -> None:
        async with BlockingPortal() as portal:
            self._portal = portal
            self._ready.set()
            await portal.sleep_until_stopped()

    @property
    def portal(self) -> BlockingPortal:
        assert self._portal is not None
        return self._portal

    def stop(self) -> None:
        portal = self._portal
        if portal is not None and self._thread.is_alive():
            with contextlib.suppress(RuntimeError):
                portal.call(portal.stop, True)
            self._thread.join(timeout=5)


class EmulatorTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Sync *and* async in-process transport to the emulator; thread-safe."""

    def __init__(self, app: ASGIApp) -> None:
        self._asgi = EmulatorASGITransport(app)
        self._lock = threading.Lock()
        self._runner: _PortalThread | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._asgi.handle_async_request(request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        content = request.read()
        inner = httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            content=content,
            extensions=request.extensions,
        )
        try:
            status, headers, body = self._runner_portal().call(self._send, inner)
        except httpx.RequestError as error:
            error.request = request
            raise
        return httpx.Response(status, headers=headers, content=body, request=request)

    async def _send(self, request: httpx.Request) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        response = await self._asgi.handle_async_request(request)
        body = await response.aread()
        return response.status_code, response.headers.raw, body

    def _runner_portal(self) -> BlockingPortal:
        with self._lock:
            if self._runner is None:
                runner = _PortalThread()
                self._runner = runner
                self._finalizer = weakref.finalize(self, runner.stop)
            return self._runner.portal

    def close(self) -> None:
        with self._lock:
            runner, self._runner = self._runner, None
            if self._finalizer is not None:
                self._finalizer.detach()
                self._finalizer = None
        if runner is not None:
            runner.stop()

    async def aclose(self) -> None:
        await self._asgi.aclose()
