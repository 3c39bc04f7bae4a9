"""The checklist engine: one call in, item results out.

Pure by design: no files, no globals beyond caches of compiled resources, no
dependence on other calls. That is what lets the same function run in a
process pool or on a Dask worker and give identical results.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor.checklist.compiled import CompiledChecklist, CompiledRule
from auditor.checklist.schema import AllOf, AnyOf, Condition, Not
from auditor.compact import reduce_by_fields
from auditor.detectors.base import Evidence, Finding
from auditor.scoring import score_items
from auditor.transcripts.model import Call, Turn

PASS, FAIL, NA = "pass", "fail", "na"


@dataclass(slots=True)
class ItemResult:
    status: str
    evidence: list[Evidence] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)

    __reduce__ = reduce_by_fields


@dataclass(slots=True)
class CallResult:
    """Everything written about one call; the turns themselves are not kept."""

    call_id: str
    agent_id: str | None
    agent_name: str | None
    team: str | None
    started_at: str | None
    source_path: str
    source_line: int | None
    content_hash: str
    turns: int
    items: dict[str, ItemResult]
    score: float
    critical_failed: list[str]
    #: The results line (``reports.results.call_line``, unredacted), when a worker
    #: wrote it before sending the result over (``pipeline.shipped``); the items
    #: may then lack evidence the workbook does not show.
    line: bytes | None = field(default=None, compare=False)

    __reduce__ = reduce_by_fields


class CallContext:
    """Per-call caches shared by all detectors: phrase hits per turn, signals, tokens.

    Every turn is scanned up front: the rules between them look at every
    turn anyway, and scanning in one loop lets the hits be filed by query once
    (``found``) instead of being filtered again by each detector for each turn.
    """

    __slots__ = ("checklist", "call", "found", "where", "_signals", "_fired", "_tokens", "_by", "_selected")

    def __init__(self, checklist: CompiledChecklist, call: Call) -> None:
        self.checklist = checklist
        self.call = call
        self.found, self.where = checklist.bank.scan_turns(call.turns)
        self._signals: dict[str, Finding] = {}
        self._fired: dict[str, bool] = {}
        self._tokens: dict[int, list[str]] = {}
        self._by: dict[str, tuple[Turn, ...]] = {}
        self._selected: dict[tuple[str, int, int | None, int | None], tuple[Turn, ...]] = {}

    def select(self, rule: CompiledRule) -> tuple[Turn, ...]:
        """``select_turns`` for the rule, worked out once per call for all rules that select the same turns."""
        turns = self._selected.get(rule.selection)
        if turns is None:
            turns = self._selected[rule.selection] = select_turns(self.call, rule, self.by)
        return turns

    def by(self, speaker: str) -> tuple[Turn, ...]:
        """``call.by(speaker)``, worked out once per call rather than once per rule."""
        turns = self._by.get(speaker)
        if turns is None:
            turns = self._by[speaker] = self.call.by(speaker)
        return turns

    def signal(self, name: str) -> Finding:
        found = self._signals.get(name)
        if found is None:
            rule = self.checklist.signals[name]
            found = self._signals[name] = rule.detector.run(self.select(rule), self)
        return found

    def tokens(self, turn: Turn) -> Sequence[str]:
        if turn.index not in self._tokens:
            from auditor.detectors.tokens import segment

            self._tokens[turn.index] = segment(turn.norm)
        return self._tokens[turn.index]

    def fired(self, name: str) -> bool:
        """``signal(name).hit``: the finding if it was worked out already, else the detector's ``fires`` when it has one."""
        found = self._signals.get(name)
        if found is not None:
            return found.hit
        fired = self._fired.get(name)
        if fired is None:
            rule, fires = self.checklist.testers[name]
            if fires is None:
                return self.signal(name).hit
            fired = self._fired[name] = fires(self.select(rule), self)
        return fired

    def holds(self, cond: Condition) -> bool:
        if isinstance(cond, str):
            return self.fired(cond)
        if isinstance(cond, AllOf):
            return all(self.holds(c) for c in cond.all)
        if isinstance(cond, AnyOf):
            return any(self.holds(c) for c in cond.any)
        assert isinstance(cond, Not)
        return not self.holds(cond.not_)


def select_turns(call: Call, rule: CompiledRule, by: Callable[[str], tuple[Turn, ...]] | None = None) -> tuple[Turn, ...]:
    """The turns a rule looks at, from its ``selection`` (plain values: reading the pydantic scope cost more)."""
    speaker, skip_first, first, last = rule.selection
    turns = call.turns if speaker == "any" else (by or call.by)(speaker)
    if skip_first:
        turns = turns[skip_first:]
    if first:
        return turns[:first]
    if last:
        return turns[-last:]
    return turns


def audit_call(checklist: CompiledChecklist, call: Call) -> CallResult:
    ctx = CallContext(checklist, call)
    items: dict[str, ItemResult] = {}
    for item_id, item, applies_when, run in checklist.plan:
        if applies_when is not None and not ctx.holds(applies_when):
            items[item_id] = ItemResult(NA)
            continue
        finding = run(ctx.select(item), ctx)
        items[item_id] = ItemResult(PASS if finding.hit else FAIL, finding.evidence, finding.metrics)
    score, critical = score_items(checklist.weights, items)
    return CallResult(
        call.call_id, call.agent_id, call.agent_name, call.team, call.started_at,
        call.source.path, call.source.line, call.content_hash, len(call.turns), items, score, critical,
    )
