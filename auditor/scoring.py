"""Scores: item results → call score, call results → agent and batch aggregates.

Aggregates are streaming: counts and a histogram of scores (for the exact
median), never the list of calls, so memory does not grow with the batch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditor.engine import CallResult, ItemResult

UNKNOWN_AGENT = "(unknown)"


def score_items(weights: Sequence[tuple[str, float, bool]], items: dict[str, "ItemResult"]) -> tuple[float, list[str]]:
    """Weights passed / weights applicable × 100; any critical failure makes it 0.

    ``weights`` is each item's id, weight and whether it is critical, in
    checklist order, as the compiled checklist keeps them
    (``CompiledChecklist.weights``), so scoring a call reads no attributes of
    the checklist's pydantic models.
    """
    applicable = passed = 0.0
    critical: list[str] = []
    for item_id, weight, is_critical in weights:
        status = items[item_id].status
        if status == "na":
            continue
        applicable += weight
        if status == "pass":
            passed += weight
        elif is_critical:
            critical.append(item_id)
    if critical:
        return 0.0, critical
    return (round(passed / applicable * 100, 2) if applicable else 100.0), critical


@dataclass
class ItemTally:
    applicable: int = 0
    passed: int = 0

    @property
    def rate(self) -> float | None:
        return self.passed / self.applicable if self.applicable else None


@dataclass
class MetricTally:
    """Mean of a numeric item metric, or the rate of a yes/no one (e.g. de-escalated)."""

    count: int = 0
    total: float = 0.0

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None


@dataclass
class Tally:
    """Aggregates over a set of calls: one per agent, one for the batch."""

    calls: int = 0
    score_total: float = 0.0
    scores: Counter = field(default_factory=Counter)
    critical_calls: int = 0
    below_threshold: int = 0
    items: dict[str, ItemTally] = field(default_factory=dict)
    metrics: dict[tuple[str, str], MetricTally] = field(default_factory=dict)
    name: str | None = None
    team: str | None = None

    def add(self, result: "CallResult", threshold: float) -> None:
        self.calls += 1
        self.score_total += result.score
        self.scores[result.score] += 1
        if result.critical_failed:
            self.critical_calls += 1
        if result.score < threshold:
            self.below_threshold += 1
        self.name = self.name or result.agent_name
        self.team = self.team or result.team
        items = self.items
        for item_id, res in result.items.items():
            tally = items.get(item_id)
            if tally is None:
                tally = items[item_id] = ItemTally()
            status = res.status
            if status != "na":
                tally.applicable += 1
                if status == "pass":
                    tally.passed += 1
            if res.metrics:  # most items have none
                self._add_metrics(item_id, res.metrics)

    def _add_metrics(self, item_id: str, metrics: dict[str, Any]) -> None:
        for key, value in metrics.items():
            if isinstance(value, (int, float)):  # numbers and yes/no answers (a bool is an int)
                m = self.metrics.get((item_id, key))
                if m is None:
                    m = self.metrics[(item_id, key)] = MetricTally()
                m.count += 1
                m.total += float(value)

    @property
    def mean(self) -> float | None:
        return self.score_total / self.calls if self.calls else None

    @property
    def lowest(self) -> float | None:
        return min(self.scores) if self.scores else None

    @property
    def median(self) -> float | None:
        if not self.calls:
            return None
        ordered = sorted(self.scores.items())
        lo_idx, hi_idx = (self.calls - 1) // 2, self.calls // 2
        seen, lo = 0, None
        for value, count in ordered:
            if lo is None and seen + count > lo_idx:
                lo = value
            if seen + count > hi_idx:
                return (lo + value) / 2
            seen += count
        return lo

    def metric(self, item_id: str, key: str) -> float | None:
        m = self.metrics.get((item_id, key))
        return m.mean if m else None


class Scoreboard:
    """The batch tally plus one tally per agent, fed one call result at a time."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.total = Tally()
        self.agents: dict[str, Tally] = {}

    def add(self, result: "CallResult") -> None:
        self.total.add(result, self.threshold)
        agent = result.agent_id or UNKNOWN_AGENT
        tally = self.agents.get(agent)
        if tally is None:  # not setdefault: that builds a Tally (and its Counter) for every call
            tally = self.agents[agent] = Tally()
        tally.add(result, self.threshold)

    def ranked_agents(self) -> list[tuple[str, Tally]]:
        """Worst first: lowest mean score, then most critical failures, then id for a stable order."""
        return sorted(self.agents.items(), key=lambda kv: (kv[1].mean or 0.0, -kv[1].critical_calls, kv[0]))

    def summary(self) -> dict[str, Any]:
        return {
            "calls": self.total.calls,
            "agents": len(self.agents),
            "unknown_agent_calls": self.agents[UNKNOWN_AGENT].calls if UNKNOWN_AGENT in self.agents else 0,
            "mean_score": round(self.total.mean, 2) if self.total.mean is not None else None,
            "critical_calls": self.total.critical_calls,
            "below_threshold": self.total.below_threshold,
        }
