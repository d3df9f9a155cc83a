"""The shape of a group of CLI commands, so each area registers its own in its own module."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import Protocol

from infra.settings import Settings

Handler = Callable[[Settings, argparse.Namespace], int]
# Adds a subcommand (with the shared --json flag) and returns its parser for more arguments.
AddCommand = Callable[[str, str], argparse.ArgumentParser]


class CommandGroup(Protocol):
    """A module that adds commands: `register(add)` returns their handlers by name."""

    def register(self, add: AddCommand) -> Mapping[str, Handler]: ...
