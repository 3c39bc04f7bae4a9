"""Sanity check on real helpdesk dialogues: does the call score track rated satisfaction?

Audits the STC-3 Chinese dialogues (not shipped with the project: pass the
folder) with a checklist, joins the training dialogues with their mean human
quality ratings, and prints Spearman's rho between the call score (and each
item's pass/fail) and A (task accomplishment), S (customer satisfaction) and
E (efficiency). It is a sanity check, not a target: these are Weibo chats,
not phone calls, so farewells are rare and pass rates are low.

    python bench/stc3_sanity.py ../shared/corpora/stc3 [--checklist FILE]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path


def ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(x: list[float], y: list[float]) -> float:
    rx, ry = ranks(x), ranks(y)
    n = len(x)
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    vx = sum((a - mx) ** 2 for a in rx) ** 0.5
    vy = sum((b - my) ** 2 for b in ry) ** 0.5
    return cov / (vx * vy) if vx and vy else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the stc3 folder with stc3_zh.jsonl and stc3_zh_quality.jsonl")
    parser.add_argument("--checklist", type=Path, default=None)
    args = parser.parse_args()

    from auditor.checklist import default_checklist_path, load_compiled
    from auditor.pipeline import AuditState, audit_batch
    from auditor.transcripts import LoadLimits

    compiled, _ = load_compiled(args.checklist or default_checklist_path())
    quality = {}
    for line in (args.folder / "stc3_zh_quality.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        quality[q["id"]] = q["quality_mean"]
    results = [r for r in audit_batch([str(args.folder / "stc3_zh.jsonl")], AuditState(compiled, LoadLimits())) if hasattr(r, "score")]
    statuses = Counter((i, r.items[i].status) for r in results for i in r.items)
    print(f"audited {len(results)} dialogues with {compiled.spec.id} v{compiled.spec.version}")
    print(f"{'item':<26}{'pass':>6}{'fail':>6}{'na':>6}")
    for item in compiled.item_ids:
        print(f"{item:<26}{statuses[(item, 'pass')]:>6}{statuses[(item, 'fail')]:>6}{statuses[(item, 'na')]:>6}")
    rated = [(r, quality[r.call_id.rsplit("-", 1)[-1]]) for r in results if "-train-" in r.call_id and r.call_id.rsplit("-", 1)[-1] in quality]
    print(f"\n{len(rated)} training dialogues with ratings; Spearman rho with the mean ratings:")
    print(f"{'':<34}{'A':>8}{'S':>8}{'E':>8}")
    rows = [("call score", [r.score for r, _ in rated]), ("turns (length)", [float(r.turns) for r, _ in rated])]
    for item in compiled.item_ids:
        applicable = [(r, q) for r, q in rated if r.items[item].status != "na"]
        if len({r.items[item].status for r, _ in applicable}) > 1 and len(applicable) >= 30:
            rows.append((f"{item} (n={len(applicable)})", [1.0 if r.items[item].status == "pass" else 0.0 for r, _ in applicable], applicable))
    for row in rows:
        name, xs = row[0], row[1]
        pairs = row[2] if len(row) > 2 else rated
        print(f"{name:<34}" + "".join(f"{spearman(xs, [q[k] for _, q in pairs]):>8.3f}" for k in "ASE"))
    print("\nwithin dialogues of the same length (call score vs S):")
    for n in sorted({r.turns for r, _ in rated}):
        group = [(r, q) for r, q in rated if r.turns == n]
        if len(group) >= 50:
            print(f"  {n} turns (n={len(group)}): rho={spearman([r.score for r, _ in group], [q['S'] for _, q in group]):.3f}")


if __name__ == "__main__":
    main()
