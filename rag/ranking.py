"""The learned ranking step: a logistic model over the evidence the hybrid retriever already computes.

The fused RRF list proposes candidates; this model reorders them and says how likely the best one
is the procedure asked about. It replaces hand-set multipliers (ward prior, sibling penalty) with
weights learned from ``training/questions/`` (never from ``eval/``). It is stored with each index
version (``ranker.json``); without it, or when its features do not match this code, the retriever
falls back to RRF with the hand-set tie-breakers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from index_store.ids import PLAN_ID
from rag.life_events import EventModel
from rag.logistic import Logistic, is_probability
from rag.notes import NoteModel
from rag.question_words import QuestionWords

# Bump when a feature changes meaning: a model trained on other features is then ignored (RRF fallback).
FEATURE_SCHEMA = 6
FEATURE_NAMES: tuple[str, ...] = (
    "rrf",  # fused RRF score x 60
    "fused_rr",  # 1 / (1 + rank in the fused list)
    "chunk_rr",  # 1 / (1 + rank) among documents by their best chunk BM25, 0 when absent
    "chunk_rel",  # best chunk BM25 / the query's best
    "name_rr",  # 1 / (1 + rank) by names-and-vocabulary BM25
    "name_rel",  # names BM25 / the query's best
    "dense_rr",  # 1 / (1 + rank) by dense similarity
    "dense_sim",  # cosine similarity of the best dense unit
    "dense_gap",  # the query's best dense similarity minus this one
    "name_recall",  # share of the name's syllables found in the question
    "name_bigram_recall",  # share of the name's syllable pairs found in the question
    "question_in_name",  # share of the question's content words in the name or its vocabulary
    "phrase_bigram_best",  # best share of one everyday name / situation phrase's syllable pairs in the question
    "phrase_word_best",  # best share of one phrase's syllables in the question
    "coverage",  # share of the question's content words anywhere in the document
    "rare_coverage",  # the same, each word weighted by its idf
    "rarest_missing",  # idf of the rarest question word the document lacks / the idf of an unseen word
    "sentence_rare_best",  # the record's best single sentence: its idf-weighted share of the question's content words
    "sentence_pairs_best",  # ... and the most word pairs of the question one sentence holds (capped at 6, / 6)
    "sentence_rare_rel",  # sentence_rare_best / the candidates' best
    "sentence_pairs_rel",  # sentence_pairs_best / the candidates' best
    "rare_in_name",  # idf-weighted share of the question's content words in the name or our vocabulary for it
    "rarest_missing_in_name",  # the rarest question word the name and vocabulary lack, as above
    "markers_asked",  # sibling markers in the name that the question asks for
    "markers_unasked",  # sibling markers in the name that the question does not ask for
    "markers_unasked_general",  # ... while the general sibling is also a candidate
    "asked_absent",  # markers the question asks for that the name lacks
    "ward_level",
    "ward_level_other_cue",  # a ward procedure while the question names another level
    "other_level_other_cue",  # an other-level procedure while the question names another level
    "ward_twin",  # a ward procedure whose other-level twin is also a candidate
    "is_plan",
    "plan_cue",  # the plan, and the question points at the plan
    "top_dense",  # the query's best dense similarity (same for all candidates: calibrates confidence)
    "content_words",  # number of content words / 10 (same for all candidates)
    "english",  # asked in English and read through the glossary: its scores run lower (same for all candidates)
)


# What the answerability part sees: the re-ranked head's two best probabilities and the best candidate's features.
ANSWER_FEATURE_NAMES: tuple[str, ...] = ("top_probability", "second_probability", "probability_gap", *FEATURE_NAMES)


def answer_features(head_features: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """One row of :data:`ANSWER_FEATURE_NAMES` for a question, from its re-ranked head."""
    order = np.argsort(-probabilities)
    top = float(probabilities[order[0]])
    second = float(probabilities[order[1]]) if len(order) > 1 else 0.0
    return np.concatenate([[top, second, top - second], head_features[order[0]]])


_PLAN_LEADS = ANSWER_FEATURE_NAMES.index("is_plan")


def plan_leads(answer_row: np.ndarray) -> bool:
    """Whether the best candidate of this :func:`answer_features` row is the reform plan."""
    return bool(answer_row[_PLAN_LEADS] > 0.5)


@dataclass(frozen=True)
class RankingModel:
    """Small logistic models: which candidate is the procedure asked about, and whether any is.

    ``ranker`` scores each candidate; ``answerability`` scores the question from the best ones
    and refuses below ``answer_threshold`` (set on the training questions so that at most the share
    ``max_false_refusals`` of the answerable ones are refused). A candidate's probability alone
    separates questions about things in no record poorly: a near-miss procedure still looks like
    the best of its list.

    When the reform plan is the best candidate, ``plan_answerability`` decides instead, below
    ``plan_answer_threshold``. It learned from the plan questions too; the procedures' part did not,
    so that adding them leaves the procedures' refusals as they were. Without it (a model file from
    before it existed) the plan is never refused by a model.
    """

    ranker: Logistic
    answerability: Logistic
    answer_threshold: float
    embedding: dict  # backend and model whose similarities it learned: another model's scores mean other things
    provenance: dict = field(default_factory=dict)
    notes: NoteModel | None = None  # which sentence of the record to add as a note: trained with it, stored with it
    plan_answerability: Logistic | None = None
    plan_answer_threshold: float = 0.0
    events: EventModel | None = None  # whether a question is about a life event as a whole: trained with it, stored with it
    question_words: QuestionWords | None = None  # how citizens write: restores questions typed without diacritics

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """P(candidate is the procedure asked about) for each row of ``features``."""
        return self.ranker.probabilities(features)

    def answerable(self, head_features: np.ndarray, probabilities: np.ndarray) -> float:
        """P(the question is about a procedure among these candidates, or about the plan when the plan leads)."""
        row = answer_features(head_features, probabilities)
        model = self.plan_answerability if self.plan_answerability is not None and plan_leads(row) else self.answerability
        return float(model.probabilities(row[None, :])[0])

    def answer_threshold_for(self, code: str) -> float:
        """The refusal threshold for a question whose best candidate is ``code``."""
        if code == PLAN_ID:
            return self.plan_answer_threshold if self.plan_answerability is not None else 0.0
        return self.answer_threshold

    def to_json(self) -> str:
        return json.dumps(
            {
                "schema": FEATURE_SCHEMA,
                "features": list(FEATURE_NAMES),
                "ranker": self.ranker.to_dict(),
                "answerability": self.answerability.to_dict(),
                "answer_threshold": round(self.answer_threshold, 4),
                **(
                    {"plan_answerability": self.plan_answerability.to_dict(), "plan_answer_threshold": round(self.plan_answer_threshold, 4)}
                    if self.plan_answerability is not None
                    else {}
                ),
                "embedding": self.embedding,
                "provenance": self.provenance,
                **({"notes": self.notes.to_dict()} if self.notes else {}),
                **({"events": self.events.to_dict()} if self.events else {}),
                **({"question_words": self.question_words.to_dict()} if self.question_words else {}),
            },
            ensure_ascii=False,
            indent=1,
        )

    @classmethod
    def from_dict(cls, data: dict) -> RankingModel | None:
        """The model, or None when it was trained on other features than this code computes."""
        if data.get("schema") != FEATURE_SCHEMA or tuple(data.get("features", ())) != FEATURE_NAMES:
            return None
        ranker = Logistic.from_dict(data.get("ranker"), len(FEATURE_NAMES))
        answerability = Logistic.from_dict(data.get("answerability"), len(ANSWER_FEATURE_NAMES))
        threshold, embedding = data.get("answer_threshold"), data.get("embedding")
        if ranker is None or answerability is None or not isinstance(embedding, dict):
            return None
        if not is_probability(threshold):
            return None
        plan_answerability = Logistic.from_dict(data.get("plan_answerability"), len(ANSWER_FEATURE_NAMES))
        plan_threshold = data.get("plan_answer_threshold", 0.0)
        if plan_answerability is None or not is_probability(plan_threshold):
            plan_answerability, plan_threshold = None, 0.0
        return cls(
            ranker,
            answerability,
            float(threshold),
            embedding,
            data.get("provenance", {}),
            NoteModel.from_dict(data.get("notes")),
            plan_answerability,
            float(plan_threshold),
            EventModel.from_dict(data.get("events")),
            QuestionWords.from_dict(data.get("question_words")),
        )

    def fits(self, embedding: dict) -> bool:
        """Whether an index built with ``embedding`` gives the dense similarities this model learned."""
        return (self.embedding.get("backend"), self.embedding.get("model")) == (embedding.get("backend"), embedding.get("model"))
