"""Word segmentation, loaded only when a detector asks for words.

spaCy's blank Chinese pipeline with jieba as its segmenter: no model
download, and a phrase-only checklist never pays the ~1 s it takes to load.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _nlp():
    import logging

    import jieba
    import spacy

    jieba.setLogLevel(logging.WARNING)
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})


def segment(text: str) -> list[str]:
    return [t.text for t in _nlp().tokenizer(text)]
