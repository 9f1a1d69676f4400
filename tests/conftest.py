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


def home_settings(home) -> dict:
    """The settings every test's data is made with: keys and files under `home` (out of the working tree), fast
    password hashing (tests only) and a fixed pseudonym key (repeatable pseudonyms). Also used by fixtures that
    build data once for many tests (tests/web/conftest.py `cohort_shared`)."""
    return {"HOME": home, "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
            "PSEUDONYM_KEY": "test-key-0123456789abcdef0123456789abcdef",
            "PSEUDONYM_KEY_FILE": str(home / "keys" / "pseudonym.key")}


@pytest.fixture(scope="session")
def test_settings_for():
    """`home_settings` as a fixture, for conftests below this one."""
    return home_settings


@pytest.fixture(autouse=True)
def _isolated_home(settings, tmp_path):
    """Keep keys and files of every test out of the working tree; a fixed key makes pseudonyms repeatable."""
    for name, value in home_settings(tmp_path).items():
        setattr(settings, name, value)
    # pages name static files unhashed: the hashed manifest exists only after `collectstatic` (done by `serve`)
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
