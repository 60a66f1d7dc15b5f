"""The Chinese catalogue is complete: every string in the code is translated, and the .mo
matches the .po.

Tests read English; these check that a Chinese reader never meets an untranslated string.
"""

import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

PACKAGE_DIR = Path(settings.PACKAGE_DIR)
ROOT = PACKAGE_DIR.parent.parent
CATALOGUE_DIR = PACKAGE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = CATALOGUE_DIR / "django.po"
MO_FILE = CATALOGUE_DIR / "django.mo"

Key = tuple[str | None, str]


def _key(entry: polib.POEntry | polib.MOEntry) -> Key:
    return (entry.msgctxt or None, entry.msgid)


def _describe(key: Key) -> str:
    context, msgid = key
    return f"{msgid!r}" + (f" (context {context!r})" if context else "")


def _committed_po() -> polib.POFile:
    if not PO_FILE.exists():
        pytest.fail(
            f"The Chinese catalogue {PO_FILE.relative_to(ROOT)} does not exist yet: "
            "in src/tongxin run "
            "`DEBUG=1 TONGXIN_DATA_DIR=/tmp/tx tongxin makemessages -l zh_Hans`, "
            "translate every entry, then run `tongxin compilemessages` there."
        )
    return polib.pofile(str(PO_FILE), wrapwidth=0)


@pytest.fixture(scope="module")
def extracted_po(tmp_path_factory: pytest.TempPathFactory) -> polib.POFile:
    """Every msgid in the code and templates, as Django's makemessages extracts them.

    It runs on a copy of the package, so it writes a fresh catalogue and never touches ours.
    """
    copy = tmp_path_factory.mktemp("extract") / "tongxin"
    shutil.copytree(
        PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "locale", "static")
    )
    (copy / "locale").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(copy)
        patch.setattr(settings, "LOCALE_PATHS", [copy / "locale"])
        call_command(
            "makemessages", locale=["zh_Hans"], domain="django", no_obsolete=True, verbosity=0
        )
    return polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"), wrapwidth=0)


def _where(entry: polib.POEntry) -> str:
    return ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:3])


def test_every_string_in_the_code_is_in_the_catalogue(extracted_po: polib.POFile) -> None:
    assert len(extracted_po) > 50, (
        "makemessages found almost nothing: is Debian's gettext installed?"
    )
    committed = {_key(entry) for entry in _committed_po() if not entry.obsolete}
    missing = [entry for entry in extracted_po if entry.msgid and _key(entry) not in committed]
    assert not missing, f"{len(missing)} strings are not in {PO_FILE.name}:\n" + "\n".join(
        f"  {_describe(_key(entry))}  ← {_where(entry)}" for entry in missing
    )


def test_every_entry_is_translated_and_none_is_fuzzy() -> None:
    catalogue = _committed_po()
    fuzzy = [entry for entry in catalogue if entry.fuzzy and not entry.obsolete]
    empty = [
        entry
        for entry in catalogue
        if not entry.fuzzy and not entry.obsolete and not entry.translated()
    ]
    problems = [f"  fuzzy: {_describe(_key(entry))}" for entry in fuzzy]
    problems += [f"  untranslated: {_describe(_key(entry))}" for entry in empty]
    assert not problems, (
        f"{len(problems)} entries of {PO_FILE.name} need a translator:\n" + "\n".join(problems)
    )


def test_catalogue_passes_msgfmt_format_checks(tmp_path: Path) -> None:
    """A translation naming a %(placeholder)s the code does not pass would crash its page."""
    _committed_po()
    result = subprocess.run(
        ["msgfmt", "--check", "--output-file", str(tmp_path / "checked.mo"), str(PO_FILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def _translations(catalogue: polib.POFile | polib.MOFile) -> dict[Key, str | tuple[str, ...]]:
    return {
        _key(entry): tuple(entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural))
        if entry.msgid_plural
        else entry.msgstr
        for entry in catalogue
        if entry.msgid  # the header entry carries dates that change with every edit
    }


def test_committed_mo_matches_the_po(tmp_path: Path) -> None:
    catalogue = _committed_po()
    assert MO_FILE.exists(), f"{MO_FILE.name} is missing: run `tongxin compilemessages`."
    compiled = tmp_path / "django.mo"
    catalogue.save_as_mofile(str(compiled))
    expected = _translations(polib.mofile(str(compiled)))
    committed = _translations(polib.mofile(str(MO_FILE)))
    changed = {key for key in expected.keys() & committed.keys() if expected[key] != committed[key]}
    stale = sorted((expected.keys() ^ committed.keys()) | changed, key=str)
    assert not stale, (
        f"{MO_FILE.name} does not match {PO_FILE.name} in {len(stale)} entries: "
        "run `tongxin compilemessages`.\n" + "\n".join(f"  {_describe(key)}" for key in stale[:50])
    )


def _chinese(msgid: str) -> str:
    entry = _committed_po().find(msgid)
    assert entry is not None and entry.msgstr, f"{msgid!r} has no Chinese translation"
    return entry.msgstr


NAVIGATION = ["Organisations", "Sign in", "Skip to content"]
PAGES = ["home", "community:organisations", "accounts:login"]


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PAGES)
def test_page_reads_in_english(client, url_name: str) -> None:
    response = client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    for msgid in NAVIGATION:
        assert msgid in html


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PAGES)
def test_page_reads_in_chinese(client, url_name: str) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get(reverse(url_name))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in html
    for msgid in NAVIGATION:
        assert _chinese(msgid) in html
        assert f">{msgid}<" not in html
