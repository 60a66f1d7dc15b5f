import shutil
from pathlib import Path

import pytest

from tests.processes import run_tongxin


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Tests read English unless they ask for Chinese; the site's default stays Chinese.

    Argon2 is deliberately slow; tests hash with a fast hasher (test_password_hashing checks the real one).
    """
    settings.LANGUAGE_CODE = "en"
    settings.TONGXIN_STAFF_2FA = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def _migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("migrated")
    run_tongxin("migrate", "--verbosity", "0", data_dir=data_dir)
    return data_dir


@pytest.fixture
def sqlite_site(_migrated_sqlite_file: Path, tmp_path: Path) -> Path:
    """A data folder with its own migrated SQLite file, for tests that run several processes on it."""
    data_dir = tmp_path / "site"
    shutil.copytree(_migrated_sqlite_file, data_dir)
    return data_dir
