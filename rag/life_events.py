"""Life events (a birth, a death, opening a shop…) that lead to several procedures, matched by their
trigger phrases, and the answer that lists those procedures in order.

Whether a question is about an event as a whole is decided by a small logistic model when the index version has
one (``EventModel``, learned from ``training/events`` and the other training questions, never ``eval/``): how much
of the event's trigger phrases the question holds, what it asks, and how the event's procedures rank. Without it,
a rule decides (``LifeEventMatcher.match`` and the service's checks).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from rag.logistic import Logistic, is_probability
from rag.notes import asks_a_detail
from rag.query import STOPWORDS, Query
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
# Asking for one fact (a deadline, a fee, where…) is asking about one procedure, even in a life situation.
ONE_PROCEDURE_INTENTS = frozenset({"time", "deadline", "validity", "fees", "legal_basis", "result", "agency", "conditions"})


@dataclass(frozen=True)
class EventMatch:
    event: LifeEvent
    share: float
    matched: int  # content syllables of the trigger found in the question


@dataclass(frozen=True)
class EventOverlaps:
    """Per event, its trigger the question holds most of; and how many content words the question has."""

    by_event: dict[str, EventMatch]
    words: int


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

    def overlaps(self, question: str) -> EventOverlaps:
        """Each event's trigger that the question holds most of (by share, then by words found): the model's input,
        with no threshold."""
        asked = content_words(question)
        best: dict[str, EventMatch] = {}
        for found in self._found(asked):
            kept = best.get(found.event.id)
            if kept is None or (found.share, found.matched) > (kept.share, kept.matched):
                best[found.event.id] = found
        return EventOverlaps(best, len(asked.words))

    def match(self, question: str) -> EventMatch | None:
        asks_what_to_do = ASKS_WHAT_TO_DO.search(fold_diacritics(question.casefold())) is not None
        min_share = MIN_SHARE_ASKING_WHAT_TO_DO if asks_what_to_do else MIN_TRIGGER_SHARE
        best: EventMatch | None = None
        for found in self._found(content_words(question)):
            if found.matched < MIN_MATCHED_SYLLABLES or found.share < min_share:
                continue
            if best is None or (found.share, found.matched) > (best.share, best.matched):
                best = found
        return best

    def _found(self, asked: ContentWords) -> Iterator[EventMatch]:
        """Each trigger the question holds at least one content word of, in the order of the events."""
        for event, written, folded in self._triggers:
            trigger = folded if asked.folded else written
            hit = len(trigger & asked.words)
            if hit:
                yield EventMatch(event, hit / len(trigger), hit)


class RankedProcedure(Protocol):
    """What the event model reads of a ranked candidate (``rag.retriever.ProcedureHit``)."""

    code: str
    score: float
    name_overlap: float
    coverage: float
    answerable: float | None


# A question this close to the best candidate's name is about that procedure, not about a life event (set on the
# training questions), and so is a yes/no question: neither the rule nor the model gives them an event's list.
EVENT_NAME_OVERLAP = 0.35


def about_one_procedure(hits: Sequence[RankedProcedure], query: Query) -> bool:
    """Whether the question names one procedure or asks yes or no, before any event is considered."""
    return query.ask is not None or (bool(hits) and hits[0].name_overlap >= EVENT_NAME_OVERLAP)


# Bump when a feature changes meaning: a model trained on other features is then ignored (the rule decides).
EVENT_SCHEMA = 1
EVENT_FEATURE_NAMES: tuple[str, ...] = (
    "share",  # of the event's best trigger's content words found in the question
    "matched",  # ... how many
    "matched_capped",  # min(matched, 4) / 4
    "rule_share",  # the rule's own test: share >= MIN_TRIGGER_SHARE and two words or more
    "asks_what_to_do",  # "cần làm những giấy tờ gì"
    "share_asking_what_to_do",
    "top_in_event",  # the best candidate is one of the event's procedures
    "in_top5",  # how many of the event's procedures are among the first five candidates
    "in_top10",
    "first_rank",  # 1 / (1 + rank of the event's first procedure among the candidates), 0 when absent
    "asks_yes_no",
    "asks_detail",  # who, when, how many, which form
    "asks_documents",
    "asks_one_section",  # time, fee, legal basis, result, agency, conditions
    "top_answerable",  # the learned answerability of the best candidate
    "top_score",
    "top_name_overlap",  # the question names the best candidate
    "top_coverage",
    "question_explained",  # matched / the question's content words
    "top_in_event_answerable",
    "confident_outside",  # the best candidate is outside the event, and answerable
    "share_top_in_event",
    "share_unsure",  # share x (1 - top_answerable)
    "documents_not_whole",  # asks for documents, not for everything to do
)


def event_features(events: Sequence[LifeEvent], found: EventOverlaps, hits: Sequence[RankedProcedure], query: Query) -> np.ndarray:
    """One row of :data:`EVENT_FEATURE_NAMES` per event, in the order given."""
    codes = [h.code for h in hits]
    top = hits[0] if hits else None
    answerable = (top.answerable or 0.0) if top else 0.0
    asks_whole = ASKS_WHAT_TO_DO.search(query.folded) is not None
    documents = "documents" in query.intents
    asked = (
        query.ask is not None,
        asks_a_detail(query.folded),
        documents,
        bool(ONE_PROCEDURE_INTENTS.intersection(query.intents)),
    )
    top_evidence = (answerable, top.score if top else 0.0, top.name_overlap if top else 0.0, top.coverage if top else 0.0)
    words = max(found.words, 1)
    rows = []
    for event in events:
        match = found.by_event.get(event.id)
        share, matched = (match.share, match.matched) if match else (0.0, 0)
        steps = {step.code for step in event.procedures}
        ranks = [i for i, code in enumerate(codes) if code in steps]
        top_in = bool(top and top.code in steps)
        rows.append(
            [
                share,
                matched,
                min(matched, 4) / 4,
                share >= MIN_TRIGGER_SHARE and matched >= MIN_MATCHED_SYLLABLES,
                asks_whole,
                share * asks_whole,
                top_in,
                sum(c in steps for c in codes[:5]),
                sum(c in steps for c in codes[:10]),
                1 / (1 + ranks[0]) if ranks else 0.0,
                *asked,
                *top_evidence,
                matched / words,
                top_in * answerable,
                (not top_in) * answerable,
                share * top_in,
                share * (1 - answerable),
                documents and not asks_whole,
            ]
        )
    return np.asarray(rows, dtype=float).reshape(len(events), len(EVENT_FEATURE_NAMES))


@dataclass(frozen=True)
class EventModel:
    """P(the question is about this life event as a whole), and the probability from which the event's list is
    the answer."""

    logistic: Logistic
    threshold: float

    def choose(
        self, events: Sequence[LifeEvent], found: EventOverlaps, hits: Sequence[RankedProcedure], query: Query
    ) -> tuple[LifeEvent, float] | None:
        """The most probable event and its probability, when it reaches the threshold."""
        if not events or not found.by_event:
            return None  # no trigger word in the question: no event
        probabilities = self.logistic.probabilities(event_features(events, found, hits, query))
        best = int(np.argmax(probabilities))
        return (events[best], float(probabilities[best])) if probabilities[best] >= self.threshold else None

    def to_dict(self) -> dict:
        return {**self.logistic.stored(EVENT_SCHEMA, EVENT_FEATURE_NAMES), "threshold": self.threshold}

    @classmethod
    def from_dict(cls, data: object) -> EventModel | None:
        """The model, or None when absent or trained on other features than this code computes."""
        logistic = Logistic.from_stored(data, EVENT_SCHEMA, EVENT_FEATURE_NAMES)
        threshold = data.get("threshold") if isinstance(data, dict) else None
        return cls(logistic, float(threshold)) if logistic is not None and is_probability(threshold) else None


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
