"""The `claims-ledger` command: one module per command group, each thin (parse, call, print)."""

from scripts.cli.main import main

__all__ = ["main"]
