"""The console's Chinese catalog: up to date with the sources, compiled, and complete.

`make i18n` extracts the strings (babel.cfg), merges them into the catalog and compiles it;
these tests fail when someone adds a string without running it, or leaves one untranslated.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "web" / "translations"
PO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.mo"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _catalog(path: Path):
    with path.open("rb") as f:
        return read_po(f, locale="zh")


def _source_ids() -> set[str]:
    """What `pybabel extract -F babel.cfg` finds in the sources now."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map,
                                                keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _key(value) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _ids(catalog) -> set[str]:
    return {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog if m.id}


def test_the_catalog_holds_exactly_the_strings_of_the_sources():
    in_sources, in_catalog = _source_ids(), _ids(_catalog(PO))
    assert in_sources, "nothing extracted: babel.cfg does not reach the sources"
    missing = sorted(in_sources - in_catalog)
    assert not missing, f"not in the catalog (run `make i18n`): {missing[:10]}"
    stale = sorted(in_catalog - in_sources)
    assert not stale, f"no longer in the sources (run `make i18n`): {stale[:10]}"


def test_the_compiled_catalog_matches_the_po_file():
    catalog = _catalog(PO)
    with MO.open("rb") as f:
        compiled = read_mo(f)
    expected = {_key(m.id): _key(m.string) for m in catalog
                if m.id and any(_key(m.string)) and not m.fuzzy}
    got = {_key(m.id): _key(m.string) for m in compiled if m.id}
    assert got == expected, "messages.mo is out of date: run `make i18n`"


def test_placeholders_survive_translation():
    problems = [(m.id, errors) for m, errors in _catalog(PO).check() if errors]
    assert not problems


def test_every_string_of_the_console_has_a_chinese_translation():
    untranslated = [m.id for m in _catalog(PO)
                    if m.id and (m.fuzzy or not all(_key(m.string)))]
    assert not untranslated, f"translate these in {PO.name} (then `make i18n`): {untranslated}"
