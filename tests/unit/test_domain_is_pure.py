"""`domain/` must stay free of I/O, configuration and clocks (conventions, rule 1)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "domain"
FORBIDDEN_MODULES = {
    "psycopg",
    "psycopg_pool",
    "kafka",
    "confluent_kafka",
    "marshmallow",
    "infra",
    "consumers",
    "projections",
    "scripts",
    "os",
    "time",
    "random",
    "socket",
    "subprocess",
    "requests",
}
FORBIDDEN_CALLS = {"now", "utcnow", "today", "uuid4", "uuid1", "time_ns"}


def imported_roots(tree: ast.AST) -> set[str]:
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def called_names(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
    return names


MODULES = sorted(DOMAIN.rglob("*.py"))


def module_id(module: Path) -> str:
    return str(module.relative_to(DOMAIN))


def test_the_domain_package_has_modules_to_check() -> None:
    assert len(MODULES) >= 5


def test_the_check_looks_into_every_subpackage_of_the_domain() -> None:
    subpackages = {p.parent for p in DOMAIN.rglob("__init__.py")} - {DOMAIN}
    assert {"commands", "handlers"} <= {p.name for p in subpackages}
    assert all(any(m.parent == package for m in MODULES) for package in subpackages)


@pytest.mark.parametrize("module", MODULES, ids=module_id)
def test_domain_module_imports_nothing_that_does_io(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    assert imported_roots(tree) & FORBIDDEN_MODULES == set()


@pytest.mark.parametrize("module", MODULES, ids=module_id)
def test_domain_module_reads_no_clock_and_makes_no_random_ids(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    assert called_names(tree) & FORBIDDEN_CALLS == set()


def test_the_check_catches_a_forbidden_import() -> None:
    tree = ast.parse("import os\nfrom psycopg import sql\nfrom domain import reasons\n")
    assert imported_roots(tree) & FORBIDDEN_MODULES == {"os", "psycopg"}
