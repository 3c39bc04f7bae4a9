"""JUnit XML for CI systems (GitHub, GitLab, Jenkins all render it).

One ``testsuite`` per checklist, one ``testcase`` per case with the item as
its class, so a CI report groups failures by rule.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from xml.etree import ElementTree as ET

from auditor.rules.runner import ERROR, FAILED, XFAIL, XPASS, CaseResult, format_result


def write_junit(results: list[CaseResult], target: Path) -> None:
    from auditor.reports.atomic import AtomicPath

    by_suite: dict[str, list[CaseResult]] = defaultdict(list)
    for r in results:
        by_suite[r.case.checklist_id].append(r)
    root = ET.Element("testsuites", name="auditor rules test", tests=str(len(results)))
    for checklist_id, rs in by_suite.items():
        failures = sum(r.outcome in (FAILED, XPASS) for r in rs)
        errors = sum(r.outcome == ERROR for r in rs)
        skipped = sum(r.outcome == XFAIL for r in rs)
        suite = ET.SubElement(root, "testsuite", name=checklist_id, tests=str(len(rs)), failures=str(failures), errors=str(errors), skipped=str(skipped))
        for r in rs:
            tc = ET.SubElement(suite, "testcase", classname=f"{checklist_id}.{r.case.item_id}", name=r.case.id, file=r.case.origin.rsplit(":", 1)[0])
            if r.outcome in (FAILED, XPASS):
                ET.SubElement(tc, "failure", message=r.message, type=r.outcome).text = format_result(r)
            elif r.outcome == ERROR:
                ET.SubElement(tc, "error", message=r.message).text = format_result(r)
            elif r.outcome == XFAIL:
                ET.SubElement(tc, "skipped", message=f"expected failure (known gap): {r.message}")
    ET.indent(root)
    atomic = AtomicPath(target)
    try:
        ET.ElementTree(root).write(atomic.temp, encoding="utf-8", xml_declaration=True)
        atomic.commit()
    except BaseException:
        atomic.discard()
        raise
