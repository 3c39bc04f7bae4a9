"""The checklist cache: a file read before comes back exactly as it was read, and nothing else does."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import auditor
from auditor.checklist import ChecklistError, cache, default_checklist_path, load_compiled
from auditor.checklist import loading
from auditor.checklist.default import checklists_dir
from auditor.resume import fingerprint

ROOT = Path(__file__).resolve().parent.parent

# Every construct of the schema the shipped checklists do not use: a numeric version, all/any/not
# conditions, scopes with their shorthand, a regex detector, named examples, an item with no
# examples (a warning), a block scalar, and Windows line ends.
EVERYTHING = """\
id: everything
name: "Every construct"
version: 2.5
pass_threshold: 70
signals:
  upset:
    detector: {kind: phrases, phrases: [生气, 投诉]}
  asked:
    speaker: customer
    scope: {first: 2}
    detector: {kind: regex, patterns: ["多少钱|怎么办"]}
items:
  - id: greeting
    title: 问候
    description: |
      第一句问候。
      两行说明。
    scope: {first: 1}
    detector: {kind: phrases, phrases: [您好], exclude: [您好像]}
    examples:
      pass: ["客服：您好\\n客户：喂"]
      fail: [{name: silent, dialogue: "客服：喂\\n客户：喂"}]
  - id: calm
    title: 安抚
    weight: 2.5
    critical: true
    applies_when: {all: [upset, {not: asked}]}
    scope: {last: 3}
    detector: {kind: regex, patterns: ["理解(您|你)"], match: any, ignore_case: false}
    examples:
      pass: ["客户：我要投诉\\n客服：我理解您的心情"]
      na: ["客户：你好\\n客服：您好"]
  - id: offer
    title: 主动询问
    scope: {skip_first: 1}
    detector: {kind: phrases, phrases: [还有什么]}
    examples:
      pass: ["客服：您好，请问有什么可以帮您\\n客户：查话费\\n客服：还有什么可以帮您"]
      fail: ["客服：您好，还有什么可以帮您\\n客户：没有"]
  - id: unrated
    title: 未举例
    applies_when: {any: [upset, asked]}
    scope: call
    detector: {kind: phrases, match: none, phrases: [滚]}
""".replace("\n", "\r\n")


def _checklists(tmp_path: Path) -> list[Path]:
    everything = tmp_path / "everything.yaml"
    everything.write_bytes(EVERYTHING.encode())
    return sorted(checklists_dir().glob("*.yaml")) + [ROOT / "bench" / "naive_keywords.yaml", everything]


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    return folder


def _fresh(path: Path, monkeypatch) -> tuple:
    with monkeypatch.context() as m:
        m.setenv(cache.ENV, "off")
        return loading.load_checklist(path)


def test_a_cached_checklist_equals_the_one_read_from_its_file(cache_dir, tmp_path, monkeypatch):
    for path in _checklists(tmp_path):
        fresh, fresh_warnings = _fresh(path, monkeypatch)
        loading.load_checklist(path)  # reads the file and keeps it
        with monkeypatch.context() as m:
            m.setattr(loading, "parse_yaml", _must_not_parse)
            kept, kept_warnings = loading.load_checklist(path)
        assert kept == fresh, path
        assert kept.model_dump_json(by_alias=True) == fresh.model_dump_json(by_alias=True)
        assert kept_warnings == fresh_warnings, path
        compiled_kept, compiled_fresh = load_compiled(path)[0], _compiled_fresh(path, monkeypatch)
        assert fingerprint(compiled_kept, False) == fingerprint(compiled_fresh, False)
    assert len(list(cache_dir.glob("*.json"))) == len(_checklists(tmp_path))
    warnings = loading.load_checklist(tmp_path / "everything.yaml")[1]
    assert [(w.severity, w.key) for w in warnings] == [("warning", "items[3]")]


def _must_not_parse(*args, **kwargs):
    raise AssertionError("the checklist was parsed again")


def _compiled_fresh(path: Path, monkeypatch):
    with monkeypatch.context() as m:
        m.setenv(cache.ENV, "off")
        return load_compiled(path)[0]


def test_without_the_cache_the_file_is_parsed_every_time(cache_dir, monkeypatch):
    """The test above would pass without a cache if parsing were never reached: show that it is."""
    monkeypatch.setenv(cache.ENV, "off")
    loading.load_checklist(default_checklist_path())
    monkeypatch.setattr(loading, "parse_yaml", _must_not_parse)
    with pytest.raises(AssertionError, match="parsed again"):
        loading.load_checklist(default_checklist_path())
    assert not cache_dir.exists()


def test_with_the_cache_off_the_code_is_not_stamped(cache_dir, monkeypatch):
    """Working out the key walks the whole package; a run that will not use the cache must not pay for it."""
    monkeypatch.setenv(cache.ENV, "off")
    cache._code_stamp.cache_clear()
    loading.load_checklist(default_checklist_path())
    assert cache._code_stamp.cache_info().misses == 0
    monkeypatch.setenv(cache.ENV, str(cache_dir))
    loading.load_checklist(default_checklist_path())
    assert cache._code_stamp.cache_info().misses == 1


def test_an_edited_checklist_is_read_again(cache_dir, tmp_path):
    path = tmp_path / "mine.yaml"
    shutil.copy(default_checklist_path(), path)
    assert loading.load_checklist(path)[0].name == "中文客服通话质检标准"
    path.write_text(path.read_text(encoding="utf-8").replace("name: 中文客服通话质检标准", "name: 改过的", 1), encoding="utf-8")
    assert loading.load_checklist(path)[0].name == "改过的"
    entries = list(cache_dir.glob("*.json"))
    assert len(entries) == 2
    assert all(entry.stat().st_mode & 0o077 == 0 for entry in entries)  # the owner's only: they decide what an audit checks


def test_warnings_name_the_file_they_were_read_from(cache_dir, tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b" / "same.yaml"
    second.parent.mkdir()
    first.write_bytes(EVERYTHING.encode())
    second.write_bytes(EVERYTHING.encode())
    assert [w.path for w in loading.load_checklist(first)[1]] == [str(first)]
    assert [w.path for w in loading.load_checklist(second)[1]] == [str(second)]
    assert len(list(cache_dir.glob("*.json"))) == 1  # the same bytes: one entry


def test_a_checklist_with_errors_is_never_kept(cache_dir, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(EVERYTHING.replace("applies_when: {any: [upset, asked]}", "applies_when: nobody"), encoding="utf-8")
    line = path.read_text(encoding="utf-8").splitlines().index("    applies_when: nobody") + 1
    for _ in range(2):
        with pytest.raises(ChecklistError, match="unknown signal 'nobody'") as err:
            loading.load_checklist(path)
        assert err.value.diagnostics[0].line == line
    assert not cache_dir.exists() or not list(cache_dir.glob("*.json"))


@pytest.mark.parametrize("damage", [b"", b"{", b"[]", b'{"checklist": {"id": "x"}, "warnings": []}', b'{"checklist": null}'])
def test_a_damaged_entry_is_ignored_and_written_again(cache_dir, damage, monkeypatch):
    path = default_checklist_path()
    fresh = _fresh(path, monkeypatch)
    loading.load_checklist(path)
    (entry,) = cache_dir.glob("*.json")
    entry.write_bytes(damage)
    assert loading.load_checklist(path) == fresh
    assert json.loads(entry.read_bytes())["checklist"]["id"] == "zh_call_center"


def test_a_cache_folder_that_cannot_be_written_changes_nothing(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv(cache.ENV, str(blocker / "cache"))
    assert loading.load_checklist(default_checklist_path()) == _fresh(default_checklist_path(), monkeypatch)


def test_the_oldest_entries_go_past_the_limit(cache_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "KEPT", 3)
    for n in range(5):
        path = tmp_path / f"v{n}.yaml"
        path.write_bytes(EVERYTHING.replace("version: 2.5", f"version: {n}").encode())
        loading.load_checklist(path)
        entry = cache_dir / f"{cache.key(path.read_bytes())}.json"
        os.utime(entry, ns=(n * 10**9, n * 10**9))
    assert len(list(cache_dir.glob("*.json"))) == 3
    assert (cache_dir / f"{cache.key((tmp_path / 'v4.yaml').read_bytes())}.json").exists()
    assert not (cache_dir / f"{cache.key((tmp_path / 'v0.yaml').read_bytes())}.json").exists()


def test_the_key_changes_with_the_code_that_reads_checklists(tmp_path, monkeypatch):
    """An edited module (a development tree, a reinstall) must not be served what older code read."""
    package = tmp_path / "auditor"
    shutil.copytree(Path(auditor.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(auditor, "__file__", str(package / "__init__.py"))
    cache._code_stamp.cache_clear()
    before = cache.key(b"same bytes")
    module = package / "checklist" / "schema.py"
    stat = module.stat()
    os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    cache._code_stamp.cache_clear()
    try:
        assert cache.key(b"same bytes") != before
    finally:
        cache._code_stamp.cache_clear()


def test_where_the_cache_lives(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "auditor" / "checklists"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "auditor" / "checklists"
    for off in ("off", "OFF", "0", ""):
        monkeypatch.setenv(cache.ENV, off)
        assert cache.cache_dir() is None


def test_an_audit_with_a_cached_checklist_writes_the_same_results(cli, cache_dir, tmp_path, monkeypatch):
    outputs = []
    for setting in ("off", str(cache_dir), str(cache_dir)):  # not kept, then kept, then read back
        monkeypatch.setenv(cache.ENV, setting)
        results = tmp_path / f"r{len(outputs)}.jsonl"
        code, _, err = cli("audit", ROOT / "samples", "-o", tmp_path / f"s{len(outputs)}.xlsx", "--results", results, "--quiet", "--jobs", "1")
        assert code in (0, 1), err
        outputs.append([ln for ln in results.read_text(encoding="utf-8").splitlines() if '"type":"run"' not in ln])
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(list(cache_dir.glob("*.json"))) == 1


def test_without_module_files_to_stamp_the_cache_is_not_used(cache_dir, tmp_path, monkeypatch):
    """A package run from a zip archive has no module files whose changes the key could follow: nothing is kept or read."""
    empty = tmp_path / "zipped" / "auditor"
    empty.mkdir(parents=True)
    monkeypatch.setattr(auditor, "__file__", str(empty / "__init__.py"))
    cache._code_stamp.cache_clear()
    try:
        assert cache.key(b"any bytes") is None
        loading.load_checklist(default_checklist_path())
        assert not cache_dir.exists()
        with monkeypatch.context() as m:
            m.setattr(loading, "parse_yaml", _must_not_parse)
            with pytest.raises(AssertionError, match="parsed again"):
                loading.load_checklist(default_checklist_path())
    finally:
        cache._code_stamp.cache_clear()
