"""The run's list of input files in ~16 bytes a file instead of ~130.

A run keeps its file list for the batches and for naming where a duplicate
call id was first seen (auditor.seen). As one ``str`` per file it was the
largest thing a 100,000-file run held (13 MB of peak RSS, measured). Sorted
paths share most of their text with the path before them, so each is kept as
(length of the prefix shared with the previous path, the rest in UTF-8),
with a full path every ``_RESTART`` entries for random access. Reading is
sequential almost always (batches, and the duplicate check's forward
cursor), so the last decoded path is cached and the next one costs one step.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence

_RESTART = 32
_MAX_SHARED = 0xFFFF  # what array("H") holds: a longer shared prefix is stored in part
_WIDEN_PAST = 0xFFFFFFFF  # what array("I") holds: past it, offsets take 8 bytes each
_ENC = ("utf-8", "surrogatepass")  # any str (also undecodable names from os.scandir) round-trips


def _shared_prefix(prev: str, path: str, limit: int) -> int:
    """How many leading characters ``prev`` and ``path`` share, at most ``limit``.

    A binary search on ``startswith`` (a few comparisons in C) rather than a
    Python step per character: sorted paths share ~50 characters, and that
    loop was half of finding 10,000 files (30 ms; now 16).
    """
    low, high = 0, limit
    while low < high:
        mid = (low + high + 1) >> 1
        if path.startswith(prev[:mid]):
            low = mid
        else:
            high = mid - 1
    return low


class FileList(Sequence[str]):
    def __init__(self, paths: Sequence[str] = ()) -> None:
        self._data = bytearray()
        self._offsets = array("I")  # start of each entry in _data (widened to 8 bytes past 4 GB of names)
        self._shared = array("H")  # characters shared with the previous path (at most 65,535)
        self._last = ""
        self._cache = (-1, "")
        for path in paths:
            self.append(path)

    def append(self, path: str) -> None:
        n = len(self._offsets)
        shared = 0
        if n % _RESTART:
            shared = _shared_prefix(self._last, path, min(len(self._last), len(path), _MAX_SHARED))
        if len(self._data) > _WIDEN_PAST and self._offsets.typecode == "I":
            self._offsets = array("Q", self._offsets)
        self._offsets.append(len(self._data))
        self._shared.append(shared)
        self._data += path[shared:].encode(*_ENC)
        self._last = path

    def __len__(self) -> int:
        return len(self._offsets)

    def _suffix(self, i: int) -> str:
        end = self._offsets[i + 1] if i + 1 < len(self._offsets) else len(self._data)
        return self._data[self._offsets[i]:end].decode(*_ENC)

    def __getitem__(self, i: int) -> str:  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]  # type: ignore[return-value]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("file list index out of range")
        at, path = self._cache
        if not (0 <= at <= i and at // _RESTART == i // _RESTART):
            at = i - i % _RESTART
            path = self._suffix(at)
        while at < i:
            at += 1
            path = path[: self._shared[at]] + self._suffix(at)
        self._cache = (i, path)
        return path

    def __iter__(self) -> Iterator[str]:
        path = ""
        for i in range(len(self)):
            path = path[: self._shared[i]] + self._suffix(i)
            yield path
