"""`indicators`: official statistics from Eurostat's published files (early leavers from education and training:
sdg_04_10, edat_lfse_14, edat_lfse_16), imported all-or-nothing with row-level errors like the other importers."""

from __future__ import annotations

import typer

indicators_app = typer.Typer(help="Official indicators: import Eurostat's early-leaving files.", no_args_is_help=True)
