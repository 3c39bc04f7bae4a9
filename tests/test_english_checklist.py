"""The English checklist end to end: sample calls, the short --checklist name, English paraphrase units."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ROOT, SAMPLES

EN_CHECKLIST = ROOT / "checklists" / "en_call_center.yaml"
ENGLISH = SAMPLES.parent / "samples_en"

# What a reviewer gives these calls (see samples_en/README.md); not every item, the ones each call is about.
EXPECTED = {
    "E1001": {"greeting": "pass", "paraphrase_confirmation": "pass", "empathy": "pass", "further_help": "pass", "farewell": "pass"},
    "E2001": {"paraphrase_confirmation": "pass", "empathy": "na", "thanks": "pass", "forbidden_language": "pass"},
    "E2002": {"greeting": "fail", "thanks": "fail", "empathy": "fail", "forbidden_language": "fail", "farewell": "fail"},
    "E2003": {"greeting": "pass", "paraphrase_confirmation": "na", "empathy": "na", "further_help": "fail"},
    "E3001": {"paraphrase_confirmation": "pass", "no_sensitive_data": "fail", "forbidden_language": "pass"},
    "E3002": {"greeting": "pass", "empathy": "pass", "forbidden_language": "fail", "thanks": "fail", "farewell": "fail"},
}


def _calls(path: Path) -> dict[str, dict]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return {r["call_id"]: r for r in records if r["type"] == "call"}


def test_english_samples_audited_with_the_english_checklist(cli, tmp_path):
    code, _, err = cli("audit", ENGLISH, "--checklist", EN_CHECKLIST, "--quiet")
    assert code == 0, err
    calls = _calls(tmp_path / "results.jsonl")
    assert set(calls) == set(EXPECTED)
    for call_id, expected in EXPECTED.items():
        got = {item: calls[call_id]["items"][item]["status"] for item in expected}
        assert got == expected, call_id
    assert {c["team"] for c in calls.values()} == {"Intl Support"}
    assert {c["agent_id"] for c in calls.values()} == {"E01", "E02", "E03"}
    # critical items zero the score, as in the Chinese checklist
    assert calls["E2002"]["score"] == 0 and calls["E3001"]["critical_failed"]
    assert calls["E1001"]["score"] == 100


def test_builtin_checklist_by_short_name(cli, tmp_path):
    code, out, err = cli("rules", "list", "--checklist", "en_call_center")
    assert code == 0, err
    assert "en_call_center" in out and "English call-centre QA standard" in out
    code, _, err = cli("audit", ENGLISH / "json" / "E1001.json", "-c", "en_call_center", "--quiet")
    assert code == 0, err
    assert _calls(tmp_path / "results.jsonl")["E1001"]["score"] == 100


def test_unknown_short_name_lists_the_builtin_checklists(cli):
    code, _, err = cli("rules", "list", "--checklist", "en_call_centre")
    assert code == 2
    assert "en_call_centre" in err and "en_call_center, zh_call_center" in err


def test_a_file_in_the_current_folder_wins_over_a_builtin_name(cli, tmp_path):
    text = EN_CHECKLIST.read_text(encoding="utf-8").replace("name: English call-centre QA standard", "name: Local copy", 1)
    (tmp_path / "en_call_center").write_text(text, encoding="utf-8")
    code, out, err = cli("rules", "list", "--checklist", "en_call_center")
    assert code == 0, err
    assert "Local copy" in out


PARAPHRASE_ONLY = """\
id: en_paraphrase_units
name: paraphrase on English
version: "1"
signals:
  customer_request:
    speaker: customer
    detector: {kind: substance, min_chars: 5}
items:
  - id: paraphrase_confirmation
    title: restates and confirms
    weight: 1
    applies_when: customer_request
    detector:
      kind: paraphrase
      unit: words
      min_shared: 2
      confirm: [is that right, "right?"]
      ignore: [a, i, in, is, it, the, my, you, your, so, that, was, but, and, to, on, got, still]
    examples:
      pass:
        - name: whole_word_ignore
          dialogue: |-
            customer: The heating in my flat stopped working this morning.
            agent: So the heating stopped working this morning, is that right?
        - name: inflections_meet
          dialogue: |-
            customer: I cancelled my booking but was charged anyway.
            agent: So you cancel the booking and still got a charge, right?
      fail:
        - name: only_one_word_shared
          dialogue: |-
            customer: I cancelled my booking yesterday.
            agent: Which booking, is that right?
"""


def test_paraphrase_words_on_english_match_whole_words_and_stems(cli, tmp_path):
    """Without whole-word ``ignore`` "the" and "i" are cut out of "heating" and "stopped"; without stems
    "cancelled"/"charged" never meet "cancel"/"charge"."""
    path = tmp_path / "en_paraphrase_units.yaml"
    path.write_text(PARAPHRASE_ONLY, encoding="utf-8")
    code, out, err = cli("rules", "test", path, "-v")
    assert code == 0, out + err
    assert out.strip().splitlines()[-1] == "3 passed, 0 failed"
