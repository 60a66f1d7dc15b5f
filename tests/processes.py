"""Running the `tongxin` command in processes of its own, on a SQLite file of its own."""

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

TONGXIN = Path(sys.executable).with_name("tongxin")


def site_env(data_dir: Path) -> dict[str, str]:
    """The environment of a `tongxin` process on a SQLite file in `data_dir`, as the start script sets it."""
    env = {
        **os.environ,
        "DEBUG": "1",
        "TONGXIN_DATA_DIR": str(data_dir),
        "DATABASE_URL": "",  # even when the suite itself runs on PostgreSQL
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def run_tongxin(*args: str, data_dir: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """The `tongxin` console command in its own process, on the SQLite file in `data_dir`.

    It speaks the site's language (settings.LANGUAGE_CODE), not the tests' English.
    """
    return subprocess.run(
        [str(TONGXIN), *args], env=site_env(data_dir), capture_output=True, text=True, check=check, timeout=120
    )


def start_tongxin(*args: str, data_dir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(TONGXIN), *args],
        env=site_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_sqlite(data_dir: Path, query: str) -> list[tuple[Any, ...]]:
    """What the file holds, read behind Tongxin's back."""
    with closing(sqlite3.connect(data_dir / "tongxin.sqlite3")) as database:
        return database.execute(query).fetchall()
