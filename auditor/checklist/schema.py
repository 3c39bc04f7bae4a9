"""The checklist YAML schema, as pydantic models.

Validation is pydantic's, so every error has a location (``items[3].detector.phrases``)
that the loader maps back to a line and column in the YAML file.
"""

from __future__ import annotations

from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from auditor.detectors import DetectorSpec

Speaker = Literal["agent", "customer", "any"]
Status = Literal["pass", "fail", "na"]
ITEM_ID = r"^[a-z][a-z0-9_]{0,63}$"


class Scope(BaseModel):
    """Which of the speaker's turns a rule looks at: the first N, the last N, or all."""

    model_config = ConfigDict(extra="forbid")
    first: int | None = Field(None, ge=1)
    last: int | None = Field(None, ge=1)
    skip_first: int = Field(0, ge=0, description="never count the speaker's first N turns (an opening 有什么可以帮您 is not an offer of further help)")

    @model_validator(mode="after")
    def _one(self) -> "Scope":
        if self.first is not None and self.last is not None:
            raise ValueError("give 'first' or 'last', not both")
        return self

    def describe(self) -> str:
        if self.first:
            return f"first {self.first} turn(s)"
        skip = f" after the first {self.skip_first}" if self.skip_first else ""
        if self.last:
            return f"last {self.last} turn(s){skip}"
        return f"whole call{skip}"


class AllOf(BaseModel):
    model_config = ConfigDict(extra="forbid")
    all: list["Condition"] = Field(min_length=1)


class AnyOf(BaseModel):
    model_config = ConfigDict(extra="forbid")
    any: list["Condition"] = Field(min_length=1)


class Not(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    not_: "Condition" = Field(alias="not")


Condition = Union[str, AllOf, AnyOf, Not]


def condition_names(cond: Condition | None) -> list[str]:
    """Every signal a condition refers to, for validation."""
    if cond is None:
        return []
    if isinstance(cond, str):
        return [cond]
    if isinstance(cond, AllOf):
        return [n for c in cond.all for n in condition_names(c)]
    if isinstance(cond, AnyOf):
        return [n for c in cond.any for n in condition_names(c)]
    return condition_names(cond.not_)


class NamedExample(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    dialogue: str = Field(min_length=1)


Example = Union[str, NamedExample]


class Examples(BaseModel):
    """Short dialogues in the plain-text transcript format with the status the item must give."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    pass_: list[Example] = Field(default_factory=list, alias="pass")
    fail: list[Example] = Field(default_factory=list)
    na: list[Example] = Field(default_factory=list)

    def cases(self) -> list[tuple[str, str | None, str]]:
        """``(expected status, name, dialogue)`` for every example."""
        out = []
        for status, group in (("pass", self.pass_), ("fail", self.fail), ("na", self.na)):
            for ex in group:
                out.append((status, None, ex) if isinstance(ex, str) else (status, ex.name, ex.dialogue))
        return out


class Signal(BaseModel):
    """A named fact about a call (the customer is upset, states a request) that items can depend on."""

    model_config = ConfigDict(extra="forbid")
    description: str = ""
    speaker: Speaker = "customer"
    scope: Scope = Field(default_factory=Scope)
    detector: DetectorSpec


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=ITEM_ID)
    title: str = Field(min_length=1)
    description: str = ""
    category: str = "general"
    weight: float = Field(1.0, gt=0)
    critical: bool = False
    speaker: Speaker = "agent"
    scope: Scope = Field(default_factory=Scope)
    applies_when: Condition | None = None
    detector: DetectorSpec
    examples: Examples = Field(default_factory=Examples)

    @field_validator("scope", mode="before")
    @classmethod
    def _scope_shorthand(cls, v: Any) -> Any:
        return {} if v in ("call", "whole", "all", None) else v


class Checklist(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    name: str = Field(min_length=1)
    version: str
    language: str = "zh"
    description: str = ""
    pass_threshold: float = Field(80.0, ge=0, le=100, description="calls below this score count as 'below threshold'")
    signals: dict[str, Signal] = Field(default_factory=dict)
    items: list[Item] = Field(min_length=1, max_length=500)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, (int, float)) else v


for _model in (AllOf, AnyOf, Not, Signal, Item, Checklist):
    _model.model_rebuild()
