"""Agreement between the auditor and a human reviewer's gold labels.

QA staff trust a tool that agrees with a careful reviewer, so we measure it
per item: accuracy, precision/recall/F1 of "fail" (a missed failure is the
reviewer's main worry) and Cohen's kappa (agreement beyond chance, over
pass/fail/N/A), plus every disagreement with its evidence so a rule author
can see why.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.engine import CallResult
from auditor.transcripts.errors import InputError

LABELS = ("pass", "fail", "na")


def load_gold(path: Path) -> dict[str, dict[str, str]]:
    """``call_id → {item: status}``; "skip" and missing items are left out."""
    gold: dict[str, dict[str, str]] = {}
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read gold file: {exc.strerror or exc}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            call_id, items = str(obj["call_id"]), obj["items"]
            if not isinstance(items, dict):
                raise TypeError
        except (json.JSONDecodeError, KeyError, TypeError):
            raise InputError('expected {"call_id": ..., "items": {ITEM: "pass"|"fail"|"na"}}', number) from None
        labels = {}
        for item, status in items.items():
            if status == "skip":
                continue
            if status not in LABELS:
                raise InputError(f"item {item!r}: label {status!r} is not pass, fail, na or skip", number)
            labels[item] = status
        gold[call_id] = labels
    return gold


@dataclass
class ItemAgreement:
    pairs: Counter = field(default_factory=Counter)  # (expected, got) → count

    @property
    def n(self) -> int:
        return sum(self.pairs.values())

    @property
    def accuracy(self) -> float | None:
        return sum(c for (e, g), c in self.pairs.items() if e == g) / self.n if self.n else None

    def _fail_counts(self) -> tuple[int, int, int]:
        tp = self.pairs[("fail", "fail")]
        fp = sum(c for (e, g), c in self.pairs.items() if g == "fail" and e != "fail")
        fn = sum(c for (e, g), c in self.pairs.items() if e == "fail" and g != "fail")
        return tp, fp, fn

    @property
    def precision(self) -> float | None:
        tp, fp, _ = self._fail_counts()
        return tp / (tp + fp) if tp + fp else None

    @property
    def recall(self) -> float | None:
        tp, _, fn = self._fail_counts()
        return tp / (tp + fn) if tp + fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)

    @property
    def kappa(self) -> float | None:
        n = self.n
        if not n:
            return None
        observed = sum(c for (e, g), c in self.pairs.items() if e == g) / n
        expected_marg = Counter()
        got_marg = Counter()
        for (e, g), c in self.pairs.items():
            expected_marg[e] += c
            got_marg[g] += c
        chance = sum(expected_marg[label] * got_marg[label] for label in LABELS) / (n * n)
        if chance == 1:
            return 1.0 if observed == 1 else 0.0
        return (observed - chance) / (1 - chance)

    def to_dict(self) -> dict[str, Any]:
        r = lambda v: None if v is None else round(v, 4)  # noqa: E731
        return {
            "n": self.n,
            "counts": {f"{e}->{g}": c for (e, g), c in sorted(self.pairs.items())},
            "accuracy": r(self.accuracy), "fail_precision": r(self.precision), "fail_recall": r(self.recall),
            "fail_f1": r(self.f1), "kappa": r(self.kappa),
        }


@dataclass
class Evaluation:
    items: dict[str, ItemAgreement]
    disagreements: list[dict[str, Any]] = field(default_factory=list)
    missing_calls: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"items": {k: v.to_dict() for k, v in self.items.items()}, "disagreements": self.disagreements, "missing_calls": self.missing_calls}


class Evaluator:
    """Fed one call result at a time; only calls present in the gold file count."""

    def __init__(self, gold: dict[str, dict[str, str]], item_ids: list[str]) -> None:
        self.gold = gold
        self.result = Evaluation({i: ItemAgreement() for i in item_ids})
        self.seen: set[str] = set()

    def add(self, r: CallResult) -> None:
        labels = self.gold.get(r.call_id)
        if labels is None:
            return
        self.seen.add(r.call_id)
        for item, expected in labels.items():
            if item not in r.items:
                continue
            got = r.items[item].status
            self.result.items[item].pairs[(expected, got)] += 1
            if got != expected:
                ev = r.items[item].evidence
                why = "; ".join(f"turn {e.turn + 1} {e.speaker}: “{e.match or e.text[:40]}” {e.note}".strip() for e in ev[:3])
                self.result.disagreements.append({"call_id": r.call_id, "item": item, "expected": expected, "got": got,
                                                  "evidence": why or str(r.items[item].metrics.get("note", ""))})

    def finish(self) -> Evaluation:
        self.result.missing_calls = sorted(set(self.gold) - self.seen)
        return self.result


def render_table(ev: Evaluation) -> str:
    fmt = lambda v: "   -" if v is None else f"{v:.2f}"  # noqa: E731
    lines = [f"{'item':<26}{'n':>5} {'acc':>6} {'P(fail)':>8} {'R(fail)':>8} {'F1':>6} {'kappa':>6}  counts (expected->got)"]
    for item, a in ev.items.items():
        counts = " ".join(f"{e}->{g}:{c}" for (e, g), c in sorted(a.pairs.items()))
        lines.append(f"{item:<26}{a.n:>5} {fmt(a.accuracy):>6} {fmt(a.precision):>8} {fmt(a.recall):>8} {fmt(a.f1):>6} {fmt(a.kappa):>6}  {counts}")
    if ev.disagreements:
        lines.append("")
        lines.append(f"{len(ev.disagreements)} disagreement(s):")
        for d in ev.disagreements:
            lines.append(f"  {d['call_id']}  {d['item']}: expected {d['expected']}, got {d['got']}  {d['evidence']}")
    if ev.missing_calls:
        lines.append(f"{len(ev.missing_calls)} gold call(s) not found in the audited files: {', '.join(ev.missing_calls[:10])}")
    return "\n".join(lines)
