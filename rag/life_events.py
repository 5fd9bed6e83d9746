"""Life events (a birth, a death, opening a shop…) that lead to several procedures, matched by their
trigger phrases, and the answer that lists those procedures in order."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from rag.query import STOPWORDS
from tthc.schema import Citation, LifeEvent, Procedure
from tthc.text import fold_diacritics, syllables

MIN_TRIGGER_SHARE = 0.75  # share of a trigger's content syllables the question must contain
# ... when the question asks what to do as a whole ("cần làm những giấy tờ gì", "lo những thủ tục nào"). Chosen on the
# training questions: life-event questions of training/events answered with the event's list 38 -> 92 of 234, as many
# one-procedure questions given a list as before (6 of 78); training/questions 8 answers better, 4 worse (out-of-scope
# questions given a list); training/notes 1 worse
MIN_SHARE_ASKING_WHAT_TO_DO = 0.5
MIN_MATCHED_SYLLABLES = 2
MAX_STEP_NAME = 90  # characters of a procedure's name in the list, read on a phone

# Function words say nothing about a situation: counted, "nhà tôi muốn đổi chủ hộ" matched "tôi muốn xây nhà".
# Relatives are the situation ("bà mất"), so they stay.
_FUNCTION_WORDS = STOPWORDS - {"ông", "bà", "anh", "chị", "em"}
# Typed without diacritics, these are content words as often: căn, cơ, thẻ, nhà, bán, đẻ, con, chợ, trồng, báo, tài.
_FOLDED_AS_OFTEN_CONTENT = {"can", "co", "the", "nha", "ban", "de", "con", "cho", "trong", "bao", "tai"}
_FOLDED_FUNCTION_WORDS = {fold_diacritics(w) for w in _FUNCTION_WORDS} - _FOLDED_AS_OFTEN_CONTENT
# "cần làm những gì", "lo những giấy tờ nào", "thủ tục ra sao": a question about everything to do, on folded text
ASKS_WHAT_TO_DO = re.compile(
    r"\b((lam|lo|chuan bi) (nhung |cac )?(giay to |giay |thu tuc |viec )?(gi|j|nao)|(giay to|thu tuc) (gi|j|nao|ra sao|the nao))\b"
)


@dataclass(frozen=True)
class EventMatch:
    event: LifeEvent
    share: float


def content_syllables(text: str) -> frozenset[str]:
    """Folded syllables without function words, told apart on the accented word when it has diacritics."""
    kept = set()
    for word in syllables(text):
        folded = fold_diacritics(word)
        function_word = folded in _FOLDED_FUNCTION_WORDS if word == folded else word in _FUNCTION_WORDS
        if not function_word:
            kept.add(folded)
    return frozenset(kept)


class LifeEventMatcher:
    """Finds the life event a question describes, by how much of one trigger phrase's content words it contains."""

    def __init__(self, events: list[LifeEvent]) -> None:
        self._triggers = [(event, content_syllables(trigger)) for event in events for trigger in [event.title, *event.triggers]]

    def match(self, question: str) -> EventMatch | None:
        asked = content_syllables(question)
        asks_what_to_do = ASKS_WHAT_TO_DO.search(fold_diacritics(question.casefold())) is not None
        min_share = MIN_SHARE_ASKING_WHAT_TO_DO if asks_what_to_do else MIN_TRIGGER_SHARE
        best: EventMatch | None = None
        for event, trigger in self._triggers:
            hit = len(trigger & asked)
            if hit < MIN_MATCHED_SYLLABLES:
                continue
            share = hit / len(trigger)
            if share >= min_share and (best is None or share > best.share):
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
