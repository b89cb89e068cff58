"""The zh-hans catalogue is complete, has no fuzzy guesses, and its .mo is compiled from it."""

import ast
import gettext
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES"


def _entries(po_path: Path, *, with_context: bool = False):
    """Yield (flags, msgid, msgstr) for each entry of a .po file (msgstr[0] for plurals);
    with `with_context`, (flags, msgctxt or None, msgid, msgstr)."""
    flags, key, fields = set(), None, {}
    for line in [*po_path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if fields:
                msgstr = fields.get("msgstr", fields.get("msgstr[0]", ""))
                if with_context:
                    yield flags, fields.get("msgctxt"), fields.get("msgid", ""), msgstr
                else:
                    yield flags, fields.get("msgid", ""), msgstr
            flags, key, fields = set(), None, {}
        elif line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            fields[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            fields[key] = ast.literal_eval(value)


def test_every_string_is_translated_and_none_is_fuzzy():
    entries = [(flags, msgid, msgstr) for flags, msgid, msgstr in _entries(CATALOGUE / "django.po") if msgid]

    assert len(entries) > 300
    assert [msgid for flags, msgid, _ in entries if "fuzzy" in flags] == []
    assert [msgid for _, msgid, msgstr in entries if not msgstr] == []


def test_compiled_catalogue_matches_the_po_file():
    with open(CATALOGUE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    stale = [
        msgid
        for flags, context, msgid, msgstr in _entries(CATALOGUE / "django.po", with_context=True)
        if msgid
        and "\\" not in msgid
        and (
            compiled.pgettext(context, msgid) != msgstr
            if context
            else compiled.gettext(msgid) != msgstr and compiled.ngettext(msgid, "", 1) != msgstr
        )
    ]

    assert stale == [], "run `make messages` (or compilemessages) and commit the .mo"
