"""The compact file list gives back exactly the paths it was given, in order and by index."""

from __future__ import annotations

import random

from hypothesis import given, strategies as st

from auditor.filelist import FileList


def test_real_folder_paths_round_trip_sequentially_and_at_random(tmp_path):
    paths = []
    for folder in ("json/000", "json/001", "客服/一组"):
        (tmp_path / folder).mkdir(parents=True)
        for i in range(40):
            p = tmp_path / folder / f"call_{i:05d}.json"
            p.write_text("{}", encoding="utf-8")
            paths.append(str(p))
    files = FileList(paths)
    assert len(files) == len(paths) and list(files) == paths
    order = list(range(len(paths)))
    random.Random(1).shuffle(order)
    assert [files[i] for i in order] == [paths[i] for i in order]
    assert files[-1] == paths[-1] and files[2:5] == paths[2:5]


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from(["\udcff", "/", "é"]))))
def test_any_strings_round_trip(paths):
    files = FileList(paths)
    assert list(files) == paths
    assert [files[i] for i in reversed(range(len(paths)))] == paths[::-1]


def test_paths_sharing_more_than_the_prefix_field_holds_round_trip():
    """Shared prefixes are kept in 2 bytes: one longer than 65,535 characters is stored in part, not wrapped."""
    base = "/data/" + "深" * 70_000
    paths = [base + "/a.json", base + "/b.json", base + "/c.json"]
    files = FileList(paths)
    assert list(files) == paths and files[1] == paths[1]


def test_offsets_widen_to_eight_bytes_past_four_gigabytes(monkeypatch):
    """Offsets are kept in 4 bytes until the names pass 4 GB; the limit is lowered here to reach it."""
    import auditor.filelist as filelist

    monkeypatch.setattr(filelist, "_WIDEN_PAST", 40)
    paths = [f"/calls/{i:03d}/call.json" for i in range(20)]
    files = FileList(paths)
    assert files._offsets.typecode == "Q" and list(files) == paths and files[7] == paths[7]


@given(st.lists(st.text(alphabet=st.sampled_from(["a", "b", "/", "é", "\udcff", "😀"]), max_size=12), max_size=80))
def test_each_path_stores_only_what_it_does_not_share_with_the_one_before(paths):
    """The shared prefix is found exactly (not just safely): that is what keeps the list at ~16 bytes a file."""
    from auditor.filelist import _MAX_SHARED, _RESTART

    files = FileList(paths)
    for i, path in enumerate(paths):
        want = 0
        if i % _RESTART:
            prev = paths[i - 1]
            while want < min(len(prev), len(path), _MAX_SHARED) and prev[want] == path[want]:
                want += 1
        assert files._shared[i] == want
