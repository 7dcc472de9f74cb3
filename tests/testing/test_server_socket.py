"""The loopback server's socket: small answers are not held back by Nagle's algorithm and delayed ACKs."""

from __future__ import annotations

import socket
import statistics
import time

import httpx

from cliq_channels_client.custom.testing import CliqEmulator
from cliq_channels_client.custom.testing.server import bind_socket


def test_the_listening_socket_states_tcp_so_accepted_connections_get_nodelay() -> None:
    sock = bind_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP  # asyncio sets TCP_NODELAY only on such sockets
    finally:
        sock.close()


def test_sequential_requests_on_one_connection_are_not_delayed_by_acks() -> None:
    """With ``proto=0`` each answer waited ~40 ms for the client's delayed ACK."""
    with CliqEmulator(rate_limits=False) as emu, emu.serve() as url:
        headers = {"Authorization": f"Zoho-oauthtoken {emu.issue_access_token()}"}
        with httpx.Client(base_url=url, headers=headers) as client:
            client.get("/channels")  # connect
            durations = []
            for _ in range(15):
                started = time.perf_counter()
                assert client.get("/channels").status_code == 200
                durations.append(time.perf_counter() - started)
    assert statistics.median(durations) < 0.025
