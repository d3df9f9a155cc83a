"""The as-of questions of the CLI (balance, statement, hospital, penalties, sanctions, history,
diff), each answered by the CLI's own function: one rule set, one document shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.calendar import service_day
from infra.clock import utc_now
from infra.settings import Settings
from projections import diff as diffs
from projections.asof import Bitemporal
from scripts.cli import diff, output, queries, sanction_list, sanction_send, statement
from scripts.cli.main import history_entries
from scripts.console import schemas
from scripts.console.api import endpoint, settings
from scripts.console.params import path_value, query
from scripts.console.problems import bad_parameter
from scripts.console.replies import point

POINT = ("as_of", "known_at")
Answer = Callable[[Settings, str, Bitemporal], dict[str, Any]]
ACCOUNT = {"account": "e.g. fund:430422:resident:pooled, institution:CODE:receivable"}
TARGET = {"target": "institution code, doctor id or person id"}


def _as_of(name: str, summary: str, schema: Any, param: tuple[str, str], answer: Answer) -> None:
    """A question about one subject in the URL, as of a valid time, as known at a system time:
    balance, hospital and penalties alike."""
    key, description = param

    def view(**subject: str) -> dict[str, Any]:
        return answer(settings(), path_value(key, subject[key]), point(query(POINT)))

    view.__name__ = name
    endpoint(f"/{name}/<{key}>", summary, schema, params=POINT, path_params={key: description})(
        view
    )


_as_of(
    "balance",
    "balance of an account as of a valid time, as known at a system time",
    schemas.Balance,
    ("account", ACCOUNT["account"]),
    queries.balance_doc,
)
_as_of(
    "hospital",
    "an institution's totals, budget use and warning level",
    schemas.Hospital,
    ("code", "institution code, e.g. H43042200011"),
    queries.hospital_doc,
)
_as_of(
    "penalties",
    "penalty status of an institution, doctor or person",
    schemas.Penalties,
    ("target", TARGET["target"]),
    queries.penalties_doc,
)


@endpoint(
    "/statement/<account>",
    "an account's postings with a running balance and the event behind each",
    schemas.Statement,
    params=("from", "to", "known_at"),
    path_params=ACCOUNT,
)
def account_statement(account: str) -> dict[str, Any]:
    q = query(("from", "to", "known_at"))
    name = path_value("account", account)
    return statement.statement_doc(settings(), name, q["from"], q["to"], q["known_at"])


@endpoint(
    "/targets/<target>/sanctions",
    "every measure imposed on a target, with its id, terms and state now",
    schemas.Sanction(many=True),
    path_params=TARGET,
)
def sanctions(target: str) -> list[dict[str, Any]]:
    query(())
    found = sanction_send.target_sanctions(settings(), path_value("target", target))
    today = service_day(utc_now())
    return [sanction_list.as_json(s, today) for s in found]


@endpoint(
    "/history/<entity>",
    "every recorded event about an entity and what relates to it, in log order",
    schemas.HistoryEvent(many=True),
    params=("only",),
    path_params={"entity": "institution code or person id, or kind:id (claim:JS-1)"},
)
def history(entity: str) -> list[dict[str, Any]]:
    q = query(("only",))
    entries = history_entries(settings(), path_value("entity", entity), q["only"])
    return [output.history_dict(e) for e in entries]


@endpoint(
    "/diff/<kind>/<subject>",
    "what changed between two known times, and the events that explain it",
    schemas.Diff,
    params=("as_of", "known_at_pair"),
    path_params={
        "kind": f"what to compare: {', '.join(sorted(diffs.DIFFS))}",
        "subject": "institution code, account, or penalty target",
    },
)
def compare(kind: str, subject: str) -> dict[str, Any]:
    q = query(("as_of", "known_at_pair"))
    if kind not in diffs.DIFFS:
        raise bad_parameter("kind", kind, f"must be one of {', '.join(sorted(diffs.DIFFS))}")
    name = path_value("subject", subject)
    result = diff.explained(settings(), kind, name, q["as_of"], q["known_at"])
    # The CLI says "does not add up" by its exit code; here it is a field of the answer.
    return diff.diff_dict(kind, result) | {
        "unexplained": any(f.unexplained for f in result.figures)
    }
