"""`.ledger/services.json` outlives the code that wrote it."""

from __future__ import annotations

import json
from pathlib import Path

from infra.embedded import ServicesFile


def test_a_file_with_a_field_since_dropped_still_loads(tmp_path: Path) -> None:
    saved = {"database_url": "postgresql:///x", "broker_pid": 7, "broker_cluster_id": "ledger-1"}
    (tmp_path / "services.json").write_text(json.dumps(saved), encoding="utf-8")
    assert ServicesFile.load(tmp_path) == ServicesFile(database_url="postgresql:///x", broker_pid=7)


def test_what_is_saved_loads_back(tmp_path: Path) -> None:
    state = ServicesFile(pgdata="/pg", broker_pid=3, broker_port=9092)
    state.save(tmp_path)
    assert ServicesFile.load(tmp_path) == state
