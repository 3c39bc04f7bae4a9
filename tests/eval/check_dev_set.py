"""Sanity check for the labelled development set (dev_calls.jsonl + gold.jsonl).

Run:  python tests/eval/check_dev_set.py
Checks that every line parses, call ids match one-to-one between the two files,
turns are well formed, every call carries all seven labels with allowed values,
and prints the pass/fail/na count table used in README.md.
"""
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ITEMS = ["greeting", "thanks", "farewell", "further_help",
         "paraphrase_confirmation", "empathy", "forbidden_language"]
ALWAYS = {"greeting", "thanks", "farewell", "further_help", "forbidden_language"}
VALUES = {"pass", "fail", "na"}


def load(name):
    rows = []
    with open(HERE / name, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                sys.exit(f"{name}:{n}: not valid JSON: {e}")
    return rows


def main():
    calls, gold = load("dev_calls.jsonl"), load("gold.jsonl")
    errors = []
    call_ids = [c["call_id"] for c in calls]
    gold_ids = [g["call_id"] for g in gold]
    if len(set(call_ids)) != len(call_ids):
        errors.append("duplicate call_id in dev_calls.jsonl")
    if len(set(gold_ids)) != len(gold_ids):
        errors.append("duplicate call_id in gold.jsonl")
    if set(call_ids) != set(gold_ids):
        errors.append(f"id mismatch: {sorted(set(call_ids) ^ set(gold_ids))}")
    for c in calls:
        if not c.get("agent_id") or not c.get("turns"):
            errors.append(f"{c['call_id']}: missing agent_id/turns")
        for i, t in enumerate(c["turns"]):
            if t.get("speaker") not in ("agent", "customer") or not isinstance(t.get("text"), str) or not t["text"]:
                errors.append(f"{c['call_id']} turn {i}: bad speaker/text")
            if ("start" in t) != ("end" in t):
                errors.append(f"{c['call_id']} turn {i}: start without end")
            if "start" in t and not (isinstance(t["start"], float) and isinstance(t["end"], float) and t["start"] <= t["end"]):
                errors.append(f"{c['call_id']} turn {i}: bad timing")
        if not any(t["speaker"] == "agent" for t in c["turns"]):
            errors.append(f"{c['call_id']}: no agent turn")
    table = {k: Counter() for k in ITEMS}
    for g in gold:
        items = g.get("items", {})
        if set(items) != set(ITEMS):
            errors.append(f"{g['call_id']}: items {sorted(items)}")
        for k in ITEMS:
            v = items.get(k)
            if v not in VALUES:
                errors.append(f"{g['call_id']}: {k}={v!r}")
            elif v == "na" and k in ALWAYS:
                errors.append(f"{g['call_id']}: {k} always applies but is na")
            table[k][v] += 1
        if not g.get("note"):
            errors.append(f"{g['call_id']}: empty note")
    if errors:
        print("\n".join(errors))
        sys.exit(1)
    timed = sum(1 for c in calls if "start" in c["turns"][0])
    nturns = [len(c["turns"]) for c in calls]
    print(f"{len(calls)} calls, {sum(nturns)} turns (min {min(nturns)}, max {max(nturns)}), {timed} with timings\n")
    print("| item | pass | fail | na |")
    print("|---|---:|---:|---:|")
    for k in ITEMS:
        print(f"| {k} | {table[k]['pass']} | {table[k]['fail']} | {table[k]['na']} |")


if __name__ == "__main__":
    main()
