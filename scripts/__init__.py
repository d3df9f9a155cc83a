"""Operational entry points: the `claims-ledger` CLI, the scenario generator, the demo."""
