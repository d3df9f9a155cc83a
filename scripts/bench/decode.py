"""CPU per inbound message of the contract's decode, marshmallow alone against the fast path.

    python -m scripts.bench.decode [--persons 5000] [--seed 2019] [--rounds 3]

Decodes every message of a county year (scripts/simulation) in memory, no broker or database,
and prints the process CPU time per message for `strict_decode` (marshmallow only) and `decode`
(the fast path first), the best of `--rounds`, overall and for the most numerous types; and how
many messages the fast path took.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from consumers.contract import decode, fast_decoded, strict_decode
from infra.application.inbound import Coordinates, Decoded, Undecodable
from scripts.simulation.config import config_for
from scripts.simulation.county import county_year

Decoder = Callable[[bytes, Coordinates, str, datetime], Decoded | Undecodable]
Message = tuple[bytes, str, str]  # value, topic suffix, type name
COMMITTED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def cpu_us_per_message(decoder: Decoder, messages: Sequence[Message]) -> dict[str, float]:
    """Process CPU µs per message, overall ("all") and per type name."""
    spent: defaultdict[str, float] = defaultdict(float)
    counts = Counter(name for _, _, name in messages)
    for offset, (raw, suffix, name) in enumerate(messages):
        where = Coordinates(f"ledger.{suffix}", 0, offset)
        started = time.process_time()
        decoder(raw, where, suffix, COMMITTED_AT)
        spent[name] += time.process_time() - started
    per_type = {name: spent[name] / counts[name] * 1e6 for name in counts}
    return {"all": sum(spent.values()) / len(messages) * 1e6, **per_type}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench.decode", description=__doc__)
    parser.add_argument("--persons", type=int, default=5_000, help="county size (5 000)")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--rounds", type=int, default=3, help="best of this many passes")
    args = parser.parse_args(argv)
    messages = [
        (planned.value(), planned.topic_suffix, planned.type_name)
        for planned in county_year(config_for(None, args.persons, args.seed))
        if planned.raw is None  # the simulation's undecodable bytes have no type to report
    ]
    fast_taken = sum(
        fast_decoded(raw, Coordinates(f"ledger.{suffix}", 0, 0), suffix, COMMITTED_AT) is not None
        for raw, suffix, _ in messages
    )
    print(f"{len(messages):,} messages; the fast path takes {fast_taken:,}")
    hot = [name for name, _ in Counter(name for _, _, name in messages).most_common(5)]
    for label, decoder in (("marshmallow only", strict_decode), ("fast path first", decode)):
        rounds = [cpu_us_per_message(decoder, messages) for _ in range(args.rounds)]
        best = {key: min(r[key] for r in rounds) for key in rounds[0]}
        by_type = ", ".join(f"{name} {best[name]:.1f}" for name in hot)
        print(f"{label}: {best['all']:.1f} µs CPU per message ({by_type})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
