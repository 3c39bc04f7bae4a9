"""De-escalation: does the agent acknowledge an upset customer before solving?

Triggered by an emotion signal of the checklist (``trigger``): from the first
upset customer turn, the agent's next ``window`` turns must acknowledge the
feeling or apologise. It also measures what managers coach on: how many turns
and seconds the acknowledgement took, and whether the customer ended calmer
than at the peak.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.detectors.base import Context, Finding, PhraseBank, evidence_at, evidence_turn
from auditor.transcripts.model import AGENT, CUSTOMER, Turn


class EmpathyParams(BaseModel):
    """Pass when one of the agent's next ``window`` turns after the trigger acknowledges or apologises."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["empathy"]
    trigger: str = "customer_upset"
    window: int = Field(2, ge=1, le=20)
    acknowledge: list[str] = Field(min_length=1, max_length=5000)
    exclude: list[str] = Field(default_factory=list)
    argue: list[str] = Field(default_factory=list)
    calm_turns: int = Field(2, ge=1, description="how many of the customer's last turns must be calmer than the peak")


class EmpathyDetector:
    def __init__(self, params: EmpathyParams, bank: PhraseBank) -> None:
        self.params = params
        self.ack = bank.add_all(params.acknowledge)
        self.argue = bank.add_all(params.argue) if params.argue else frozenset()
        self.exclusions = bank.add_all(params.exclude)
        self.ack_query = bank.query(self.ack, self.exclusions)
        self.argue_query = bank.query(self.argue)
        self.bank = bank

    def _ack_hit(self, turn: Turn, ctx: Context):
        hits = ctx.found[turn.index].get(self.ack_query)
        return hits[0] if hits else None

    def run(self, turns: Sequence[Turn], ctx: Context) -> Finding:
        trigger = ctx.signal(self.params.trigger)
        if not trigger.turns:
            return Finding(True, [], {"note": "no upset customer turn"})
        call = ctx.call
        first = trigger.turns[0]
        upset = call.turns[first]
        allowed = {t.index for t in turns}
        later_agent = [t for t in call.turns[first + 1 :] if t.speaker == AGENT and t.index in allowed]
        metrics: dict[str, object] = {"upset_turn": first, "time_to_empathy_turns": None, "time_to_empathy_seconds": None}
        ack_at = None
        for n, turn in enumerate(later_agent, 1):
            hit = self._ack_hit(turn, ctx)
            if hit:
                ack_at = (n, turn, hit)
                break
        upset_ev = evidence_turn(upset, "upset customer turn: " + (trigger.evidence[0].note if trigger.evidence else ""))
        evidence = [upset_ev]
        if ack_at:
            n, turn, (s, e, pid) = ack_at
            metrics["time_to_empathy_turns"] = n
            if turn.start is not None and upset.start is not None:
                metrics["time_to_empathy_seconds"] = round(max(0.0, turn.start - (upset.end or upset.start)), 1)
            evidence.append(evidence_at(turn, s, e, f"acknowledged in agent turn {n} after the upset turn"))
        else:
            for turn in later_agent[: self.params.window]:
                argued = ctx.found[turn.index].get(self.argue_query) if self.argue else None
                note = "argued instead of acknowledging" if argued else "no acknowledgement"
                evidence.append(evidence_at(turn, argued[0][0], argued[0][1], note) if argued else evidence_turn(turn, note))
        metrics["de_escalated"] = self._de_escalated(trigger, call.turns, ctx)
        hit = ack_at is not None and ack_at[0] <= self.params.window
        return Finding(hit, evidence, metrics)

    def _de_escalated(self, trigger: Finding, all_turns: Sequence[Turn], ctx: Context) -> bool:
        """The customer's last turns score lower than the peak and below the upset threshold."""
        scores: dict[int, float] = trigger.metrics.get("scores", {})
        if not scores:
            return False
        peak = max(scores.values())
        peak_turn = min(i for i, score in scores.items() if score == peak)  # the first turn at the peak
        # Turns are numbered by their position in the call, so those after the peak are a slice.
        customer_after = [t.index for t in all_turns[peak_turn + 1 :] if t.speaker == CUSTOMER]
        if not customer_after:
            return False
        last = customer_after[-self.params.calm_turns :]
        upset = set(trigger.turns)
        return all(scores.get(i, 0.0) < peak and i not in upset for i in last)


def create(params: EmpathyParams, bank: PhraseBank) -> EmpathyDetector:
    return EmpathyDetector(params, bank)
