"""`python -m safeschool.cli`: the `safeschool` command (`serve` starts its worker this way)."""

import sys

from safeschool.cli import app

sys.exit(app())
