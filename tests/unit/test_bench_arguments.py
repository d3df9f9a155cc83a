"""The bench's arguments: a bad size or worker count is a usage error, before anything starts."""

from __future__ import annotations

import pytest

from scripts.bench.run import main


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--events", "0"], "at least 1 event, not 0"),
        (["--workers", "1,2", "--events", "many"], "a whole number of events, not 'many'"),
        (["--committer-events", "0"], "at least 1 event, not 0"),
        (["--committer-events", "-5"], "at least 1 event, not -5"),
        (["--committer-events", "1e5"], "a whole number of events, not '1e5'"),
        (["--workers", "2,4"], "--workers takes ascending counts from 1"),
        (["--workers", "1,x"], "--workers takes counts such as 1,2,4"),
    ],
)
def test_bad_arguments_exit_2_naming_the_flag(
    args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    assert said in capsys.readouterr().err
