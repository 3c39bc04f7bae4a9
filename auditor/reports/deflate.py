"""Compressing the streamed rows while the audit runs, and putting them in the workbook's zip as they are.

The Calls and Evidence rows are most of a workbook's bytes (~1.6 KB a call of
SpreadsheetML). Deflated once the run was over, they cost ~0.1 s of a
20,000-call run on one core, after every worker had finished. Here each
sheet's rows are deflated in 256 KB pieces by one background thread while the
audit goes on (zlib works without the interpreter lock, so the thread runs on
another core while this process audits and writes), into a temporary file of
raw deflate data ending on a byte boundary (``Z_SYNC_FLUSH``).

At the end, ``write_package`` copies openpyxl's package entry by entry,
compressed data as it is, and gives each sheet with streamed rows its head
(openpyxl's XML up to ``</sheetData>``) deflated and flushed the same way,
then the rows' deflate data unchanged, then the tail, deflated to the end of
the stream. Blocks that end on a byte boundary can follow one another, and
the rows' back-references never reach before their own start, so the three
make one valid deflate stream; its CRC-32 is combined from the three parts'
(``crc32_combine``). Zip is written here because ``zipfile`` cannot take data
that is already compressed.
"""

from __future__ import annotations

import os
import shutil
import struct
import zipfile
import zlib
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from auditor.reports.atomic import temp_sibling

# Deflate level of the streamed sheets. Measured on the 20,000-call
# benchmark's 33.7 MB of sheet XML: level 6 (zlib's default) 0.32 s of CPU
# and 2.85 MB, level 1 0.09 s and 3.84 MB: a workbook a third larger is the
# better trade for a day's audit.
ROWS_COMPRESSLEVEL = 1
#: Uncompressed bytes of rows handed to the thread at once.
CHUNK = 1 << 18
#: Pieces waiting for the thread before the writer waits for it: bounds memory if the thread falls behind.
MAX_QUEUED = 4
#: Past this, an entry needs Zip64, which ``write_package`` leaves to ``zipfile``.
_ZIP32_LIMIT = 0xFFFFFFFF - (1 << 20)


class BackgroundDeflate:
    """One thread, shared by a workbook's row streams, that runs their pieces of work in the order given."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._queued: deque[Future[Any]] = deque()

    def submit(self, work: Callable[..., Any], *args: Any) -> Future[Any]:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="auditor-deflate")
        future = self._pool.submit(work, *args)
        self._queued.append(future)
        while len(self._queued) > MAX_QUEUED:
            self._queued.popleft().result()
        return future

    def wait(self) -> None:
        """Until every piece is done; the first error a piece raised is raised here."""
        try:
            while self._queued:
                self._queued.popleft().result()
        finally:
            self._queued.clear()

    def shutdown(self) -> None:
        """Stop the thread, dropping what is queued (an aborted workbook)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._queued.clear()


class DeflatedRows:
    """A sheet's rows as raw deflate data in ``path``, with the CRC-32 and size of what was compressed.

    ``add`` is called by the writer; the compressing runs on ``worker``'s
    thread. ``finish`` waits for it and leaves the data ending on a byte
    boundary, not final, so more deflate data can follow (see the module).

    Rows are copied into two fixed buffers of ``CHUNK`` bytes, taking turns:
    the thread compresses one while the writer fills the other. Joining the
    rows into a new 256 KB object for every piece instead made and freed
    large blocks among the writer's small objects, and the fragmented heap
    showed as peak memory ~2 MB higher after 200,000 calls.
    """

    def __init__(self, fh: IO[bytes], path: Path, worker: BackgroundDeflate) -> None:
        self.path = path
        self.crc = 0
        self.size = 0  # uncompressed bytes
        self.compressed = 0
        self._fh = fh
        self._worker = worker
        self._z = zlib.compressobj(ROWS_COMPRESSLEVEL, zlib.DEFLATED, -15)
        self._buffers = (bytearray(CHUNK), bytearray(CHUNK))
        self._reading: list[Future[Any] | None] = [None, None]  # the compression still reading each buffer
        self._current = 0
        self._fill = 0

    def add(self, data: bytes) -> None:
        n = len(data)
        if self._fill + n > CHUNK:
            self._hand_over()
            if n > CHUNK:  # a row longer than a buffer (cells of thousands of characters): compressed as it is
                self._worker.submit(self._deflate, data)
                return
        self._buffers[self._current][self._fill : self._fill + n] = data
        self._fill += n

    def _hand_over(self) -> None:
        """Give the filled part of the current buffer to the thread and go on in the other one, once the thread is done with it."""
        if not self._fill:
            return
        view = memoryview(self._buffers[self._current])[: self._fill]
        self._reading[self._current] = self._worker.submit(self._deflate, view)
        self._current ^= 1
        self._fill = 0
        earlier = self._reading[self._current]
        if earlier is not None:
            earlier.result()
            self._reading[self._current] = None

    def _deflate(self, data: bytes | memoryview) -> None:  # on the worker's thread
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        self._write(self._z.compress(data))
        if isinstance(data, memoryview):
            data.release()  # the buffer is the writer's again

    def _write(self, out: bytes) -> None:
        self._fh.write(out)
        self.compressed += len(out)

    def finish(self) -> None:
        self._hand_over()
        self._worker.submit(lambda: self._write(self._z.flush(zlib.Z_SYNC_FLUSH)))
        self._worker.wait()
        self._reading = [None, None]
        self._fh.close()

    def discard(self) -> None:
        self._worker.shutdown()
        self._reading = [None, None]
        self._fh.close()
        self.path.unlink(missing_ok=True)


def _gf2_times(matrix: list[int], vector: int) -> int:
    total, i = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[i]
        vector >>= 1
        i += 1
    return total


@lru_cache(maxsize=1)
def _zero_operators() -> tuple[list[int], ...]:
    """The operators that advance a CRC-32 over 2**k zero bytes, k = 0…63 (zlib's crc32_combine)."""
    one_bit = [0xEDB88320] + [1 << n for n in range(31)]
    operator = one_bit
    for _ in range(3):  # 1 → 2 → 4 → 8 zero bits: one zero byte
        operator = [_gf2_times(operator, operator[n]) for n in range(32)]
    operators = [operator]
    for _ in range(63):
        operator = [_gf2_times(operator, operator[n]) for n in range(32)]
        operators.append(operator)
    return tuple(operators)


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """The CRC-32 of A + B from A's (``crc1``), B's (``crc2``) and B's length, without reading either."""
    operators = _zero_operators()
    k = 0
    while len2:
        if len2 & 1:
            crc1 = _gf2_times(operators[k], crc1)
        len2 >>= 1
        k += 1
    return crc1 ^ crc2


def _closed(data: bytes, final: bool) -> bytes:
    z = zlib.compressobj(ROWS_COMPRESSLEVEL, zlib.DEFLATED, -15)
    return z.compress(data) + z.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)


def _around_rows(zin: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[bytes, bytes]:
    """A sheet's XML as openpyxl wrote it, cut where the streamed rows go: before ``</sheetData>``."""
    xml = zin.read(info)
    cut = xml.rfind(b"</sheetData>")
    if cut < 0:
        raise ValueError(f"{info.filename}: no <sheetData> to add rows to")
    return xml[:cut], xml[cut:]


def _stored_data(src: IO[bytes], info: zipfile.ZipInfo) -> bytes:
    """An entry's data as stored in the archive (compressed), read past its local header."""
    src.seek(info.header_offset)
    header = src.read(30)
    if header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"{info.filename}: no local header where the directory says")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    src.seek(info.header_offset + 30 + name_len + extra_len)
    return src.read(info.compress_size)


def write_package(package: Path, rows: dict[str, DeflatedRows], target: Path) -> None:
    """Copy the xlsx ``package`` to ``target`` with each sheet's deflated rows spliced into its ``<sheetData>``.

    ``rows`` maps a sheet's part name (``xl/worksheets/sheet3.xml``) to its
    finished rows. Entries keep their order, names, dates and compressed data.
    """
    with zipfile.ZipFile(package) as zin:
        largest = max((r.size for r in rows.values()), default=0) + max((i.file_size for i in zin.infolist()), default=0)
        if largest > _ZIP32_LIMIT or sum(r.compressed for r in rows.values()) + package.stat().st_size > _ZIP32_LIMIT:
            return _write_zip64(zin, rows, target)
        with open(package, "rb") as src, open(target, "wb") as out:
            directory = []
            for info in zin.infolist():
                offset = out.tell()
                part = rows.get(info.filename)
                if part is None:
                    data = _stored_data(src, info)
                    header = _local_header(info, info.compress_type, info.CRC, len(data), info.file_size)
                    out.write(header)
                    out.write(data)
                    directory.append((info, info.compress_type, info.CRC, len(data), info.file_size, offset))
                    continue
                head, tail = _around_rows(zin, info)
                head_data, tail_data = _closed(head, final=False), _closed(tail, final=True)
                crc = crc32_combine(crc32_combine(zlib.crc32(head), part.crc, part.size), zlib.crc32(tail), len(tail))
                size = len(head) + part.size + len(tail)
                compressed = len(head_data) + part.compressed + len(tail_data)
                out.write(_local_header(info, zipfile.ZIP_DEFLATED, crc, compressed, size))
                out.write(head_data)
                with part.path.open("rb") as fh:
                    shutil.copyfileobj(fh, out, 1 << 20)
                out.write(tail_data)
                directory.append((info, zipfile.ZIP_DEFLATED, crc, compressed, size, offset))
            start = out.tell()
            for entry in directory:
                out.write(_central_header(*entry))
            end = out.tell()
            out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(directory), len(directory), end - start, start, 0))


def _shared_fields(info: zipfile.ZipInfo, method: int, crc: int, compressed: int, size: int) -> tuple[bytes, tuple[int, ...]]:
    """An entry's name, and the fields its local and central headers both hold, in their order.

    Flags (bit 11: the name is UTF-8), method, DOS time and date, CRC-32,
    compressed and uncompressed sizes, name length, extra field length.
    """
    name = info.filename.encode("utf-8")
    y, mo, d, h, mi, s = info.date_time
    flags = 0 if info.filename.isascii() else 0x800
    return name, (flags, method, (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d, crc, compressed, size, len(name), 0)


def _local_header(info: zipfile.ZipInfo, method: int, crc: int, compressed: int, size: int) -> bytes:
    name, fields = _shared_fields(info, method, crc, compressed, size)
    return struct.pack("<4sH4H3L2H", b"PK\x03\x04", 20, *fields) + name


def _central_header(info: zipfile.ZipInfo, method: int, crc: int, compressed: int, size: int, offset: int) -> bytes:
    name, fields = _shared_fields(info, method, crc, compressed, size)
    made_by = (info.create_system << 8) | 20
    # then: comment length, disk number, internal attributes, external attributes, local header offset
    return struct.pack("<4s2H4H3L2H3H2L", b"PK\x01\x02", made_by, 20, *fields, 0, 0, 0, info.external_attr, offset) + name


def _write_zip64(zin: zipfile.ZipFile, rows: dict[str, DeflatedRows], target: Path) -> None:
    """The same package through ``zipfile`` (Zip64 where needed), the rows inflated again on the way: sheets past 4 GB only."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=ROWS_COMPRESSLEVEL) as zout:
        for info in zin.infolist():
            part = rows.get(info.filename)
            if part is None:
                zout.writestr(info, zin.read(info))
                continue
            head, tail = _around_rows(zin, info)
            inflate = zlib.decompressobj(-15)
            with zout.open(info.filename, "w", force_zip64=True) as out, part.path.open("rb") as fh:
                out.write(head)
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    out.write(inflate.decompress(chunk))
                out.write(inflate.flush())
                out.write(tail)


def temp_rows_file(folder: Path, stem: str) -> tuple[IO[bytes], Path]:
    """A temporary file for a sheet's deflated rows, named so that a killed run's leftovers are swept (``AtomicPath``)."""
    fd, path = temp_sibling(folder, stem, ".rows.tmp")
    return os.fdopen(fd, "wb", buffering=1 << 16), path  # compressed data comes in pieces of ~30 KB
