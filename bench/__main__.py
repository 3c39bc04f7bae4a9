"""``python -m bench`` (or ``bench/run``): throughput and memory of a full audit on a generated corpus.

Generates (or reuses) a seeded corpus, then measures on the same files: the
floor (read + decode + split), the audit itself through the real CLI in a
subprocess (default checklist, workbook and results written) with its wall
time and peak RSS, and the spaCy + PhraseMatcher peer (timed on a sample
spread across the corpus, projected to all of it). Optional: --jobs
scaling, the memory growth to a larger corpus, and Dask LocalCluster nodes.
The audit runs as a child process so its peak RSS is its own (os.wait4).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.floor import Peer, corpus_files, floor, spread_sample
from bench.generate import VERSION, generate


def corpus(root: Path, calls: int, seed: int) -> Path:
    """A corpus folder for (calls, seed), generated once and reused: the generator is deterministic."""
    folder = root / f"v{VERSION}-calls-{calls}-seed-{seed}"
    stamp = folder / ".complete"
    if not stamp.exists():
        if folder.exists():
            import shutil

            shutil.rmtree(folder)
        t0 = time.perf_counter()
        info = generate(folder, calls, seed)
        stamp.write_text(json.dumps(info))
        print(f"generated {calls} calls ({info['bytes'] / 1e6:.1f} MB) in {folder} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return folder


# Linux keeps ru_maxrss across fork and exec, so a child of this (large) process
# would report at least this process's size. A small launcher forks the audit
# instead and reports the audit's own peak RSS and CPU time.
_LAUNCHER = """
import json, os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable] + sys.argv[1:])
_, status, ru = os.wait4(pid, 0)
print(json.dumps({"code": os.waitstatus_to_exitcode(status), "maxrss_kb": ru.ru_maxrss, "cpu": ru.ru_utime + ru.ru_stime}))
"""


#: Extra ``auditor audit`` options for every audit of a run (``--checklist``).
AUDIT_OPTIONS: list[str] = []


def audit(folder: Path, out: Path, *extra: str) -> dict:
    """Run ``auditor audit`` in a child process: wall and CPU seconds, its peak RSS (MB) and the calls it audited."""
    out.mkdir(parents=True, exist_ok=True)
    results = out / "results.jsonl"
    args = ["-m", "auditor", "audit", str(folder), "-q", "--force", "-o", str(out / "scorecard.xlsx"), "--results", str(results),
            *AUDIT_OPTIONS, *extra]
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _LAUNCHER, *args], stdout=subprocess.PIPE, text=True, check=True)
    wall = time.perf_counter() - t0
    usage = json.loads(done.stdout.strip().splitlines()[-1])
    if usage["code"] not in (0, 1):
        raise SystemExit(f"audit failed ({usage['code']}): python {' '.join(args)}")
    run = json.loads(results.read_text(encoding="utf-8").rstrip("\n").rsplit("\n", 1)[-1])
    return {"wall": wall, "cpu": usage["cpu"], "peak_mb": usage["maxrss_kb"] / 1024, "calls": run["summary"]["calls"], "cmd": "python " + " ".join(args)}


def _median_run(runs: list[dict]) -> dict:
    """One figure for several runs of the same audit: median wall and CPU, the largest peak RSS, every wall kept."""
    return {**runs[0], "wall": statistics.median(r["wall"] for r in runs), "cpu": statistics.median(r["cpu"] for r in runs),
            "peak_mb": max(r["peak_mb"] for r in runs), "walls": [r["wall"] for r in runs]}


def _span(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}"


def call_lines(results: Path) -> list[str]:
    return sorted(line for line in results.read_text(encoding="utf-8").splitlines() if line.startswith('{"type":"call"'))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=1, help="workers for the main audit measurement")
    ap.add_argument("--peer-calls", type=int, default=2_000, help="calls the peer is timed on, spread across the corpus (its time for all calls is projected); 0 = all")
    ap.add_argument("--scaling", action="store_true", help="also audit with --jobs 2 and compare")
    ap.add_argument("--memory", type=int, default=0, metavar="CALLS", help="also audit a corpus of CALLS calls and compare peak RSS")
    ap.add_argument("--dask", action="store_true", help="also audit on a Dask LocalCluster with 1 and 2 workers")
    ap.add_argument("--corpora", type=Path, default=Path(tempfile.gettempdir()) / "auditor-bench", help="where generated corpora are kept")
    ap.add_argument("--checklist", type=Path, help="audit with this checklist (the peer matches its phrase lists) instead of the default;"
                    " bench/naive_keywords.yaml asks the audit only what the peer does")
    ap.add_argument("--json", type=Path, help="write the figures to this file as JSON")
    ap.add_argument("--repeat", type=int, default=1, metavar="N",
                    help="time the floor and the audit N times (with --scaling, --jobs 1 and 2 alternately) and report medians")
    args = ap.parse_args(argv)
    if args.checklist:
        AUDIT_OPTIONS[:] = ["--checklist", str(args.checklist.resolve())]

    # Bytecode for the package, as `pip install .` writes it: an editable install
    # run with PYTHONDONTWRITEBYTECODE=1 (CI, containers) would otherwise compile
    # every module of the audit at every start (~0.03-0.07 s a run).
    import compileall

    import auditor

    compileall.compile_dir(str(Path(auditor.__file__).parent), quiet=1)
    folder = corpus(args.corpora, args.calls, args.seed)
    files = corpus_files(folder)
    size = sum(p.stat().st_size for p in files)
    floor(files)  # warm the page cache: every figure below is warm-cache
    floor_walls = []
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        n_floor, n_turns = floor(files)
        floor_walls.append(time.perf_counter() - t0)
    t_floor = statistics.median(floor_walls)

    out = Path(tempfile.mkdtemp(prefix="auditor-bench-out-"))
    # With --scaling, runs of one worker and two alternate, so that both meet the
    # same moments of a shared machine; each figure is the median of its runs.
    runs: dict[str, list[dict]] = {"main": [], "jobs2": []}
    for i in range(max(1, args.repeat)):
        runs["main"].append(audit(folder, out / ("main" if i == 0 else f"main-{i}"), "--jobs", str(args.jobs)))
        if args.scaling:
            runs["jobs2"].append(audit(folder, out / ("jobs2" if i == 0 else f"jobs2-{i}"), "--jobs", "2"))
    main_run = _median_run(runs["main"])
    assert main_run["calls"] == n_floor, (main_run["calls"], n_floor)

    from auditor.checklist import default_checklist_path, load_compiled

    compiled, _ = load_compiled(args.checklist or default_checklist_path())
    # The peer runs on a sample, and its time for the whole corpus is projected:
    # its pipeline load (start-up, like the audit's, paid once a run) plus, for
    # every call, the floor's read and split and the sample's time a call.
    # Timing the load over the sample alone would charge it to ~10x fewer
    # calls than the audit's start-up is charged to, flattering the audit.
    sample = spread_sample(files, args.peer_calls or n_floor, n_floor)
    t0 = time.perf_counter()
    peer = Peer(compiled.bank.phrases)
    t_peer_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    n_peer, _ = peer.run(sample)
    peer_per_call = (time.perf_counter() - t0) / n_peer
    t_peer = t_peer_load + t_floor + n_floor * peer_per_call

    rate = main_run["calls"] / main_run["wall"]
    figures: dict = {
        "checklist": str(args.checklist or "default"), "calls": n_floor, "turns": n_turns, "files": len(files), "mb": size / 1e6, "jobs": args.jobs,
        "audit": {**main_run, "calls_per_s": rate, "mb_per_s": size / 1e6 / main_run["wall"]},
        "floor": {"seconds": t_floor, "calls_per_s": n_floor / t_floor, "walls": floor_walls},
        "peer": {"calls": n_peer, "load_s": t_peer_load, "ms_per_call": peer_per_call * 1e3, "seconds": t_peer, "calls_per_s": n_floor / t_peer},
    }
    figures["audit_over_floor"] = figures["floor"]["calls_per_s"] / rate
    figures["peer_over_audit"] = rate / figures["peer"]["calls_per_s"]
    print(f"corpus: {n_floor} calls, {n_turns} turns, {len(files)} files, {size / 1e6:.1f} MB ({folder})")
    if len(runs["main"]) > 1:
        print(f"(medians of {len(runs['main'])} runs; audit {_span(main_run['walls'])} s, floor {_span(floor_walls)} s)")
    if args.checklist:
        print(f"checklist: {args.checklist} ({len(compiled.bank.phrases)} phrases), for the audit and the peer")
    print(f"audit (--jobs {args.jobs}): {main_run['wall']:.2f} s, {rate:,.0f} calls/s, {figures['audit']['mb_per_s']:.2f} MB/s, peak RSS {main_run['peak_mb']:.0f} MB"
          f" (CPU {main_run['cpu']:.2f} s = {main_run['calls'] / main_run['cpu']:,.0f} calls per CPU-second)")
    print(f"floor (read+decode+split): {t_floor:.2f} s, {figures['floor']['calls_per_s']:,.0f} calls/s")
    print(f"peer (spaCy zh/jieba + PhraseMatcher): load {t_peer_load:.2f} s + {peer_per_call * 1e3:.2f} ms a call (on {n_peer} calls across the corpus)"
          f" + the floor = {t_peer:.2f} s for all {n_floor} calls, {figures['peer']['calls_per_s']:,.0f} calls/s")
    print(f"audit/floor (time per call): {figures['audit_over_floor']:.1f}x   peer/audit (time per call): {figures['peer_over_audit']:.1f}x")

    if args.scaling:
        one = main_run if args.jobs == 1 else audit(folder, out / "jobs1", "--jobs", "1")
        two = _median_run(runs["jobs2"])
        same = call_lines(out / ("main" if args.jobs == 1 else "jobs1") / "results.jsonl") == call_lines(out / "jobs2" / "results.jsonl")
        pairs = [a["wall"] / b["wall"] for a, b in zip(runs["main"], runs["jobs2"])] if args.jobs == 1 else [one["wall"] / two["wall"]]
        figures["scaling"] = {"jobs1_s": one["wall"], "jobs2_s": two["wall"], "speedup": one["wall"] / two["wall"], "jobs2_peak_mb": two["peak_mb"],
                              "identical": same, "pair_speedups": pairs, "jobs2_walls": two["walls"]}
        spread = f" (a pair: {min(pairs):.2f}-{max(pairs):.2f}x)" if len(pairs) > 1 else ""
        print(f"--jobs 2: {two['wall']:.2f} s vs {one['wall']:.2f} s = {one['wall'] / two['wall']:.2f}x{spread}, "
              f"peak RSS (largest process) {two['peak_mb']:.0f} MB, results identical: {same}")
    if args.memory:
        big = corpus(args.corpora, args.memory, args.seed)
        run = audit(big, out / "memory", "--jobs", str(args.jobs))
        growth = run["peak_mb"] / main_run["peak_mb"] - 1
        figures["memory"] = {"calls": run["calls"], "peak_mb": run["peak_mb"], "wall": run["wall"], "growth": growth}
        print(f"memory: {run['calls']} calls peak RSS {run['peak_mb']:.0f} MB vs {main_run['peak_mb']:.0f} MB at {main_run['calls']}: {growth:+.1%} "
              f"({run['calls'] / run['wall']:,.0f} calls/s)")
    if args.dask:
        d1 = audit(folder, out / "dask1", "--executor", "dask", "--scheduler", "local", "--jobs", "1")
        d2 = audit(folder, out / "dask2", "--executor", "dask", "--scheduler", "local", "--jobs", "2")
        same = call_lines(out / "main" / "results.jsonl") == call_lines(out / "dask2" / "results.jsonl")
        figures["dask"] = {"workers1_s": d1["wall"], "workers2_s": d2["wall"], "speedup": d1["wall"] / d2["wall"], "identical": same}
        print(f"dask LocalCluster: 1 worker {d1['wall']:.2f} s ({d1['calls'] / d1['wall']:,.0f} calls/s), 2 workers {d2['wall']:.2f} s "
              f"({d2['calls'] / d2['wall']:,.0f} calls/s) = {d1['wall'] / d2['wall']:.2f}x, results identical to local: {same}")
    print(f"outputs in {out}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
