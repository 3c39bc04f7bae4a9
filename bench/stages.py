"""CPU time per call of each stage of an audit, in one process: ``python -m bench.stages CORPUS [CALLS]``.

The end-to-end benchmark says how fast; this says where the time goes, so an
optimisation is aimed at the stage that costs most and checked on that stage.
Every stage runs on the same calls, in order, as ``run_audit`` would run them:
load (read, decode, parse, build ``Call``), engine (``audit_call``), the
results line, the progress journal line, the scoreboard, and the workbook
(rows streamed, then ``close`` writing the summary sheets and the zip).
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from pathlib import Path

from auditor.checklist import default_checklist_path, load_compiled
from auditor.engine import audit_call
from auditor.reports.excel import Scorecard
from auditor.reports.results import ResultsWriter
from auditor.resume import ProgressJournal, fingerprint
from auditor.scoring import Scoreboard
from auditor.transcripts import LoadLimits, Problem, iter_input_files, load_file


def main(argv: list[str]) -> int:
    root = Path(argv[0])
    limit = int(argv[1]) if len(argv) > 1 else 0
    compiled, _ = load_compiled(default_checklist_path())
    files = [p for p in iter_input_files([root]) if not isinstance(p, Problem)]
    clock = time.process_time
    spent = dict.fromkeys(("load", "engine", "results", "journal", "scoreboard", "workbook rows", "workbook close"), 0.0)

    t = clock()
    calls = []
    for path in files:
        calls.extend(c for c in load_file(path, LoadLimits()) if not isinstance(c, Problem))
        if limit and len(calls) >= limit:
            del calls[limit:]
            break
    spent["load"] = clock() - t
    audit_call(compiled, calls[0])  # lazy resources (automata, pattern sets) are built once, outside the timing
    # A real run holds one batch of calls at a time; this one holds them all.
    # Frozen, they are not walked by every full collection, as they would not be.
    gc.freeze()

    t = clock()
    results = [audit_call(compiled, c) for c in calls]
    spent["engine"] = clock() - t
    gc.freeze()

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        sinks = {
            "results": ResultsWriter(out / "results.jsonl"),
            "journal": ProgressJournal(out / "results.jsonl.partial", fingerprint(compiled, False)),
            "workbook rows": Scorecard(out / "scorecard.xlsx", compiled),
        }
        board = Scoreboard(compiled.spec.pass_threshold)
        sinks["scoreboard"] = board
        for r in results:  # interleaved, as run_audit does: the journal reuses the results line
            for name, sink in sinks.items():
                t = clock()
                sink.add(r) if sink is board else sink.add_call(r)
                spent[name] += clock() - t
        run = {"inputs": [str(root)], "summary": board.summary()}
        t = clock()
        sinks["workbook rows"].close(board, [], run)
        spent["workbook close"] = clock() - t
        del sinks["scoreboard"]
        sinks["results"].close(board, [], run)
        sinks["journal"].close(board, [], run)

    n = len(calls)
    total = sum(spent.values())
    print(f"{n} calls from {root}: CPU µs per call (one process)")
    for name, seconds in spent.items():
        print(f"  {name:<15} {seconds / n * 1e6:7.1f}  {seconds / total:6.1%}")
    print(f"  {'total':<15} {total / n * 1e6:7.1f}  = {n / total:,.0f} calls per CPU-second, before start-up and file discovery")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
