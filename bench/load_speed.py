"""CPU µs per call of loading one format: ``python -m bench.load_speed CORPUS [csv|json|jsonl|txt] [FILES]``.

``bench.stages`` gives loading as one figure over the corpus's mix of
formats; this one takes the first FILES files (default 4) of one format of a
generated corpus and prints the best of five passes, for work aimed at one
loader.
"""

from __future__ import annotations

import glob
import sys
import time

from auditor.transcripts import LoadLimits, load_file


def main(argv: list[str]) -> int:
    root = argv[0]
    kind = argv[1] if len(argv) > 1 else "csv"
    count = int(argv[2]) if len(argv) > 2 else 4
    folder = "text" if kind == "txt" else kind  # the generator writes .txt files under text/
    files = sorted(glob.glob(f"{root}/{folder}/**/*.{kind}", recursive=True))[:count]
    limits = LoadLimits()
    best = None
    calls = 0
    for _ in range(5):
        started = time.process_time()
        calls = sum(1 for path in files for _ in load_file(path, limits))
        spent = time.process_time() - started
        best = spent if best is None else min(best, spent)
    if not calls:
        print(f"no {kind} calls under {root}/{folder}", file=sys.stderr)
        return 1
    print(f"{kind}: {len(files)} files, {calls} calls, best of 5: {best / calls * 1e6:.0f} µs/call (CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
