"""Running rule cases: each dialogue through the real engine, its item's status compared.

The checklist is compiled once and every case goes through ``audit_call``
exactly as a transcript file would, so a passing example means the shipped
rule really gives that status — not a re-implementation of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.checklist.compiled import CompiledChecklist, compile_checklist
from auditor.checklist.diagnostics import Diagnostic
from auditor.detectors.base import Evidence
from auditor.rules.examples import Case, example_cases, fixture_cases

PASSED, FAILED, XFAIL, XPASS, ERROR = "passed", "failed", "xfail", "xpass", "error"
#: outcomes that make ``rules test`` exit 1 (an example that unexpectedly passes must lose its known-gap name)
BAD = (FAILED, XPASS, ERROR)


@dataclass
class Suite:
    """A checklist, compiled, with all its cases and the problems found collecting them."""

    path: Path
    compiled: CompiledChecklist
    cases: list[Case]
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass
class CaseResult:
    case: Case
    outcome: str
    actual: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    message: str = ""


def load_suite(path: Path) -> Suite:
    """Load, validate and compile a checklist and collect its cases; ``ChecklistError`` if it is broken."""
    from auditor.checklist.loading import load_checklist, parse_yaml

    spec, warnings = load_checklist(path)
    data = parse_yaml(path)
    fixtures, problems = fixture_cases(spec, path)
    return Suite(path, compile_checklist(spec, path), example_cases(spec, path, data) + fixtures, warnings + problems)


def run_case(compiled: CompiledChecklist, case: Case) -> CaseResult:
    from auditor.engine import audit_call
    from auditor.transcripts.building import LoadLimits
    from auditor.transcripts.errors import InputError
    from auditor.transcripts.formats.text_format import parse_text
    from auditor.transcripts.model import Source

    try:
        call, _ = parse_text(case.dialogue, Source(case.origin), LoadLimits(), call_id=case.id)
    except InputError as exc:
        return CaseResult(case, ERROR, message=f"dialogue cannot be read: {exc.reason}")
    res = audit_call(compiled, call).items[case.item_id]
    ok = res.status == case.expected
    if case.known_gap:
        outcome = XPASS if ok else XFAIL
    else:
        outcome = PASSED if ok else FAILED
    message = ""
    if outcome == XPASS:
        message = "known gap now passes: drop the 'known-gap' prefix from its name"
    elif not ok:
        message = f"expected {case.expected}, got {res.status}"
    return CaseResult(case, outcome, res.status, res.evidence, res.metrics, message)


def run_suite(suite: Suite, patterns: list[str] | None = None) -> list[CaseResult]:
    return [run_case(suite.compiled, c) for c in suite.cases if c.matches(patterns or [])]


def format_result(result: CaseResult) -> str:
    """A failure as a rule author needs it: where, what was expected, the dialogue, and why the engine decided."""
    c = result.case
    head = {FAILED: "FAIL", XPASS: "XPASS", ERROR: "ERROR", XFAIL: "XFAIL", PASSED: "PASS"}[result.outcome]
    lines = [f"{head} {c.full_id}  ({c.origin})", f"  item {c.item_id}: {result.message}"]
    lines.append("  dialogue:")
    lines += [f"    {line}" for line in c.dialogue.strip("\n").split("\n")]
    if result.evidence:
        lines.append("  evidence:")
        for ev in result.evidence:
            quote = f" “{ev.match}”" if ev.match else ""
            lines.append(f"    turn {ev.turn + 1} ({ev.speaker}){quote}: {ev.note or ev.text}")
    elif result.actual is not None:
        note = result.metrics.get("note")
        lines.append(f"  evidence: none{' — ' + note if note else ' (no matching turn in scope)'}")
    return "\n".join(lines)


def summary_line(results: list[CaseResult], broken: int = 0) -> str:
    """The last line of ``rules test``; expected failures (known gaps) count in neither number, broken files as failures."""
    passed = sum(r.outcome == PASSED for r in results)
    failed = sum(r.outcome in BAD for r in results) + broken
    return f"{passed} passed, {failed} failed"
