"""``CliqEmulator``: one object that owns the state, the app, its transports and its server."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from ...client import Client
from ..clock import SYSTEM_CLOCK, Clock
from ..operations import OPERATIONS_BY_ID
from .accounts import ALL_SCOPES, Accounts, Credentials
from .app import EmulatorApp
from .config import EmulatorConfig
from .faults import Fault, FaultInjector, InjectedFault
from .limits import RateLimiter
from .recording import RecordedRequest, Recorder
from .server import LoopbackServer, ServerURL
from .state import Bot, Store, Team, User
from .transports import EmulatorASGITransport, EmulatorTransport

__all__ = ["ACCOUNTS_HOST", "API_HOST", "CliqEmulator"]

#: Host names of the in-process emulator (never resolved: only its transports reach them).
API_HOST = "cliq.emulator.local"
ACCOUNTS_HOST = "accounts.emulator.local"


class CliqEmulator:
    """A stateful emulator of the Zoho Cliq Channels API and the Zoho accounts token endpoint.

    In-process::

        emu = CliqEmulator(clock=FakeClock())
        client = emu.client()        # create_client(...) wired to it: the production behaviour

    On loopback::

        with CliqEmulator().serve() as url:   # url == "http://127.0.0.1:<port>/api/v2"
            ...

    A default organization admin (:attr:`default_user`) and OAuth credentials
    for them (:attr:`credentials`, all four Channels scopes) exist from the start.
    """

    def __init__(
        self,
        *,
        clock: Clock = SYSTEM_CLOCK,
        token_ttl: float = 3600.0,
        throttle_status: Literal[429, 400] = 429,
        unarchive_status: Literal[204, 200] = 204,
        rate_limits: bool = True,
        approval_required: bool = True,
        auto_create_users: bool = False,
        token_issue_limit: int = 10,
        token_issue_window: float = 600.0,
        sync_limit: int = 50,
        default_page_size: int = 50,
        utc_offset_minutes: int = 0,
        organization_id: str = "4435792",
        api_domain: str | None = None,
        validate_responses: bool = False,
        max_recorded_requests: int = 100_000,
        config: EmulatorConfig | None = None,
    ) -> None:
        self.config = config or EmulatorConfig(
            token_ttl=token_ttl,
            throttle_status=throttle_status,
            unarchive_status=unarchive_status,
            rate_limits=rate_limits,
            approval_required=approval_required,
            auto_create_users=auto_create_users,
            token_issue_limit=token_issue_limit,
            token_issue_window=token_issue_window,
            sync_limit=sync_limit,
            default_page_size=default_page_size,
            utc_offset_minutes=utc_offset_minutes,
            organization_id=organization_id,
            api_domain=api_domain,
            validate_responses=validate_responses,
            max_recorded_requests=max_recorded_requests,
        )
        self.clock = clock
        self.store = Store(clock, self.config)
        self.accounts = Accounts(
            clock,
            token_ttl=self.config.token_ttl,
            issue_limit=self.config.token_issue_limit,
            issue_window=self.config.token_issue_window,
        )
        self.limiter = RateLimiter(
            clock,
            {op_id: op.rate_limit for op_id, op in OPERATIONS_BY_ID.items()},
            enabled=self.config.rate_limits,
        )
        self.faults = FaultInjector()
        self.recorder = Recorder(self.config.max_recorded_requests)
        self.app = EmulatorApp(
            store=self.store,
            accounts=self.accounts,
            limiter=self.limiter,
            faults=self.faults,
            recorder=self.recorder,
            config=self.config,
            clock=clock,
            api_origin=f"http://{API_HOST}",
            accounts_host=ACCOUNTS_HOST,
        )
        self._lock = threading.Lock()
        self._transports: list[EmulatorTransport] = []
        self._servers: list[LoopbackServer] = []
        self.default_user: User = self.store.add_user(
            name="Patricia James", email="patricia.james@zylker.com", org_admin=True
        )
        self.credentials: Credentials = self.create_refresh_token(self.default_user)

    def __repr__(self) -> str:
        return f"CliqEmulator(channels={self.store.channel_count()}, users={len(self.store.users)})"

    # -- addresses ------------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        """Origin of the in-process API host."""
        return f"http://{API_HOST}"

    @property
    def api_base_url(self) -> str:
        """Base URL of the API for in-process transports (``http://cliq.emulator.local/api/v2``)."""
        return f"http://{API_HOST}/api/v2"

    @property
    def accounts_url(self) -> str:
        """Zoho accounts origin for in-process transports (``http://accounts.emulator.local``)."""
        return f"http://{ACCOUNTS_HOST}"

    @property
    def token_url(self) -> str:
        return f"{self.accounts_url}/oauth/v2/token"

    # -- transports and servers ---------------------------------------------------------------------

    def async_transport(self) -> EmulatorASGITransport:
        """An ``httpx.ASGITransport`` to the emulator (for ``httpx.AsyncClient``)."""
        return EmulatorASGITransport(self.app)

    def transport(self) -> EmulatorTransport:
        """A transport for ``httpx.Client`` *and* ``httpx.AsyncClient``; safe to share between threads."""
        transport = EmulatorTransport(self.app)
        with self._lock:
            self._transports.append(transport)
        return transport

    @contextlib.contextmanager
    def serve(self, port: int = 0, host: str = "127.0.0.1") -> Iterator[ServerURL]:
        """Run the emulator on a real socket; yields the API base URL (a :class:`ServerURL`)."""
        server = LoopbackServer(self.app, host=host, port=port)
        url = server.start()
        with self._lock:
            self._servers.append(server)
        try:
            yield url
        finally:
            server.stop()
            with self._lock:
                self._servers.remove(server)

    def client(self, user: User | str | None = None, *, scopes: Iterable[str] = ALL_SCOPES, **options: Any) -> Client:
        """A production-configured client on this emulator: what ``create_client`` gives an application.

        Validation, pacing, safe retries and typed errors work exactly as
        against Zoho, on the emulator's clock and in-process transports; the
        generated functions raise ``NotFoundError`` and friends here as there.
        Authorized with a fresh access token of ``user`` (the default user by
        default) valid for the emulator's token lifetime.  ``options`` go to
        ``create_client`` (``retry=``, ``hooks=``, ``raise_on_error=``...);
        close it (``with`` / ``async with``) when done.
        """
        from ..factory import create_client  # the production wiring, imported when a client is asked for

        settings: dict[str, Any] = {
            "access_token": self.issue_access_token(user, scopes=scopes),
            "base_url": self.api_base_url,
            "clock": self.clock,
            "transport": self.transport(),
            "async_transport": self.async_transport(),
        }
        settings.update(options)
        return create_client(**settings)

    def close(self) -> None:
        """Stop loopback servers and the event-loop threads of sync transports."""
        with self._lock:
            transports, self._transports = self._transports, []
            servers, self._servers = self._servers, []
        for transport in transports:
            transport.close()
        for server in servers:
            server.stop()

    def __enter__(self) -> CliqEmulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- organization -----------------------------------------------------------------------------

    def create_user(
        self, name: str | None = None, *, email: str | None = None, user_id: str | None = None, org_admin: bool = False
    ) -> User:
        return self.store.add_user(name=name, email=email, user_id=user_id, org_admin=org_admin)

    def create_team(self, name: str, members: Iterable[User | str] = (), *, team_id: str | None = None) -> Team:
        return self.store.add_team(name, [_uid(m) for m in members], team_id=team_id)

    def create_bot(self, unique_name: str, name: str | None = None) -> Bot:
        return self.store.add_bot(unique_name, name)

    # -- tokens ----------------------------------------------------------------------------------------

    def create_refresh_token(
        self, user: User | str | None = None, *, scopes: Iterable[str] = ALL_SCOPES
    ) -> Credentials:
        """A new OAuth client and refresh token of ``user`` (default user by default)."""
        return self.accounts.create_refresh_token(self._user_id(user), scopes)

    def issue_access_token(
        self, user: User | str | None = None, *, scopes: Iterable[str] = ALL_SCOPES, expires_in: float | None = None
    ) -> str:
        """An access token of ``user``, without going through the token endpoint."""
        token, _ = self.accounts.issue_access_token(self._user_id(user), scopes, ttl=expires_in)
        return token

    def expire_access_token(self, token: str) -> bool:
        return self.accounts.expire_access_token(token)

    def expire_access_tokens(self, user: User | str | None = None) -> int:
        """Expire every access token (of ``user`` if given)."""
        return self.accounts.expire_access_tokens(None if user is None else _uid(user))

    def revoke_refresh_token(self, refresh_token: str) -> bool:
        return self.accounts.revoke_refresh_token(refresh_token)

    # -- channels -------------------------------------------------------------------------------------

    def seed_channels(
        self,
        count: int,
        *,
        creator: User | str | None = None,
        level: str = "organization",
        status: str = "created",
        name_prefix: str = "channel",
        members: Iterable[User | str] = (),
        team_ids: Iterable[str] = (),
        invite_only: bool = False,
    ) -> list[str]:
        """Create ``count`` channels directly (10,000 take well under a second); returns their ids."""
        return self.store.seed(
            count,
            creator_id=self._user_id(creator),
            level=level,
            status=status,
            name_prefix=name_prefix,
            member_ids=[_uid(m) for m in members],
            team_ids=team_ids,
            invite_only=invite_only,
        )

    def create_channel(self, name: str, *, creator: User | str | None = None, **fields: Any) -> dict[str, Any]:
        """Create one channel as ``creator`` with request-body ``fields`` (no HTTP, no rate limit)."""
        body = {"name": name, "level": "organization", **fields}
        return self.store.create_channel(self._user_id(creator), body, self.origin)

    def get_channel(self, channel_id: str, *, as_user: User | str | None = None) -> dict[str, Any] | None:
        """The channel as ``as_user`` (default user) would get it, or ``None`` if it does not exist."""
        return self.store.view(channel_id, self._user_id(as_user), self.origin)

    def channel_members(self, channel_id: str) -> dict[str, str]:
        """``{user_id: role}`` of a channel."""
        return self.store.members_of(channel_id)

    def channel_bots(self, channel_id: str) -> frozenset[str]:
        return self.store.bots_of(channel_id)

    def channel_count(self, *, include_deleted: bool = False) -> int:
        return self.store.channel_count(include_deleted=include_deleted)

    def post_message(self, channel_id: str, sender: User | str | None = None, text: str = "Hello") -> None:
        self.store.post_message(channel_id, self._user_id(sender), text)

    def pin_channel(self, channel_id: str, user: User | str | None = None, *, pinned: bool = True) -> None:
        self.store.set_pinned(channel_id, self._user_id(user), pinned)

    def mute_channel(self, channel_id: str, user: User | str | None = None, *, until: float | None) -> None:
        self.store.set_muted(channel_id, self._user_id(user), until)

    # -- faults and limits --------------------------------------------------------------------------

    def inject(
        self,
        fault: Fault,
        *,
        operation_id: str | None = None,
        user: User | str | None = None,
        times: int | None = 1,
        skip: int = 0,
    ) -> InjectedFault:
        """Inject ``fault`` into the next ``times`` matching requests (see :mod:`.faults`)."""
        return self.faults.inject(
            fault, operation_id=operation_id, user_id=None if user is None else _uid(user), times=times, skip=skip
        )

    def clear_faults(self) -> None:
        self.faults.clear()

    def locked_until(self, operation_id: str, user: User | str | None = None) -> float | None:
        """When ``user``'s lock on ``operation_id`` opens (clock time), or ``None``."""
        return self.limiter.locked_until(self._user_id(user), operation_id)

    def reset_limits(self) -> None:
        """Forget every rate-limit window, lock and token-issuance count."""
        self.limiter.reset()
        self.accounts.issuance.reset()

    # -- inspection -----------------------------------------------------------------------------------

    @property
    def requests(self) -> tuple[RecordedRequest, ...]:
        """Every request received (oldest first), secrets redacted."""
        return self.recorder.snapshot()

    def count(
        self,
        *,
        operation_id: str | None = None,
        status: int | None = None,
        user: User | str | None = None,
        method: str | None = None,
        fault: str | None = None,
    ) -> int:
        """How many recorded requests match every given criterion."""
        return self.recorder.count(
            operation_id=operation_id,
            status=status,
            user_id=None if user is None else _uid(user),
            method=method,
            fault=fault,
        )

    def last_request(self, operation_id: str | None = None) -> RecordedRequest | None:
        records = self.recorder.select(operation_id=operation_id)
        return records[-1] if records else None

    def reset_requests(self) -> None:
        self.recorder.clear()

    # -- helpers --------------------------------------------------------------------------------------

    def _user_id(self, user: User | str | None) -> str:
        return self.default_user.user_id if user is None else _uid(user)


def _uid(user: User | str) -> str:
    return user.user_id if isinstance(user, User) else str(user)
