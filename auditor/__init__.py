"""Call-transcript compliance auditor.

The pipeline, one package per stage: ``transcripts`` (load and normalise) →
``checklist`` (rules as data) → ``detectors`` / ``engine`` (check one call) →
``scoring`` (call scores, agent aggregates) → ``reports`` (workbook, JSONL, terminal).
"""

__version__ = "0.1.0"
