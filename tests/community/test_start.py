"""`tongxin start` prepares a laptop trial and `tongxin serve` runs the site in gunicorn."""

import socket
import time
import urllib.error
import urllib.request
from http.client import HTTPResponse
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.processes import start_tongxin
from tests.factories import OrganisationFactory
from tongxin.community.demo import DEMO_PASSWORD, demo_logins
from tongxin.community.models import Organisation
from tongxin.community.management.commands.start import site_url

STYLESHEET = Path(settings.PACKAGE_DIR) / "core" / "static" / "tongxin" / "site.css"


def demo_banner(url: str) -> str:
    """The banner as `start` must print it, built from what the demo town says about its logins."""
    logins = demo_logins()
    width = max(len(username) for username, _purpose in logins)
    return "\n".join(
        [
            "",
            f"Tongxin is ready at {url}",
            "",
            f"Demo sign-ins, all with the password {DEMO_PASSWORD}:",
            *[f"  {username.ljust(width)}  {purpose}" for username, purpose in logins],
            "",
            "Stop the site with Ctrl+C.",
            "",
        ]
    )


def test_start_loads_the_demo_town_into_an_empty_database_and_prints_the_sign_ins(db: None) -> None:
    out = StringIO()
    call_command("start", "--no-serve", "--bind", "0.0.0.0:8080", stdout=out)

    output = out.getvalue()
    assert output.startswith("Operations to perform:\n")
    assert "No migrations to apply.\n" in output
    assert "The database is empty: loading the demo town.\n" in output
    assert output.endswith(demo_banner("http://localhost:8080/"))
    assert Organisation.objects.filter(name="白水洋镇", name_en="Baishuiyang Town").exists()


def test_start_on_a_database_with_the_demo_loads_nothing_more(db: None) -> None:
    call_command("start", "--no-serve", stdout=StringIO())
    organisations = Organisation.objects.count()

    out = StringIO()
    call_command("start", "--no-serve", stdout=out)

    assert "The database is empty" not in out.getvalue()
    assert out.getvalue().endswith(demo_banner("http://127.0.0.1:8000/"))
    assert Organisation.objects.count() == organisations


def test_start_on_a_real_sites_database_shows_no_demo_sign_ins(db: None) -> None:
    OrganisationFactory(name="溪口村", name_en="Xikou Village")
    out = StringIO()
    call_command("start", "--no-serve", "--bind", "192.168.1.20:8000", stdout=out)

    assert out.getvalue().endswith("\nTongxin is ready at http://192.168.1.20:8000/\n\nStop the site with Ctrl+C.\n")
    assert Organisation.objects.count() == 1


@pytest.mark.parametrize(
    ("bind", "url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000/"),
        ("0.0.0.0:80", "http://localhost:80/"),
        ("[::]:8000", "http://localhost:8000/"),
        ("[::1]:9000", "http://[::1]:9000/"),
        ("8000", "http://localhost:8000/"),
        ("unix:/run/tongxin.sock", "unix:/run/tongxin.sock"),
    ],
)
def test_the_banner_gives_an_address_a_browser_can_open(bind: str, url: str) -> None:
    assert site_url(bind) == url


def test_the_development_server_needs_debug(settings) -> None:  # noqa: ANN001
    settings.DEBUG = False
    with pytest.raises(CommandError) as refused:
        call_command("serve", "--dev")
    assert (str(refused.value), refused.value.returncode) == (
        "--dev serves with Django's development server: set DEBUG=1 first.",
        2,
    )


def test_serve_needs_a_worker(db: None) -> None:
    with pytest.raises(CommandError, match="--workers must be at least 1."):
        call_command("serve", "--workers", "0")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, *, within: float) -> HTTPResponse:
    """GET `url`, retrying while the server is still starting."""
    deadline = time.monotonic() + within
    while True:
        try:
            return urllib.request.urlopen(url, timeout=5)
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_start_serves_the_site_with_gunicorn(sqlite_site: Path) -> None:
    port = _free_port()
    server = start_tongxin("start", "--bind", f"127.0.0.1:{port}", "--workers", "2", data_dir=sqlite_site)
    try:
        page = _get(f"http://127.0.0.1:{port}/accounts/login/", within=90)
        stylesheet = _get(f"http://127.0.0.1:{port}/static/tongxin/site.css", within=5)
        assert (page.status, page.headers["Server"]) == (200, "gunicorn")
        assert b"<form" in page.read()
        assert (stylesheet.status, stylesheet.read()) == (200, STYLESHEET.read_bytes())
    finally:
        server.terminate()
        out, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    with translation.override("zh-hans"):
        ready = translation.gettext("Tongxin is ready at %(url)s") % {"url": f"http://127.0.0.1:{port}/"}
    assert f"\n{ready}\n" in out
    assert 'GET /accounts/login/ HTTP/1.1" 200' in out, out
