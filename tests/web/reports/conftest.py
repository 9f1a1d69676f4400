"""Fixtures of the report tests: a small hand-made report with every kind of block (report_world.make_report), in
Spanish, built once."""

from __future__ import annotations

import pytest
from report_world import make_report


@pytest.fixture(scope="session")
def report():
    return make_report("es")
