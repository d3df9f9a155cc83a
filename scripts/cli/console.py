"""`claims-ledger serve` (the console: HTTP API and pages) and `console-user` (who may use it)."""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import socket
import sys
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

from infra.readers import kept_open
from infra.settings import Settings
from scripts.cli import output
from scripts.cli.argtypes import port
from scripts.cli.commandline import AddCommand, Handler
from scripts.cli.exits import NotKnownError, UsageError
from scripts.console.users import ROLES, Users, UsersFileError, users_path

DEFAULT_PORT = 8080
SECRET_ENV = "LEDGER_CONSOLE_SECRET"  # noqa: S105 - the variable's name, not a secret
THREADS = 4


def _users(settings: Settings) -> Users:
    return Users(users_path(os.environ, settings.home))


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    # Flask and waitress load only for this command: the other commands start faster.
    from waitress.server import create_server  # noqa: PLC0415

    from scripts.console.app import create_app  # noqa: PLC0415

    users = _users(settings)
    try:
        people = users.names()
    except UsersFileError as error:
        raise UsageError(str(error)) from None
    secret = os.environ.get(SECRET_ENV, "").encode() or None
    app = create_app(settings, users, secret_key=secret)
    listening = _listen(args.host, args.port)
    server = create_server(app, sockets=[listening], threads=THREADS)
    _warn(args.host, users.path if not people else None)
    where = f"http://{_url_host(args.host)}:{listening.getsockname()[1]}/"
    # Both set, SIGINT too: a shell starting it in the background leaves SIGINT ignored. Set
    # before the line saying where: whoever reads it may stop the console at once.
    previous = {s: signal.signal(s, _interrupt) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        print(f"claims-ledger console: open {where} (API: {where}api/v1/, Ctrl-C stops it)")
        sys.stdout.flush()
        with kept_open(pool_size=THREADS):  # one store for the console's life, not a request's
            server.run()  # returns on Ctrl-C: waitress takes the KeyboardInterrupt and closes
    except KeyboardInterrupt:
        pass  # a signal before the server's loop took over: the same clean stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        server.close()
    print("claims-ledger serve: stopped", file=sys.stderr)
    return 0


def _warn(host: str, no_users_in: Path | None) -> None:
    if no_users_in is not None:
        print(
            f"claims-ledger serve: no users in {no_users_in} yet: add one with"
            " `claims-ledger console-user add NAME --role auditor`",
            file=sys.stderr,
        )
    if not ipaddress.ip_address(host).is_loopback:
        print(
            f"claims-ledger serve: listening on {host}, beyond this machine: tokens travel"
            " in clear text unless a TLS proxy is in front",
            file=sys.stderr,
        )


def _listen(host: str, port: int) -> socket.socket:
    # Bound here, not by waitress: a port in use is one line naming it, and with --port 0 the
    # port the system chose is known before the line saying where to open the console.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as error:
        raise UsageError(f"cannot listen on {host} port {port}: {error.strerror}") from None


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    # SIGTERM ends the console as Ctrl-C does: no request is half-written to the store (it
    # writes nothing), so stopping at once is safe.
    raise KeyboardInterrupt


def _bare(host: str) -> str:
    return host.strip("[]")


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def host(text: str) -> str:
    """An IP address to listen on (names are refused: which address they bind is unclear)."""
    try:
        ipaddress.ip_address(_bare(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an IP address") from None
    return _bare(text)


def cmd_console_user(settings: Settings, args: argparse.Namespace) -> int:
    users = _users(settings)
    try:
        if args.action == "add":
            return _add(users, args)
        if args.action == "remove":
            if not users.remove(_name(args)):
                raise NotKnownError(f"{users.path} has no user {args.name!r}")
            print(f"removed {args.name}: their token no longer opens the console")
            return 0
        output.emit(args.json, users.names(), _said_users)
    except UsersFileError as error:
        raise UsageError(str(error)) from None
    return 0


def _name(args: argparse.Namespace) -> str:
    if not args.name:
        raise UsageError(f"console-user {args.action} needs a NAME")
    return str(args.name)


def _add(users: Users, args: argparse.Namespace) -> int:
    if args.role is None:
        raise UsageError(f"console-user add needs --role ({' or '.join(ROLES)})")
    token = users.add(_name(args), args.role)
    output.emit(
        args.json,
        {"name": args.name, "role": args.role, "token": token, "users_file": str(users.path)},
        output.key_values,
    )
    if not args.json:
        print(
            "the token is shown this once (the file keeps only its hash): give it to"
            f" {args.name}; `console-user add` again makes a new one",
            file=sys.stderr,
        )
    return 0


def _said_users(doc: Mapping[str, str]) -> None:
    if doc:
        output.table(["name", "role"], sorted(doc.items()))
    else:
        print("no console users yet")


def register(add: AddCommand) -> Mapping[str, Handler]:
    """The console's commands."""
    p = add("serve", "the console: HTTP API and pages for auditors and inspectors")
    p.add_argument(
        "--port", type=port, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT})"
    )
    p.add_argument(
        "--host", type=host, default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    p = add("console-user", "add, remove or list the people who may use the console")
    p.add_argument("action", choices=("add", "remove", "list"))
    p.add_argument("name", nargs="?", help="the person's name (add, remove)")
    p.add_argument("--role", choices=ROLES, help="auditor (reads) or inspector (also records)")
    return {"serve": cmd_serve, "console-user": cmd_console_user}
