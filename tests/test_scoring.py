"""Scores and aggregates follow the documented formula."""

from __future__ import annotations

from auditor.checklist import compile_checklist
from auditor.checklist.schema import Checklist
from auditor.engine import CallResult, ItemResult
from auditor.scoring import Scoreboard, score_items

SPEC = Checklist.model_validate({
    "id": "t", "name": "t", "version": "1",
    "items": [
        {"id": "a", "title": "a", "weight": 30, "detector": {"kind": "phrases", "phrases": ["x"]}},
        {"id": "b", "title": "b", "weight": 10, "detector": {"kind": "phrases", "phrases": ["y"]}},
        {"id": "c", "title": "c", "weight": 60, "critical": True, "detector": {"kind": "phrases", "match": "none", "phrases": ["z"]}},
    ],
})
WEIGHTS = compile_checklist(SPEC).weights


def result(agent: str, **statuses: str) -> CallResult:
    items = {k: ItemResult(v) for k, v in statuses.items()}
    score, critical = score_items(WEIGHTS, items)
    return CallResult("c", agent, None, None, None, "f", None, "", 1, items, score, critical)


def test_na_items_leave_the_denominator():
    assert result("x", a="pass", b="fail", c="na").score == 75.0
    assert result("x", a="na", b="na", c="na").score == 100.0


def test_critical_failure_zeroes_the_score():
    r = result("x", a="pass", b="pass", c="fail")
    assert r.score == 0.0 and r.critical_failed == ["c"]


def test_agent_aggregates_median_lowest_and_rates():
    board = Scoreboard(threshold=80)
    for statuses in ({"a": "pass", "b": "pass", "c": "pass"}, {"a": "fail", "b": "pass", "c": "pass"}, {"a": "pass", "b": "fail", "c": "fail"}):
        board.add(result("A1", **statuses))
    board.add(result("A2", a="pass", b="pass", c="pass"))
    t = board.agents["A1"]
    assert t.calls == 3 and t.lowest == 0.0 and t.median == 70.0
    assert round(t.mean, 2) == round((100 + 70 + 0) / 3, 2)
    assert t.items["a"].rate == 2 / 3 and t.critical_calls == 1 and t.below_threshold == 2
    assert [a for a, _ in board.ranked_agents()] == ["A1", "A2"]
