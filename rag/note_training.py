"""Fit the note picker on the training questions that name facts (``gold_facts``), never on ``eval/``.

For each such question, the answer is composed for its gold procedure without a note; when the facts are
missing from it, the sentences that would show all of them are the positives. The models learn from those
questions only: one says how likely each sentence is to hold the facts, one which of a record's sentences comes
first. The threshold is set on the out-of-fold probability of the sentence that comes first, so that a note is left
out when the model is unsure, at the cost of at most 2% of the facts the notes find. A detail question may lead
with two sentences; the second one's threshold is where, out of fold, a third of them hold the facts.

A question that asks nothing in particular ("đăng ký tạm trú cho người thuê trọ") is led by a sentence only from
the lead threshold: where, out of fold, half the leading sentences hold facts the overview lacks. The training
questions about a procedure, which name no fact, count there as questions the overview answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from rag.composer import compose_procedure_answer
from rag.listwise import fit_listwise
from rag.logistic import Logistic
from rag.notes import NoteModel, WordOverlapNotes, around, asks_nothing_in_particular, note_features, note_question, unshown
from rag.query import QueryAnalyzer
from tthc.schema import Procedure
from tthc.text import fact_found

log = logging.getLogger(__name__)

NOTE_C = 0.1
ORDER_L2 = 1.0  # the order model's penalty on its squared standardised weights
THRESHOLDS = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4)
KEEP_FOUND = 0.98  # the threshold may lose at most this share of the facts the notes find out of fold
SECOND_NOTE_PRECISION = 1 / 3  # a second sentence leads only where it holds the facts this often out of fold
LEAD_THRESHOLDS = (*THRESHOLDS, 0.5, 0.6, 0.7, 0.8, 0.9)
LEAD_PRECISION = 1 / 2  # ... and a sentence leads the answer to a question that asks nothing in particular


@dataclass
class FactQuestion:
    question: str
    code: str
    facts: list[str]


@dataclass
class NoteGroup:
    """One question's candidate sentences, and which of them would show the facts the answer lacks."""

    code: str
    features: np.ndarray
    labels: np.ndarray
    lead_has_facts: bool
    rule_finds: bool  # the word-overlap rule's note shows the missing facts
    names_facts: bool = True  # False for a question about a procedure as a whole: it teaches only the lead threshold
    nothing_in_particular: bool = False  # see :func:`rag.notes.asks_nothing_in_particular`


class _ShownLines:
    """A picker that adds nothing and keeps the lines it was shown: the answer without a note."""

    shown = ""

    def notes(self, proc: Procedure, shown: str, most: int = 1) -> list[str]:
        self.shown = shown
        return []

    def asks_a_detail(self) -> bool:
        return False

    def leads(self, proc: Procedure, shown: str) -> bool:
        return False


def collect_groups(
    questions: list[FactQuestion],
    procedures: dict[str, Procedure],
    analyzer: QueryAnalyzer,
    word_idf: Callable[[list[str]], np.ndarray],
) -> list[NoteGroup]:
    groups = []
    for item in questions:
        proc = procedures.get(item.code)
        if proc is None:
            continue
        query = analyzer.analyze(item.question)
        lead = _ShownLines()
        compose_procedure_answer(proc, query.intents, query.content_words, query.ask, lead)
        missing = [f for f in item.facts if not fact_found(f, lead.shown)]
        sentences = unshown(proc, lead.shown)
        question = note_question(proc, query, word_idf)
        shown_parts = [around(s.text, set(question.wanted), question.typed) for s in sentences]
        shows = [bool(missing) and all(fact_found(f, part) for f in missing) for part in shown_parts]
        rule = WordOverlapNotes(query.content_words, query.intents).notes(proc, lead.shown)
        groups.append(
            NoteGroup(
                code=item.code,
                features=note_features(question, proc, sentences),
                labels=np.asarray(shows, dtype=int),
                lead_has_facts=not missing,
                rule_finds=bool(missing) and bool(rule) and all(fact_found(f, rule[0]) for f in missing),
                names_facts=bool(item.facts),
                nothing_in_particular=asks_nothing_in_particular(query),
            )
        )
    return groups


def _fit(groups: list[NoteGroup]) -> Logistic:
    learnable = [g for g in groups if not g.lead_has_facts and g.labels.any()]
    features = np.vstack([g.features for g in learnable])
    labels = np.concatenate([g.labels for g in learnable])
    mean, scale = features.mean(axis=0), features.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=NOTE_C, max_iter=3000).fit((features - mean) / scale, labels)
    return Logistic(mean, scale, model.coef_[0], float(model.intercept_[0]))


def _fit_order(groups: list[NoteGroup]) -> Logistic:
    """Which of one record's sentences comes first, fitted over each question's list (see :mod:`rag.listwise`):
    out of fold it picks the right sentence first 2-3% more often than the pointwise model's probabilities."""
    return fit_listwise([(g.features, g.labels) for g in groups if not g.lead_has_facts and g.labels.any()], ORDER_L2)


def _facts_found(groups: list[NoteGroup], best: list[tuple[float, bool]], threshold: float) -> int:
    """Questions whose answer has all their facts when a note is shown at ``threshold``."""
    return sum(g.lead_has_facts or (p >= threshold and finds) for g, (p, finds) in zip(groups, best, strict=True))


def train_notes(all_groups: list[NoteGroup], folds: int = 5) -> tuple[NoteModel | None, dict]:
    """The note model on the groups that name facts, its thresholds and cross-validated figures from folds by
    procedure; the groups of questions about a procedure as a whole only set the lead threshold.

    None (the word-overlap rule picks) when too few questions name facts to fit and check a model.
    """
    groups = [g for g in all_groups if g.names_facts]
    learnable = [g for g in groups if not g.lead_has_facts and g.labels.any()]
    if len({g.code for g in groups}) < folds or len({g.code for g in learnable}) < folds:
        log.warning("note picker not trained: %d questions with facts, %d of them teach a sentence", len(groups), len(learnable))
        return None, {"note_questions": len(groups), "note_learnable": len(learnable)}
    best: list[tuple[float, bool]] = [(0.0, False)] * len(groups)
    runner_up: list[tuple[float, bool]] = []  # the second sentence of questions whose answer lacks the facts
    codes = [g.code for g in groups]
    fold_models: dict[str, Logistic] = {}  # the model that did not see a procedure's questions
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(np.zeros(len(groups)), groups=codes):
        fold = [groups[i] for i in train_idx]
        model = NoteModel(_fit(fold), 0.0, 0.0, 0.0, _fit_order(fold))
        fold_models |= {codes[i]: model.logistic for i in test_idx}
        for i in test_idx:
            if len(groups[i].labels):
                probabilities = model.logistic.probabilities(groups[i].features)
                order = model.ranking(groups[i].features, probabilities)
                best[i] = (float(probabilities[order[0]]), bool(groups[i].labels[order[0]]))
                if len(order) > 1 and not groups[i].lead_has_facts:
                    runner_up.append((float(probabilities[order[1]]), bool(groups[i].labels[order[1]])))
    found = {t: _facts_found(groups, best, t) for t in THRESHOLDS}
    threshold = max(t for t in THRESHOLDS if found[t] >= KEEP_FOUND * max(found.values()))
    second_threshold = min((t for t in THRESHOLDS if _precision(runner_up, t) >= SECOND_NOTE_PRECISION), default=1.0)
    # a question that asks nothing in particular: its best sentence holds facts the overview lacks, or it does not
    leading = [(p, right and not g.lead_has_facts) for g, (p, right) in zip(groups, best, strict=True) if g.nothing_in_particular]
    any_model = next(iter(fold_models.values()))
    leading += [
        (float(fold_models.get(g.code, any_model).probabilities(g.features).max()), False)
        for g in all_groups
        if not g.names_facts and g.nothing_in_particular and len(g.labels)
    ]
    lead_threshold = min((t for t in LEAD_THRESHOLDS if _precision(leading, t) >= LEAD_PRECISION), default=1.0)
    figures = {
        "note_questions": len(groups),
        "note_lead_has_facts": sum(g.lead_has_facts for g in groups),
        "note_learnable": len(learnable),
        "note_rule_facts_found": sum(g.lead_has_facts or g.rule_finds for g in groups),
        "note_cross_validated_facts_found": found[threshold],
        "note_threshold": threshold,
        "note_cross_validated_shown": sum(p >= threshold for p, _ in best),
        "note_second_threshold": second_threshold,
        "note_cross_validated_second_precision": round(_precision(runner_up, second_threshold), 4),
        "note_lead_questions": len(leading),
        "note_lead_threshold": lead_threshold,
        "note_cross_validated_leading": sum(p >= lead_threshold for p, _ in leading),
        "note_cross_validated_lead_precision": round(_precision(leading, lead_threshold), 4),
    }
    log.info("note picker: %s", figures)
    return NoteModel(_fit(groups), threshold, second_threshold, lead_threshold, _fit_order(groups)), figures


def _precision(picks: list[tuple[float, bool]], threshold: float) -> float:
    """Share of the sentences at or above ``threshold`` that show the facts."""
    shown = [right for p, right in picks if p >= threshold]
    return sum(shown) / len(shown) if shown else 0.0
