"""The console's users file: each person's name, role and the SHA-256 of their token.

Tokens are 256 random bits made here, never chosen by people, so a fast hash is enough: there is
no dictionary to try (a password would need a slow hash). The file holds no token itself: a
copy of it lets no one in. The operator keeps it (`LEDGER_CONSOLE_USERS`, docs/console.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

AUDITOR = "auditor"
INSPECTOR = "inspector"
ROLES = (AUDITOR, INSPECTOR)
USERS_ENV = "LEDGER_CONSOLE_USERS"
DEFAULT_FILE = "console-users.json"  # under the ledger's home (.ledger/) when the env is unset
NAME_MAX = 64


class UsersFileError(ValueError):
    """The users file cannot be read or a name or role cannot be taken; the message says which."""


@dataclass(frozen=True)
class Identity:
    """Who is acting: the same object whether they came with a token or a session cookie."""

    name: str
    role: str

    @property
    def can_record(self) -> bool:
        """Inspectors record sanctions; auditors only read."""
        return self.role == INSPECTOR

    @property
    def recorded_by(self) -> str:
        """The `recorded_by` of what this person records, as the CLI's `inspector:zhang`."""
        return f"{self.role}:{self.name}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def users_path(env: Mapping[str, str], home: Path) -> Path:
    """The users file: `LEDGER_CONSOLE_USERS`, else console-users.json in the ledger's home."""
    configured = env.get(USERS_ENV, "").strip()
    return Path(configured) if configured else home / DEFAULT_FILE


def check_name(name: str) -> str:
    # The name goes into `recorded_by` (role:name) and into logs: one printable word.
    if (
        not name
        or len(name) > NAME_MAX
        or not name.isprintable()
        or any(c.isspace() or c == ":" for c in name)
    ):
        raise UsersFileError(
            f"{name!r} cannot be a user name: 1 to {NAME_MAX} printable characters,"
            " no spaces and no ':'"
        )
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UsersFileError(f"{role!r} is not a role; the roles are {', '.join(ROLES)}")
    return role


class Users:
    """The users file, read again whenever it changes: an operator adds a person without a
    restart of the console."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: tuple[int, int] | None = None
        self._by_name: dict[str, tuple[str, str]] = {}  # name -> (role, token hash)

    def _entries(self) -> dict[str, tuple[str, str]]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._seen, self._by_name = None, {}
            return self._by_name
        except OSError as error:
            raise UsersFileError(f"cannot read {self.path}: {error.strerror}") from None
        seen = (stat.st_mtime_ns, stat.st_size)
        if seen != self._seen:
            self._by_name = _parse(self.path)
            self._seen = seen
        return self._by_name

    def names(self) -> dict[str, str]:
        """Each user's role, by name."""
        return {name: role for name, (role, _) in self._entries().items()}

    def authenticate(self, token: str) -> Identity | None:
        """The person holding `token`, or None."""
        given = token_hash(token)
        found = None
        for name, (role, stored) in self._entries().items():
            # Every entry compared in constant time: the answer's timing tells nothing.
            if hmac.compare_digest(given, stored):
                found = Identity(name, role)
        return found

    def log_in(self, name: str, token: str) -> Identity | None:
        """The person if `name` holds `token` (the pages' login form), else None."""
        identity = self.authenticate(token)
        return identity if identity is not None and identity.name == name else None

    def current(self, name: str, role: str) -> Identity | None:
        """The person a session names, if still in the file with that role (removed or changed
        users lose their sessions)."""
        entry = self._entries().get(name)
        return Identity(name, role) if entry is not None and entry[0] == role else None

    def add(self, name: str, role: str) -> str:
        """Add (or replace the token of) a person; the new token, shown once."""
        entries = dict(self._entries())
        token = secrets.token_urlsafe(32)
        entries[check_name(name)] = (check_role(role), token_hash(token))
        _write(self.path, entries)
        return token

    def remove(self, name: str) -> bool:
        entries = dict(self._entries())
        if entries.pop(name, None) is None:
            return False
        _write(self.path, entries)
        return True


def _parse(path: Path) -> dict[str, tuple[str, str]]:
    try:
        doc: Any = json.loads(path.read_bytes())
        return {
            check_name(u["name"]): (check_role(u["role"]), str(u["token_sha256"]))
            for u in doc["users"]
        }
    except (ValueError, KeyError, TypeError) as error:
        raise UsersFileError(f"{path} is not a console users file: {error}") from None
    except OSError as error:
        raise UsersFileError(f"cannot read {path}: {error.strerror}") from None


def _write(path: Path, entries: Mapping[str, tuple[str, str]]) -> None:
    doc = {
        "users": [
            {"name": name, "role": role, "token_sha256": digest}
            for name, (role, digest) in sorted(entries.items())
        ]
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and renamed: a console reading it never sees half a file; owner-only.
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(doc, out, ensure_ascii=False, indent=2)
        out.write("\n")
    temporary.replace(path)
