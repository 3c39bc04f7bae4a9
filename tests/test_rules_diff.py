"""``auditor rules diff``: two checklists over the same real calls, cross-checked against two plain audits."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from ruamel.yaml import YAML

from auditor.checklist import default_checklist_path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
MANIFEST = SAMPLES / "calls.csv"


def changed_checklist(tmp_path: Path) -> Path:
    """The default checklist with a farewell rule that can never pass (a plausible bad edit)."""
    yaml = YAML(typ="rt")
    data = yaml.load(default_checklist_path().read_text(encoding="utf-8"))
    for item in data["items"]:
        if item["id"] == "farewell":
            item["detector"]["phrases"] = ["再见再见再见再见"]
            item["examples"] = {}
    data["version"] = "1.1-test"
    path = tmp_path / "new.yaml"
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    return path


def audit_rows(cli, checklist: Path, name: str) -> dict[str, dict]:
    code, _, err = cli("audit", SAMPLES, "--manifest", MANIFEST, "-c", checklist, "-o", f"{name}.xlsx", "--results", f"{name}.jsonl", "--quiet", "--force")
    assert code in (0, 1), err
    rows = [json.loads(line) for line in Path(f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["call_id"]: r for r in rows if "call_id" in r and "items" in r}


def verdict(row: dict, threshold: float) -> str:
    if row.get("critical_failed"):
        return "critical"
    return "pass" if row["score"] >= threshold else "below"


def test_identical_checklists_change_nothing(cli, tmp_path):
    old = default_checklist_path()
    code, out, err = cli("rules", "diff", old, old, "--on", SAMPLES, "--manifest", MANIFEST, "--max-changed", "0")
    assert code == 0, out + err
    assert "calls with a changed item status: 0" in out
    assert out.strip().splitlines()[-1] == "0 call verdict(s) changed (limit 0)"


def test_diff_matches_two_separate_audits(cli, tmp_path):
    old, new = default_checklist_path(), changed_checklist(tmp_path)
    before, after = audit_rows(cli, old, "old"), audit_rows(cli, new, "new")
    assert before.keys() == after.keys() and before
    expected_item_changes = sum(before[c]["items"]["farewell"]["status"] != after[c]["items"]["farewell"]["status"] for c in before)
    expected_verdicts = sorted(c for c in before if verdict(before[c], 80) != verdict(after[c], 80))
    assert expected_item_changes > 0

    code, out, err = cli("rules", "diff", old, new, "--on", SAMPLES, "--manifest", MANIFEST, "--out", "diff.xlsx",
                         "--max-changed", str(len(expected_verdicts)))
    assert code == 0, out + err
    assert f"{len(expected_verdicts)} call verdict(s) changed" in out
    assert f"farewell: pass→fail ×{expected_item_changes}" in out
    assert "farewell: never passes on" in out  # rule health of the new checklist
    for call_id in expected_verdicts:
        assert f"  {call_id} (" in out

    wb = load_workbook(tmp_path / "diff.xlsx")
    assert wb.sheetnames == ["Summary", "Calls", "Item changes", "Agents", "Items"]
    calls = list(wb["Calls"].iter_rows(min_row=2, values_only=True))
    assert len(calls) == len(before)
    for call_id, _agent, old_score, new_score, change, _ov, _nv, changed, *_ in calls:
        assert old_score == before[call_id]["score"] and new_score == after[call_id]["score"]
        assert change == pytest.approx(new_score - old_score)
        assert (changed == "yes") == (call_id in expected_verdicts)
    changes = list(wb["Item changes"].iter_rows(min_row=2, values_only=True))
    assert len(changes) == expected_item_changes
    assert {(r[2], r[3], r[4]) for r in changes} == {("farewell", "pass", "fail")}
    assert all("phrase" in r[5] for r in changes)  # the old evidence: which farewell phrase matched
    assert "input problem" not in out  # the manifest CSV is not read as a transcript
    items = {r[0]: r for r in wb["Items"].iter_rows(min_row=2, values_only=True)}
    assert items["farewell"][8] == "never passes" and items["farewell"][4] == 0
    agents = {r[0]: r for r in wb["Agents"].iter_rows(min_row=2, values_only=True)}
    for agent, calls_n, old_mean, new_mean, delta in agents.values():
        mine = [c for c in before if (before[c].get("agent_id") or "(unknown)") == agent]
        assert calls_n == len(mine)
        assert old_mean == pytest.approx(sum(before[c]["score"] for c in mine) / len(mine))
        assert new_mean == pytest.approx(sum(after[c]["score"] for c in mine) / len(mine))

    if expected_verdicts:
        code, out, err = cli("rules", "diff", old, new, "--on", SAMPLES, "--max-changed", str(len(expected_verdicts) - 1))
        assert code == 1
        assert f"more than {len(expected_verdicts) - 1} call verdict(s) changed" in err


def test_workbook_cells_are_never_formulas(cli, tmp_path):
    calls = tmp_path / "calls"
    calls.mkdir()
    (calls / "x.txt").write_text("---\ncall_id: =HYPERLINK(\"http://x\")\nagent_id: +A1\n---\n客服：您好\n客户：我要退货\n客服：再见\n", encoding="utf-8")
    old = default_checklist_path()
    code, out, err = cli("rules", "diff", old, changed_checklist(tmp_path), "--on", calls, "--out", tmp_path / "d.xlsx")
    assert code == 0, out + err
    ws = load_workbook(tmp_path / "d.xlsx")["Calls"]
    assert ws["A2"].value == '=HYPERLINK("http://x")' and ws["A2"].data_type == "s"
    assert ws["B2"].value == "+A1" and ws["B2"].data_type == "s"


def test_bad_inputs(cli, tmp_path):
    old = default_checklist_path()
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nname: x\nversion: 1\nitems: []\n", encoding="utf-8")
    code, _, err = cli("rules", "diff", old, broken, "--on", SAMPLES)
    assert code == 2 and f"{broken}:4:1: items" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "bad.txt").write_text("no speaker here\n", encoding="utf-8")
    code, _, err = cli("rules", "diff", old, old, "--on", empty)
    assert code == 2 and "bad.txt" in err and "no call could be audited" in err
    (tmp_path / "d.xlsx").write_text("x")
    code, _, err = cli("rules", "diff", old, old, "--on", SAMPLES, "--out", tmp_path / "d.xlsx")
    assert code == 2 and "already exists" in err


def test_removed_and_added_items(cli, tmp_path):
    """An item only in one checklist shows as '—' on the other side, never crashes the comparison."""
    yaml = YAML(typ="rt")
    data = yaml.load(default_checklist_path().read_text(encoding="utf-8"))
    data["items"] = [i for i in data["items"] if i["id"] != "thanks"]
    data["items"].append({"id": "hold_notice", "title": "请稍等", "detector": {"kind": "phrases", "phrases": ["请稍等"]}})
    new = tmp_path / "new.yaml"
    with new.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    code, out, err = cli("rules", "diff", default_checklist_path(), new, "--on", SAMPLES / "text", "--out", tmp_path / "d.xlsx")
    assert code == 0, out + err
    calls = len(list((SAMPLES / "text").glob("*.txt")))
    assert re.search(rf"thanks: (fail→— ×\d+, )?pass→— ×\d+", out)
    assert "hold_notice: —→" in out
    items = {r[0]: r for r in load_workbook(tmp_path / "d.xlsx")["Items"].iter_rows(min_row=2, values_only=True)}
    assert items["thanks"][1:3] == ("yes", "—") and items["hold_notice"][1:3] == ("—", "yes")
    assert items["thanks"][5] == calls and items["hold_notice"][5] == calls
