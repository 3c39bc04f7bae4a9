"""Where each call id was first seen in a run, in 16 bytes a call.

Flagging a repeated call id needs every id of the run, and naming where the
first one was needs its location. A dict of digests to "path:line" strings
cost ~200 bytes a call, the largest thing a 200,000-call run kept. Here an
8-byte digest and a packed (file number, line) sit in two flat arrays with
open addressing; the file number indexes the run's own file list, which the
results follow in order, so no path is stored again.

The table is split into 16 by the digest's top bits, each growing on its
own: one table doubling held its old and new arrays at once, ~2 MB above
its size at 200,000 calls and the run's peak; a sixteenth of that is noise.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Sequence
from os import PathLike

_LINE_BITS = 24
_NO_LINE = (1 << _LINE_BITS) - 1  # a call without a line (one call per file)
_ODD = (1 << 64) - 1  # location kept in the side dict instead


_SHARD_SHIFT = 60  # the digest's top 4 bits pick one of 16 tables
_SHARDS = 1 << (64 - _SHARD_SHIFT)


class SeenIds:
    def __init__(self, files: Sequence[str | PathLike[str]]) -> None:
        self.files = files
        self._cursor = 0
        self._cursor_path: str | None = None  # the file at the cursor: a JSONL or CSV file brings many calls in a row
        self._keys = [array("Q", bytes(8 * 64)) for _ in range(_SHARDS)]
        self._where = [array("Q", bytes(8 * 64)) for _ in range(_SHARDS)]
        self._used = [0] * _SHARDS
        self._odd: dict[int, str] = {}  # rare: a path not in the file list, a line past 16 million

    def first_seen(self, call_id: str, path: str, line: int | None) -> str | None:
        """Record the call; return where this id was first seen ("path" or "path:line"), or None the first time."""
        key = int.from_bytes(hashlib.blake2b(call_id.encode(), digest_size=8).digest(), "big") or 1  # 0 marks a free slot
        shard = key >> _SHARD_SHIFT
        keys = self._keys[shard]
        mask = len(keys) - 1
        slot = key & mask
        while keys[slot]:
            if keys[slot] == key:
                return self._location(key, self._where[shard][slot])
            slot = (slot + 1) & mask
        keys[slot] = key
        self._where[shard][slot] = self._pack(key, path, line)
        used = self._used[shard] = self._used[shard] + 1
        if used * 5 > len(keys) * 4:  # 80% full: linear probing stays short, memory stays ~20-40 B a call
            self._grow(shard)
        return None

    @property
    def slots(self) -> int:
        """Slots in all tables: 16 bytes each."""
        return sum(len(keys) for keys in self._keys)

    def _file_number(self, path: str) -> int | None:
        """The index of ``path`` in the file list, searching forward: results arrive in file order."""
        if path == self._cursor_path:
            return self._cursor
        # Past the cursor: its own path is not this one. Going back to it would also
        # cost the file list a decode from its last restart point (auditor.filelist).
        start = self._cursor if self._cursor_path is None else self._cursor + 1
        for i in range(start, len(self.files)):
            if str(self.files[i]) == path:
                self._cursor, self._cursor_path = i, path
                return i
        return None

    def _pack(self, key: int, path: str, line: int | None) -> int:
        number = self._file_number(path)
        if number is None or (line is not None and line >= _NO_LINE) or number >= 1 << (63 - _LINE_BITS):
            self._odd[key] = path + (f":{line}" if line else "")
            return _ODD
        return number << _LINE_BITS | (_NO_LINE if not line else line)

    def _location(self, key: int, packed: int) -> str:
        if packed == _ODD:
            return self._odd[key]
        path, line = str(self.files[packed >> _LINE_BITS]), packed & _NO_LINE
        return path if line == _NO_LINE else f"{path}:{line}"

    def _grow(self, shard: int) -> None:
        keys, where = self._keys[shard], self._where[shard]
        new_keys = self._keys[shard] = array("Q", [0]) * (2 * len(keys))  # no temporary bytes object of the same size
        new_where = self._where[shard] = array("Q", [0]) * (2 * len(keys))
        mask = len(new_keys) - 1
        for key, packed in zip(keys, where):
            if key:
                slot = key & mask
                while new_keys[slot]:
                    slot = (slot + 1) & mask
                new_keys[slot] = key
                new_where[slot] = packed

    def __len__(self) -> int:
        return sum(self._used)
