"""Text normalisation for matching.

Rules are written once in Simplified Chinese with half-width punctuation, but
transcripts arrive in full-width forms, Traditional characters and with ASR
spaces between characters. We normalise a *copy* for matching and keep a way
to map a match back onto the original text, because evidence must quote what
was actually said.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _to_simplified(text: str) -> str:
    # OpenCC is a C++ library; calling it on pure ASCII is wasted work.
    if text.isascii():
        return text
    return _t2s().convert(text)


def normalize(text: str) -> str:
    """NFKC, Traditional → Simplified, lower case, spaces between Chinese characters dropped."""
    return normalize_with_map(text)[0]


# Joins a call's turns so that one NFKC pass and one OpenCC call cover them
# all. Control characters are stripped from turns when they are built, so it
# never occurs inside one; it is not whitespace (unlike \x1c-\x1f), has no
# compatibility form and no case, and no OpenCC phrase contains it.
_JOIN = "\x01"


# Chinese text is full of full-width punctuation, which fails NFKC's quick
# check and sends the whole string through the slow full normalisation.
# Replacing those characters by their compatibility decompositions first (one
# starter character each, so NFKC of the result is NFKC of the original) lets
# the quick check pass: a call normalises ~5x faster.
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
_HALF = {chr(c): unicodedata.normalize("NFKD", chr(c)) for c in [*range(0xFF01, 0xFF5F), 0x3000]}


def _half_width(m: re.Match[str]) -> str:
    return _HALF[m.group()]


# The full-width characters nearly every Chinese turn has: replacing these few
# with ``str.replace`` (a C loop each) leaves the regex, whose Python callback
# per character cost ~8 µs a call, for the rare rest.
_COMMON_FULL_WIDTH = tuple((c, _HALF[c]) for c in "，？！：；（）")


def _has_space(text: str) -> bool:
    """Whether ``text`` has any whitespace, so maybe a space between Chinese characters to drop.

    ``str.split()`` splits on exactly the characters ``\\s`` matches, and
    scans far faster than the look-around regex; with no whitespace it gives
    back the whole text as its one part.
    """
    parts = text.split(None, 1)
    return len(parts) != 1 or len(parts[0]) != len(text)


def _to_half_width(text: str) -> str:
    """``_FULL_WIDTH.sub(_half_width, text)``; every replacement is one character for one."""
    for full, half in _COMMON_FULL_WIDTH:
        if full in text:
            text = text.replace(full, half)
    if _FULL_WIDTH.search(text) is not None:
        text = _FULL_WIDTH.sub(_half_width, text)
    return text


def normalize_all(texts: list[str]) -> list[str]:
    """``[normalize(t) for t in texts]``, converting the whole call at once.

    Per-turn calls into unicodedata and OpenCC dominated loading; one call
    each for the joined text gives the same strings whenever no step changes
    a length (the map-building cases), which is checked, and otherwise falls
    back to the per-turn path.
    """
    if not texts or any(_JOIN in t for t in texts):
        return [normalize(t) for t in texts]
    return normalize_joinable(texts)


def normalize_joinable(texts: list[str]) -> list[str]:
    """``normalize_all`` for texts known not to contain ``_JOIN`` (cleaned turns never do).

    The per-turn length check only runs when a step changed the text: the
    half-width step maps one character to one, an unchanged string keeps its
    lengths, and ``str.lower`` never shortens a character, so an unchanged
    total length means unchanged lengths everywhere.
    """
    if not texts:
        return []
    half = _to_half_width(_JOIN.join(texts))
    nfkc = unicodedata.normalize("NFKC", half)
    simplified = _to_simplified(nfkc)
    lowered = simplified.lower()
    if nfkc != half or simplified != nfkc or len(lowered) != len(simplified):
        lengths = [len(t) for t in texts]
        for stage in (nfkc, simplified, lowered):
            if [len(part) for part in stage.split(_JOIN)] != lengths:
                return [normalize(t) for t in texts]
    if _has_space(lowered):
        lowered = _SPACE_BETWEEN_CJK.sub("", lowered)
    return lowered.split(_JOIN)


def normalize_with_map(text: str) -> tuple[str, list[int] | None]:
    """Normalise and return, for each normalised character, its index in ``text``.

    The map is ``None`` when it is the identity, which is the common case and
    saves allocating a list per turn.
    """
    nfkc = unicodedata.normalize("NFKC", _to_half_width(text))  # one character for one: the same NFKC, its fast path
    if len(nfkc) == len(text):
        mapping: list[int] | None = None
    else:
        pieces: list[str] = []
        mapping = []
        for i, ch in enumerate(text):
            n = unicodedata.normalize("NFKC", ch)
            pieces.append(n)
            mapping.extend([i] * len(n))
        nfkc = "".join(pieces)
    simplified = _to_simplified(nfkc)
    if len(simplified) != len(nfkc):
        # Phrase-level conversions that change length are rare; fall back to a
        # per-character conversion so the map stays exact.
        simplified = "".join(_to_simplified(c) if len(_to_simplified(c)) == 1 else c for c in nfkc)
    lowered = simplified.lower()
    if len(lowered) != len(simplified):
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in simplified)
    if not _has_space(lowered) or not _SPACE_BETWEEN_CJK.search(lowered):
        return lowered, mapping
    base = mapping if mapping is not None else list(range(len(lowered)))
    out: list[str] = []
    new_map: list[int] = []
    last = 0
    for m in _SPACE_BETWEEN_CJK.finditer(lowered):
        out.append(lowered[last : m.start()])
        new_map.extend(base[last : m.start()])
        last = m.end()
    out.append(lowered[last:])
    new_map.extend(base[last:])
    return "".join(out), new_map


@lru_cache(maxsize=256)
def _offsets(text: str) -> tuple[int, ...] | None:
    """The normalised-to-original map of a turn, kept for the few turns that yield several pieces of evidence."""
    mapping = normalize_with_map(text)[1]
    return None if mapping is None else tuple(mapping)


def original_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Map a ``[start, end)`` span of ``normalize(text)`` back onto ``text``."""
    mapping = _offsets(text)
    if mapping is None:
        return start, end
    if not mapping:
        return 0, 0
    s = mapping[min(start, len(mapping) - 1)]
    e = mapping[end - 1] + 1 if end > 0 else s
    return s, max(e, s)
