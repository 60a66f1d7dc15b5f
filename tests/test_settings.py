"""Settings come from the environment: each case starts a fresh Python with its own environment."""

import json
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

PRINT_SETTINGS = """
import json
from django.conf import settings
names = {names!r}
print(json.dumps({{name: getattr(settings, name, None) for name in names}}, default=str))
"""


def _environment(**values: str) -> dict[str, str]:
    """What a fresh shell has: no DATABASE_URL, SECRET_KEY or DEBUG leaking in from the test run."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return {**env, "DJANGO_SETTINGS_MODULE": "tongxin.settings", **values}


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=_environment(**env),
        capture_output=True,
        text=True,
        check=False,
    )


def _settings(names: list[str], cwd: Path, **env: str) -> dict[str, Any]:
    result = _run(["-c", PRINT_SETTINGS.format(names=names)], cwd, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_sqlite_in_the_data_folder_when_database_url_is_unset(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    values = _settings(
        ["DATABASES", "STATIC_ROOT", "MEDIA_ROOT"],
        tmp_path,
        DEBUG="1",
        TONGXIN_DATA_DIR=str(data_dir),
    )

    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(data_dir / "tongxin.sqlite3")
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert values["STATIC_ROOT"] == str(data_dir / "static")
    assert values["MEDIA_ROOT"] == str(data_dir / "media")
    assert data_dir.is_dir()


def test_data_folder_defaults_to_var_in_the_working_directory(tmp_path: Path) -> None:
    values = _settings(["DATABASES"], tmp_path, DEBUG="1")

    assert values["DATABASES"]["default"]["NAME"] == str(tmp_path / "var" / "tongxin.sqlite3")


def test_database_url_selects_postgresql(tmp_path: Path) -> None:
    url = "postgres://tongxin:s3cret@db.internal:6432/tongxin_prod"
    database = _settings(["DATABASES"], tmp_path, SECRET_KEY="k" * 50, DATABASE_URL=url)[
        "DATABASES"
    ]["default"]

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == (
        "tongxin_prod",
        "tongxin",
        "s3cret",
    )
    assert (database["HOST"], database["PORT"]) == ("db.internal", 6432)
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True
    assert not (tmp_path / "var").exists()


def test_conn_max_age_comes_from_the_environment(tmp_path: Path) -> None:
    url = "postgres://postgres@127.0.0.1:5432/tongxin"
    database = _settings(["DATABASES"], tmp_path, DEBUG="1", DATABASE_URL=url, CONN_MAX_AGE="0")[
        "DATABASES"
    ]["default"]

    assert database["CONN_MAX_AGE"] == 0


def test_production_without_secret_key_is_refused(tmp_path: Path) -> None:
    result = _run(
        ["-c", "from django.conf import settings; settings.SECRET_KEY"],
        tmp_path,
        TONGXIN_DATA_DIR=str(tmp_path),
    )

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: "
        "Set SECRET_KEY in the environment (or DEBUG=1 for a local trial)."
    )
    assert not (tmp_path / "secret_key").exists()


def test_local_trial_keeps_one_generated_key_in_the_data_folder(tmp_path: Path) -> None:
    first = _settings(["SECRET_KEY"], tmp_path, DEBUG="1", TONGXIN_DATA_DIR=str(tmp_path))[
        "SECRET_KEY"
    ]
    second = _settings(["SECRET_KEY"], tmp_path, DEBUG="1", TONGXIN_DATA_DIR=str(tmp_path))[
        "SECRET_KEY"
    ]

    key_file = tmp_path / "secret_key"
    assert first == second == key_file.read_text()
    assert len(first) == 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_production_defaults_are_hardened(tmp_path: Path) -> None:
    names = [
        "DEBUG",
        "ALLOWED_HOSTS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        "STORAGES",
        "TASKS",
        "EMAIL_BACKEND",
        "LANGUAGE_CODE",
    ]
    values = _settings(names, tmp_path, SECRET_KEY="k" * 50, TONGXIN_DATA_DIR=str(tmp_path))

    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == []
    assert (
        values["SECURE_SSL_REDIRECT"]
        is values["SESSION_COOKIE_SECURE"]
        is values["CSRF_COOKIE_SECURE"]
        is True
    )
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert (
        values["STORAGES"]["staticfiles"]["BACKEND"]
        == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert values["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["LANGUAGE_CODE"] == "zh-hans"


def test_hosts_proxy_and_mail_come_from_the_environment(tmp_path: Path) -> None:
    names = [
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "SECURE_PROXY_SSL_HEADER",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_USE_TLS",
        "DEFAULT_FROM_EMAIL",
        "SERVER_EMAIL",
        "ADMINS",
    ]
    values = _settings(
        names,
        tmp_path,
        SECRET_KEY="k" * 50,
        TONGXIN_DATA_DIR=str(tmp_path),
        ALLOWED_HOSTS="tongxin.example.org, www.tongxin.example.org",
        CSRF_TRUSTED_ORIGINS="https://tongxin.example.org",
        BEHIND_PROXY="1",
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="tongxin",
        EMAIL_USE_TLS="true",
        DEFAULT_FROM_EMAIL="tongxin@example.org",
        ADMINS="ops@example.org",
    )

    assert values == {
        "ALLOWED_HOSTS": ["tongxin.example.org", "www.tongxin.example.org"],
        "CSRF_TRUSTED_ORIGINS": ["https://tongxin.example.org"],
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "tongxin",
        "EMAIL_USE_TLS": True,
        "DEFAULT_FROM_EMAIL": "tongxin@example.org",
        "SERVER_EMAIL": "tongxin@example.org",
        "ADMINS": [["Admin", "ops@example.org"]],
    }


def _production(tmp_path: Path) -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "tongxin.example.org",
        "TONGXIN_DATA_DIR": str(tmp_path),
    }


def test_deploy_check_passes_with_production_environment(tmp_path: Path) -> None:
    result = _run(
        ["-m", "tongxin", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        **_production(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "System check identified no issues (0 silenced).\n"


def test_deploy_check_fails_for_a_local_trial(tmp_path: Path) -> None:
    result = _run(
        ["-m", "tongxin", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        **{**_production(tmp_path), "DEBUG": "1"},
    )

    assert result.returncode == 1
    assert "SystemCheckError" in result.stderr
    assert "security.W021" not in result.stderr
    for warning in (
        "security.W004",
        "security.W008",
        "security.W012",
        "security.W016",
        "security.W018",
    ):
        assert warning in result.stderr
