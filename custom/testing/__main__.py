"""``python -m cliq_channels_client.custom.testing serve --port 8765``: the emulator on loopback."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from .emulator import CliqEmulator
from .server import ServerURL, run_server


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}",
        description="Emulator of the Zoho Cliq Channels API and the Zoho accounts token endpoint.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the emulator over HTTP until interrupted")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765, help="port to bind; 0 picks a free one (default: 8765)")
    serve.add_argument("--channels", type=int, default=0, metavar="N", help="seed N channels of the default user")
    serve.add_argument("--token-ttl", type=float, default=3600.0, metavar="SECONDS", help="access token lifetime")
    serve.add_argument(
        "--throttle-style",
        choices=("429", "400"),
        default="429",
        help="answer throttled calls with 429 + Retry-After, or Zoho's 400 request_limit_exceeded",
    )
    serve.add_argument("--unarchive-status", choices=("204", "200"), default="204", help="success status of unarchive")
    serve.add_argument("--no-rate-limits", action="store_true", help="do not enforce the per-operation limits")
    serve.add_argument("--no-approval", action="store_true", help="create organization channels without approval")
    serve.add_argument("--auto-create-users", action="store_true", help="unknown user ids/emails create users")
    serve.add_argument(
        "--print-credentials",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="print the OAuth credentials of the default user (fake, emulator-only)",
    )
    serve.add_argument(
        "--credentials-file", metavar="PATH", help="also write URLs and credentials as JSON to PATH (mode 0600)"
    )
    serve.add_argument("--log-level", default="warning", choices=("debug", "info", "warning", "error"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    emulator = CliqEmulator(
        token_ttl=args.token_ttl,
        throttle_status=429 if args.throttle_style == "429" else 400,
        unarchive_status=204 if args.unarchive_status == "204" else 200,
        rate_limits=not args.no_rate_limits,
        approval_required=not args.no_approval,
        auto_create_users=args.auto_create_users,
    )
    if args.channels:
        emulator.seed_channels(args.channels)

    def ready(url: ServerURL) -> None:
        info = {
            "api_base_url": url.api_base_url,
            "accounts_url": url.accounts_url,
            "token_url": url.token_url,
            "user_id": emulator.default_user.user_id,
            **emulator.credentials.as_dict(),
        }
        lines = [
            f"Cliq Channels emulator listening on {url.origin}",
            f"  API base URL : {url.api_base_url}",
            f"  Accounts URL : {url.accounts_url}  (POST /oauth/v2/token)",
            f"  Channels     : {emulator.channel_count()}",
        ]
        if args.print_credentials:
            creds = emulator.credentials
            lines += [
                f"  user_id      : {creds.user_id} ({emulator.default_user.name}, organization admin)",
                f"  client_id    : {creds.client_id}",
                f"  client_secret: {creds.client_secret}",
                f"  refresh_token: {creds.refresh_token}",
                f"  scopes       : {','.join(creds.scopes)}",
            ]
        if args.credentials_file:
            descriptor = os.open(args.credentials_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                json.dump(info, handle, indent=2)
            lines.append(f"  credentials written to {args.credentials_file}")
        lines.append("Press Ctrl-C to stop.")
        print("\n".join(lines), flush=True)

    try:
        run_server(emulator.app, host=args.host, port=args.port, on_ready=ready, log_level=args.log_level)
    except KeyboardInterrupt:  # pragma: no cover - interactive stop
        pass
    except OSError as error:
        print(f"cannot serve on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
