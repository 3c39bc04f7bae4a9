"""The ``rules diff`` workbook: the reviewer's view of a checklist change.

Sheets: Summary, Calls (every call, changed verdicts first), Item changes (one
row per call and item whose status moved, with the evidence on both sides),
Agents, Items (pass rates, transitions and rule health side by side).
Cells come from ``auditor.reports.cells`` so transcript text is never a formula.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from auditor.reports.atomic import AtomicPath
from auditor.reports.cells import header_cell, safe_cell
from auditor.rules.diff import ABSENT, DiffReport, health
from auditor.scoring import UNKNOWN_AGENT

RED, GREEN, AMBER = "F8696B", "63BE7B", "FFEB84"


class _Sheet:
    def __init__(self, wb: Workbook, title: str, headers: list[str], widths: list[float]) -> None:
        self.ws = wb.create_sheet(title)
        self.ws.freeze_panes = "A2"
        for i, w in enumerate(widths, 1):
            self.ws.column_dimensions[get_column_letter(i)].width = w
        self.ws.append([header_cell(self.ws, h) for h in headers])
        self.columns = len(headers)
        self.rows = 1

    def append(self, values: list[Any], fills: dict[int, str] | None = None, formats: dict[int, str] | None = None) -> None:
        fills, formats = fills or {}, formats or {}
        self.ws.append([safe_cell(self.ws, v, PatternFill("solid", fgColor=fills[i]) if i in fills else None, formats.get(i)) for i, v in enumerate(values)])
        self.rows += 1

    def finish(self) -> None:
        self.ws.auto_filter.ref = f"A1:{get_column_letter(self.columns)}{self.rows}"


def _why(result: Any, item: str) -> str:
    res = result.items.get(item)
    if res is None:
        return ""
    if res.evidence:
        return " | ".join(f"turn {e.turn + 1}: {e.note or e.match}" for e in res.evidence[:3])
    return str(res.metrics.get("note", ""))


def write_diff_workbook(report: DiffReport, target: Path) -> None:
    wb = Workbook(write_only=True)
    ob, nb = report.old_board, report.new_board
    assert ob and nb
    calls = len(report.calls)

    summary = wb.create_sheet("Summary")
    summary.column_dimensions["A"].width = 34
    summary.column_dimensions["B"].width = 60
    bold = Font(bold=True)
    o, n = report.old.spec, report.new.spec
    rows = [
        ("Old checklist", f"{o.name} ({o.id} v{o.version}) — {report.old.path}"),
        ("New checklist", f"{n.name} ({n.id} v{n.version}) — {report.new.path}"),
        ("Audited", ", ".join(report.inputs)),
        ("Calls audited with both", calls),
        ("Input problems", len(report.problems)),
        ("Mean score (old)", ob.total.mean),
        ("Mean score (new)", nb.total.mean),
        ("Calls with a changed verdict", len(report.verdict_changes)),
        ("Calls with a changed item status", sum(bool(c.changed_items) for c in report.calls)),
        ("Calls with a changed score", sum(c.delta != 0 for c in report.calls)),
    ]
    for label, value in rows:
        c = safe_cell(summary, label)
        c.font = bold
        summary.append([c, safe_cell(summary, value, number_format="0.0" if isinstance(value, float) else None)])
    for p in report.problems:
        summary.append([safe_cell(summary, "Problem"), safe_cell(summary, f"{p.location()}: {p.reason}")])

    sheet = _Sheet(wb, "Calls", ["Call ID", "Agent ID", "Old score", "New score", "Change", "Old verdict", "New verdict", "Verdict changed", "Changed items", "Source"],
                   [18, 10, 9, 9, 8, 11, 11, 9, 50, 40])
    ordered = sorted(report.calls, key=lambda c: (not c.verdict_changed, -abs(c.delta)))
    for c in ordered:
        fill = {7: AMBER} if c.verdict_changed else {}
        if c.delta:
            fill[4] = GREEN if c.delta > 0 else RED
        sheet.append([c.new.call_id, c.new.agent_id or UNKNOWN_AGENT, c.old.score, c.new.score, c.delta, c.old_verdict, c.new_verdict,
                      "yes" if c.verdict_changed else "", ", ".join(f"{i}: {a}→{b}" for i, a, b in c.changed_items),
                      c.new.source_path + (f":{c.new.source_line}" if c.new.source_line else "")], fill, {2: "0.0", 3: "0.0", 4: "+0.0;-0.0;0"})
    sheet.finish()

    sheet = _Sheet(wb, "Item changes", ["Call ID", "Agent ID", "Item", "Old status", "New status", "Old evidence", "New evidence"], [18, 10, 22, 10, 10, 60, 60])
    for c in ordered:
        for item, a, b in c.changed_items:
            sheet.append([c.new.call_id, c.new.agent_id or UNKNOWN_AGENT, item, a, b, _why(c.old, item), _why(c.new, item)],
                         {4: GREEN if b == "pass" else RED if b == "fail" else AMBER})
    sheet.finish()

    sheet = _Sheet(wb, "Agents", ["Agent ID", "Calls", "Old mean score", "New mean score", "Change"], [14, 8, 12, 12, 10])
    for agent, k, a, b in report.agents():
        d = None if a is None or b is None else round(b - a, 2)
        sheet.append([agent, k, a, b, d], {4: GREEN if d > 0 else RED} if d else {}, {2: "0.0", 3: "0.0", 4: "+0.0;-0.0;0"})
    sheet.finish()

    sheet = _Sheet(wb, "Items", ["Item", "In old", "In new", "Old pass rate", "New pass rate", "Calls changed", "Changes", "Old health", "New health"],
                   [24, 7, 7, 11, 11, 9, 40, 16, 16])
    for item in report.item_ids:
        rates = []
        for statuses in (report.old_status.get(item), report.new_status.get(item)):
            applicable = (statuses["pass"] + statuses["fail"]) if statuses else 0
            rates.append(statuses["pass"] / applicable if applicable else None)
        moves = sorted(((a, b, k) for (i, a, b), k in report.transitions.items() if i == item))
        h_old, h_new = health(report.old_status.get(item), calls), health(report.new_status.get(item), calls)
        sheet.append([item, "yes" if item in report.old.item_ids else ABSENT, "yes" if item in report.new.item_ids else ABSENT, rates[0], rates[1],
                      sum(k for *_, k in moves), ", ".join(f"{a}→{b} ×{k}" for a, b, k in moves), h_old, h_new],
                     {8: AMBER} if h_new else {}, {3: "0.0%", 4: "0.0%"})
    sheet.finish()

    atomic = AtomicPath(target)
    try:
        wb.save(atomic.temp)
        atomic.commit()
    except BaseException:
        atomic.discard()
        raise
