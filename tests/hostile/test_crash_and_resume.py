"""Nothing is lost: a real ``auditor audit`` killed mid-run, then ``--resume``.

A killed run must leave the previous good scorecard and results exactly as
they were (no half-written file in their place), keep what it audited in the
progress journal, and ``--resume`` must finish with outputs equal to those of
an uninterrupted run: every results.jsonl call line, and every workbook cell
except the run date.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from auditor.resume import journal_path

AGENT = ["您好，请问有什么可以帮您？", "好的，我理解您的心情，非常抱歉。", "您是说宽带断网了，对吗？", "已经帮您处理好了，还有其他问题吗？",
         "谢谢您的来电，再见。", "这不归我管。", "请把手机收到的验证码报一下。"]
CUSTOMER = ["我家宽带又断了！都第三次了！", "我想查一下话费。", "对。", "没有了，谢谢。", "怎么还没修好？", "我的电话是13812345678。"]
FILES, CALLS_PER_FILE = 40, 60


def make_corpus(folder: Path) -> None:
    rng = random.Random(5)
    folder.mkdir()
    for f in range(FILES):
        with (folder / f"batch_{f:03d}.jsonl").open("w", encoding="utf-8") as fh:
            for i in range(CALLS_PER_FILE):
                turns = [{"speaker": "客服" if k % 2 == 0 else "客户", "text": rng.choice(AGENT if k % 2 == 0 else CUSTOMER)}
                         for k in range(rng.randint(4, 12))]
                fh.write(json.dumps({"call_id": f"C{f:03d}-{i:03d}", "agent_id": f"A{rng.randint(1, 9)}",
                                     "agent_name": f"王{rng.randint(1, 9)} 13812345678", "turns": turns}, ensure_ascii=False) + "\n")
    (folder / "broken.json").write_text("{", encoding="utf-8")  # a problem line too, to compare


def auditor(*args: str | Path, cwd: Path) -> subprocess.Popen:
    # One worker audits file by file, so the journal grows steadily and a signal always lands mid-run
    # (with a pool the whole corpus can be a single batch that lands at once).
    return subprocess.Popen([sys.executable, "-m", "auditor", "audit", *map(str, args), "--quiet", "--jobs", "1"], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, timeout: float = 300) -> tuple[int, str]:
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err


def call_lines(results: Path) -> list[str]:
    return [ln for ln in results.read_text(encoding="utf-8").splitlines() if '"type":"run"' not in ln]


def run_record(results: Path) -> dict:
    run = json.loads(results.read_text(encoding="utf-8").splitlines()[-1])
    assert run["type"] == "run"
    return {k: v for k, v in run.items() if k not in ("started_at", "finished_at")}


def cells(workbook: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(workbook)
    out = {}
    for ws in wb:
        rows = [tuple(c.value for c in row) for row in ws.iter_rows()]
        out[ws.title] = [r for r in rows if not (r and r[0] == "Run date")]
    return out


def wait_for_journal(journal: Path, proc: subprocess.Popen, at_least: int) -> int | None:
    """The journal's line count once it passes ``at_least``; ``None`` if the run ended first."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return None
        if journal.exists():
            n = journal.read_bytes().count(b"\n")
            if n > at_least:
                return n
        time.sleep(0.02)
    pytest.fail("the journal never grew")


def interrupt_mid_run(work: Path, sig: int, after_lines: int) -> tuple[int, str]:
    """Start an audit over ``work/calls``, send ``sig`` once its journal holds ``after_lines`` calls; (exit code, stderr).

    On a loaded machine this process can be slow to look at the journal, and
    the run may have finished by the time the signal is sent: that is not
    what the test is about, so the outputs are put back and it is tried
    again. A run that ends normally *after* taking the signal is a failure.
    """
    before = {p: p.read_bytes() for p in (work / "scorecard.xlsx", work / "results.jsonl")}
    journal = journal_path(work / "results.jsonl")
    for _ in range(3):
        proc = auditor("calls", "--force", "--redact", cwd=work)
        if wait_for_journal(journal, proc, after_lines) is not None:
            proc.send_signal(sig)
        code, err = finish(proc)
        if code != 0:
            return code, err
        assert "KeyboardInterrupt" not in err, err  # the signal was taken and then lost
        for path, data in before.items():
            path.write_bytes(data)
    pytest.fail("every run finished before the signal reached it")


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The corpus and the outputs of an uninterrupted run over it."""
    root = tmp_path_factory.mktemp("resume")
    make_corpus(root / "calls")
    code, err = finish(auditor("calls", "-o", "ref.xlsx", "--results", "ref.jsonl", "--redact", cwd=root))
    assert code == 0, err
    return root


@pytest.fixture
def work(reference, tmp_path) -> Path:
    """A copy of the corpus with a pre-existing good scorecard and results from an earlier run."""
    import shutil

    shutil.copytree(reference / "calls", tmp_path / "calls")
    (tmp_path / "calls").chmod(0o755)
    (tmp_path / "scorecard.xlsx").write_bytes(b"previous good workbook")
    (tmp_path / "results.jsonl").write_bytes(b'{"type": "run", "previous": true}\n')
    return tmp_path


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_killed_run_leaves_previous_outputs_untouched_and_resume_completes_it(reference, work, sig):
    before = {p.name: p.read_bytes() for p in (work / "scorecard.xlsx", work / "results.jsonl")}
    journal = journal_path(work / "results.jsonl")
    code, err = interrupt_mid_run(work, sig, 100)
    if sig == signal.SIGINT:
        assert code == 130
        assert "interrupted: no output was written or changed" in err and "--resume" in err
    # the good outputs are exactly as they were, and nothing half-written sits in their place
    assert {p.name: p.read_bytes() for p in (work / "scorecard.xlsx", work / "results.jsonl")} == before
    assert sorted(p.name for p in work.iterdir() if not p.name.startswith(".")) == ["calls", "results.jsonl", "results.jsonl.partial", "scorecard.xlsx"]
    kept = journal.read_bytes().count(b"\n") - 1
    assert 0 < kept < FILES * CALLS_PER_FILE

    code, err = finish(auditor("calls", "--resume", "--redact", cwd=work))
    assert code == 0, err
    assert f"resume: {kept} call(s) already audited will be reused" in err or f"resume: {kept + 1} call(s)" in err, err
    assert not journal.exists()
    assert call_lines(work / "results.jsonl") == call_lines(reference / "ref.jsonl")
    assert run_record(work / "results.jsonl") == run_record(reference / "ref.jsonl")
    assert cells(work / "scorecard.xlsx") == cells(reference / "ref.xlsx")
    assert not list(work.glob(".*.tmp"))


def test_resume_reuses_stored_calls_and_reaudits_edited_transcripts(reference, work):
    journal = journal_path(work / "results.jsonl")
    interrupt_mid_run(work, signal.SIGKILL, 400)
    lines = journal.read_text(encoding="utf-8").splitlines(keepends=True)
    records = [json.loads(ln) for ln in lines[1:] if ln.endswith("\n")]
    # Tamper with one stored record: if resume reuses it, the mark shows in the final output.
    marked = records[0]["call_id"]
    lines[1] = lines[1].replace(f'"score":{records[0]["score"]}', '"score":12.34', 1)
    # Edit a transcript that was already audited: it must be audited again.
    edited_file = Path(records[-1]["source"]["path"])
    text = (work / edited_file).read_text(encoding="utf-8").replace("您好，请问有什么可以帮您？", "喂？")
    (work / edited_file).write_text(text, encoding="utf-8")
    journal.write_text("".join(lines), encoding="utf-8")

    code, err = finish(auditor("calls", "--resume", "--redact", cwd=work))
    assert code == 0, err
    final = {r["call_id"]: r for r in map(json.loads, call_lines(work / "results.jsonl")) if r["type"] == "call"}
    assert final[marked]["score"] == 12.34  # taken from the journal, not audited again
    # every call of the edited file has its new content hash and verdicts
    fresh = {r["call_id"]: r for r in map(json.loads, call_lines(reference / "ref.jsonl")) if r["type"] == "call"}
    edited = [cid for cid, r in final.items() if r["source"]["path"] == str(edited_file)]
    assert edited
    changed = [cid for cid in edited if final[cid]["content_hash"] != fresh[cid]["content_hash"]]
    assert changed and all(final[cid]["items"]["greeting"]["status"] == "fail" for cid in changed)


def test_resume_after_a_finished_run_reuses_everything(reference, work):
    import shutil

    shutil.copy(reference / "ref.jsonl", work / "results.jsonl")
    code, err = finish(auditor("calls", "--resume", "--redact", cwd=work))
    assert code == 0, err
    assert f"resume: {FILES * CALLS_PER_FILE} call(s) already audited" in err
    assert call_lines(work / "results.jsonl") == call_lines(reference / "ref.jsonl")
    assert cells(work / "scorecard.xlsx") == cells(reference / "ref.xlsx")


def test_resume_with_another_setting_audits_everything_again(reference, work):
    import shutil

    shutil.copy(reference / "ref.jsonl", work / "results.jsonl")
    code, err = finish(auditor("calls", "--resume", cwd=work))  # without --redact this time
    assert code == 0, err
    assert "written with another checklist, tool version or --redact setting" in err
    assert "resume: 0 call(s)" in err
    assert "13812345678" in (work / "results.jsonl").read_text(encoding="utf-8")


def test_without_resume_an_existing_journal_is_announced_and_replaced(reference, work):
    journal = journal_path(work / "results.jsonl")
    journal.write_text('{"type": "progress", "schema": 1, "fingerprint": "x"}\n', encoding="utf-8")
    code, err = finish(auditor("calls", "--force", "-o", "other.xlsx", "--results", "results.jsonl", cwd=work))
    assert code == 0, err
    assert "holds the progress of an interrupted run" in err
    assert not journal.exists()


def test_an_aborted_journal_keeps_every_call_written_to_it(tmp_path, default_checklist):
    """The journal reaches the OS in 64 KB pieces; an abort (Ctrl-C, an error) must still leave every call on disk."""
    from auditor.engine import audit_call
    from auditor.resume import JOURNAL_BUFFER, ProgressJournal, ResumeIndex, fingerprint
    from auditor.transcripts import LoadLimits, Problem, load_file

    make_corpus(tmp_path / "calls")
    calls = [c for c in load_file(str(tmp_path / "calls" / "batch_000.jsonl"), LoadLimits())
             if not isinstance(c, Problem)][:7]
    path = tmp_path / "results.jsonl.partial"
    journal = ProgressJournal(path, fingerprint(default_checklist, False))
    for call in calls:
        journal.add_call(audit_call(default_checklist, call))
    assert path.stat().st_size == 0 < JOURNAL_BUFFER  # all still in the buffer: no write to the OS yet
    journal.abort()
    lines = path.read_bytes().splitlines()
    assert len(lines) == 1 + len(calls) and json.loads(lines[0])["type"] == "progress"
    index = ResumeIndex(fingerprint(default_checklist, False))
    assert index.add_file(path) == len(calls)  # and --resume can use every one
