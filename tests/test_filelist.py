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
