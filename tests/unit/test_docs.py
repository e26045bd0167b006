"""The documents ship with the code: generated parts are current, links stay inside."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

from scenarios import reference, reference_text
from scenarios.schema import ACTIONS, CHECKS, Shape
from workflow.errors import IcpsimError

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
PACKAGES = ("workflow", "notify", "scenarios", "web")
# Places the project once pointed at documents that live outside the repository.
OUTSIDE = re.compile(r"\.\./shared|shared/\w+\.md|(?<!docs/)\b(?:SPEC|DESIGN|PITFALLS|"
                     r"SCENARIOS|CONTRACTS)\.md\b|\bSPEC(?: section)? \d")
LINK = re.compile(r"\]\(([^)\s]+)\)")
CITED = re.compile(r"\bdocs/([\w-]+\.md)(?:#([\w-]+))?")


def shipped_files() -> list[Path]:
    """Every text file of the documents, the packages, the migrations and the tools."""
    roots = [ROOT / name for name in (*PACKAGES, "docs", "migrations", "bench", "tests")]
    files = [ROOT / "README.md", ROOT / "Makefile", ROOT / "pyproject.toml"]
    for root in roots:
        files += [p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and p.suffix in (".py", ".md", ".yaml", ".yml", ".txt", ".html", ".toml")]
    return [p for p in files if p != Path(__file__).resolve()]


def slug(heading: str) -> str:
    """The anchor GitHub gives a markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    out: set[str] = set()
    in_code = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if in_code or not line.startswith("#"):
            continue
        base = slug(line.lstrip("#"))
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


def test_the_scenario_reference_is_what_the_generator_writes():
    committed = reference.TARGET.read_text(encoding="utf-8")
    assert committed == reference.reference(), (
        "docs/scenarios.md is out of date with scenarios/schema.py: run `make docs`")


def test_every_action_and_check_of_the_schema_is_described_and_nothing_else():
    assert set(reference_text.ACTIONS) == set(ACTIONS)
    assert set(reference_text.CHECKS) == set(CHECKS)


@pytest.mark.parametrize(("kind", "table"), [("action", ACTIONS), ("check", CHECKS)])
def test_every_field_the_validator_accepts_is_in_the_reference(kind, table):
    text = reference.reference()
    for name, shape in table.items():
        section = text.split(f"### `{name}` ({kind})", 1)[1].split("\n### ", 1)[0]
        for field in shape.fields:
            assert f"| `{field}` |" in section, f"{kind} {name}: field {field} is missing"


def test_notes_describe_only_fields_that_exist():
    for table, prose in ((ACTIONS, reference_text.ACTIONS), (CHECKS, reference_text.CHECKS)):
        for name, entry in prose.items():
            unknown = set(entry.fields) - set(table[name].fields)
            assert not unknown, f"{name}: notes on fields the schema lacks: {sorted(unknown)}"


def test_an_action_nobody_described_is_flagged_in_the_reference():
    lines = reference.entry("action", "ring_bell", Shape({}, {}), None)
    assert "add 'ring_bell' to scenarios/reference_text.py" in "\n".join(lines)


def test_field_types_read_as_words():
    fire = reference.entry("action", "fire", ACTIONS["fire"], reference_text.ACTIONS["fire"])
    assert "| `items` | no | a list of text |" in "\n".join(fire)
    assert "| `deadline_days` | no | whole number |" in "\n".join(fire)
    advance = "\n".join(reference.entry("action", "advance", ACTIONS["advance"],
                                        reference_text.ACTIONS["advance"]))
    assert "`- advance: 3d`" in advance


def test_no_shipped_file_points_at_documents_outside_the_repository():
    offenders = {}
    for path in shipped_files():
        hits = OUTSIDE.findall(path.read_text(encoding="utf-8", errors="replace"))
        if hits:
            offenders[str(path.relative_to(ROOT))] = sorted(set(hits))
    assert offenders == {}


def test_the_outside_pattern_catches_the_old_references():
    for text in ("[SCENARIOS.md](../shared/SCENARIOS.md)", "see PITFALLS.md",
                 "(SPEC 1.3)", "CONTRACTS.md", "DESIGN.md"):
        assert OUTSIDE.search(text), text
    assert not OUTSIDE.search("docs/behaviour.md#contacts")
    assert not OUTSIDE.search("docs/API.md")


def test_every_document_section_the_code_cites_exists():
    missing = []
    for path in shipped_files():
        for name, anchor in CITED.findall(path.read_text(encoding="utf-8", errors="replace")):
            target = ROOT / "docs" / name
            if not target.exists() or (anchor and anchor not in anchors(target)):
                missing.append(f"{path.relative_to(ROOT)}: docs/{name}#{anchor}")
    assert missing == []


@pytest.mark.parametrize("document", DOCS, ids=lambda p: p.name)
def test_every_relative_link_of_the_documents_resolves(document):
    broken = []
    for target in LINK.findall(document.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue  # http:, https:, mailto:
        file, _, anchor = target.partition("#")
        path = (document.parent / file).resolve() if file else document
        if not path.exists() or not path.is_relative_to(ROOT):
            broken.append(target)
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            broken.append(target)
    assert broken == []


def test_every_error_code_of_the_code_is_listed_in_the_behaviour():
    for package in PACKAGES:
        for info in pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}."):
            importlib.import_module(info.name)
    codes, todo = set(), [IcpsimError]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.code != IcpsimError.code:
            codes.add(cls.code)
    errors = (ROOT / "docs" / "behaviour.md").read_text(encoding="utf-8").split("## Errors")[1]
    listed = set(re.findall(r"`([a-z_]+)`", errors))
    assert sorted(codes - listed) == []
    assert {"invalid_transition", "link_invalid", "duplicate_contact"} <= codes
