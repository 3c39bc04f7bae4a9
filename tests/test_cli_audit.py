"""The CLI end to end on samples/, with the workbook read back."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from auditor import __version__

from conftest import SAMPLES

ITEMS = ["greeting", "thanks", "farewell", "further_help", "paraphrase_confirmation", "empathy", "forbidden_language"]


def read_results(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_audit_samples_writes_scorecard_and_results(cli, tmp_path):
    code, out, err = cli("audit", SAMPLES, "--manifest", SAMPLES / "calls.csv")
    assert code == 0, err
    assert "Audited 28 call(s) for 6 agent(s)" in err and "Wrote scorecard.xlsx" in err

    records = read_results(tmp_path / "results.jsonl")
    calls = [r for r in records if r["type"] == "call"]
    assert len(calls) == 28 and records[-1]["type"] == "run"
    assert records[-1]["summary"]["calls"] == 28
    first = calls[0]
    assert set(first) >= {"call_id", "agent_id", "agent_name", "team", "started_at", "source", "score", "critical_failed", "items"}
    assert set(first["items"]) >= set(ITEMS)
    ev = next(e for c in calls for e in c["items"]["greeting"]["evidence"])
    assert set(ev) >= {"turn", "speaker", "text", "match", "start"}
    # manifest metadata reached the calls that lacked it
    assert all(c["agent_id"] for c in calls)

    wb = load_workbook(tmp_path / "scorecard.xlsx")
    assert wb.sheetnames == ["Summary", "Agents", "Calls", "Evidence", "Problems"]
    calls_ws = wb["Calls"]
    header = [c.value for c in calls_ws[1]]
    assert header[:7] == ["Call ID", "Agent ID", "Agent", "Team", "Date", "Score", "Critical failure"]
    assert header[7:14] == ITEMS, "the fixed default items come first, in checklist order"
    assert calls_ws.freeze_panes == "A2" and calls_ws.auto_filter.ref.startswith("A1:")
    assert calls_ws.max_row == 29
    agents = wb["Agents"]
    rows = list(agents.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 6
    means = [r[5] for r in rows]
    assert means == sorted(means), "agents are listed worst first"
    assert agents.cell(2, 11).number_format == "0.0%"
    assert wb["Summary"]._charts, "summary has a pass-rate chart"
    evidence = list(wb["Evidence"].iter_rows(min_row=2, values_only=True))
    assert evidence and all(r[3] == "FAIL" for r in evidence)


def test_formula_like_turn_is_stored_as_text(cli, tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("客服：=HYPERLINK(\"http://x\")您好\n客户：+86 138 谢谢\n客服：-_- 不归我管\n客户：@all 再见\n", encoding="utf-8")
    code, _, err = cli("audit", path, "--evidence", "all")
    assert code == 0, err
    wb = load_workbook(tmp_path / "scorecard.xlsx")
    texts = [c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert any(c.value.startswith("=HYPERLINK") for c in texts)
    assert all(c.data_type == "s" for c in texts)


def test_existing_outputs_are_not_overwritten_without_force(cli, tmp_path):
    (tmp_path / "scorecard.xlsx").write_bytes(b"keep me")
    code, _, err = cli("audit", SAMPLES / "json" / "C1001.json")
    assert code == 2 and "already exists" in err and "--force" in err
    assert (tmp_path / "scorecard.xlsx").read_bytes() == b"keep me"
    code, _, err = cli("audit", SAMPLES / "json" / "C1001.json", "--force")
    assert code == 0, err
    assert load_workbook(tmp_path / "scorecard.xlsx").sheetnames[0] == "Summary"


def test_outputs_take_the_mode_of_a_new_file_or_of_the_file_they_replace(cli, tmp_path):
    """Written through a private temporary, the outputs must not stay 0600: a manager could not open them."""
    mode = lambda name: stat.S_IMODE((tmp_path / name).stat().st_mode)  # noqa: E731
    before = os.umask(0o022)
    try:
        code, _, err = cli("audit", SAMPLES / "json" / "C1001.json")
        assert code == 0, err
        assert mode("scorecard.xlsx") == mode("results.jsonl") == 0o644
        os.umask(0o027)
        (tmp_path / "results.jsonl").chmod(0o664)
        (tmp_path / "scorecard.xlsx").unlink()
        code, _, err = cli("audit", SAMPLES / "json" / "C1001.json", "--force")
        assert code == 0, err
        assert mode("scorecard.xlsx") == 0o640, "a new file: 0666 less the umask"
        assert mode("results.jsonl") == 0o664, "a replaced file keeps its mode"
        assert not list(tmp_path.glob(".*.tmp"))
    finally:
        os.umask(before)


def test_the_umask_read_from_proc_is_the_one_the_process_has():
    """Outputs' modes rest on it; elsewhere than Linux the set-and-restore answer is used instead."""
    from auditor.reports.atomic import _umask_from_proc, current_umask

    before = os.umask(0o027)
    try:
        if _umask_from_proc() is None:
            pytest.skip("no Umask line in /proc/self/status here")
        assert _umask_from_proc() == current_umask() == 0o027
        os.umask(0o002)
        assert current_umask() == 0o002
    finally:
        os.umask(before)


def test_fail_under_exit_code(cli):
    code, _, err = cli("audit", SAMPLES / "text" / "C3002.txt", "--fail-under", "80")
    assert code == 1 and "below --fail-under" in err
    code, _, _ = cli("audit", SAMPLES / "json" / "C1001.json", "--fail-under", "80", "--force")
    assert code == 0


def test_checklist_error_exits_2_naming_file_line_and_key(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nname: x\nversion: 1\nitems:\n  - id: a\n    title: A\n    weight: -3\n    detector: {kind: phrases, phrases: [您好]}\n", encoding="utf-8")
    code, _, err = cli("audit", SAMPLES / "json" / "C1001.json", "--checklist", bad)
    assert code == 2
    assert f"{bad}:7:5: items[0].weight:" in err
    assert not (tmp_path / "scorecard.xlsx").exists()


def test_bad_inputs_are_reported_and_the_batch_goes_on(cli, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("客服：您好\n客户：我要退款\n", encoding="utf-8")
    (folder / "broken.json").write_text('{"turns": [', encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / ".hidden.txt").write_text("客服：您好\n", encoding="utf-8")
    code, _, err = cli("audit", folder)
    assert code == 0
    assert "broken.json" in err and "invalid JSON" in err and "empty.txt" in err and "empty file" in err
    records = read_results(tmp_path / "results.jsonl")
    assert [r["call_id"] for r in records if r["type"] == "call"] == ["good"]
    problems = [r for r in records if r["type"] == "problem"]
    assert {Path(p["path"]).name for p in problems} == {"broken.json", "empty.txt"}
    sheet = load_workbook(tmp_path / "scorecard.xlsx")["Problems"]
    assert {Path(r[0]).name for r in sheet.iter_rows(min_row=2, values_only=True)} == {"broken.json", "empty.txt"}


def test_no_transcripts_is_a_clear_error_and_writes_nothing(cli, tmp_path):
    (tmp_path / "notes.md").write_text("hello", encoding="utf-8")
    code, _, err = cli("audit", tmp_path)
    assert code == 2 and "no transcript files found" in err
    assert not (tmp_path / "scorecard.xlsx").exists() and not (tmp_path / "results.jsonl").exists()


def test_results_do_not_depend_on_argument_order(cli, tmp_path):
    a, b = SAMPLES / "json", SAMPLES / "text"
    cli("audit", a, b, "--results", "one.jsonl", "--out", "one.xlsx")
    cli("audit", b, a, "--results", "two.jsonl", "--out", "two.xlsx")
    one = sorted(json.dumps(r, sort_keys=True) for r in read_results(tmp_path / "one.jsonl") if r["type"] == "call")
    two = sorted(json.dumps(r, sort_keys=True) for r in read_results(tmp_path / "two.jsonl") if r["type"] == "call")
    assert one == two
    agents = lambda name: list(load_workbook(tmp_path / name)["Agents"].iter_rows(values_only=True))  # noqa: E731
    assert agents("one.xlsx") == agents("two.xlsx")


def test_explain_prints_turns_and_verdicts_plain_when_piped(cli):
    code, out, _ = cli("explain", SAMPLES / "text" / "C3002.txt")
    assert code == 0
    assert "[01]" in out and "FAIL  forbidden_language" in out and "不归我管" in out
    assert "\x1b[" not in out


def test_version_and_help():
    run = lambda *a: subprocess.run([sys.executable, "-m", "auditor", *a], capture_output=True, text=True)  # noqa: E731
    assert run("--version").stdout.strip() == f"auditor {__version__}"
    for cmd in ([], ["audit"], ["explain"]):
        res = run(*cmd, "--help")
        assert res.returncode == 0 and "Example" in res.stdout, cmd


def test_help_does_not_import_nlp_or_excel_libraries():
    code = "import sys; from auditor.cli import app; import typer.main; assert not any(m in sys.modules for m in ('spacy', 'jieba', 'openpyxl', 'pydantic')), [m for m in ('spacy','jieba','openpyxl','pydantic') if m in sys.modules]"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).returncode == 0


def _audit_samples_in_script(tmp_path, code: str) -> subprocess.CompletedProcess:
    """``code`` run as a script whose arguments audit samples/json; it runs the command itself and checks after."""
    return subprocess.run([sys.executable, "-c", code, "audit", str(SAMPLES / "json"), "-q", "-o", str(tmp_path / "s.xlsx"),
                           "--results", str(tmp_path / "r.jsonl"), "--jobs", "1"], capture_output=True, text=True)


_RUN_LAUNCH = "try:\n    launch.main()\nexcept SystemExit as exc:\n    assert exc.code in (0, 1), exc.code\n"


def test_an_audit_imports_neither_spacy_nor_numpy(tmp_path):
    """The default checklist needs no NLP pipeline, and openpyxl is kept from importing numpy (start-up time)."""
    code = ("import sys\nimport auditor.launch as launch\n" + _RUN_LAUNCH +
            "loaded = [m for m in ('numpy', 'spacy', 'jieba') if m in sys.modules]\nassert not loaded, loaded\n"
            "import numpy, openpyxl  # later imports still work\n")
    res = _audit_samples_in_script(tmp_path, code)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "s.xlsx").exists() and (tmp_path / "r.jsonl").exists()


def test_workers_start_before_the_workbook_writer_is_set_up(tmp_path):
    """openpyxl (~0.08 s to import) is set up once calls come, while forked workers audit, not before they start."""
    folder = tmp_path / "calls"
    folder.mkdir()
    for i in range(300):
        (folder / f"c{i:03d}.txt").write_text(f"客服：您好，请问有什么可以帮您？\n客户：我想查第{i}号订单。\n客服：好的，谢谢，再见。\n", encoding="utf-8")
    seen = tmp_path / "seen.txt"
    code = ("import sys\nimport auditor.launch as launch\nimport auditor.executors as ex\ninit = ex._init_worker\n"
            f"def spy(state):\n    open({str(seen)!r}, 'a').write(str('openpyxl' in sys.modules) + '\\n')\n    init(state)\n"
            "ex._init_worker = spy\n" + _RUN_LAUNCH)
    res = subprocess.run([sys.executable, "-c", code, "audit", str(folder), "-q", "-o", str(tmp_path / "s.xlsx"), "--results", str(tmp_path / "r.jsonl"),
                          "--jobs", "2"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert seen.read_text().split() == ["False"], "one worker, forked before openpyxl was imported"
    assert load_workbook(tmp_path / "s.xlsx")["Calls"].max_row == 301


def test_a_run_that_audits_no_call_never_sets_up_the_workbook(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    code = "import sys\nimport auditor.launch as launch\ntry:\n    launch.main()\nexcept SystemExit as exc:\n    print(exc.code, 'openpyxl' in sys.modules)\n"
    res = subprocess.run([sys.executable, "-c", code, "audit", str(broken), "-o", str(tmp_path / "s.xlsx"), "--results", str(tmp_path / "r.jsonl")],
                         capture_output=True, text=True)
    assert res.stdout.split() == ["2", "False"], (res.stdout, res.stderr)
    assert "broken.json" in res.stderr and "no call could be audited" in res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.json"]


def test_explaining_a_call_imports_no_workbook_library():
    """Only the commands that write a workbook pay for openpyxl (~60 ms of start-up)."""
    code = ("import sys\nimport auditor.launch as launch\n" + _RUN_LAUNCH +
            "assert 'openpyxl' not in sys.modules and 'numpy' not in sys.modules\n")
    res = subprocess.run([sys.executable, "-c", code, "explain", str(SAMPLES / "text" / "C3002.txt")], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_the_collector_runs_rarely_during_start_up_and_the_audit(tmp_path):
    """Start-up objects are frozen once the audit is set up, and the audit collects every 50,000 objects, Python's other thresholds kept."""
    code = ("import gc, sys\nusual = gc.get_threshold()\nimport auditor.launch as launch\nimport auditor.pipeline as pipeline\n"
            "seen = []\nrun = pipeline.run_audit\n"
            "def spy(*a, **k):\n    seen.append((gc.get_threshold(), gc.get_freeze_count()))\n    return run(*a, **k)\n"
            "pipeline.run_audit = spy\n"
            "import auditor.cli\nstartup = []\nmain = auditor.cli.main\n"
            "auditor.cli.main = lambda: (startup.append(gc.get_threshold()), main())\n" + _RUN_LAUNCH +
            "assert startup[0][0] == launch.STARTUP_GC_THRESHOLD, startup\n"
            "assert seen[0][0] == (launch.AUDIT_GC_THRESHOLD, *usual[1:]) and seen[0][1] > 10_000, seen\n")
    res = _audit_samples_in_script(tmp_path, code)
    assert res.returncode == 0, res.stderr


def test_default_checklist_ships_in_the_wheel(tmp_path):
    """The built-in checklist must work from an installed wheel, not only from a checkout."""
    import zipfile

    res = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(SAMPLES.parent)],
                         capture_output=True, text=True)
    if res.returncode != 0 and "hatchling" in res.stderr:
        res = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path), str(SAMPLES.parent)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    [wheel] = tmp_path.glob("auditor-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "auditor/_checklists/zh_call_center.yaml" in names


def test_empathy_timing_and_de_escalation_reach_the_workbook(cli, tmp_path):
    body = "[00:00] 客服：您好。\n[00:05] 客户：气死我了，你们到底管不管！！\n[00:12] 客服：非常抱歉，让您着急了。\n[00:20] 客户：好吧，那你快点处理。\n[00:30] 客服：好的，再见。\n[00:35] 客户：行，谢谢。\n"
    (tmp_path / "e.txt").write_text(body, encoding="utf-8")
    code, _, err = cli("audit", tmp_path / "e.txt")
    assert code == 0, err
    wb = load_workbook(tmp_path / "scorecard.xlsx")
    calls = wb["Calls"]
    header = [c.value for c in calls[1]]
    row = {h: c.value for h, c in zip(header, calls[2])}
    assert (row["De-escalated"], row["Turns to empathy"], row["Seconds to empathy"]) == ("yes", 1, 7.0)
    agents = wb["Agents"]
    header = [c.value for c in agents[1]]
    row = {h: c.value for h, c in zip(header, agents[2])}
    assert row["De-escalation rate"] == 1.0 and row["Mean seconds to empathy"] == 7.0


def test_calls_without_agent_are_scored_under_unknown_and_counted(cli, tmp_path):
    (tmp_path / "a.txt").write_text("客服：您好\n客户：我要退款\n", encoding="utf-8")
    code, _, err = cli("audit", tmp_path / "a.txt")
    assert code == 0
    assert "1 call(s) had no agent id and were scored under (unknown)" in err
    agents = list(load_workbook(tmp_path / "scorecard.xlsx")["Agents"].iter_rows(min_row=2, values_only=True))
    assert agents[0][1] == "(unknown)"


def test_progress_bar_only_on_a_terminal(tmp_path):
    """tqdm draws on stderr when it is a terminal, and stays silent when piped or with --quiet."""
    import os
    import pty

    args = [sys.executable, "-m", "auditor", "audit", str(SAMPLES / "json"), "--force"]

    def stderr_on_tty(extra: list[str]) -> str:
        master, slave = pty.openpty()
        import fcntl
        import struct
        import termios

        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # a real terminal has a size
        proc = subprocess.Popen(args + extra, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=slave, stdin=subprocess.DEVNULL)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        proc.wait()
        os.close(master)
        return b"".join(chunks).decode("utf-8", "replace")

    assert "file/s" in stderr_on_tty([]) or "it/s" in stderr_on_tty([])
    quiet = stderr_on_tty(["--quiet"])
    assert "file/s" not in quiet and "Audited" not in quiet
    piped = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True)
    assert piped.returncode == 0 and "file/s" not in piped.stderr and "Audited" in piped.stderr


def test_evidence_sheet_says_where_a_missing_phrase_was_looked_for(cli, tmp_path):
    (tmp_path / "g.txt").write_text("客服：喂，说。\n客户：我要退款。\n客服：好的。\n", encoding="utf-8")
    code, out, err = cli("audit", tmp_path / "g.txt")
    assert code == 0, err
    rows = list(load_workbook(tmp_path / "scorecard.xlsx")["Evidence"].iter_rows(min_row=2, values_only=True))
    greeting = next(r for r in rows if r[2] == "greeting")
    assert greeting[8] == "no matching phrase in first 2 turn(s) of the agent"
    _, explained, _ = cli("explain", tmp_path / "g.txt")
    assert "no matching phrase in first 2 turn(s) of the agent" in explained
