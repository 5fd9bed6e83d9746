"""Training the learned ranking step from ``training/questions/`` and the detail questions of ``training/notes/``
(never from ``eval/``).

One command reproduces the model: ``tthc train-ranker --data-dir <index>``. It collects the
candidate features the retriever computes for every training question, picks the regularisation
by 5-fold cross-validation grouped by procedure (so a procedure's questions are never on both
sides), and fits on everything. The answerability part learns from the out-of-fold candidate
probabilities of the training questions alone, and its threshold is set from its own out-of-fold scores so that at most
``max_false_refusals`` (a setting) of the answerable training questions would be refused.

Questions about the reform plan teach the ranker when the plan beats every procedure. They stay out
of the procedures' answerability part and teach a second one, used when the plan leads: an
off-topic question whose best match is the plan ("cài máy in", "kể chuyện cổ tích") is refused
too, while the procedures' refusals stay as they were.
"""

from __future__ import annotations

import copy
import hashlib
import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, StratifiedKFold

from index_store.ids import PLAN_ID
from rag.event_training import EventQuestion, collect_events, read_event_questions, train_events
from rag.listwise import fit_listwise
from rag.logistic import Logistic
from rag.note_training import FactQuestion, collect_groups, train_notes
from rag.question_words import QuestionWords, count_question_words
from rag.ranking import ANSWER_FEATURE_NAMES, FEATURE_NAMES, RankingModel, answer_features, plan_leads
from rag.retriever import HybridRanker
from rag.training_data import single_turn_items

log = logging.getLogger(__name__)

REGULARISATION = (0.03, 0.1, 0.3, 1.0, 3.0)
ANSWERABILITY_C = 0.3


@dataclass
class TrainingQuestion:
    question: str
    gold: set[str]  # empty: in no record or off topic, the model must not be confident about any candidate
    group: str
    facts: list[str] = field(default_factory=list)  # what a right answer says: the note picker learns from these


@dataclass
class CandidateTable:
    """Feature rows of every training question's candidates."""

    features: np.ndarray
    labels: np.ndarray
    question_of_row: np.ndarray
    groups: list[str]  # per question
    answerable: np.ndarray  # per question: has a gold procedure (or the plan)
    about_plan: np.ndarray  # per question: the plan is the gold
    rrf_correct: np.ndarray  # per question: the RRF path's first candidate is gold


def learn_question_words(folders: list[Path]) -> QuestionWords:
    """How citizens write, from the single-turn questions of the training folders (the decision sets, validation and
    follow-ups, are not among them)."""
    return count_question_words(item["question"] for folder in folders for item in single_turn_items(folder))


def read_training_questions(folder: Path) -> list[TrainingQuestion]:
    """Single-turn questions about a procedure or the plan, and out-of-scope ones (in no record, off topic).

    Follow-ups are skipped. A plan question is its own group: the plan's questions ask about different parts of it.
    """
    questions = []
    for item in single_turn_items(folder):
        if item["kind"] in ("procedure", "fact") and item.get("gold_codes"):
            codes = item["gold_codes"]
            questions.append(TrainingQuestion(item["question"], set(codes), codes[0], item.get("gold_facts", [])))
        elif item["kind"] == "plan":
            questions.append(TrainingQuestion(item["question"], {PLAN_ID}, f"plan-{item['id']}"))
        elif item["kind"] == "out_of_scope":
            questions.append(TrainingQuestion(item["question"], set(), f"none-{item['id']}"))
    return questions


def collect(ranker: HybridRanker, questions: list[TrainingQuestion]) -> CandidateTable:
    rows: list[np.ndarray] = []
    labels: list[bool] = []
    owners: list[int] = []
    answerable, rrf_correct = [], []
    for number, item in enumerate(questions):
        query = ranker.analyzer.analyze(item.question)
        evidence, codes = ranker.candidates(query)
        head = codes[: ranker.rerank_depth]
        if head:
            rows.append(ranker.features(query, evidence, head))
            labels.extend(code in item.gold for code in head)
            owners.extend([number] * len(head))
        answerable.append(bool(item.gold))
        rrf_correct.append(bool(head) and head[0] in item.gold)
    return CandidateTable(
        features=np.vstack(rows) if rows else np.zeros((0, len(FEATURE_NAMES))),
        labels=np.asarray(labels, dtype=int),
        question_of_row=np.asarray(owners, dtype=int),
        groups=[q.group for q in questions],
        answerable=np.asarray(answerable),
        about_plan=np.asarray([PLAN_ID in q.gold for q in questions], dtype=bool),
        rrf_correct=np.asarray(rrf_correct),
    )


def _fit(features: np.ndarray, labels: np.ndarray, c: float, balanced: bool = False) -> Logistic:
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced" if balanced else None)
    model.fit((features - mean) / scale, labels)
    return Logistic(mean, scale, model.coef_[0], float(model.intercept_[0]))


def _rows_of(table: CandidateTable) -> list[np.ndarray]:
    return [np.where(table.question_of_row == q)[0] for q in range(len(table.groups))]


def _top_correct(table: CandidateTable, probabilities: np.ndarray) -> np.ndarray:
    """Per question: whether its most probable candidate is gold."""
    return np.asarray([len(rows) > 0 and bool(table.labels[rows[np.argmax(probabilities[rows])]]) for rows in _rows_of(table)])


def _fit_candidates(table: CandidateTable, questions: np.ndarray, c: float) -> Logistic:
    """The candidate model from ``questions`` (indices): a listwise fit over each question's candidates, then one
    logistic over its scores on every candidate row, out-of-scope questions' included.

    The listwise fit spends the model on the choice between the candidates of one question (out of fold on the
    training questions, hit@1 0.880 -> 0.888; end to end on training/validation 0.834 -> 0.850). Its scores have no scale, and
    the answerability part, the clarifying and sibling ratios and the confidence read the candidates' probabilities:
    the second fit gives them back one (Platt scaling), and the model stays a :class:`Logistic`.
    ``c`` is the listwise penalty as the pointwise fit's C: both weigh 0.5 ||w||² against C times the summed loss.
    """
    by_question = _rows_of(table)
    chosen = [by_question[q] for q in questions]
    lists = [(table.features[rows], table.labels[rows].astype(float)) for rows in chosen if table.labels[rows].any()]
    ranking = fit_listwise(lists, l2=0.5 / c)
    rows = np.concatenate(chosen)
    scores = ((table.features[rows] - ranking.mean) / ranking.scale) @ ranking.weights
    scaling = LogisticRegression(C=1e6, max_iter=1000).fit(scores[:, None], table.labels[rows])
    return Logistic(ranking.mean, ranking.scale, ranking.weights * float(scaling.coef_[0, 0]), float(scaling.intercept_[0]))


def out_of_fold_probabilities(table: CandidateTable, c: float, folds: int = 5) -> np.ndarray:
    """Each candidate's probability from a ranker that never saw its procedure's questions."""
    out_of_fold = np.zeros(len(table.labels))
    by_question = _rows_of(table)
    for train_questions, test_questions in GroupKFold(n_splits=folds).split(table.groups, groups=table.groups):
        model = _fit_candidates(table, train_questions, c)
        for q in test_questions:
            out_of_fold[by_question[q]] = model.probabilities(table.features[by_question[q]])
    return out_of_fold


def _first_questions(table: CandidateTable, kept: int, probabilities: np.ndarray) -> tuple[CandidateTable, np.ndarray]:
    """The rows and probabilities of the first ``kept`` questions: the training questions, from which the
    answerability part learns, and not the detail questions after them."""
    rows = table.question_of_row < kept
    return (
        CandidateTable(
            features=table.features[rows],
            labels=table.labels[rows],
            question_of_row=table.question_of_row[rows],
            groups=table.groups[:kept],
            answerable=table.answerable[:kept],
            about_plan=table.about_plan[:kept],
            rrf_correct=table.rrf_correct[:kept],
        ),
        probabilities[rows],
    )


def question_table(table: CandidateTable, probabilities: np.ndarray) -> np.ndarray:
    """One answerability row per question (zeros for a question without candidates)."""
    return np.vstack(
        [
            answer_features(table.features[rows], probabilities[rows]) if len(rows) else np.zeros(len(ANSWER_FEATURE_NAMES))
            for rows in _rows_of(table)
        ]
    )


def out_of_fold_answerability(questions: np.ndarray, answerable: np.ndarray, folds: int = 5) -> np.ndarray:
    scores = np.zeros(len(questions))
    splitter = StratifiedKFold(n_splits=min(folds, int(answerable.sum()), int((~answerable).sum())), shuffle=True, random_state=0)
    for train_rows, test_rows in splitter.split(questions, answerable):
        model = _fit(questions[train_rows], answerable[train_rows].astype(int), ANSWERABILITY_C, balanced=True)
        scores[test_rows] = model.probabilities(questions[test_rows])
    return scores


def answer_threshold(answerable: np.ndarray, scores: np.ndarray, max_false_refusals: float) -> float:
    """The highest threshold that refuses at most ``max_false_refusals`` of the answerable questions."""
    ordered = np.sort(scores[answerable])
    allowed = int(np.floor(max_false_refusals * len(ordered)))
    return float(ordered[allowed]) * 0.999 if len(ordered) else 0.0


def strongest_within_one_standard_error(hit_at_1: dict[float, float], standard_error: dict[float, float]) -> float:
    """The strongest regularisation (smallest C) whose cross-validated hit@1 is within one standard error of the best.

    On 2,477 training questions every C of the grid scored within 0.0015 of the others against a standard error of
    0.0076, so taking the best score picked C on noise, and a retrain could move it and the answers with it.
    """
    best = max(hit_at_1, key=lambda c: hit_at_1[c])
    return min(c for c, score in hit_at_1.items() if score >= hit_at_1[best] - standard_error[best])


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.jsonl")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def train(
    ranker: HybridRanker,
    folder: Path,
    index_version: str,
    max_false_refusals: float,
    note_folder: Path | None = None,
    event_folder: Path | None = None,
) -> tuple[RankingModel, dict]:
    """Fit both parts on every training question, the note picker on those that name facts (with the
    detail questions of ``note_folder``), and the life-event decision on ``event_folder`` and all of them;
    returns the model with its cross-validated figures.

    The candidate model also learns from the detail questions: a citizen asking one detail names the procedure in
    passing, and the ranker trained on names and situations alone put the right one first less often
    (training/validation hit@1 0.854 -> 0.869). The answerability part does not: with them it refused more of the
    other training questions (first batch 0.010 -> 0.014, second 0.0095 -> 0.0114).
    """
    # the questions are read as answering will read them: restored with the question words this model stores
    question_words = learn_question_words([folder, *(f for f in (note_folder, event_folder) if f)])
    ranker = ranker.with_question_words(question_words)
    questions = read_training_questions(folder)
    detail = read_training_questions(note_folder) if note_folder else []
    ranked_detail = [q for q in detail if q.group in ranker.index.procedures]
    table = collect(ranker, questions + ranked_detail)  # the detail questions follow the training questions
    ranked_asks_procedure = table.answerable & ~table.about_plan
    by_c, standard_error = {}, {}
    for c in REGULARISATION:
        correct = _top_correct(table, out_of_fold_probabilities(table, c))[ranked_asks_procedure]
        by_c[c] = float(correct.mean())
        standard_error[c] = float(correct.std() / np.sqrt(max(len(correct), 1)))
        log.info("ranker C=%s: cross-validated hit@1 %.4f (standard error %.4f)", c, by_c[c], standard_error[c])
    best_c = strongest_within_one_standard_error(by_c, standard_error)
    best_probabilities = out_of_fold_probabilities(table, best_c)
    candidate_model = _fit_candidates(table, np.arange(len(table.groups)), best_c)
    table, best_probabilities = _first_questions(table, len(questions), best_probabilities)
    procedures = ~table.about_plan  # the answerability part: procedure and out-of-scope questions
    answerable = table.answerable[procedures]
    asks_procedure = table.answerable & procedures
    top_correct = _top_correct(table, best_probabilities)
    plan_correct = top_correct[table.about_plan]
    all_question_rows = question_table(table, best_probabilities)
    question_rows = all_question_rows[procedures]
    scores = out_of_fold_answerability(question_rows, answerable)
    threshold = answer_threshold(answerable, scores, max_false_refusals)
    plan_scores = out_of_fold_answerability(all_question_rows, table.answerable)
    plan_threshold = answer_threshold(table.answerable, plan_scores, max_false_refusals)
    plan_leads_at = np.asarray([plan_leads(row) for row in all_question_rows])
    procedure_refused = np.zeros(len(questions), dtype=bool)
    procedure_refused[procedures] = scores < threshold
    # as the service decides: the plan's part when the plan leads, the procedures' part otherwise
    refused_all = np.where(plan_leads_at, plan_scores < plan_threshold, procedure_refused)
    refused = refused_all[procedures]
    figures = {
        "questions": len(questions),
        "answerable": int(answerable.sum()),
        "plan": int(table.about_plan.sum()),
        "out_of_scope": int((~answerable).sum()),
        "candidate_rows": len(table.labels),
        "rrf_hit_at_1": round(float(table.rrf_correct[asks_procedure].mean()), 4),
        "ranked_detail_questions": len(ranked_detail),
        "cross_validated_hit_at_1": round(by_c[best_c], 4),
        "cross_validated_hit_at_1_training_questions": round(float(top_correct[asks_procedure].mean()), 4),
        "cross_validated_plan_hit_at_1": round(float(plan_correct.mean()), 4) if len(plan_correct) else None,
        "hit_at_1_by_regularisation": {str(c): round(v, 4) for c, v in by_c.items()},
        "regularisation": best_c,
        "regularisation_rule": "strongest within one standard error of the best cross-validated hit@1",
        "answer_threshold": round(threshold, 4),
        "plan_answer_threshold": round(plan_threshold, 4),
        "cross_validated_false_refusals": round(float(refused[answerable].mean()), 4),
        "cross_validated_plan_refused": int(refused_all[table.about_plan].sum()),
        "cross_validated_out_of_scope_refused": round(float(refused[~answerable].mean()), 4),
        "cross_validated_out_of_scope_led_by_the_plan": int((plan_leads_at & ~table.answerable).sum()),
        "cross_validated_out_of_scope_led_by_the_plan_refused": int((refused_all & plan_leads_at & ~table.answerable).sum()),
    }
    # the answerability part learns from out-of-fold probabilities: in-sample ones would be overconfident
    answer_model = _fit(question_rows, answerable.astype(int), ANSWERABILITY_C, balanced=True)
    plan_answer_model = _fit(all_question_rows, table.answerable.astype(int), ANSWERABILITY_C, balanced=True)
    provenance = {
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "training_questions": str(folder),
        "training_digest": _digest(folder),
        **({"note_questions_folder": str(note_folder), "note_questions_digest": _digest(note_folder)} if note_folder else {}),
        **({"event_questions_folder": str(event_folder), "event_questions_digest": _digest(event_folder)} if event_folder else {}),
        "index_version": index_version,
        "question_words": {"unigrams": len(question_words.unigrams), "bigrams": len(question_words.bigrams)},
        **figures,
    }
    about_a_procedure = [FactQuestion(q.question, q.group, q.facts) for q in questions + detail if q.group in ranker.index.procedures]
    notes, note_figures = train_notes(collect_groups(about_a_procedure, ranker.index.procedures, ranker.analyzer, ranker.word_idf))
    figures |= note_figures
    provenance |= note_figures
    embedding = {key: ranker.index.manifest.embedding.get(key) for key in ("backend", "model")}
    model = RankingModel(candidate_model, answer_model, threshold, embedding, provenance, notes, plan_answer_model, plan_threshold)
    model = replace(model, question_words=question_words)
    if event_folder and ranker.index.life_events:
        # the event decision reads the candidates as the service will rank them: with the model just fitted
        scoring = copy.copy(ranker)
        scoring.model = model
        event_questions = read_event_questions(event_folder) + [EventQuestion(q.question, None) for q in questions + detail]
        events, event_figures = train_events(collect_events(scoring, ranker.index.life_events, event_questions))
        figures |= event_figures
        provenance |= event_figures
        model = replace(model, events=events)
    return model, figures
