"""Every command's `--help` says what it does and shows an example (issue 14: subcommands had
neither)."""

from __future__ import annotations

import argparse
import shlex

import pytest

from scripts.cli.helptext import HELP, TOP
from scripts.cli.main import build_parser


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser, _ = build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_every_command_has_a_description_and_an_example() -> None:
    missing = [
        name
        for name, p in subcommands().items()
        if not p.description or not p.epilog or f"claims-ledger {name}" not in p.epilog
    ]
    assert missing == [], f"add them to HELP in scripts/cli/helptext.py: {missing}"


def test_the_top_level_help_says_where_to_start(capsys: pytest.CaptureFixture[str]) -> None:
    parser, _ = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["--help"])
    out = capsys.readouterr().out
    assert "claims-ledger demo\n" in out
    assert "--help with examples" in out


def test_help_text_names_no_command_the_cli_does_not_have() -> None:
    assert set(HELP) <= set(subcommands())


@pytest.mark.parametrize("name", ["report", "rejected", "sanction"])
def test_examples_keep_their_lines_in_the_help(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        subcommands()[name].parse_args(["--help"])
    out = capsys.readouterr().out
    for example in HELP[name].examples:
        assert f"  claims-ledger {example}\n" in out


@pytest.mark.parametrize(
    "example",
    [f"{name}: {e}" for name, text in HELP.items() for e in text.examples]
    + [f"top: {e}" for e in TOP.examples if not e.endswith("--help")],
)
def test_every_example_parses_as_written(example: str) -> None:
    parser, _ = build_parser()
    words = shlex.split(example.split(": ", 1)[1])
    # A redirection is the shell's, not an argument.
    words = words[: next((i for i, w in enumerate(words) if w in {"<", ">"}), len(words))]
    parser.parse_args(words)  # exits 2, failing the test, on anything the parser refuses
