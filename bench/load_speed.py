"""µs per call of load_file on generated CSV files (and JSON for comparison)."""
import sys, time, glob
from pathlib import Path
from auditor.transcripts import load_file, LoadLimits
root = sys.argv[1]; kind = sys.argv[2] if len(sys.argv) > 2 else "csv"
folder = "text" if kind == "txt" else kind  # the generator writes .txt files under text/
files = sorted(glob.glob(f"{root}/{folder}/**/*.{kind}", recursive=True))[:int(sys.argv[3]) if len(sys.argv) > 3 else 4]
lim = LoadLimits()
best = None
for rep in range(5):
    t = time.process_time(); n = 0
    for f in files:
        for c in load_file(Path(f), lim):
            n += 1
    dt = time.process_time() - t
    best = dt if best is None else min(best, dt)
print(f"{kind}: {len(files)} files, {n} calls, best of 5: {best / n * 1e6:.0f} µs/call (CPU)")
