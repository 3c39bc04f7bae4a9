"""Detector kinds, one module each; the registry is how the checklist schema finds them.

Adding a kind means adding a module with a pydantic ``Params`` model (its
``kind`` literal is the YAML name) and a ``create`` factory, and listing it here.
"""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field

from auditor.detectors import emotion, empathy, paraphrase, phrases, regex, sensitive, substance

MODULES = {"phrases": phrases, "regex": regex, "paraphrase": paraphrase, "emotion": emotion, "empathy": empathy, "substance": substance,
           "sensitive_data": sensitive}

DetectorSpec = Annotated[
    Union[phrases.PhrasesParams, regex.RegexParams, paraphrase.ParaphraseParams, emotion.EmotionParams, empathy.EmpathyParams,
          substance.SubstanceParams, sensitive.SensitiveParams],
    Field(discriminator="kind"),
]


def create(params, bank):
    return MODULES[params.kind].create(params, bank)
