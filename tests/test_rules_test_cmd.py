"""``auditor rules test``: examples and fixtures through the real engine, via the real CLI."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

from auditor.checklist import default_checklist_path

ROOT = Path(__file__).resolve().parent.parent

CHECKLIST = """id: mini
name: 迷你
version: 1
items:
  - id: greeting
    title: 问候
    scope: {first: 1}
    detector: {kind: phrases, phrases: [您好]}
    examples:
      pass:
        - "客服：您好，请问有什么可以帮您？"
        - name: wrong_on_purpose
          dialogue: |-
            客服：喂，说。
            客户：我的网断了。
      fail: ["客服：喂？"]
  - id: farewell
    title: 道别
    scope: {last: 1}
    detector: {kind: phrases, phrases: [再见]}
    examples:
      pass:
        - "客服：好的，再见。"
        - name: known-gap-bye_bye
          dialogue: "客服：拜拜"
      fail: ["客服：好的。"]
"""


def write_checklist(folder: Path, text: str = CHECKLIST) -> Path:
    path = folder / "mini.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_checklist_passes(cli):
    code, out, err = cli("rules", "test")
    assert code == 0, out + err
    last = out.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ passed, 0 failed", last)
    assert int(last.split()[0]) >= 7 * 4


def test_failure_shows_dialogue_expected_actual_evidence(cli, tmp_path):
    path = write_checklist(tmp_path)
    code, out, _ = cli("rules", "test", path)
    assert code == 1
    assert f"FAIL mini/greeting-pass-wrong_on_purpose  ({path}:12)" in out
    assert "item greeting: expected pass, got fail" in out
    assert "    客服：喂，说。" in out and "    客户：我的网断了。" in out
    assert "evidence: none (no matching turn in scope)" in out
    # the known gap fails as expected: reported, counted in neither number
    assert "1 expected failure(s) (known gaps): farewell-pass-known-gap-bye_bye" in out
    assert out.strip().splitlines()[-1] == "4 passed, 1 failed"


def test_evidence_is_printed_for_an_unexpected_pass(cli, tmp_path):
    path = write_checklist(tmp_path, CHECKLIST.replace('fail: ["客服：喂？"]', 'fail: ["客服：您好"]'))
    code, out, _ = cli("rules", "test", path, "-k", "greeting-fail")
    assert code == 1
    assert "item greeting: expected fail, got pass" in out
    assert "turn 1 (agent) “您好”: phrase “您好”" in out
    assert out.strip().splitlines()[-1] == "0 passed, 1 failed"


def test_known_gap_that_passes_is_a_failure(cli, tmp_path):
    path = write_checklist(tmp_path, CHECKLIST.replace("phrases: [再见]", "phrases: [再见, 拜拜]"))
    code, out, _ = cli("rules", "test", path, "-k", "farewell")
    assert code == 1
    assert "XPASS mini/farewell-pass-known-gap-bye_bye" in out and "drop the 'known-gap' prefix" in out
    assert out.strip().splitlines()[-1] == "2 passed, 1 failed"


def test_k_selects_items_and_cases(cli, tmp_path):
    path = write_checklist(tmp_path)
    code, out, _ = cli("rules", "test", path, "-k", "farewell-pass")
    assert code == 0 and out.strip().splitlines()[-1] == "1 passed, 0 failed"
    code, out, _ = cli("rules", "test", path, "-k", "greeting-*-1", "-k", "farewell-pass-1", "-v")
    assert "ok    mini/greeting-pass-1" in out and "ok    mini/greeting-fail-1" in out and "ok    mini/farewell-pass-1" in out
    assert out.strip().splitlines()[-1] == "3 passed, 0 failed"
    code, out, err = cli("rules", "test", path, "-k", "nothing_like_this")
    assert code == 2 and "no case matches" in err


def test_fixture_files_next_to_the_checklist(cli, tmp_path):
    path = write_checklist(tmp_path)
    fixtures = tmp_path / "tests" / "mini"
    fixtures.mkdir(parents=True)
    (fixtures / "long_call.yaml").write_text(
        "transcript: |\n  [00:00] 客服：您好\n  [00:03] 客户：我要退货\n  [00:09] 客服：好的，再见\nexpect:\n  greeting: pass\n  farewell: fail\n",
        encoding="utf-8")
    code, out, _ = cli("rules", "test", path, "-k", "fixture")
    assert code == 1
    assert f"FAIL mini/farewell-fixture-long_call  ({fixtures / 'long_call.yaml'}:7)" in out
    assert "turn 3 (agent) “再见”" in out
    assert out.strip().splitlines()[-1] == "1 passed, 1 failed"


def test_broken_fixture_counts_as_failure(cli, tmp_path):
    path = write_checklist(tmp_path)
    fixtures = tmp_path / "tests" / "mini"
    fixtures.mkdir(parents=True)
    (fixtures / "bad.yaml").write_text("transcript: 没有说话人\nexpect: {greeting: pass}\n", encoding="utf-8")
    code, out, err = cli("rules", "test", path, "-k", "farewell-pass")
    assert code == 2
    assert f"{fixtures / 'bad.yaml'}:1:1: transcript: dialogue cannot be read: no turns found" in err
    assert out.strip().splitlines()[-1] == "1 passed, 1 failed"


def test_broken_checklist_exits_2(cli, tmp_path):
    path = write_checklist(tmp_path, CHECKLIST.replace("kind: phrases, phrases: [您好]", "kind: phrases, phrase: [您好]"))
    code, out, err = cli("rules", "test", path)
    assert code == 2
    assert "unknown key 'phrase'" in err
    assert out.strip().splitlines()[-1] == "0 passed, 1 failed"


def test_junit_xml(cli, tmp_path):
    path = write_checklist(tmp_path)
    report = tmp_path / "junit.xml"
    code, _, _ = cli("rules", "test", path, "--junit", report)
    assert code == 1
    root = ET.parse(report).getroot()
    suite = root.find("testsuite")
    assert suite.get("name") == "mini" and suite.get("tests") == "6" and suite.get("failures") == "1" and suite.get("skipped") == "1"
    cases = {tc.get("name"): tc for tc in suite.iter("testcase")}
    assert set(cases) == {"greeting-pass-1", "greeting-pass-wrong_on_purpose", "greeting-fail-1", "farewell-pass-1", "farewell-pass-known-gap-bye_bye", "farewell-fail-1"}
    failure = cases["greeting-pass-wrong_on_purpose"].find("failure")
    assert failure.get("message") == "expected pass, got fail" and "客服：喂，说。" in failure.text
    assert cases["greeting-pass-1"].get("classname") == "mini.greeting" and not list(cases["greeting-pass-1"])
    assert cases["farewell-pass-known-gap-bye_bye"].find("skipped") is not None


def test_folder_runs_every_checklist(cli, tmp_path):
    write_checklist(tmp_path)
    other = CHECKLIST.replace("id: mini", "id: other").replace("- name: wrong_on_purpose", "- name: fine").replace("客服：喂，说。", "客服：您好。")
    (tmp_path / "other.yml").write_text(other, encoding="utf-8")
    code, out, _ = cli("rules", "test", tmp_path)
    assert "mini (" in out and "other (" in out
    assert out.strip().splitlines()[-1] == "9 passed, 1 failed"


def test_pytest_runs_the_same_cases_with_one_id_each(cli):
    """``pytest -k greeting`` selects exactly the cases ``rules test -k greeting`` runs."""
    # every shipped checklist, as the pytest module collects them; a case id that two checklists
    # share (greeting-pass-1 in zh_call_center and en_call_center) is qualified with the checklist id
    _, out, _ = cli("rules", "test", default_checklist_path().parent, "-k", "greeting", "-v")
    full_ids = [line.split()[1] for line in out.splitlines() if line.startswith(("ok    ", "xfail "))]
    short = [f.split("/", 1)[1] for f in full_ids]
    cli_ids = {s if short.count(s) == 1 else f for f, s in zip(full_ids, short)}
    proc = subprocess.run([sys.executable, "-m", "pytest", "tests/test_checklist_cases.py", "-k", "greeting", "--collect-only", "-q"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    collected = {m.group(1) for m in re.finditer(r"test_case\[(.+?)\]", proc.stdout)}
    assert cli_ids and collected == cli_ids
