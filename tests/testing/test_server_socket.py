"""The loopback server's socket: small answers are not held back by Nagle's algorithm and delayed ACKs."""

from __future__ import annotations

import asyncio
import socket

from cliq_channels_client.custom.testing.server import bind_socket


def test_the_listening_socket_states_tcp_so_accepted_connections_get_nodelay() -> None:
    sock = bind_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP  # asyncio sets TCP_NODELAY only on such sockets
    finally:
        sock.close()


def test_connections_accepted_on_the_listening_socket_get_nodelay() -> None:
    """With ``proto=0`` asyncio skipped ``TCP_NODELAY``: each answer waited ~40 ms for the client's delayed ACK.

    Checked on the accepted socket itself (the emulator's server accepts through the
    same asyncio ``create_server(sock=...)`` path), not by timing, which a loaded machine blurs.
    """

    async def accept_one() -> list[int]:
        listener = bind_socket("127.0.0.1", 0)
        seen: list[int] = []

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            seen.append(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(handle, sock=listener)
        async with server:
            reader, writer = await asyncio.open_connection("127.0.0.1", listener.getsockname()[1])
            await reader.read()  # until the server closes
            writer.close()
        return seen

    assert asyncio.run(accept_one()) == [1]
