"""`claims-ledger serve` as an operator runs it: it says where to open the console, listens on
loopback unless told otherwise, and Ctrl-C or SIGTERM ends it cleanly, without a traceback."""

from __future__ import annotations

import json
import signal
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.test_cli import CLI, ROOT, run
from tests.e2e.test_cli_errors import no_services, one_line_failure

USAGE = 2


def env_with_users(tmp_path: Path) -> dict[str, str]:
    env = no_services(tmp_path)
    env["LEDGER_CONSOLE_USERS"] = str(tmp_path / "users.json")
    return env


def start(env: dict[str, str], *args: str) -> tuple[subprocess.Popen[bytes], str]:
    """The console started with `args`; the address its first line names."""
    serving = subprocess.Popen(
        [*CLI, "serve", "--port", "0", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert serving.stdout is not None
    line = serving.stdout.readline().decode()
    assert line.startswith("claims-ledger console: open http://"), line
    return serving, line.split("open ", 1)[1].split(" ", 1)[0]


def get(url: str, token: str | None = None) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_serve_says_where_answers_and_stops_cleanly(tmp_path: Path, stop: signal.Signals) -> None:
    env = env_with_users(tmp_path)
    added = run(env, "console-user", "add", "li", "--role", "auditor", "--json")
    token = json.loads(added.stdout)["token"]
    serving, url = start(env)
    try:
        assert url.startswith("http://127.0.0.1:")
        status, body = get(url + "api/v1/openapi.json")
        assert status == 200
        assert json.loads(body)["openapi"].startswith("3.")
        assert get(url + "api/v1/me")[0] == 401
        status, body = get(url + "api/v1/me", token)
        assert status == 200
        assert json.loads(body)["role"] == "auditor"
    finally:
        serving.send_signal(stop)
        _, err = serving.communicate(timeout=30)
    assert serving.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
    assert "stopped" in err.decode()


def test_serve_without_users_says_how_to_add_one(tmp_path: Path) -> None:
    serving, _ = start(env_with_users(tmp_path))
    serving.send_signal(signal.SIGINT)
    _, err = serving.communicate(timeout=30)
    assert "console-user add" in err.decode()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--port", "70000"], "70000 is not a port"),
        (["--port", "\uff18\uff10"], "not a port number"),  # full-width 80
        (["--host", "localhost"], "'localhost' is not an IP address"),
    ],
)
def test_serve_refuses_what_it_cannot_listen_on(tmp_path: Path, args: list[str], says: str) -> None:
    line = one_line_failure(run(env_with_users(tmp_path), "serve", *args), USAGE)
    assert says in line


def test_a_port_in_use_is_named(tmp_path: Path) -> None:
    env = env_with_users(tmp_path)
    serving, url = start(env)
    try:
        taken = url.rsplit(":", 1)[1].strip("/")
        line = one_line_failure(run(env, "serve", "--port", taken), USAGE)
        assert f"cannot listen on 127.0.0.1 port {taken}" in line
    finally:
        serving.send_signal(signal.SIGINT)
        serving.communicate(timeout=30)
