import pytest


@pytest.fixture(autouse=True)
def _isolated_staging(settings, tmp_path):
    """Uploads of each test in its own folder, so a test can see exactly what staging holds."""
    settings.IMPORT_STAGING = tmp_path / "imports"
