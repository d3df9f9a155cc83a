"""Publish a JSONL file: each message to the topic its type belongs to, keyed by its region."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from kafka import KafkaProducer

from consumers.contract import MESSAGE_TYPES
from consumers.topics import INBOUND_SUFFIXES, Topics, region_key
from scripts.cli.progress import Progress


@dataclass(frozen=True)
class Outgoing:
    """One line ready to send, byte for byte as the file holds it."""

    topic: str
    key: bytes | None
    value: bytes


class UnroutableError(ValueError):
    """Lines whose topic cannot be told from their type; nothing was sent."""


def route(lines: Sequence[bytes], topics: Topics, topic_override: str | None) -> list[Outgoing]:
    """Decide every line's topic and key before anything is sent."""
    if topic_override is not None:
        # A bare suffix ("enrollment") means our topic of that name; anything else is taken as is.
        topic = (
            topics.inbound(topic_override) if topic_override in INBOUND_SUFFIXES else topic_override
        )
        return [Outgoing(topic, None, line) for line in lines]
    routed, problems = [], []
    for number, line in enumerate(lines, start=1):
        try:
            document = json.loads(line)
            message_type = MESSAGE_TYPES[document["type"]]
            key = region_key(document)
        except (ValueError, KeyError, TypeError) as error:
            problems.append(
                f"line {number}: cannot tell its topic ({type(error).__name__}: {error})"
            )
            continue
        routed.append(Outgoing(topics.inbound(message_type.topic_suffix), key, line))
    if problems:
        hint = "\nnothing was sent; use --topic NAME to send such lines to one topic as they are"
        raise UnroutableError("\n".join(problems[:20]) + hint)
    return routed


def read_lines(raw: bytes) -> list[bytes]:
    return [line.rstrip(b"\r") for line in raw.split(b"\n") if line.strip()]


def publish(producer: KafkaProducer, messages: Sequence[Outgoing], quiet: bool) -> Counter[str]:
    """Send and wait for every acknowledgement; returns counts per topic."""
    progress = Progress("published", total=len(messages)) if not quiet else None
    per_topic: Counter[str] = Counter()
    futures = []
    for n, m in enumerate(messages, start=1):
        futures.append(producer.send(m.topic, key=m.key, value=m.value))
        per_topic[m.topic] += 1
        if progress:
            progress.update(n)
    producer.flush()
    for future in futures:
        future.get(timeout=30)  # raises if the broker refused a message
    if progress:
        progress.update(len(messages), force=True)
        progress.finish()
    return per_topic
