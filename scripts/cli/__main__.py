"""`python -m scripts.cli`: the same as the `claims-ledger` command."""

import sys

from scripts.cli.main import main

sys.exit(main())
