"""The English translation: Swedish unless the user chose English, and a complete catalogue.

The message ids are Swedish; English is the translation in locale/en/LC_MESSAGES. The .mo is
committed, so these tests read it directly and never call GNU gettext (CI may lack it).
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

LOGIN = "/logga-in/"
CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
# Each app may keep its own catalogue (stegvis/<app>/locale/), which `make messages` fills with the
# app's strings: every one of them is held to the same rules as the root catalogue.
CATALOGUES = [
    CATALOGUE,
    *sorted(Path(settings.BASE_DIR, "stegvis").glob("*/locale/en/LC_MESSAGES")),
]


@pytest.fixture(autouse=True)
def _swedish_after_each_test():
    # The language middleware activates the chosen language in this thread; do not let an
    # English request leak into tests that run after these.
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_login_is_swedish_even_for_an_english_browser(client, db):
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en-US,en")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="sv"' in html
    assert "Logga in" in html
    assert "Sign in" not in html
    assert response["Content-Language"] == "sv"


def test_login_is_english_with_the_language_cookie(client, db):
    response = _english(client).get(LOGIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en"' in html
    assert "<h1>Sign in</h1>" in html
    assert "Logga in" not in html
    assert response["Content-Language"] == "en"


def test_the_language_switch_sets_the_cookie_and_the_next_page_is_english(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": LOGIN})
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    html = client.get(response["Location"]).content.decode()
    assert '<html lang="en"' in html
    assert "<h1>Sign in</h1>" in html


def test_association_start_page_in_english(as_persona, world):
    response = _english(as_persona("alice")).get(world.a.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en"' in html
    assert ">Members</h2>" in html
    assert "Medlemmar" not in html
    assert "Sign out" in html


def test_an_unknown_language_in_the_cookie_falls_back_to_swedish(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    html = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="sv"' in html
    assert "<h1>Logga in</h1>" in html


# --- The catalogue ---------------------------------------------------------------------------


def _po_entries(path: Path) -> list[dict[str, Any]]:
    """A small .po reader: each entry's flags, msgid, msgid_plural and msgstr(s)."""
    entries: list[dict[str, Any]] = []
    entry: dict[str, Any] = {}
    key = ""

    def flush() -> None:
        nonlocal entry
        if "msgid" in entry:
            entries.append(entry)
        entry = {}

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            flush()
        elif line.startswith("#,"):
            entry.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] = entry[key] + ast.literal_eval(line)
        else:
            match = re.match(r"(msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$", line)
            assert match, f"Unexpected line in {path.name}: {line!r}"
            key = match.group(1)
            entry[key] = ast.literal_eval(match.group(2))
    flush()
    return entries


def _mo(catalogue: Path = CATALOGUE) -> gettext.GNUTranslations:
    with (catalogue / "django.mo").open("rb") as fh:
        return gettext.GNUTranslations(fh)


def test_the_root_catalogue_holds_the_foundation():
    assert len(_po_entries(CATALOGUE / "django.po")) > 200


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: str(p.parent.parent.parent.name))
def test_every_entry_in_the_po_is_translated_and_none_is_fuzzy(catalogue):
    entries = _po_entries(catalogue / "django.po")
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == ""
    assert "Language: en\n" in header["msgstr"]
    assert "charset=UTF-8" in header["msgstr"]
    assert "nplurals=2; plural=(n != 1);" in header["msgstr"]

    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", set())]
    assert fuzzy == []
    untranslated = [
        e["msgid"]
        for e in messages
        if not all(v for k, v in e.items() if isinstance(k, str) and k.startswith("msgstr"))
    ]
    assert untranslated == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.parent.parent.parent.name))
def test_the_compiled_catalogue_matches_the_po(path):
    """The committed .mo holds every message of the .po: it was compiled after the last edit."""
    catalogue = _mo(path)._catalog
    for entry in _po_entries(path / "django.po")[1:]:
        if "msgid_plural" in entry:
            assert catalogue.get((entry["msgid"], 0)) == entry["msgstr[0]"], entry["msgid"]
            assert catalogue.get((entry["msgid"], 1)) == entry["msgstr[1]"], entry["msgid"]
        else:
            assert catalogue.get(entry["msgid"]) == entry["msgstr"], entry["msgid"]


@pytest.mark.parametrize(
    "swedish",
    ["Logga in", "Medlemmar", "Tvåstegsverifieringen är aktiverad.", "Enhetschef hos utförare"],
)
def test_known_messages_translate_to_english(swedish):
    english = _mo().gettext(swedish)
    assert english
    assert english != swedish


def test_plural_and_placeholders_survive_translation():
    mo = _mo()
    one = mo.ngettext("varav %(counter)s kommun", "varav %(counter)s kommuner", 1)
    many = mo.ngettext("varav %(counter)s kommun", "varav %(counter)s kommuner", 3)
    assert one != many
    assert one % {"counter": 1} != "varav 1 kommun"
    assert "3" in many % {"counter": 3}
    assert "%(seconds)s" in mo.gettext(
        "För många felaktiga koder i rad. Vänta %(seconds)s sekunder och försök sedan igen."
    )


# The names under which makemessages (xgettext with Django's keywords) finds translatable strings.
_EXTRACTED_NAMES = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}


def test_translation_functions_are_imported_under_names_makemessages_extracts():
    """``gettext_lazy as _lazy`` hides every string marked with it from the catalogue, so the
    English page silently shows Swedish. Only the names xgettext is told about may be used."""
    hidden = []
    for path in Path(settings.BASE_DIR, "stegvis").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                for alias in node.names:
                    name = alias.asname or alias.name
                    if alias.name in _EXTRACTED_NAMES and name not in _EXTRACTED_NAMES:
                        hidden.append(f"{path.relative_to(settings.BASE_DIR)}: {name}")
    assert hidden == []
