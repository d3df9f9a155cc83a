"""Operational entry points: the `claims-ledger` CLI, the sample generator."""
