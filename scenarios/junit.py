"""JUnit XML for CI: one test case per scenario, its failures and its timeline."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from .report import text_lines
from .results import ScenarioResult

# Characters XML 1.0 cannot hold at all, even escaped (C0 controls but tab and line
# breaks, lone surrogates, U+FFFE/U+FFFF): shown as \xNN-style escapes instead.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` with every character XML cannot carry written as a visible escape."""
    return _NOT_XML.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def to_junit(results: list[ScenarioResult]) -> ET.Element:
    """The JUnit document; every text and attribute made XML-safe (see ``_clean``)."""
    return _clean(_build(results))


def _clean(root: ET.Element) -> ET.Element:
    for element in root.iter():
        element.attrib = {k: xml_safe(v) for k, v in element.attrib.items()}
        if element.text:
            element.text = xml_safe(element.text)
    return root


def _build(results: list[ScenarioResult]) -> ET.Element:
    failed = sum(not r.passed for r in results)
    total_time = sum(r.seconds for r in results)
    suites = ET.Element("testsuites", name="icpsim scenarios", tests=str(len(results)),
                        failures=str(failed), errors="0", time=f"{total_time:.3f}")
    suite = ET.SubElement(suites, "testsuite", name="icpsim scenarios", tests=str(len(results)),
                          failures=str(failed), errors="0", skipped="0",
                          time=f"{total_time:.3f}")
    for result in results:
        case = ET.SubElement(suite, "testcase", name=result.name,
                             classname=_classname(result.path), file=str(result.path),
                             time=f"{result.seconds:.3f}")
        if not result.passed:
            first_step, first = result.failures[0] if result.failures else (None, None)
            message = (f"step {first_step.number} (line {first.line}): expected "
                       f"{first.expected}; found {first.found}"
                       if first_step and first else "scenario failed")
            failure = ET.SubElement(case, "failure", message=message, type="expectation")
            failure.text = "\n".join(
                f"{result.path}:{f.line}: step {s.number}: {s.description}\n"
                f"  expected: {f.expected}\n  found:    {f.found}"
                for s, f in result.failures)
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join(text for text, _ in text_lines(result))
    return suites


def _classname(path: Path) -> str:
    parts = [p for p in path.with_suffix("").parts if p not in ("/", ".", "..")]
    return ".".join(parts[-3:]).replace(" ", "_")


def write_junit(results: list[ScenarioResult], path: Path | str) -> None:
    tree = ET.ElementTree(to_junit(results))
    ET.indent(tree)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    tree.write(path, encoding="utf-8", xml_declaration=True)
