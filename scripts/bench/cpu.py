"""A process's CPU time from the kernel's accounting: steadier than throughput on a shared
machine, and readable for any process of this machine (the worker, PostgreSQL's backends)."""

from __future__ import annotations

import os
from pathlib import Path


def cpu_seconds(pid: int) -> float:
    """The process's user + system CPU time so far, in seconds (`/proc/<pid>/stat`)."""
    # The command name (field 2) may hold spaces; the fields after its closing parenthesis
    # start at field 3, so utime and stime (fields 14 and 15) are at 11 and 12.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
