"""``rules diff``: what a checklist change does to real calls before it ships.

Both checklists audit the same folder through the normal pipeline
(``iter_results``), in file order, so each call's two results line up one to
one. The report is what a reviewer needs to approve a change: calls whose
verdict moved, item statuses that changed, score change per call and per
agent, and rules that never or always fire on this folder.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from auditor.checklist.compiled import CompiledChecklist
from auditor.engine import CallResult
from auditor.scoring import UNKNOWN_AGENT, Scoreboard
from auditor.transcripts.model import Problem

ABSENT = "—"  # the item is not in that checklist


def verdict(result: CallResult, threshold: float) -> str:
    """A call's verdict as a manager reads it: a critical failure, below the pass mark, or pass."""
    if result.critical_failed:
        return "critical"
    return "pass" if result.score >= threshold else "below"


@dataclass
class CallDiff:
    old: CallResult
    new: CallResult
    old_verdict: str
    new_verdict: str
    changed_items: list[tuple[str, str, str]]  # (item, old status, new status)

    @property
    def delta(self) -> float:
        return round(self.new.score - self.old.score, 2)

    @property
    def verdict_changed(self) -> bool:
        return self.old_verdict != self.new_verdict


@dataclass
class DiffReport:
    old: CompiledChecklist
    new: CompiledChecklist
    inputs: list[str]
    calls: list[CallDiff] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    old_board: Scoreboard | None = None
    new_board: Scoreboard | None = None
    old_status: dict[str, Counter] = field(default_factory=dict)  # item → Counter of statuses
    new_status: dict[str, Counter] = field(default_factory=dict)
    transitions: Counter = field(default_factory=Counter)  # (item, old, new) → calls

    @property
    def item_ids(self) -> list[str]:
        """Items of both checklists, in the new checklist's order, then removed ones."""
        new_ids = self.new.item_ids
        return new_ids + [i for i in self.old.item_ids if i not in new_ids]

    @property
    def verdict_changes(self) -> list[CallDiff]:
        return [c for c in self.calls if c.verdict_changed]

    def agents(self) -> list[tuple[str, int, float | None, float | None]]:
        """``(agent, calls, old mean, new mean)``, largest change first."""
        assert self.old_board and self.new_board
        rows = []
        for agent, old in self.old_board.agents.items():
            new = self.new_board.agents[agent]
            rows.append((agent, old.calls, old.mean, new.mean))
        return sorted(rows, key=lambda r: (-abs((r[3] or 0) - (r[2] or 0)), r[0]))


def health(statuses: Counter | None, calls: int) -> str:
    """Why a rule tells a reviewer nothing on this folder: it never applies, never fails or never passes."""
    if not statuses or not calls:
        return ""
    if statuses["na"] == calls:
        return "never applies"
    if statuses["fail"] == 0:
        return "never fails"
    if statuses["pass"] == 0:
        return "never passes"
    return ""


def run_diff(old: CompiledChecklist, new: CompiledChecklist, paths: list[Path], manifest=None, jobs: int = 1,
             exclude: set[Path] | None = None) -> DiffReport:
    """Audit ``paths`` with both checklists; ``exclude`` keeps the manifest CSV from being read as a transcript."""
    from auditor.pipeline import AuditState, iter_results
    from auditor.transcripts import LoadLimits, iter_input_files

    report = DiffReport(old, new, [str(p) for p in paths])
    report.old_board = Scoreboard(old.spec.pass_threshold)
    report.new_board = Scoreboard(new.spec.pass_threshold)
    files: list[str] = []
    for entry in iter_input_files(paths, exclude):
        if isinstance(entry, Problem):
            report.problems.append(entry)
        else:
            files.append(entry)
    limits = LoadLimits()
    olds = iter_results(files, AuditState(old, limits, manifest), jobs)
    news = iter_results(files, AuditState(new, limits, manifest), jobs)
    for a, b in zip(olds, news, strict=True):
        if isinstance(a, Problem):
            report.problems.append(a)  # the same file gives the same problem to both
            continue
        if isinstance(b, Problem) or b.content_hash != a.content_hash:
            report.problems.append(Problem(a.source_path, "the file changed while it was being audited; left out of the diff", a.source_line))
            continue
        report.old_board.add(a)
        report.new_board.add(b)
        changed = []
        for item in report.item_ids:
            sa = a.items[item].status if item in a.items else ABSENT
            sb = b.items[item].status if item in b.items else ABSENT
            if sa != ABSENT:
                report.old_status.setdefault(item, Counter())[sa] += 1
            if sb != ABSENT:
                report.new_status.setdefault(item, Counter())[sb] += 1
            if sa != sb:
                changed.append((item, sa, sb))
                report.transitions[(item, sa, sb)] += 1
        report.calls.append(CallDiff(a, b, verdict(a, old.spec.pass_threshold), verdict(b, new.spec.pass_threshold), changed))
    return report


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f}"


def _delta(a: float | None, b: float | None) -> str:
    return "" if a is None or b is None else f"{b - a:+.1f}"


def summary_text(report: DiffReport, max_changed: int | None, limit: int = 20) -> str:
    """The stdout summary: enough to judge a change in a CI log without opening the workbook."""
    o, n = report.old.spec, report.new.spec
    calls = len(report.calls)
    lines = [f"old: {report.old.path} ({o.id} v{o.version})", f"new: {report.new.path} ({n.id} v{n.version})",
             f"calls audited with both: {calls}" + (f" ({len(report.problems)} input problem(s))" if report.problems else "")]
    if not calls:
        return "\n".join(lines)
    ob, nb = report.old_board, report.new_board
    assert ob and nb
    lines.append(f"mean score: {_fmt(ob.total.mean)} → {_fmt(nb.total.mean)} ({_delta(ob.total.mean, nb.total.mean)})")
    changed_calls = [c for c in report.calls if c.changed_items]
    lines.append(f"calls with a changed item status: {len(changed_calls)}; calls with a changed score: {sum(c.delta != 0 for c in report.calls)}")
    if report.transitions:
        lines.append("item status changes:")
        for item in report.item_ids:
            moves = [(a, b, k) for (i, a, b), k in report.transitions.items() if i == item]
            if moves:
                lines.append(f"  {item}: " + ", ".join(f"{a}→{b} ×{k}" for a, b, k in sorted(moves)))
    moved = [r for r in report.agents() if r[2] != r[3]]
    if moved:
        lines.append("agent mean score changes:")
        lines += [f"  {agent}: {_fmt(a)} → {_fmt(b)} ({_delta(a, b)}) over {k} call(s)" for agent, k, a, b in moved[:limit]]
    unhealthy = [(item, h) for item in report.new.item_ids if (h := health(report.new_status.get(item), calls))]
    if unhealthy:
        lines.append("rule health (new checklist on this folder):")
        lines += [f"  {item}: {h} on {calls} call(s)" for item, h in unhealthy]
    vc = report.verdict_changes
    if vc:
        lines.append("changed verdicts:")
        for c in vc[:limit]:
            lines.append(f"  {c.new.call_id} ({c.new.agent_id or UNKNOWN_AGENT}): {c.old_verdict} → {c.new_verdict}, score {c.old.score:g} → {c.new.score:g}"
                         + (f" [{', '.join(f'{i} {a}→{b}' for i, a, b in c.changed_items)}]" if c.changed_items else ""))
        if len(vc) > limit:
            lines.append(f"  … and {len(vc) - limit} more (see the workbook)")
    lines.append(f"{len(vc)} call verdict(s) changed" + (f" (limit {max_changed})" if max_changed is not None else ""))
    return "\n".join(lines)
