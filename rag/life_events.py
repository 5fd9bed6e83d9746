"""Life events (a birth, a death, opening a shop…) that lead to several procedures, matched by their
trigger phrases, and the answer that lists those procedures in order."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from rag.query import STOPWORDS
from tthc.schema import Citation, LifeEvent, Procedure
from tthc.text import fold_diacritics, has_diacritics, syllables

MIN_TRIGGER_SHARE = 0.75  # share of a trigger's content syllables the question must contain
# ... when the question asks what to do as a whole ("cần làm những giấy tờ gì", "lo những thủ tục nào"). Chosen on the
# training questions: life-event questions of training/events answered with an event's list 38 -> 91 of 234 (34 -> 81
# leading with a procedure of their own event), as many one-procedure questions given a list as before (6 of 78);
# training/questions 8 answers better, 3 worse (out-of-scope questions given a list); training/notes 1 worse
MIN_SHARE_ASKING_WHAT_TO_DO = 0.5
MIN_MATCHED_SYLLABLES = 2
MAX_STEP_NAME = 90  # characters of a procedure's name in the list, read on a phone

# Function words say nothing about a situation: counted, "nhà tôi muốn đổi chủ hộ" matched "tôi muốn xây nhà".
# Relatives are the situation ("bà mất"), so they stay; "giấy tờ" is what every question asks for, not a situation.
_FUNCTION_WORDS = (STOPWORDS - {"ông", "bà", "anh", "chị", "em"}) | {"giấy", "tờ"}
# Typed without diacritics, these are content words as often: căn, cơ, thẻ, nhà, bán, đẻ, con, chợ, trồng, báo, tài.
_FOLDED_AS_OFTEN_CONTENT = {"can", "co", "the", "nha", "ban", "de", "con", "cho", "trong", "bao", "tai"}
_FOLDED_FUNCTION_WORDS = {fold_diacritics(w) for w in _FUNCTION_WORDS} - _FOLDED_AS_OFTEN_CONTENT
# "cần làm những gì", "lo những giấy tờ nào", "thủ tục ra sao": a question about everything to do, on folded text.
# Broader than notes.ASKS_WHICH_PROCEDURES, which the note picker keeps: it also takes "which papers" as a whole.
ASKS_WHAT_TO_DO = re.compile(
    r"\b((lam|lo|chuan bi) (nhung |cac )?(giay to |giay |thu tuc |viec )?(gi|j|nao)|(giay to|thu tuc) (gi|j|nao|ra sao|the nao))\b"
)


@dataclass(frozen=True)
class EventMatch:
    event: LifeEvent
    share: float
    matched: int  # content syllables of the trigger found in the question


@dataclass(frozen=True)
class ContentWords:
    """A text's syllables without function words: as typed, or folded when it was typed without diacritics."""

    words: frozenset[str]
    folded: bool


def content_words(text: str) -> ContentWords:
    """Function words are told apart on the accented word; typed without diacritics, on the folded one."""
    words = syllables(text)
    if any(has_diacritics(word) for word in words):
        return ContentWords(frozenset(w for w in words if w not in _FUNCTION_WORDS), folded=False)
    return ContentWords(frozenset(w for w in words if w not in _FOLDED_FUNCTION_WORDS), folded=True)


class LifeEventMatcher:
    """Finds the life event a question describes, by how much of one trigger phrase's content words it contains."""

    def __init__(self, events: list[LifeEvent]) -> None:
        # each trigger's words as written and folded: a question with diacritics is compared on the accented words
        # ('quá' is not the 'qua' of 'qua đời'), one without on the letters
        self._triggers = []
        for event in events:
            for trigger in [event.title, *event.triggers]:
                words = content_words(trigger).words
                self._triggers.append((event, words, frozenset(fold_diacritics(w) for w in words)))

    def match(self, question: str) -> EventMatch | None:
        asked = content_words(question)
        asks_what_to_do = ASKS_WHAT_TO_DO.search(fold_diacritics(question.casefold())) is not None
        min_share = MIN_SHARE_ASKING_WHAT_TO_DO if asks_what_to_do else MIN_TRIGGER_SHARE
        best: EventMatch | None = None
        for event, written, folded in self._triggers:
            trigger = folded if asked.folded else written
            hit = len(trigger & asked.words)
            if hit < MIN_MATCHED_SYLLABLES:
                continue
            share = hit / len(trigger)
            if share >= min_share and (best is None or (share, hit) > (best.share, best.matched)):
                best = EventMatch(event, share, hit)
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
