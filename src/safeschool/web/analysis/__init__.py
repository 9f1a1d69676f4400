"""Analyses under /analysis/: researchers configure ecological and MAIHDA runs that execute as background tasks."""
