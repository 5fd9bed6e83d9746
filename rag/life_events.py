"""Life events (a birth, a death, opening a shop…) that lead to several procedures, matched by their
trigger phrases, and the answer that lists those procedures in order."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from tthc.schema import Citation, LifeEvent, Procedure
from tthc.text import fold_diacritics, syllables

MIN_TRIGGER_SHARE = 0.75  # share of a trigger's syllables the question must contain
MIN_MATCHED_SYLLABLES = 2
MAX_STEP_NAME = 90  # characters of a procedure's name in the list, read on a phone


@dataclass(frozen=True)
class EventMatch:
    event: LifeEvent
    share: float


def _tokens(text: str) -> set[str]:
    return {fold_diacritics(w.casefold()) for w in syllables(text)}


class LifeEventMatcher:
    """Finds the life event a question describes, by how much of one trigger phrase it contains."""

    def __init__(self, events: list[LifeEvent]) -> None:
        self._triggers = [(event, _tokens(trigger)) for event in events for trigger in [event.title, *event.triggers]]

    def match(self, question: str) -> EventMatch | None:
        asked = _tokens(question)
        best: EventMatch | None = None
        for event, trigger in self._triggers:
            hit = len(trigger & asked)
            if hit < MIN_MATCHED_SYLLABLES:
                continue
            share = hit / len(trigger)
            if share >= MIN_TRIGGER_SHARE and (best is None or share > best.share):
                best = EventMatch(event, share)
        return best


def compose_life_event_answer(event: LifeEvent, procedures: dict[str, Procedure]) -> tuple[str, list[Citation]]:
    """The procedures of the event in order, each with its code and one line of what it is for."""
    lines = [f"{event.title}: thường cần làm các thủ tục sau, theo thứ tự:"]
    citations = []
    for number, step in enumerate(event.procedures, start=1):
        proc = procedures.get(step.code)
        where = "" if proc is None or proc.is_ward_level else " (không nộp tại phường)"
        name = textwrap.shorten(step.name, MAX_STEP_NAME, placeholder=" …")  # the code and the card carry the full name
        lines.append(f"{number}. {name} (mã {step.code}){where} — {step.what_for}")
        if proc is not None:
            citations.append(Citation(code=proc.code, title=proc.name, section="overview", url=proc.url))
    lines.append("Bạn hỏi tiếp từng thủ tục (ví dụ “khai tử cần giấy tờ gì”) để biết hồ sơ, lệ phí và nơi nộp.")
    return "\n".join(lines), citations
