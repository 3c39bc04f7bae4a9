"""Parallel and distributed runs give the same results as one process; the speed-ups change nothing."""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from auditor import pipeline
from auditor.executors import WINDOW_PER_WORKER, LocalExecutor, _windowed, MAX_HELD_HERE, default_jobs
from auditor.pipeline import AuditState, audit_batch, batches
from auditor.transcripts import LoadLimits
from auditor.transcripts.normalize import normalize, normalize_all
from bench.generate import generate

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """60 generated calls in all four formats (json and text files, one JSONL and one CSV file)."""
    root = tmp_path_factory.mktemp("corpus")
    generate(root, 60, seed=3, agents=12)
    return root


def call_lines(results: Path) -> list[str]:
    return sorted(line for line in results.read_text(encoding="utf-8").splitlines() if line.startswith('{"type":"call"'))


def sheet_values(xlsx: Path) -> dict[str, list[tuple]]:
    wb = load_workbook(xlsx, read_only=True)
    out = {}
    for ws in wb.worksheets:
        rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
        if ws.title == "Summary":
            rows = [r for r in rows if r and r[0] not in ("Run date", "Inputs")]
        out[ws.title] = rows
    return out


def test_default_jobs_is_the_cpus_this_process_may_use():
    assert default_jobs() == len(os.sched_getaffinity(0))


def test_process_pool_returns_what_one_process_returns(corpus, default_checklist):
    state = AuditState(default_checklist, LoadLimits())
    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    work = batches(files, size=5)
    assert len(work) > 2
    alone = [audit_batch(batch, state) for batch in work]
    pooled = list(LocalExecutor(2).map(work, state))
    assert pooled == alone
    assert sum(len(b) for b in alone) == 60


@pytest.mark.parametrize("options", [["--evidence", "failures"], ["--evidence", "all"], ["--redact"]], ids=["failures", "all", "redact"])
def test_jobs_2_writes_the_same_results_and_workbook_as_jobs_1(corpus, cli, tmp_path, monkeypatch, options):
    """Workers write each call's results line and drop evidence the workbook will not show: nothing may differ."""
    monkeypatch.setattr(pipeline, "BATCH_FILES", 4)  # many batches, so the pool really shares them out
    folder = tmp_path / "in"
    shutil.copytree(corpus, folder)
    # a call with a mobile number in the middle of the batches: workers write its line, this process redacts it
    (folder / "json" / "000" / "C0000029b.json").write_text(json.dumps({"call_id": "PII-1", "agent_id": "A1", "turns": [
        {"speaker": "agent", "text": "您好，请问您的手机号是13812345678吗？"}, {"speaker": "customer", "text": "对，13812345678。"},
        {"speaker": "agent", "text": "谢谢，再见。"}]}, ensure_ascii=False), encoding="utf-8")
    (folder / "json" / "000" / "C0000030b.json").write_text('{"call_id": "BROKEN", "turns": [', encoding="utf-8")  # a worker reports it
    code1, _, err1 = cli("audit", folder, "--jobs", "1", "-o", "one.xlsx", "--results", "one.jsonl", "-q", *options)
    code2, _, err2 = cli("audit", folder, "--jobs", "2", "-o", "two.xlsx", "--results", "two.jsonl", "-q", *options)
    assert ("13812345678" in (tmp_path / "two.jsonl").read_text(encoding="utf-8")) == ("--redact" not in options)
    problems = [json.loads(ln) for ln in (tmp_path / "two.jsonl").read_text(encoding="utf-8").splitlines() if ln.startswith('{"type":"problem"')]
    assert [p["path"].endswith("C0000030b.json") and "invalid JSON" in p["reason"] for p in problems] == [True]
    assert code1 in (0, 1) and code2 in (0, 1), err1 + err2
    one, two = call_lines(tmp_path / "one.jsonl"), call_lines(tmp_path / "two.jsonl")
    assert len(one) == 61 and one == two
    assert sheet_values(tmp_path / "one.xlsx") == sheet_values(tmp_path / "two.xlsx")


def test_batches_are_bounded_by_bytes_so_many_call_files_are_not_lumped_together(tmp_path):
    small = [tmp_path / f"s{i}.json" for i in range(10)]
    for p in small:
        p.write_bytes(b"x" * 100)
    big = tmp_path / "big.jsonl"
    big.write_bytes(b"x" * 5000)
    work = batches([*small[:5], big, *small[5:]], size=100, max_bytes=1000)
    assert list(work) == [[str(p) for p in small[:5]], [str(big)], [str(p) for p in small[5:]]]
    assert work[-1] == [str(p) for p in small[5:]] and work[1] == [str(big)]
    assert list(batches(small, size=1)) == [[str(p)] for p in small]
    # batches are index ranges over the file list, not copies of its names; a file a batch needs no table at all
    one_each = batches(small, size=1)
    assert one_each.paths is small and one_each.starts is None and len(one_each) == 10 and one_each[-1] == [str(small[-1])]
    assert len(work.starts) == 3
    # the weight a local executor balances by: a batch's bytes against a full batch's
    assert [work.weight(i) for i in range(3)] == [0.5, 5.0, 0.5] and one_each.weight(3) == 1.0


def test_executor_window_keeps_order_and_bounds_work_in_flight():
    in_flight, peak = set(), 0

    def submit(batch):
        nonlocal peak
        in_flight.add(batch[0])
        peak = max(peak, len(in_flight))
        return batch[0]

    def result(token):
        in_flight.discard(token)
        return [token * 10]

    work = [[i] for i in range(50)]
    assert list(_windowed(work, submit, result, workers=2)) == [[i * 10] for i in range(50)]
    assert peak == 2 * WINDOW_PER_WORKER


def test_workers_ship_the_results_line_and_only_the_evidence_the_workbook_shows(corpus, default_checklist):
    from auditor.pipeline import shipped
    from auditor.reports.results import call_line

    paths = [str(p) for p in sorted(corpus.rglob("*")) if p.is_file()]
    full = audit_batch(paths, AuditState(default_checklist, LoadLimits()))
    slim = pickle.loads(pickle.dumps(shipped(paths, AuditState(default_checklist, LoadLimits(), ship_evidence="failures"))))
    assert [call_line(r) for r in slim] == [call_line(r) for r in full]  # the line written in the worker, whole
    assert all(r.line for r in slim)
    dropped = kept = 0
    for a, b in zip(full, slim):
        for item_id, res in a.items.items():
            mine = b.items[item_id]
            assert (mine.status, mine.metrics) == (res.status, res.metrics)
            if res.status == "fail":
                assert mine.evidence == res.evidence
                kept += len(res.evidence)
            else:
                assert mine.evidence == []
                dropped += len(res.evidence)
    assert dropped and kept
    # what is left of most items is a bare status: one shared object per status, sent once a batch
    bare = [res for r in slim for res in r.items.values() if not res.evidence and not res.metrics]
    assert len(bare) > 3 * len(slim) and len({id(res) for res in bare}) <= 3
    everything = shipped(paths, AuditState(default_checklist, LoadLimits(), ship_evidence="all"))
    assert [[r.items[i].evidence for i in r.items] for r in everything] == [[r.items[i].evidence for i in r.items] for r in full]


def test_result_pipe_is_widened_so_a_worker_need_not_wait_for_its_batch_to_be_read():
    import fcntl
    import multiprocessing as mp

    from auditor.executors import RESULT_PIPE_BYTES, _widen_result_pipe

    with mp.get_context("fork").Pool(1) as pool:
        before = fcntl.fcntl(pool._outqueue._writer.fileno(), fcntl.F_GETPIPE_SZ)
        _widen_result_pipe(pool)
        after = fcntl.fcntl(pool._outqueue._writer.fileno(), fcntl.F_GETPIPE_SZ)
    limit = int(Path("/proc/sys/fs/pipe-max-size").read_text())
    assert before < RESULT_PIPE_BYTES and after == (RESULT_PIPE_BYTES if os.geteuid() == 0 or RESULT_PIPE_BYTES <= limit else before)


def test_results_survive_pickling_between_processes(corpus, default_checklist):
    state = AuditState(default_checklist, LoadLimits())
    out = audit_batch([str(p) for p in sorted(corpus.rglob("*.jsonl"))], state)
    assert any(r.items["greeting"].evidence for r in out)
    assert pickle.loads(pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)) == out


_ALPHABET = st.sampled_from(list("您好謝謝再見電話号码ＡＢｃ１２ 　…！!?？e\u0301\u0308\u3099İßﬁ①，。\n\tｶﾞ") + ["对吗", "這是", "Ｆｕｌｌ"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_ALPHABET, max_size=12).map("".join), max_size=6))
def test_normalising_a_whole_call_at_once_equals_turn_by_turn(texts):
    assert normalize_all(texts) == [normalize(t) for t in texts]


def test_phrase_patterns_are_found_through_the_pattern_set(tmp_path, cli):
    call = tmp_path / "calls" / "c1.txt"
    call.parent.mkdir()
    call.write_text("客服：您好，请问有什么可以帮您？\n客户：快递一直没到。\n客服：这是快递的问题，您找快递去。\n", encoding="utf-8")
    code, _, err = cli("audit", call.parent, "-o", "o.xlsx", "--results", "r.jsonl", "-q", "--jobs", "1")
    assert code in (0, 1), err
    record = json.loads(call_lines(tmp_path / "r.jsonl")[0])
    assert record["items"]["forbidden_language"]["status"] == "fail"
    assert any("这是快递的问题" in e["match"] for e in record["items"]["forbidden_language"]["evidence"])


def test_dask_executor_without_a_scheduler_is_a_usage_error(corpus, cli):
    code, _, err = cli("audit", corpus, "--executor", "dask", "-q")
    assert code == 2
    assert "--scheduler" in err


def test_dask_missing_says_which_extra_to_install(corpus, tmp_path):
    # Run the real CLI in a Python where importing distributed fails.
    script = ("import sys; sys.modules['distributed'] = None\n"
              "from auditor.cli import main; sys.argv = ['auditor'] + sys.argv[1:]; main()")
    proc = subprocess.run([sys.executable, "-c", script, "audit", str(corpus), "--executor", "dask", "--scheduler", "local", "-q",
                           "-o", str(tmp_path / "o.xlsx"), "--results", str(tmp_path / "r.jsonl")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "auditor[dask]" in proc.stderr


def test_dask_cluster_gives_the_local_results(corpus, cli, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as cluster:
        code_d, _, err_d = cli("audit", corpus, "--executor", "dask", "--scheduler", cluster.scheduler_address,
                               "-o", "dask.xlsx", "--results", "dask.jsonl", "-q")
        workers = len(cluster.scheduler_info["workers"])
    code_l, _, err_l = cli("audit", corpus, "--jobs", "1", "-o", "local.xlsx", "--results", "local.jsonl", "-q")
    assert code_d in (0, 1) and code_l in (0, 1), err_d + err_l
    assert workers == 2
    local = call_lines(tmp_path / "local.jsonl")
    assert len(local) == 60 and call_lines(tmp_path / "dask.jsonl") == local
    assert sheet_values(tmp_path / "dask.xlsx") == sheet_values(tmp_path / "local.xlsx")


def test_bench_generator_is_reproducible_and_covers_the_four_formats(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    info = generate(a, 40, seed=11)
    generate(b, 40, seed=11)
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files_a)
    assert {f.suffix for f in files_a} == {".json", ".jsonl", ".txt", ".csv"}
    assert info["calls"] == 40 and 1800 < info["bytes"] / 40 < 3500


def test_bench_run_smoke(tmp_path):
    env = {**os.environ, "PYTHON": sys.executable}
    proc = subprocess.run([str(ROOT / "bench" / "run"), "--calls", "200", "--peer-calls", "50", "--corpora", str(tmp_path), "--scaling", "--repeat", "2",
                           "--json", str(tmp_path / "figures.json")], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for label in ("calls/s", "floor", "peer", "audit/floor", "peak RSS"):
        assert label in proc.stdout
    import json

    figures = json.loads((tmp_path / "figures.json").read_text())
    assert figures["audit"]["calls"] == 200 and figures["peer"]["calls"] == 50
    # the peer's load is charged once to the whole corpus, as the audit's start-up is
    peer = figures["peer"]
    assert peer["seconds"] > peer["load_s"] and peer["calls_per_s"] == pytest.approx(200 / peer["seconds"])
    assert figures["audit"]["peak_mb"] > 10
    # repeated runs, one worker and two alternately: medians, with every run kept
    assert len(figures["audit"]["walls"]) == len(figures["floor"]["walls"]) == 2 and len(figures["scaling"]["pair_speedups"]) == 2
    assert figures["audit"]["wall"] == pytest.approx(sum(figures["audit"]["walls"]) / 2) and figures["scaling"]["identical"]


def test_bench_run_with_another_checklist_gives_it_to_the_audit_and_the_peer(tmp_path):
    """``--checklist bench/naive_keywords.yaml`` asks the audit only what the peer does: both must use it."""
    import json

    env = {**os.environ, "PYTHON": sys.executable}
    proc = subprocess.run([str(ROOT / "bench" / "run"), "--calls", "200", "--peer-calls", "20", "--corpora", str(tmp_path),
                           "--checklist", str(ROOT / "bench" / "naive_keywords.yaml"), "--json", str(tmp_path / "figures.json")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "naive_keywords.yaml (20 phrases), for the audit and the peer" in proc.stdout
    figures = json.loads((tmp_path / "figures.json").read_text())
    assert figures["checklist"].endswith("naive_keywords.yaml") and figures["audit"]["calls"] == 200
    out = Path(proc.stdout.rsplit("outputs in ", 1)[1].strip())
    run = json.loads((out / "main" / "results.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert run["checklist"]["id"] == "naive_keywords"


def test_the_timeline_shows_each_process_share_of_a_parallel_run(tmp_path):
    from bench.generate import generate

    generate(tmp_path / "c", 300, 5)
    proc = subprocess.run([sys.executable, "-m", "bench.timeline", str(tmp_path / "c"), "--jobs", "2"], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("start-up: first batch at") and lines[-2].startswith("this process: audited")
    calls = sum(int(line.split(" calls")[0].rsplit(" ", 1)[-1]) for line in lines[1:-1])
    assert calls == 300  # every call was audited by the worker or here, and counted once
    assert re.fullmatch(r"collector in this process during the audit: \d+ passes, [\d.]+ s \(\d+ full, [\d.]+ s\)", lines[-1])


def test_the_collector_clock_counts_passes_once_the_audit_is_set_up():
    import gc

    import auditor.launch as launch
    from bench.timeline import CollectorClock

    settle = launch.settle_collector
    thresholds = gc.get_threshold()
    clock = CollectorClock()
    try:
        gc.collect()
        assert clock.passes == 0  # not counting before the audit settles the collector
        launch.settle_collector()
        gc.collect(0)
        gc.collect()
        assert (clock.passes, clock.full) == (2, 1) and clock.seconds >= clock.full_seconds > 0
    finally:
        launch.settle_collector = settle
        if clock._tick in gc.callbacks:
            gc.callbacks.remove(clock._tick)
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_the_peer_sample_is_spread_over_every_format(tmp_path):
    from bench.floor import corpus_files, iter_calls, spread_sample
    from bench.generate import generate

    generate(tmp_path / "c", 40, 3)
    files = corpus_files(tmp_path / "c")
    every = [call for path in files for call in iter_calls(path)]
    sample = spread_sample(files, 8, len(every))
    assert sample == every[::5][:8]
    formats = {path.suffix for path in files for call in iter_calls(path) if call in sample}
    assert formats == {".json", ".jsonl", ".txt", ".csv"}  # the first eight calls alone come from one format


def test_seen_ids_name_the_first_location_and_stay_compact(tmp_path):
    from auditor.seen import SeenIds

    files = [tmp_path / f"f{i}.json" for i in range(3000)] + [tmp_path / "many.jsonl"]
    seen = SeenIds(files)
    for i in range(3000):
        assert seen.first_seen(f"C{i}", str(files[i]), None) is None
    for line in range(1, 2001):
        assert seen.first_seen(f"L{line}", str(files[-1]), line) is None
    assert seen.first_seen("C17", str(files[-1]), 5000) == str(files[17])
    assert seen.first_seen("L42", str(files[-1]), 6000) == f"{files[-1]}:42"
    # a path outside the list (or met out of order) is still named exactly
    assert seen.first_seen("X1", "/elsewhere/x.csv", 7) is None
    assert seen.first_seen("X1", str(files[-1]), 7001) == "/elsewhere/x.csv:7"
    assert len(seen) == 5001
    assert seen.slots * 16 <= 5001 * 4 * 16  # flat arrays, no per-call objects


def test_duplicate_call_ids_are_reported_with_where_they_first_appeared(tmp_path, cli):
    folder = tmp_path / "calls"
    folder.mkdir()
    body = "客服：您好，请问有什么可以帮您？\n客户：我想查话费。\n客服：好的，谢谢，再见。\n"
    (folder / "a.txt").write_text("---\ncall_id: DUP1\n---\n" + body, encoding="utf-8")
    (folder / "b.txt").write_text("---\ncall_id: DUP1\n---\n" + body, encoding="utf-8")
    code, _, err = cli("audit", folder, "-o", "o.xlsx", "--results", "r.jsonl", "--jobs", "1")
    assert code in (0, 1)
    assert f"duplicate call id 'DUP1' (also in {folder / 'a.txt'}); both are kept" in err


def test_seen_ids_read_each_file_name_once_and_never_go_back():
    """The run's file list decodes a name from its last restart point when asked for an earlier one
    (auditor.filelist): the duplicate check must walk it forward only, one name per file."""
    from auditor.seen import SeenIds

    names = [f"/data/f{i:05d}.json" for i in range(200)]
    asked: list[int] = []

    class Recording(list):
        def __getitem__(self, i):
            asked.append(i)
            return super().__getitem__(i)

    seen = SeenIds(Recording(names))
    for n, name in enumerate(names):
        for line in (None,) if n % 2 else (1, 2, 3):
            assert seen.first_seen(f"{name}-{line}", name, line) is None
    assert asked == list(range(200))


def test_duplicate_index_keeps_first_locations_across_growth():
    """Thousands of ids force the open-addressing table to grow several times; nothing is lost."""
    from auditor.seen import SeenIds

    files = [f"/data/f{i:05d}.jsonl" for i in range(50)]
    seen = SeenIds(files)
    for n in range(5000):
        assert seen.first_seen(f"C{n}", files[n // 100], n % 100 + 1) is None
    assert len(seen) == 5000 and seen.slots >= 5000 * 5 // 4
    assert seen.first_seen("C0", files[49], 7) == "/data/f00000.jsonl:1"
    assert seen.first_seen("C4999", files[49], 8) == "/data/f00049.jsonl:100"


def test_duplicate_index_grows_without_holding_a_second_copy_of_itself():
    """Growing the whole table at once held old and new arrays together, the peak of a 200,000-call run."""
    import tracemalloc

    from auditor.seen import SeenIds

    files = ["/data/calls.jsonl"]
    seen = SeenIds(files)
    tracemalloc.start()
    try:
        for n in range(60_000):
            seen.first_seen(f"C{n:07d}", files[0], n + 1)
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen.slots * 16 <= current
    assert peak < current * 1.25, (current, peak)


@pytest.mark.parametrize("workers_ready", [True, False], ids=["workers-fast", "workers-stalled"])
def test_this_process_audits_while_it_waits_and_keeps_the_order(workers_ready):
    submitted, here, held_peak = [], [], 0

    def audit_here(batch):
        here.append(batch[0])
        return [batch[0] * 10]

    outputs = _windowed([[i] for i in range(40)], lambda b: submitted.append(b[0]) or b[0], lambda t: [t * 10], workers=1,
                        here=audit_here, ready=lambda t: workers_ready)
    got = []
    for out in outputs:
        got.append(out)
        held_peak = max(held_peak, len(here) - sum(1 for o in got if o[0] // 10 in here))
    assert got == [[i * 10] for i in range(40)]  # the order of one process, whoever audited what
    assert sorted(submitted + here) == list(range(40)) and not set(submitted) & set(here)
    if workers_ready:
        assert not here  # nothing to wait for: this process only writes
    else:
        assert here and held_peak <= MAX_HELD_HERE  # it audits while it waits, holding at most a few batches


def test_workers_have_work_queued_for_as_long_as_this_process_audits():
    """Batches differ in weight (a one-file batch of 1,000 calls weighs ~10): before this process audits a
    batch, the workers must have at least as much waiting beyond the batch each is running, or they idle."""
    weights = [1.0, 1.0, 1.0, 1.0, 10.0] * 8
    submitted: list[int] = []
    taken: set[int] = set()
    shortfalls = []

    def audit_here(batch):
        running_or_waiting = [i for i in submitted if i not in taken]
        waiting = running_or_waiting[1:]  # one worker: the first is the one it runs
        if sum(weights[i] for i in waiting) < weights[batch[0]]:
            shortfalls.append(batch[0])
        return [batch[0]]

    def result(token):
        taken.add(token)
        return [token]

    outputs = _windowed([[i] for i in range(len(weights))], lambda b: submitted.append(b[0]) or b[0], result, workers=1,
                        here=audit_here, ready=lambda t: False, weight=weights.__getitem__)
    assert [o[0] for o in outputs] == list(range(len(weights)))
    assert not shortfalls


def test_batches_this_process_holds_do_not_stop_the_workers_being_fed():
    """Worker A runs a heavy first batch; while this process waits for it, it audits batches itself and
    worker B finishes one small batch per batch audited here. B must always find one more queued."""
    weights = [10.0] + [1.0] * 80
    submitted: list[int] = []
    finished: set[int] = set()
    here_count = 0
    b_starved = 0

    def audit_here(batch):
        nonlocal here_count, b_starved
        here_count += 1
        queued_for_b = [i for i in submitted if i and i not in finished]
        if not queued_for_b:
            b_starved += 1
        else:
            finished.add(queued_for_b[0])  # B works while this process audits
        if here_count >= 14:
            finished.add(0)
        return [batch[0]]

    outputs = _windowed([[i] for i in range(len(weights))], lambda b: submitted.append(b[0]) or b[0], lambda t: [t], workers=2,
                        here=audit_here, ready=lambda t: t in finished, weight=weights.__getitem__)
    assert [o[0] for o in outputs] == list(range(len(weights)))
    assert here_count >= 14 and b_starved == 0


def test_fast_constructors_build_ordinary_frozen_objects():
    """Loaders and detectors build turns, calls and evidence without the frozen __init__; the objects must not differ."""
    import dataclasses

    from auditor.detectors.base import Evidence, new_evidence
    from auditor.transcripts.model import Call, new_call

    for fast, cls in ((new_call, Call), (new_evidence, Evidence)):
        args = tuple(f"v{i}" for i in range(len(dataclasses.fields(cls))))
        made = fast(*args)
        assert type(made) is cls and made == cls(*args) and hash(made) == hash(cls(*args))
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.__setattr__(dataclasses.fields(cls)[0].name, "x")
        assert pickle.loads(pickle.dumps(made)) == made


def test_turns_from_columns_are_the_turns_the_fields_make():
    """Loaders build a call's turns from its columns in one pass; each must be the Turn its fields make, numbered in order."""
    from auditor.transcripts.model import Turn, turns_from_columns

    turns = turns_from_columns(["agent", "customer"], ["您好", "喂"], ["您好", "喂"], [0.0, None], [1.5, None], range(3, 5))
    assert turns == (Turn(0, "agent", "您好", "您好", 0.0, 1.5, 3), Turn(1, "customer", "喂", "喂", None, None, 4))
    assert all(type(t) is Turn for t in turns) and turns[1].index == 1 and turns[0].line == 3
    with pytest.raises(AttributeError):
        turns[0].text = "x"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(turns)) == turns


def test_a_sink_made_on_the_first_call_gets_every_call_and_is_made_once():
    from auditor.pipeline import MadeOnFirstCall

    made, got = [], []

    class Sink:
        def __init__(self):
            made.append(self)

        def add_call(self, r):
            got.append(r)

        def close(self, *run):
            got.append(("closed", run))

        def abort(self):
            got.append("aborted")

    idle = MadeOnFirstCall(Sink)
    idle.abort()
    assert made == [] and got == [], "a run that reached no call never makes it"
    lazy = MadeOnFirstCall(Sink)
    for r in range(3):
        lazy.add_call(r)
    lazy.close("board", [], {})
    lazy.abort()
    assert len(made) == 1 and lazy.sink is made[0]
    assert got == [0, 1, 2, ("closed", ("board", [], {})), "aborted"]
