"""`auditor eval`: agreement figures are right, and the default checklist keeps its recorded accuracy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.evaluation import ItemAgreement, load_gold
from auditor.transcripts import InputError

EVAL = Path(__file__).resolve().parent / "eval"


def test_agreement_figures_on_a_known_confusion_table():
    a = ItemAgreement()
    a.pairs.update({("fail", "fail"): 8, ("fail", "pass"): 2, ("pass", "fail"): 1, ("pass", "pass"): 9})
    assert a.n == 20 and a.accuracy == 17 / 20
    assert a.precision == 8 / 9 and a.recall == 8 / 10
    assert round(a.f1, 4) == round(2 * (8 / 9) * 0.8 / ((8 / 9) + 0.8), 4)
    # kappa: observed 0.85, chance = (10*9 + 10*11) / 400 = 0.5
    assert round(a.kappa, 4) == round((0.85 - 0.5) / 0.5, 4)


def test_gold_file_errors_name_the_line(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"call_id": "a", "items": {"greeting": "pass"}}\n{"call_id": "b", "items": {"greeting": "maybe"}}\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_gold(gold)
    assert err.value.line == 2 and "maybe" in err.value.reason
    gold.write_text('{"call_id": "a", "items": {"greeting": "skip", "thanks": "fail"}}\n', encoding="utf-8")
    assert load_gold(gold) == {"a": {"thanks": "fail"}}


def test_eval_prints_per_item_figures_and_disagreements(cli, tmp_path):
    calls = tmp_path / "calls.jsonl"
    calls.write_text(
        json.dumps({"call_id": "x1", "turns": [{"speaker": "agent", "text": "您好"}, {"speaker": "customer", "text": "谢谢再见"}]}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"call_id": "x1", "items": {"greeting": "pass", "thanks": "pass", "farewell": "fail"}}\n', encoding="utf-8")
    code, out, _ = cli("eval", calls, "--gold", gold, "--json", tmp_path / "eval.json")
    assert code == 0
    assert "thanks" in out and "expected pass, got fail" in out
    data = json.loads((tmp_path / "eval.json").read_text(encoding="utf-8"))
    assert data["items"]["greeting"]["accuracy"] == 1.0 and data["items"]["thanks"]["accuracy"] == 0.0
    assert data["items"]["farewell"]["fail_recall"] == 1.0


def test_default_checklist_keeps_its_accuracy_on_the_dev_set(cli, tmp_path):
    """The labelled dev set (tests/eval) must not lose accuracy on any item."""
    code, out, err = cli("eval", EVAL / "dev_calls.jsonl", "--gold", EVAL / "gold.jsonl", "--json", tmp_path / "eval.json")
    assert code == 0, err
    figures = json.loads((tmp_path / "eval.json").read_text(encoding="utf-8"))["items"]
    baseline = json.loads((EVAL / "baseline.json").read_text(encoding="utf-8"))["accuracy"]
    assert len(baseline) >= 7
    drops = {item: (figures[item]["accuracy"], floor) for item, floor in baseline.items() if figures[item]["accuracy"] < floor}
    assert not drops, f"accuracy below baseline: {drops}\n{out}"
