"""A PostgreSQL outage under a running worker: starting the server again, reading what the
worker logged meanwhile."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.integration.workers import ROOT


def restart_in_another_process(pgdata: Path) -> None:
    """Start it again the way `claims-ledger up` would, from a fresh process."""
    code = f"import pathlib, infra.embedded as e; e.start_postgres(pathlib.Path({str(pgdata)!r}))"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


class OutageLog:
    """What the worker logged from now on."""

    def __init__(self, log_file: Path) -> None:
        self._file = log_file
        self._start = log_file.stat().st_size

    def text(self) -> str:
        return self._file.read_bytes()[self._start :].decode(errors="replace")

    def failed(self) -> bool:
        """The worker met the outage: a batch backing off, or a rebalance's seek failing."""
        text = self.text()
        return "retrying in" in text or "could not seek to stored offsets" in text
