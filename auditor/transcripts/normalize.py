"""Text normalisation for matching.

Rules are written once in Simplified Chinese with half-width punctuation, but
transcripts arrive in full-width forms, Traditional characters and with ASR
spaces between characters. We normalise a *copy* for matching and keep a way
to map a match back onto the original text, because evidence must quote what
was actually said.
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache
from typing import Any

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC(_packaged_config(opencc, "t2s.json"))


def _packaged_config(opencc: Any, name: str) -> str:
    """The absolute path of the configuration OpenCC ships, so that no file in the working directory can replace it.

    Given a bare name, OpenCC opens a file of that name in the current
    directory before its own: a ``t2s.json`` wherever an audit happens to run
    would change how every call is normalised, and so its verdicts.
    """
    share = getattr(opencc, "_opencc_share_dir", None)
    path = os.path.join(share, name) if isinstance(share, str) else ""
    return path if os.path.isfile(path) else os.path.splitext(name)[0]


@lru_cache(maxsize=1)
def _careful() -> re.Pattern[str] | None:
    """Finds what keeps a call off the short path (``_short_path``); ``None``: every call takes every step.

    Whitespace (maybe a space between Chinese characters to drop), a rare
    full-width form, a control character but ``_JOIN`` (see
    ``normalize_plain``), a lone surrogate (OpenCC refuses it), or a
    character OpenCC's t2s might change (see ``opencc_keys``). One search
    costs ~1.5 µs a call and spares the rare full-width search, the
    whitespace scan and the OpenCC call (~9 µs together) for the ~93% of
    calls that have none. Built once, at the first non-ASCII call (~13 ms).
    """
    from auditor.transcripts.opencc_keys import changeable_class, code_points

    converter = _t2s()
    config = getattr(converter, "config", None)
    body = changeable_class(converter.convert, config) if isinstance(config, str) else None
    if body is None:
        return None
    # Whitespace spelled out rather than ``\s``: a class of plain characters
    # compiles to one bitmap, while a category is a function call for every
    # character searched (2.6 µs a call against 1.5). Every whitespace
    # character is in the Basic Multilingual Plane; the rest of the
    # planes is in ``body`` whole.
    spaces = re.escape("".join(re.findall(r"\s", code_points(0, 0xD800) + code_points(0xE000, 0x10000))))
    return re.compile(f"[{spaces}\x00\x02-\x08\x0b-\x1f\x7f-\x9f\uff01-\uff5e\u3000\ud800-\udfff{body}]")


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
    return _rare_to_half_width(_common_to_half_width(text))


def _common_to_half_width(text: str) -> str:
    for full, half in _COMMON_FULL_WIDTH:
        if full in text:
            text = text.replace(full, half)
    return text


def _rare_to_half_width(text: str) -> str:
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
    return normalize_joined(_JOIN.join(texts), texts)


def normalize_joined(joined: str, texts: list[str]) -> list[str]:
    """``normalize_all(texts)`` for texts without ``_JOIN``, given ``_JOIN.join(texts)`` (loading has built it already)."""
    half = _common_to_half_width(joined)
    short = _short_path(half, texts)
    return short if short is not None else _all_steps(_rare_to_half_width(half), texts)


def normalize_plain(joined: str, texts: list[str]) -> list[str] | None:
    """``normalize_joined(joined, texts)`` when its short path takes the call, else ``None``.

    A call with a control character or a lone surrogate never takes it, so
    a list also says that the turns needed no cleaning: loading asks this
    first and searches for what to clean only when it gets ``None``
    (one search of the call instead of two, ~1.5 µs).
    """
    return _short_path(_common_to_half_width(joined), texts)


def _short_path(half: str, texts: list[str]) -> list[str] | None:
    """The normalised turns of a call with none of what ``_careful`` finds, and that NFKC leaves alone; else ``None``.

    Such a call is only lower-cased: OpenCC would return it as it is, and it
    has no space to drop. (The length check is ``_all_steps``'s.)
    """
    if half.isascii():  # OpenCC is never loaded for ASCII-only calls
        return None
    careful = _careful()
    if careful is None or careful.search(half) is not None or unicodedata.normalize("NFKC", half) != half:
        return None
    lowered = half.lower()
    if len(lowered) != len(half) and [len(part) for part in lowered.split(_JOIN)] != [len(t) for t in texts]:
        return [normalize(t) for t in texts]
    return lowered.split(_JOIN)


def _all_steps(half: str, texts: list[str]) -> list[str]:
    """``normalize_joined`` from the half-width text on, every step taken.

    The per-turn length check only runs when a step changed the text: the
    half-width step maps one character to one, an unchanged string keeps its
    lengths, and ``str.lower`` never shortens a character, so an unchanged
    total length means unchanged lengths everywhere.
    """
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


def _nfkc(text: str) -> str:
    """NFKC of ``text`` by its fast path: the half-width step replaces one character by one, with the same NFKC."""
    return unicodedata.normalize("NFKC", _to_half_width(text))


def normalize_with_map(text: str) -> tuple[str, list[int] | None]:
    """Normalise and return, for each normalised character, its index in ``text``.

    The map is ``None`` when it is the identity, which is the common case and
    saves allocating a list per turn.
    """
    nfkc = _nfkc(text)
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


def keeps_positions(text: str, norm: str) -> bool:
    """Whether ``norm`` (``normalize(text)``) lines up with ``text`` character for character, so spans need no mapping.

    ``normalize_with_map`` has no map exactly when its NFKC step keeps the
    length and no space is dropped (every other step maps one character to
    one, and dropping spaces only shortens). So equal lengths of ``text``
    and ``norm`` settle it when NFKC cannot have changed the length, which a
    text made only of ``_length_changers``' complement shows in one search
    (0.15 µs); other texts are normalised to see (0.7 µs, against 2.5 for
    ``normalize_with_map``).
    """
    if len(norm) != len(text):
        return False
    if _length_changers().search(text) is None:
        return True
    return len(_nfkc(text)) == len(text)


# Blocks most transcripts are written in: ASCII, Latin-1, general punctuation, CJK symbols and punctuation,
# full-width forms and half-width katakana, full-width symbols. Neither their characters nor the one each
# decomposes to is the second of a canonical composition pair (checked against every decomposition in
# Unicode 14; the set of pairs that compose is frozen), so only what NFKC does to each alone matters.
# Half-width Hangul (U+FFA0–FFDC) is left out: it decomposes to conjoining jamo, which compose.
_COMMON_BLOCKS = ((0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x3000, 0x303F), (0xFF01, 0xFF9F), (0xFFE0, 0xFFEF))


@lru_cache(maxsize=1)
def _length_changers() -> re.Pattern[str]:
    """Finds a character that might make NFKC change a text's length; a text without one keeps its length.

    Outside it: CJK unified ideographs (never given a decomposition, by
    Unicode's stability policy) and the characters of ``_COMMON_BLOCKS``
    whose compatibility decomposition is one character that combines with
    nothing before it (full-width forms, punctuation; not ``…`` → ``...``
    nor ``é`` → ``e`` + accent). A text of those decomposes one for one and
    nothing in it composes, so NFKC keeps its length.
    """
    kept = [c for lo, hi in _COMMON_BLOCKS for c in map(chr, range(lo, hi + 1)) if _one_for_one(c)]
    return re.compile(f"[^{_CJK_UNIFIED}{''.join(map(re.escape, kept))}]")


_CJK_UNIFIED = "\u3400-\u4dbf\u4e00-\u9fff"


def _one_for_one(c: str) -> bool:
    d = unicodedata.normalize("NFKD", c)
    return len(d) == 1 and not unicodedata.combining(d) and len(unicodedata.normalize("NFKC", c)) == 1
