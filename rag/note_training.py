"""Fit the note picker on the training questions that name facts (``gold_facts``), never on ``eval/``.

For each such question, the answer is composed for its gold procedure without a note; when the facts are
missing from it, the sentences that would show all of them are the positives. The models learn from those
questions only: one says how likely each sentence is to hold the facts, one which of a record's sentences comes
first. The threshold is set on the out-of-fold probability of the sentence that comes first: the highest one that
costs no question's answer its facts. A sentence below HELD_FIRST (rag/notes.py) only fills the room an answer has
left, so the threshold no longer keeps answers short; it only says where a note is no better than none. Allowed to
lose 0.5% of those answers, the rule set 0.05 with the sixth batch of examples, and `training/validation` was right
1,076 times of 1,402 against 1,085 at 0.0 (earlier, 2% and 1% put it at 0.15 and 0.10, and validation preferred 0.05
each time). A detail question may lead with two sentences; the second one's threshold is where, out of fold, a third
of them hold the facts, looked for up to 0.9: on a grid that stopped at 0.4, a precision just short of a third
there gave no second sentence at all (1.0), and training/validation lost 4 answers.
Each threshold is the median of the ones these rules choose on bootstrap resamples of the questions: the curves are
flat near their targets, so the rules alone flipped on a few dozen questions (second threshold 0.25 -> 0.40, lead
threshold 0.70 -> 0.80 when the overview began to name short dossiers).

The word lifts (:func:`fit_associations`) are learned from the same questions. The models see each question's
association features from lifts fitted without its procedure's questions, as they will see a new question's.

A question that asks nothing in particular ("đăng ký tạm trú cho người thuê trọ") is led by a sentence only from
the lead threshold: where, out of fold, half the leading sentences hold facts the overview lacks. The training
questions about a procedure, which name no fact, count there as questions the overview answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TypeVar

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from rag.composer import compose_procedure_answer
from rag.listwise import fit_ranking_trees
from rag.logistic import Logistic
from rag.notes import (
    MAX_RELATED,
    NoteModel,
    WordAssociations,
    WordOverlapNotes,
    around,
    asks_nothing_in_particular,
    asks_which_form,
    base_note_features,
    note_question,
    read_on,
    unshown,
    word_set,
)
from rag.query import QueryAnalyzer
from rag.trees import TreeEnsemble
from tthc.schema import Procedure
from tthc.text import fact_found

log = logging.getLogger(__name__)
T = TypeVar("T")

NOTE_C = 0.1
THRESHOLDS = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4)
THRESHOLD_RESAMPLES = 201  # odd: the median of the thresholds chosen on them is a threshold of the grid
SECOND_NOTE_PRECISION = 1 / 3  # a second sentence leads only where it holds the facts this often out of fold
LEAD_THRESHOLDS = (*THRESHOLDS, 0.5, 0.6, 0.7, 0.8, 0.9)
LEAD_PRECISION = 1 / 2  # ... and a sentence leads the answer to a question that asks nothing in particular
SECOND_THRESHOLDS = LEAD_THRESHOLDS  # a second sentence's threshold may lie above 0.4 too
ASSOCIATION_SMOOTHING = 5.0  # sentences at the base rate added to each pair: a pair seen a few times lifts little
MIN_ANSWERING = 2  # a pair is kept when seen in at least this many sentences that show the facts


@dataclass
class FactQuestion:
    question: str
    code: str
    facts: list[str]


@dataclass
class NoteGroup:
    """One question's candidate sentences, and which of them would show the facts the answer lacks."""

    code: str
    features: np.ndarray  # base_note_features, then with association features (see _with_associations)
    labels: np.ndarray
    asked: tuple[str, ...]  # the question's words beyond the name
    sentence_words: list[frozenset[str]]  # each candidate sentence's words
    lead_has_facts: bool
    rule_finds: bool  # the word-overlap rule's note shows the missing facts
    names_facts: bool = True  # False for a question about a procedure as a whole: it teaches only the lead threshold
    nothing_in_particular: bool = False  # see :func:`rag.notes.asks_nothing_in_particular`


class _ShownLines:
    """A picker that adds nothing and keeps the lines it was shown: the answer without a note."""

    shown = ""

    def notes(self, proc: Procedure, shown: str, most: int = 1, room: int = 0) -> list[str]:
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
        compose_procedure_answer(proc, query.intents, query.content_words, query.ask, lead, asks_form=asks_which_form(query.folded))
        missing = [f for f in item.facts if not fact_found(f, lead.shown)]
        sentences = unshown(proc, lead.shown)
        question = note_question(proc, query, word_idf)
        wanted, case_words = set(question.wanted), question.case_words
        typed = question.typed
        shown_parts = [around(read_on(sentences, i, typed), wanted, typed, MAX_RELATED, case_words) for i in range(len(sentences))]
        shows = [bool(missing) and all(fact_found(f, part) for f in missing) for part in shown_parts]
        rule = WordOverlapNotes(query.content_words, query.intents).notes(proc, lead.shown)
        groups.append(
            NoteGroup(
                code=item.code,
                features=base_note_features(question, proc, sentences),
                labels=np.asarray(shows, dtype=int),
                asked=question.asked,
                sentence_words=[word_set(s.text) for s in sentences],
                lead_has_facts=not missing,
                rule_finds=bool(missing) and bool(rule) and all(fact_found(f, rule[0]) for f in missing),
                names_facts=bool(item.facts),
                nothing_in_particular=asks_nothing_in_particular(query),
            )
        )
    return groups


def _learnable(group: NoteGroup) -> bool:
    """The answer lacks the facts and one of the record's sentences shows them."""
    return not group.lead_has_facts and bool(group.labels.any())


def _word_matrix(rows: list[list[int]], width: int) -> sparse.csr_matrix:
    """One row per list of word ids, 1 where the word is present."""
    columns = np.fromiter((i for row in rows for i in row), dtype=np.int64)
    pointers = np.cumsum([0, *(len(row) for row in rows)])
    return sparse.csr_matrix((np.ones(len(columns)), columns, pointers), shape=(len(rows), width))


def fit_associations(groups: list[NoteGroup]) -> WordAssociations:
    """Each pair (word asked, sentence word) seen in at least MIN_ANSWERING sentences that show the facts: how much
    more often a candidate sentence with the sentence word shows them, for questions with the word asked, smoothed
    towards the word asked's base rate by ASSOCIATION_SMOOTHING sentences."""
    vocabulary: dict[str, int] = {}

    def ids(words: Iterable[str]) -> list[int]:
        return [vocabulary.setdefault(word, len(vocabulary)) for word in words]

    asked_rows, sentence_rows, labels = [], [], []
    for group in filter(_learnable, groups):
        asked = ids(group.asked)
        for words, label in zip(group.sentence_words, group.labels, strict=True):
            asked_rows.append(asked)
            sentence_rows.append(ids(sorted(words)))
            labels.append(bool(label))
    if not labels:
        return WordAssociations()
    answering = np.asarray(labels)
    asked, present = _word_matrix(asked_rows, len(vocabulary)), _word_matrix(sentence_rows, len(vocabulary))
    together_answering = (asked[answering].T @ present[answering]).tocoo()
    keep = together_answering.data >= MIN_ANSWERING
    if not keep.any():
        return WordAssociations()
    rows, columns, answering_count = together_answering.row[keep], together_answering.col[keep], together_answering.data[keep]
    together = np.asarray((asked.T @ present).tocsr()[rows, columns]).ravel()
    base = np.asarray(asked[answering].sum(axis=0)).ravel() / np.maximum(np.asarray(asked.sum(axis=0)).ravel(), 1)
    lift = np.log((answering_count + ASSOCIATION_SMOOTHING * base[rows]) / (together + ASSOCIATION_SMOOTHING) / base[rows])
    word_of = list(vocabulary)
    lifts: dict[str, dict[str, float]] = {}
    for row, column, value in zip(rows, columns, lift, strict=True):
        if value > 0:
            lifts.setdefault(word_of[row], {})[word_of[column]] = float(value)
    return WordAssociations(lifts)


def _with_associations(group: NoteGroup, associations: WordAssociations) -> NoteGroup:
    return replace(group, features=np.hstack([group.features, associations.features(group.asked, group.sentence_words)]))


def _out_of_fold_associations(groups: list[NoteGroup], folds: int) -> list[NoteGroup]:
    """Each group with association features from lifts fitted without its procedure's questions: in-sample lifts
    would teach the models to trust them more than they earn on questions not seen."""
    completed: list[NoteGroup | None] = [None] * len(groups)
    codes = [g.code for g in groups]
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(np.zeros(len(groups)), groups=codes):
        associations = fit_associations([groups[i] for i in train_idx])
        for i in test_idx:
            completed[i] = _with_associations(groups[i], associations)
    return [g for g in completed if g is not None]


def _fit(groups: list[NoteGroup]) -> Logistic:
    learnable = list(filter(_learnable, groups))
    features = np.vstack([g.features for g in learnable])
    labels = np.concatenate([g.labels for g in learnable])
    mean, scale = features.mean(axis=0), features.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=NOTE_C, max_iter=3000).fit((features - mean) / scale, labels)
    return Logistic(mean, scale, model.coef_[0], float(model.intercept_[0]))


def _fit_order(groups: list[NoteGroup]) -> TreeEnsemble:
    """Which of one record's sentences comes first, fitted over each question's list (see :mod:`rag.listwise`):
    out of fold a softmax fit picked the right sentence first 2-3% more often than the pointwise model's
    probabilities, and the trees 1-2% more often than the softmax fit."""
    return fit_ranking_trees([(g.features, g.labels) for g in groups if _learnable(g)])


def _facts_found(answers: list[tuple[float, bool, bool]], threshold: float) -> int:
    """Questions whose answer has all their facts when a note is shown at ``threshold``; each answer is (probability
    of the sentence first, it shows the facts, the answer has them without a note)."""
    return sum(has or (p >= threshold and shows) for p, shows, has in answers)


def highest_keeping_facts(answers: list[tuple[float, bool, bool]]) -> float:
    """The highest threshold that costs no question's answer its facts (the count only falls as the threshold rises)."""
    found = {t: _facts_found(answers, t) for t in THRESHOLDS}
    return max(t for t in THRESHOLDS if found[t] == max(found.values()))


def lowest_with_precision(grid: tuple[float, ...], precision: float) -> Callable[[list[tuple[float, bool]]], float]:
    """The rule: the lowest threshold of ``grid`` at which ``precision`` of the picks show the facts (1 if none)."""
    return lambda picks: min((t for t in grid if _precision(picks, t) >= precision), default=1.0)


def median_over_resamples(choose: Callable[[list[T]], float], items: list[T]) -> float:
    """The median of what ``choose`` picks on THRESHOLD_RESAMPLES bootstrap resamples of ``items`` (seeded)."""
    if not items:
        return choose(items)
    rng = np.random.default_rng(0)
    picks = [choose([items[i] for i in rng.integers(0, len(items), len(items))]) for _ in range(THRESHOLD_RESAMPLES)]
    return float(np.median(picks))


def train_notes(all_groups: list[NoteGroup], folds: int = 5) -> tuple[NoteModel | None, dict]:
    """The note model on the groups that name facts, its thresholds and cross-validated figures from folds by
    procedure; the groups of questions about a procedure as a whole only set the lead threshold.

    None (the word-overlap rule picks) when too few questions name facts to fit and check a model.
    """
    groups = [g for g in all_groups if g.names_facts]
    learnable = list(filter(_learnable, groups))
    if len({g.code for g in groups}) < folds or len({g.code for g in learnable}) < folds:
        log.warning("note picker not trained: %d questions with facts, %d of them teach a sentence", len(groups), len(learnable))
        return None, {"note_questions": len(groups), "note_learnable": len(learnable)}
    best: list[tuple[float, bool]] = [(0.0, False)] * len(groups)
    runner_up: list[tuple[float, bool]] = []  # the second sentence of questions whose answer lacks the facts
    codes = [g.code for g in groups]
    fold_models: dict[str, NoteModel] = {}  # the model that did not see a procedure's questions
    right_first = 0
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(np.zeros(len(groups)), groups=codes):
        model = _fit_model([groups[i] for i in train_idx], folds)
        fold_models |= {codes[i]: model for i in test_idx}
        for i in test_idx:
            if len(groups[i].labels):
                group = _with_associations(groups[i], model.associations)
                probabilities = model.logistic.probabilities(group.features)
                order = model.ranking(group.features, probabilities)
                best[i] = (float(probabilities[order[0]]), bool(group.labels[order[0]]))
                right_first += _learnable(group) and best[i][1]
                if len(order) > 1 and not group.lead_has_facts:
                    runner_up.append((float(probabilities[order[1]]), bool(group.labels[order[1]])))
    answers = [(p, shows, g.lead_has_facts) for g, (p, shows) in zip(groups, best, strict=True)]
    threshold = median_over_resamples(highest_keeping_facts, answers)
    second_threshold = median_over_resamples(lowest_with_precision(SECOND_THRESHOLDS, SECOND_NOTE_PRECISION), runner_up)
    # a question that asks nothing in particular: its best sentence holds facts the overview lacks, or it does not
    leading = [(p, right and not g.lead_has_facts) for g, (p, right) in zip(groups, best, strict=True) if g.nothing_in_particular]
    any_model = next(iter(fold_models.values()))
    leading += [
        (float(_probabilities(fold_models.get(g.code, any_model), g).max()), False)
        for g in all_groups
        if not g.names_facts and g.nothing_in_particular and len(g.labels)
    ]
    lead_threshold = median_over_resamples(lowest_with_precision(LEAD_THRESHOLDS, LEAD_PRECISION), leading)
    figures = {
        "note_questions": len(groups),
        "note_lead_has_facts": sum(g.lead_has_facts for g in groups),
        "note_learnable": len(learnable),
        "note_cross_validated_right_first": right_first,
        "note_rule_facts_found": sum(g.lead_has_facts or g.rule_finds for g in groups),
        "note_cross_validated_facts_found": _facts_found(answers, threshold),
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
    model = _fit_model(groups, folds)
    return replace(model, threshold=threshold, second_threshold=second_threshold, lead_threshold=lead_threshold), figures


def _fit_model(groups: list[NoteGroup], folds: int) -> NoteModel:
    """The models fitted on ``groups`` with association features out of fold, and the lifts fitted on all of them
    for the questions to come; no thresholds yet."""
    completed = _out_of_fold_associations(groups, folds)
    return NoteModel(_fit(completed), 0.0, 0.0, 0.0, _fit_order(completed), fit_associations(groups))


def _probabilities(model: NoteModel, group: NoteGroup) -> np.ndarray:
    return model.logistic.probabilities(_with_associations(group, model.associations).features)


def _precision(picks: list[tuple[float, bool]], threshold: float) -> float:
    """Share of the sentences at or above ``threshold`` that show the facts."""
    shown = [right for p, right in picks if p >= threshold]
    return sum(shown) / len(shown) if shown else 0.0
