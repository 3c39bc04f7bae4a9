"""``auditor rules validate`` on real broken checklist files: every error type, located by line and column."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from auditor.checklist import default_checklist_path

HEAD = "id: t\nname: T\nversion: 1\n"
ITEM = """  - id: {id}
    title: 问候
    detector:
      kind: phrases
      phrases: [您好]
    examples:
      pass: ["客服：您好"]
      fail: ["客服：喂"]
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def validate(cli, *args):
    code, out, err = cli("rules", "validate", *args)
    return code, out + err


def test_shipped_checklists_are_valid(cli):
    code, text = validate(cli, default_checklist_path().parent)
    assert code == 0, text
    assert "0 error(s), 0 warning(s)" in text


def test_yaml_syntax_error_has_line_and_column(cli, tmp_path):
    path = write(tmp_path, "c.yaml", HEAD + "items:\n  - id: a\n    title: [unclosed\n")
    code, text = validate(cli, path)
    assert code == 2
    assert f"{path}:" in text and "YAML syntax" in text
    line = text.split(f"{path}:")[1].split(":")[0]
    assert int(line) >= 6


def test_schema_error_missing_field_and_wrong_type(cli, tmp_path):
    path = write(tmp_path, "c.yaml", HEAD + "items:\n  - id: a\n    weight: heavy\n    detector: {kind: phrases, phrases: [您好]}\n")
    code, text = validate(cli, path)
    assert code == 2
    assert f"{path}:6:5: items[0].weight: Input should be a valid number" in text
    assert f"{path}:5:5: items[0].title: missing required key 'title'" in text


def test_unknown_detector_kind_points_at_kind(cli, tmp_path):
    path = write(tmp_path, "c.yaml", HEAD + "items:\n  - id: a\n    title: A\n    detector:\n      kind: phraes\n      phrases: [x]\n")
    code, text = validate(cli, path)
    assert code == 2
    assert f"{path}:8:7: items[0].detector.kind: unknown detector kind 'phraes'; known: phrases, regex" in text


def test_unknown_parameter_points_at_its_line(cli, tmp_path):
    path = write(tmp_path, "c.yaml", HEAD + "items:\n  - id: a\n    title: A\n    detector:\n      kind: phrases\n      phrases: [x]\n      min_cout: 2\n")
    code, text = validate(cli, path)
    assert code == 2
    assert f"{path}:10:7: items[0].detector.min_cout: unknown key 'min_cout'" in text


def test_invalid_regex_reports_position_in_pattern(cli, tmp_path):
    path = write(tmp_path, "c.yaml", HEAD + "items:\n  - id: a\n    title: A\n    detector:\n      kind: regex\n      patterns:\n        - '您好'\n        - '订单号[0-9'\n")
    code, text = validate(cli, path)
    assert code == 2
    assert f"{path}:11:11: items[0].detector.patterns[1]: invalid regular expression at position 3" in text


def test_back_reference_is_rejected(cli, tmp_path):
    path = write(tmp_path, "c.yaml", HEAD + "items:\n  - id: a\n    title: A\n    detector:\n      kind: regex\n      patterns: ['(谢谢)\\1']\n")
    code, text = validate(cli, path)
    assert code == 2
    assert "items[0].detector.patterns[0]: not supported by the linear-time engine" in text
    assert "back-references" in text


def test_duplicate_ids_bad_weights_unknown_signal(cli, tmp_path):
    body = HEAD + "items:\n" + ITEM.format(id="a") + ITEM.format(id="a") + """  - id: b
    title: B
    weight: -3
    applies_when: {any: [customer_upset]}
    detector: {kind: phrases, phrases: [您好]}
"""
    path = write(tmp_path, "c.yaml", body)
    code, text = validate(cli, path)
    assert code == 2
    assert f"{path}:23:5: items[2].weight: Input should be greater than 0" in text
    path.write_text(body.replace("weight: -3", "weight: 2"), encoding="utf-8")
    code, text = validate(cli, path)
    assert code == 2
    assert f"{path}:13:5: items[1].id: duplicate item id 'a' (first at items[0])" in text
    assert f"{path}:24:5: items[2].applies_when: unknown signal 'customer_upset'; known: (none defined)" in text
    assert f"{path}:21:5: items[2]: warning: item 'b' has no examples" in text


def test_missing_examples_is_only_a_warning(cli, tmp_path):
    path = write(tmp_path, "c.yaml", HEAD + "items:\n  - id: a\n    title: A\n    detector: {kind: phrases, phrases: [您好]}\n")
    code, text = validate(cli, path)
    assert code == 0
    assert "warning: item 'a' has no examples" in text and "0 error(s), 1 warning(s)" in text


def test_broken_examples(cli, tmp_path):
    body = HEAD + """items:
  - id: a
    title: A
    detector: {kind: phrases, phrases: [您好]}
    examples:
      pass:
        - name: same
          dialogue: "客服：您好"
      fail:
        - name: same
          dialogue: "没有说话人的一行"
      na: ["客服：喂"]
"""
    path = write(tmp_path, "c.yaml", body)
    code, text = validate(cli, path)
    assert code == 2
    assert f"{path}:13:11: items[0].examples.fail[0].name: duplicate example name 'same'" in text
    assert f"{path}:13:11: items[0].examples.fail[0]: dialogue cannot be read: no turns found" in text
    assert f"{path}:15:12: items[0].examples.na[0]: an 'na' example needs 'applies_when'" in text


def test_github_format(cli, tmp_path):
    path = write(tmp_path, "c.yaml", HEAD + "items:\n  - id: a\n    title: A\n    detector:\n      kind: phrases\n      phrases: [x]\n      bogus: 1\n")
    code, out, _ = cli("rules", "validate", path, "--format", "github")
    assert code == 2
    assert f"::error file={path},line=10,col=7::items[0].detector.bogus: unknown key 'bogus'" in out.splitlines()


def test_folder_means_every_yaml_and_bad_fixture_is_reported(cli, tmp_path):
    good = write(tmp_path, "good.yaml", HEAD + "items:\n" + ITEM.format(id="greeting"))
    write(tmp_path, "bad.yaml", HEAD + "items: []\n")
    fixtures = tmp_path / "tests" / "t"
    fixtures.mkdir(parents=True)
    write(fixtures, "call.yaml", "transcript: |\n  客服：您好\nexpect:\n  greeting: pass\n  farewell: fail\n  thanks: maybe\n")
    code, text = validate(cli, tmp_path)
    assert code == 2
    assert f"{tmp_path / 'bad.yaml'}:4:1: items: List should have at least 1 item" in text
    assert f"{fixtures / 'call.yaml'}:6:3: expect.thanks: Input should be 'pass', 'fail' or 'na'" in text
    (fixtures / "call.yaml").write_text("transcript: |\n  客服：您好\nexpect:\n  greeting: pass\n  farewell: fail\n", encoding="utf-8")
    code, text = validate(cli, good)
    assert code == 2
    assert f"{fixtures / 'call.yaml'}:5:3: expect.farewell: unknown item 'farewell'; items of t: greeting" in text


def test_missing_path_and_empty_folder(cli, tmp_path):
    code, text = validate(cli, tmp_path / "nope.yaml", tmp_path)
    assert code == 2
    assert "nope.yaml: no such file or folder" in text
    assert "no checklist (*.yaml) in this folder" in text


PATHOLOGICAL = HEAD + """items:
  - id: no_runaway
    title: 病态正则
    detector:
      kind: regex
      match: none
      patterns: ['(a+)+$']
"""


def test_catastrophic_pattern_runs_in_linear_time(cli, tmp_path):
    """``(a+)+$`` backtracks exponentially in Python's re; RE2 audits a 100k-'a' turn at once."""
    from auditor.checklist import load_compiled

    checklist = write(tmp_path, "evil.yaml", PATHOLOGICAL)
    code, text = validate(cli, checklist)
    assert code == 0, text  # accepted: it is safe under RE2
    compiled, _ = load_compiled(checklist)
    assert type(compiled.items[0].detector.patterns[0]).__module__.startswith("re2")
    calls = tmp_path / "calls"
    calls.mkdir()
    (calls / "long.txt").write_text("客服：" + "a" * 100_000 + "!\n客户：嗯\n", encoding="utf-8")
    started = time.perf_counter()
    code, out, err = cli("audit", calls, "-c", checklist, "--max-turn-chars", "200000", "--quiet", "--force")
    elapsed = time.perf_counter() - started
    assert code in (0, 1), err
    assert elapsed < 10, f"audit took {elapsed:.1f}s"
    import json

    row = json.loads((tmp_path / "results.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert row["items"]["no_runaway"]["status"] == "pass"  # no turn ends in a run of a's


@pytest.mark.parametrize("pattern", ["(a)\\1", "(?=a)b", "(?<=a)b"])
def test_patterns_re2_cannot_run_are_rejected(pattern):
    from auditor.detectors.regex import pattern_error

    assert "not supported by the linear-time engine" in pattern_error(pattern)
