"""The self-evaluation tests read English sentences built outside a request (selectors, reports): start each test in
English, whatever language an earlier test's request left active in this thread."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield
