"""Errors as RFC 9457 problem details: one JSON body shape for every refusal, naming what the
caller sent, never a traceback."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from flask import Response, jsonify

from scripts.cli.exits import BUG, NOT_KNOWN, UNAVAILABLE, USAGE, classify

MEDIA_TYPE = "application/problem+json"
# The CLI's classes of failure (scripts/cli/exits.py), as HTTP statuses: one mapping for both.
STATUS_OF_EXIT = {
    USAGE: HTTPStatus.BAD_REQUEST,
    NOT_KNOWN: HTTPStatus.NOT_FOUND,
    UNAVAILABLE: HTTPStatus.SERVICE_UNAVAILABLE,
}


class Problem(Exception):  # noqa: N818 - what the caller is told, as the RFC names it
    """A refusal of a request; `extra` members (RFC 9457 extensions) say which input."""

    def __init__(self, status: HTTPStatus, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra


def bad_parameter(name: str, value: str, why: str) -> Problem:
    """A query parameter that cannot be taken: names the parameter and echoes what was typed."""
    return Problem(HTTPStatus.BAD_REQUEST, f"{name}={value!r}: {why}", parameter=name, value=value)


def response(problem: Problem) -> Response:
    body = {
        "type": "about:blank",
        "title": problem.status.phrase,
        "status": int(problem.status),
        "detail": problem.detail,
        **problem.extra,
    }
    reply = jsonify(body)
    reply.status_code = int(problem.status)
    reply.mimetype = MEDIA_TYPE
    return reply


# A CLI flag in a message of the CLI's rules (--as-of, --decision-date).
FLAG = re.compile(r"(?<![\w-])--([a-z][a-z-]*)")


def fields_named(message: str) -> str:
    """A message of the CLI's rules naming what the caller sent: `--as-of` as `as_of`."""
    return FLAG.sub(lambda m: m.group(1).replace("-", "_"), message)


def from_exception(error: Exception) -> Problem:
    """An exception a read raised, classified as the CLI classifies it (scripts/cli/exits.py),
    its message naming parameters where the CLI's names flags."""
    code, message = classify(error)
    message = fields_named(message)
    if code == BUG:
        return Problem(HTTPStatus.INTERNAL_SERVER_ERROR, message)
    return Problem(STATUS_OF_EXIT.get(code, HTTPStatus.INTERNAL_SERVER_ERROR), message)
