"""Every example and fixture of every shipped checklist, one pytest test per case.

The same cases ``auditor rules test`` runs, collected by the same code, so a
rule author can run ``pytest -k greeting`` (or ``-k greeting-fail``) and see
exactly what the CLI would report. ``known-gap`` examples are strict xfails:
when a detector is fixed, the test turns red until the name is changed.
"""

from __future__ import annotations

import pytest

from auditor.checklist import default_checklist_path
from auditor.rules.examples import checklist_files
from auditor.rules.runner import PASSED, XFAIL, format_result, load_suite, run_case

SUITES = [load_suite(p) for p in checklist_files([default_checklist_path().parent])]
CASES = [(s, c) for s in SUITES for c in s.cases]
_counts: dict[str, int] = {}
for _s, _c in CASES:
    _counts[_c.id] = _counts.get(_c.id, 0) + 1


def _param(suite, case):
    marks = [pytest.mark.xfail(strict=True, reason="known gap: documented detector limitation")] if case.known_gap else []
    return pytest.param(suite, case, id=case.id if _counts[case.id] == 1 else case.full_id, marks=marks)


def test_shipped_checklists_have_cases():
    assert SUITES and all(s.cases for s in SUITES)
    assert not [d for s in SUITES for d in s.diagnostics if d.severity == "error"]


@pytest.mark.parametrize("suite,case", [_param(s, c) for s, c in CASES])
def test_case(suite, case):
    result = run_case(suite.compiled, case)
    # a known gap reaches here only to fail as xfail; an unexpected pass is an XPASS(strict) failure
    assert result.outcome in (PASSED, XFAIL) and result.actual == case.expected, format_result(result)


def test_every_item_has_two_pass_and_two_fail_examples():
    """The issue's bar for every shipped item; known gaps do not count towards it."""
    for suite in SUITES:
        for item in suite.compiled.spec.items:
            inline = [c for c in suite.cases if c.item_id == item.id and c.kind == "example" and not c.known_gap]
            counts = {s: sum(c.expected == s for c in inline) for s in ("pass", "fail")}
            assert counts["pass"] >= 2 and counts["fail"] >= 2, (suite.path, item.id, counts)
