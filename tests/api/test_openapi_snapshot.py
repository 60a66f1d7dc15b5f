"""The API's published contract: the served OpenAPI schema equals the committed snapshot.

When the API changes on purpose, regenerate the snapshot, read its diff and commit it:

    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/api/test_openapi_snapshot.py
"""

import json
import os
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles.finders import AppDirectoriesFinder
from django.test import Client

SNAPSHOT = Path(__file__).with_name("openapi.json")
HOW_TO_UPDATE = (
    "The served OpenAPI schema differs from tests/api/openapi.json. If the change is intended, run "
    "`UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/api/test_openapi_snapshot.py`, "
    "review the diff and commit it."
)


def test_the_served_schema_matches_the_snapshot(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    served = response.json()

    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(
            json.dumps(served, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    assert served == json.loads(SNAPSHOT.read_text(encoding="utf-8")), HOW_TO_UPDATE


def test_the_schema_documents_who_may_call(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    signed_in = [{"ApiTokenAuth": []}, {"SessionCookieAuth": []}]

    assert paths["/api/v1/organisations"]["get"]["security"] == [*signed_in, {}]
    assert paths["/api/v1/organisations"]["post"]["security"] == signed_in
    assert paths["/api/v1/people"]["get"]["security"] == signed_in


def _with_ninja(settings, installed: bool) -> None:
    apps = [app for app in settings.INSTALLED_APPS if app != "ninja"]
    settings.INSTALLED_APPS = [*apps, "ninja"] if installed else apps


@pytest.mark.django_db
def test_the_docs_page_loads_its_assets_from_this_site(client: Client, settings) -> None:
    _with_ninja(settings, installed=True)

    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r'(?:src|href)="([^"]+)"', html) == [
        "/static/ninja/swagger-ui.css",
        "/static/ninja/favicon.svg",
        "/static/ninja/favicon.png",
        "/static/ninja/swagger-ui-bundle.js",
        "/static/ninja/swagger-ui-init.js",
    ]
    assert "http://" not in html and "https://" not in html
    assert '"url": "/api/v1/openapi.json"' in html
    # Served from the installed django-ninja package, not copied into this repository.
    finder = AppDirectoriesFinder()
    assert all(
        finder.find(f"ninja/{name}")
        for name in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js")
    )


@pytest.mark.django_db
def test_without_ninjas_static_files_there_is_no_docs_page_but_still_a_schema(
    client: Client, settings
) -> None:
    _with_ninja(settings, installed=False)

    assert client.get("/api/v1/docs").status_code == 404
    assert client.get("/api/v1/openapi.json").status_code == 200
