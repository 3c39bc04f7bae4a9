"""What the terminal shows: a call explained turn by turn, and the run summary.

Colour comes from click styles; ``click.echo`` strips them when the output is
not a terminal, so piped output stays plain.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import click

from auditor.checklist.compiled import CompiledChecklist
from auditor.engine import CallResult
from auditor.reports.wording import no_evidence_reason
from auditor.scoring import UNKNOWN_AGENT
from auditor.transcripts.model import Call, Problem

STATUS_STYLE = {"pass": ("PASS", "green"), "fail": ("FAIL", "red"), "na": ("N/A ", "bright_black")}
SPEAKER_LABEL = {"agent": "客服", "customer": "客户", "other": "其他"}


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "     "
    m, s = divmod(int(seconds), 60)
    return f"{m:02d}:{s:02d}"


def highlight(text: str, spans: list[tuple[int, int]], color: str) -> str:
    out, last = [], 0
    for s, e in sorted(set(spans)):
        if s < last:
            continue
        out.append(text[last:s])
        out.append(click.style(text[s:e], fg=color, bold=True, underline=True))
        last = e
    out.append(text[last:])
    return "".join(out)


def render_explanation(call: Call, result: CallResult, checklist: CompiledChecklist) -> str:
    """The call turn by turn with the evidence marked in the text and each item's verdict beside it."""
    per_turn: dict[int, list[tuple[str, str, Any]]] = defaultdict(list)
    for item_id, res in result.items.items():
        for ev in res.evidence:
            per_turn[ev.turn].append((item_id, res.status, ev))
    lines = [
        click.style(f"Call {result.call_id}", bold=True)
        + f"  agent {result.agent_id or UNKNOWN_AGENT}{' ' + result.agent_name if result.agent_name else ''}"
        + f"  score {result.score:g}" + (click.style("  CRITICAL FAILURE", fg="red", bold=True) if result.critical_failed else ""),
        f"source {result.source_path}" + (f":{result.source_line}" if result.source_line else ""),
        "",
    ]
    for turn in call.turns:
        notes = per_turn.get(turn.index, [])
        spans = [ev.span for _, _, ev in notes if ev.span]
        color = "red" if any(st == "fail" for _, st, _ in notes) else "green"
        label = SPEAKER_LABEL.get(turn.speaker, turn.speaker)
        lines.append(f"[{turn.index + 1:02d}] {_clock(turn.start)} {label}：{highlight(turn.text, spans, color)}")
        for item_id, status, ev in notes:
            word, fg = STATUS_STYLE[status]
            lines.append("       " + click.style(f"↳ {item_id} {word.strip()}", fg=fg) + (f": {ev.note}" if ev.note else ""))
    lines.append("")
    lines.append(click.style("Checklist", bold=True) + f"  {checklist.spec.name} v{checklist.spec.version}")
    for item in checklist.items:
        res = result.items[item.spec.id]
        word, fg = STATUS_STYLE[res.status]
        extra = ""
        if res.status == "fail" and not res.evidence:
            extra = f"  — {no_evidence_reason(item.spec, res.metrics)}"
        # turn indices are 0-based in the results; people count from 1
        metrics = {k: (v + 1 if k.endswith("_turn") else v) for k, v in res.metrics.items() if k not in ("note", "scores") and v is not None}
        if metrics:
            extra += "  (" + ", ".join(f"{k}={v}" for k, v in metrics.items()) + ")"
        crit = click.style(" critical", fg="red") if item.spec.critical else ""
        lines.append(f"  {click.style(word, fg=fg, bold=True)}  {item.spec.id:<24} {item.spec.title}{crit}{extra}")
    return "\n".join(lines)


def render_summary(run: dict[str, Any], problems: list[Problem], written: list[str]) -> str:
    s = run["summary"]
    lines = [
        f"Audited {s['calls']} call(s) for {s['agents']} agent(s) with {run['checklist']['name']} v{run['checklist']['version']}.",
        f"Mean call score: {s['mean_score']}; critical failures: {s['critical_calls']}; below threshold: {s['below_threshold']}.",
    ]
    if s["unknown_agent_calls"]:
        lines.append(f"{s['unknown_agent_calls']} call(s) had no agent id and were scored under {UNKNOWN_AGENT}.")
    errors = [p for p in problems if p.kind == "error"]
    warnings = [p for p in problems if p.kind == "warning"]
    if errors:
        lines.append(f"Skipped {len(errors)} input(s):")
        lines += [f"  {p.location()}: {p.reason}" for p in errors[:20]]
        if len(errors) > 20:
            lines.append(f"  … and {len(errors) - 20} more (see the Problems sheet)")
    if warnings:
        lines.append(f"{len(warnings)} warning(s) (see the Problems sheet).")
    for path in written:
        lines.append(f"Wrote {path}")
    return "\n".join(lines)


def format_problem(p: Problem) -> str:
    return f"{p.kind}: {p.location()}: {p.reason}"
