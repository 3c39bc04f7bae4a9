"""Decode transcript bytes whatever the exporting system used.

Chinese call-centre exports come as UTF-8 (with or without BOM), UTF-16 and
GB18030/GBK, and files are often mislabelled. We trust BOMs, then strict
UTF-8, then a BOM-less UTF-16 shape, then GB18030, and only then ask
charset-normalizer, so that the common cases never pay for detection.
"""

from __future__ import annotations

import codecs

from auditor.transcripts.errors import InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 text without a BOM has a NUL in every other byte for ASCII and many zeros overall."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:4096]
    even_zeros = sample[0::2].count(0)
    odd_zeros = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_zeros > half * 0.2 and even_zeros < half * 0.05:
        enc = "utf-16-le"
    elif even_zeros > half * 0.2 and odd_zeros < half * 0.05:
        enc = "utf-16-be"
    else:
        # CJK-only UTF-16 has few zeros; accept it only when it round-trips
        # cleanly and looks like mostly CJK text.
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            cjk = sum(1 for c in text[:2000] if "\u4e00" <= c <= "\u9fff" or c in "\n:：，。")
            if cjk > 0.6 * min(len(text), 2000):
                return text
        return None
    try:
        return data.decode(enc)
    except UnicodeDecodeError:
        return None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)`` or raise ``InputError`` for binary or undecodable data."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise InputError(f"starts with a {enc} byte-order mark but does not decode as {enc}: {exc.reason}") from None
    try:
        utf8: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    if utf8 is not None and b"\x00" not in data:  # the bytes, scanned far faster, hold a NUL exactly when the UTF-8 text does
        return utf8, "utf-8"
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        return utf16, "utf-16"
    if utf8 is not None and data.count(0) * 10 < len(data):
        # Valid UTF-8 with a few stray NULs (a hand edit, a buggy export):
        # text, not binary; build_call strips the control characters.
        return utf8, "utf-8"
    if b"\x00" in data:
        raise InputError("binary data (NUL bytes), not a text transcript")
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError("could not detect the text encoding (tried UTF-8, UTF-16, GB18030)")
    return str(best), best.encoding
