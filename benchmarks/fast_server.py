"""A minimal HTTP/1.1 server in a process of its own, replaying the emulator's bytes: the client's cost shows.

The emulator takes 2-6 ms per request, which hides what the client costs; this
server answers from a table of pre-built responses (keep-alive, no parsing
beyond the request line and ``Content-Length``), and runs in another process,
so ``time.process_time()`` in the benchmark process is the client's own CPU.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

__all__ = ["fast_server"]


def _response(body: bytes) -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode("ascii") + body


async def _serve(sock: socket.socket, routes: Mapping[str, bytes]) -> None:
    answers = {target: _response(body) for target, body in routes.items()}
    missing = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                target = head.split(b" ", 2)[1].decode("ascii")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                if length:
                    await reader.readexactly(length)
                writer.write(answers.get(target, missing))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, sock=sock)
    async with server:
        await server.serve_forever()


def _main(sock: socket.socket, routes: Mapping[str, bytes]) -> None:
    asyncio.run(_serve(sock, routes))


@contextmanager
def fast_server(routes: Mapping[str, bytes]) -> Iterator[str]:
    """Serve ``routes`` (request target -> JSON body) on 127.0.0.1 from a child process; yields the base URL."""
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    context: Any = multiprocessing.get_context("spawn")
    process = context.Process(target=_main, args=(sock, dict(routes)), daemon=True)
    process.start()
    sock.close()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.join(10)
