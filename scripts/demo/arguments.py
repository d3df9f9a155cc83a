"""The demo's options, apart from the demo so that building the CLI stays light."""

from __future__ import annotations

import argparse

from scripts.simulation.config import SCALES
from scripts.simulation.feed_mode import DEFAULT_FEED, FeedMode


def add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scale",
        choices=list(SCALES),
        help=f"persons: {', '.join(f'{k} {v}' for k, v in SCALES.items())} (default small)",
    )
    parser.add_argument("--persons", type=int, help="an exact number of persons instead")
    parser.add_argument(
        "--seed", type=int, default=2019, help="another seed, another year's events"
    )
    parser.add_argument(
        "--region", default="430422", help="6-digit pooling region; another one is another county"
    )
    parser.add_argument(
        "--no-bad", action="store_true", help="leave out the deliberately bad input"
    )
    parser.add_argument(
        "--feed",
        choices=[mode.value for mode in FeedMode],
        default=DEFAULT_FEED.value,
        help="waves: one topic's month at a time, each ingested before the next; concurrent:"
        f" every topic at once, as real sources publish (default {DEFAULT_FEED.value})",
    )
