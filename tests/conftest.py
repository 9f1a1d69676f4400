"""Shared fixtures: a small simulated cohort on disk, the same cohort loaded, and one user per role."""

from __future__ import annotations

import pytest

from safeschool.cohort import CohortConfig, Sizes, simulate

SMALL = Sizes(countries=2, schools=6, classes=18, teachers=30, students=540, waves=2)


@pytest.fixture(scope="session")
def small_cohort():
    return simulate(CohortConfig(sizes=SMALL, seed=7))


@pytest.fixture(scope="session")
def cohort_dir(tmp_path_factory, small_cohort):
    directory = tmp_path_factory.mktemp("cohort")
    small_cohort.write(directory)
    return directory


@pytest.fixture(autouse=True)
def _isolated_home(settings, tmp_path):
    """Keep keys and files of every test out of the working tree; a fixed key makes pseudonyms repeatable."""
    settings.HOME = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast hashing in tests only
    settings.PSEUDONYM_KEY = "test-key-0123456789abcdef0123456789abcdef"
    settings.PSEUDONYM_KEY_FILE = str(tmp_path / "keys" / "pseudonym.key")
    # pages name static files unhashed: the hashed manifest exists only after `collectstatic` (done by `serve`)
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
