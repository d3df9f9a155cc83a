"""`python -m scripts.console.write_openapi [PATH]`: write the OpenAPI document (default
docs/openapi.json), after a change to an endpoint; a test fails while the two differ."""

from __future__ import annotations

import sys
from pathlib import Path

from scripts.console import openapi

DEFAULT = Path("docs") / "openapi.json"


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else DEFAULT
    target.write_text(openapi.text(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
