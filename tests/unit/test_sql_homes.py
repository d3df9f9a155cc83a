"""SQL lives with its table family (conventions): statements naming the ledger's tables are in
`infra/`, those naming the read models' tables in `projections/`. Nothing in `domain/`,
`consumers/` or `scripts/` holds a string that names one of them."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.store import Ledger
from projections.models import read_models
from projections.runner import LIVE_SCHEMA

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("domain", "consumers", "scripts")
CREATE_TABLE = re.compile(
    r"\bCREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:\w+\.)?(\w+)", re.IGNORECASE
)


def ledger_tables() -> set[str]:
    """Tables of the ledger's own schema files, and the library's events and tracking tables
    (its PostgreSQL factory names them after the application: `<name>_events`)."""
    tables = set()
    for schema_file in sorted((ROOT / "infra").glob("*.sql")):
        tables |= set(CREATE_TABLE.findall(schema_file.read_text(encoding="utf-8")))
    prefix = Ledger.name.lower()
    return tables | {f"{prefix}_events", f"{prefix}_tracking"}


def read_model_tables() -> set[str]:
    """Tables each read model owns, and its tracking table (projections/runner.py)."""
    tables = set()
    for model in read_models(LIVE_SCHEMA):
        tables |= {*model.tables(), f"projection_{model.name}_tracking"}
    return tables


TABLES = ledger_tables() | read_model_tables()
# A table in the place SQL names one (`FROM t`, `JOIN s.t`, `INSERT INTO t`, `UPDATE t`, ...):
# a bare word may be a domain value too (`doctor_points` is also a sanction kind).
NAMES_A_TABLE = re.compile(
    r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE|EXISTS|COPY|TRUNCATE|LIKE)\s+(?:ONLY\s+)?"
    r'(?:"?\w+"?\.)?"?(' + "|".join(sorted(TABLES, key=len, reverse=True)) + r')"?\b',
    re.IGNORECASE,
)


def docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes: prose may name a table, a statement may not."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def identifier_literals(tree: ast.AST) -> Iterator[ast.expr]:
    """Strings used as a table's name rather than in a statement: `sql.Identifier("t")`,
    `table="t"`, `events_table: str = "t"`, `TABLE = "t"`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else ""
            name = name or getattr(node.func, "id", "")
            if name == "Identifier":
                yield from node.args
            yield from (k.value for k in node.keywords if "table" in (k.arg or "").lower())
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = [*node.args.posonlyargs, *node.args.args]
            with_default = args[len(args) - len(node.args.defaults) :]
            defaults = zip(with_default, node.args.defaults, strict=True)
            keywords = zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True)
            for arg, default in (*defaults, *keywords):
                if default is not None and "table" in arg.arg.lower():
                    yield default
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            named = [getattr(t, "id", getattr(t, "attr", "")) for t in targets]
            if node.value is not None and any("table" in n.lower() for n in named):
                yield node.value


def table_names_in_strings(source: str) -> Iterator[tuple[int, str]]:
    """(line, table) for each string literal naming a table in SQL, f-string parts included,
    and for each literal used as a table's name."""
    tree = ast.parse(source)
    prose = docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            for table in NAMES_A_TABLE.findall(node.value):
                yield node.lineno, table
    for value in identifier_literals(tree):
        if isinstance(value, ast.Constant) and value.value in TABLES:
            yield value.lineno, str(value.value)


MODULES = sorted(p for folder in CHECKED for p in (ROOT / folder).rglob("*.py"))
# Each family's home names only its own tables: the read models reach the log through the
# library's recorder, never by SQL of their own.
HOMES = [
    *((p, read_model_tables()) for p in sorted((ROOT / "infra").rglob("*.py"))),
    *((p, ledger_tables()) for p in sorted((ROOT / "projections").rglob("*.py"))),
]


def test_the_table_names_come_from_both_families() -> None:
    assert {"ledger_events", "ledger_messages", "rejected_messages", "ledger_chain"} <= TABLES
    assert {"account_balances_deltas", "hospital_totals_checkpoints", "sanction_windows"} <= TABLES


def test_every_checked_folder_has_modules() -> None:
    assert {p.relative_to(ROOT).parts[0] for p in MODULES} == set(CHECKED)


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_string_outside_infra_and_projections_names_a_table(module: Path) -> None:
    found = list(table_names_in_strings(module.read_text(encoding="utf-8")))
    assert found == [], f"move this SQL into infra/ or projections/: {found}"


@pytest.mark.parametrize(
    ("module", "foreign"), HOMES, ids=[str(p.relative_to(ROOT)) for p, _ in HOMES]
)
def test_a_family_home_names_no_table_of_the_other_family(module: Path, foreign: set[str]) -> None:
    found = list(table_names_in_strings(module.read_text(encoding="utf-8")))
    assert [hit for hit in found if hit[1] in foreign] == []


def test_the_check_catches_sql_in_a_string_and_an_f_string() -> None:
    source = (
        '"""Reads from ledger_events."""\n'
        'Q = "SELECT count(*) FROM ledger_messages"\n'
        'KIND = "doctor_points"\n'
        'def f(n):\n    return f"insert into public.hospital_totals_deltas VALUES ({n})"\n'
        'def g(events_table="ledger_events"):\n    return sql.Identifier("sanction_terms")\n'
    )
    assert sorted(table_names_in_strings(source)) == [
        (2, "ledger_messages"),
        (5, "hospital_totals_deltas"),
        (6, "ledger_events"),
        (7, "sanction_terms"),
    ]
