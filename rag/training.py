"""Training the learned ranking step from ``training/questions/`` (never from ``eval/``).

One command reproduces the model: ``tthc train-ranker --data-dir <index>``. It collects the
candidate features the retriever computes for every training question, picks the regularisation
by 5-fold cross-validation grouped by procedure (so a procedure's questions are never on both
sides), and fits on everything. The answerability part learns from the out-of-fold candidate
probabilities, and its threshold is set from its own out-of-fold scores so that at most
``max_false_refusals`` (a setting) of the answerable training questions would be refused.

The ranker is listwise: a conditional logit learns which candidate of a question's list is the one asked
about (cross-validated hit@1 0.8806 against 0.8751 for one logistic model per candidate). Its scores
say nothing on their own about whether any candidate is right, so a calibration step maps them, with the
features that are the same for every candidate of a question, to a probability; the stored model stays one
logistic form, and everything that reads probabilities reads the same kind of number as before.

Questions about the reform plan teach the ranker when the plan beats every procedure. They stay out
of the procedures' answerability part and teach a second one, used when the plan leads: an
off-topic question whose best match is the plan ("cài máy in", "kể chuyện cổ tích") is refused
too, while the procedures' refusals stay as they were.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, StratifiedKFold

from index_store.ids import PLAN_ID
from rag.logistic import Logistic
from rag.note_training import FactQuestion, collect_groups, train_notes
from rag.ranking import ANSWER_FEATURE_NAMES, FEATURE_NAMES, RankingModel, answer_features, plan_leads
from rag.retriever import HybridRanker

log = logging.getLogger(__name__)

PENALTIES = (1e-4, 1e-3, 1e-2, 3e-2)  # L2 on the listwise ranker's standardised weights, largest = strongest
ANSWERABILITY_C = 0.3
CALIBRATION_C = 1.0
# the features that are the same for every candidate of a question: the listwise fit cannot weigh them, the
# calibration does (how sure the model may be that any candidate is right)
QUESTION_LEVEL_FEATURES = tuple(FEATURE_NAMES.index(name) for name in ("top_dense", "content_words", "english"))


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

    def subset(self, questions: np.ndarray) -> CandidateTable:
        """The table of these questions only (numbered anew, in this order)."""
        renumber = {int(q): i for i, q in enumerate(questions)}
        rows = np.concatenate([np.where(self.question_of_row == q)[0] for q in questions]) if len(questions) else np.zeros(0, int)
        return CandidateTable(
            features=self.features[rows],
            labels=self.labels[rows],
            question_of_row=np.asarray([renumber[int(q)] for q in self.question_of_row[rows]], dtype=int),
            groups=[self.groups[q] for q in questions],
            answerable=self.answerable[questions],
            about_plan=self.about_plan[questions],
            rrf_correct=self.rrf_correct[questions],
        )


def read_training_questions(folder: Path) -> list[TrainingQuestion]:
    """Single-turn questions about a procedure or the plan, and out-of-scope ones (in no record, off topic).

    Follow-ups are skipped. A plan question is its own group: the plan's questions ask about different parts of it.
    """
    questions = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            if item.get("history"):
                continue
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


@dataclass(frozen=True)
class ListwiseWeights:
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray

    def scores(self, features: np.ndarray) -> np.ndarray:
        return ((features - self.mean) / self.scale) @ self.weights


def _fit_listwise(table: CandidateTable, penalty: float) -> ListwiseWeights:
    """A conditional logit: maximise each question's probability of its gold candidates among its list.

    Only questions with a gold candidate in their list teach it; out-of-scope ones teach the calibration.
    """
    mean = table.features.mean(axis=0)
    scale = table.features.std(axis=0)
    scale[scale == 0] = 1.0
    taught = [rows for rows in _rows_of(table) if len(rows) and table.labels[rows].any()]
    if not taught:
        return ListwiseWeights(mean, scale, np.zeros(table.features.shape[1]))
    rows = np.concatenate(taught)
    standardised = (table.features[rows] - mean) / scale
    gold = table.labels[rows].astype(bool)
    lists = len(taught)
    list_of_row = np.repeat(np.arange(lists), [len(r) for r in taught])
    starts = np.concatenate([[0], np.cumsum([len(r) for r in taught])[:-1]])

    def loss_and_gradient(weights: np.ndarray) -> tuple[float, np.ndarray]:
        scores = standardised @ weights
        top = np.maximum.reduceat(scores, starts)  # each list's best, against overflow
        exp = np.exp(scores - top[list_of_row])
        total = np.bincount(list_of_row, exp, lists)
        gold_total = np.bincount(list_of_row, exp * gold, lists)
        loss = -float(np.sum(np.log(gold_total) - np.log(total))) / lists + penalty * float(weights @ weights)
        share = exp / total[list_of_row] - np.where(gold, exp / gold_total[list_of_row], 0.0)
        return loss, share @ standardised / lists + 2 * penalty * weights

    start = np.zeros(table.features.shape[1])
    fitted = minimize(loss_and_gradient, start, jac=True, method="L-BFGS-B", options={"maxiter": 2000})
    return ListwiseWeights(mean, scale, fitted.x)


def _folds(table: CandidateTable, folds: int = 5) -> list[tuple[np.ndarray, np.ndarray]]:
    """Question indices split by procedure, so a procedure's questions are never on both sides."""
    return list(GroupKFold(n_splits=folds).split(np.zeros(len(table.groups)), groups=table.groups))


def out_of_fold_scores(table: CandidateTable, penalty: float) -> np.ndarray:
    """Each candidate's listwise score from a ranker that never saw its procedure's questions."""
    scores = np.zeros(len(table.labels))
    for train_questions, test_questions in _folds(table):
        weights = _fit_listwise(table.subset(train_questions), penalty)
        test_rows = np.isin(table.question_of_row, test_questions)
        scores[test_rows] = weights.scores(table.features[test_rows])
    return scores


def fit_ranker(table: CandidateTable, penalty: float) -> Logistic:
    """The listwise ranker, calibrated to P(candidate is the one asked about) as one logistic form.

    The calibration learns from out-of-fold listwise scores (in-sample ones would be overconfident) and the
    question-level features; both enter the same linear form, so the order within a question stays listwise.
    """
    listwise = _fit_listwise(table, penalty)
    scores = out_of_fold_scores(table, penalty)
    standardised = (table.features - listwise.mean) / listwise.scale
    inputs = np.column_stack([scores, standardised[:, QUESTION_LEVEL_FEATURES]])
    calibration = LogisticRegression(C=CALIBRATION_C, max_iter=3000).fit(inputs, table.labels)
    slope, question_level = calibration.coef_[0][0], calibration.coef_[0][1:]
    if slope <= 0:
        log.warning("ranker calibration slope %.4f is not positive: the listwise order would be reversed", slope)
    weights = slope * listwise.weights
    weights[list(QUESTION_LEVEL_FEATURES)] += question_level
    return Logistic(listwise.mean, listwise.scale, weights, float(calibration.intercept_[0]))


def _rows_of(table: CandidateTable) -> list[np.ndarray]:
    return [np.where(table.question_of_row == q)[0] for q in range(len(table.groups))]


def _top_correct(table: CandidateTable, probabilities: np.ndarray) -> np.ndarray:
    """Per question: whether its most probable candidate is gold."""
    return np.asarray([len(rows) > 0 and bool(table.labels[rows[np.argmax(probabilities[rows])]]) for rows in _rows_of(table)])


def out_of_fold_probabilities(table: CandidateTable, penalty: float) -> np.ndarray:
    """Each candidate's calibrated probability from a ranker that never saw its procedure's questions."""
    out_of_fold = np.zeros(len(table.labels))
    for train_questions, test_questions in _folds(table):
        model = fit_ranker(table.subset(train_questions), penalty)
        test_rows = np.isin(table.question_of_row, test_questions)
        out_of_fold[test_rows] = model.probabilities(table.features[test_rows])
    return out_of_fold


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
    """The strongest regularisation (largest penalty) whose cross-validated hit@1 is within one standard error of
    the best.

    On 2,477 training questions the penalties of the grid scored within a few thousandths of each other against a
    standard error of 0.0074, so taking the best score picked one on noise, and a retrain could move it and the
    answers with it.
    """
    best = max(hit_at_1, key=lambda penalty: hit_at_1[penalty])
    return max(penalty for penalty, score in hit_at_1.items() if score >= hit_at_1[best] - standard_error[best])


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.jsonl")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def train(
    ranker: HybridRanker, folder: Path, index_version: str, max_false_refusals: float, note_folder: Path | None = None
) -> tuple[RankingModel, dict]:
    """Fit both parts on every training question, and the note picker on those that name facts (with the
    detail questions of ``note_folder``); returns the model with its cross-validated figures.

    The detail questions stay out of the ranker: on the other training questions, cross-validated, they raised
    its false refusals (first batch 0.010 -> 0.014, second 0.0095 -> 0.0114) for little or no gain in hit@1.
    """
    questions = read_training_questions(folder)
    table = collect(ranker, questions)
    procedures = ~table.about_plan  # the answerability part and the reported hit@1: procedure and out-of-scope questions
    answerable = table.answerable[procedures]
    asks_procedure = table.answerable & procedures
    by_penalty, standard_error = {}, {}
    for penalty in PENALTIES:  # the calibration keeps the order, so the raw scores tell hit@1
        correct = _top_correct(table, out_of_fold_scores(table, penalty))[asks_procedure]
        by_penalty[penalty] = float(correct.mean())
        standard_error[penalty] = float(correct.std() / np.sqrt(max(len(correct), 1)))
        log.info(
            "ranker penalty %s: cross-validated hit@1 %.4f (standard error %.4f)", penalty, by_penalty[penalty], standard_error[penalty]
        )
    best_penalty = strongest_within_one_standard_error(by_penalty, standard_error)
    best_probabilities = out_of_fold_probabilities(table, best_penalty)
    plan_correct = _top_correct(table, best_probabilities)[table.about_plan]
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
        "cross_validated_hit_at_1": round(by_penalty[best_penalty], 4),
        "cross_validated_plan_hit_at_1": round(float(plan_correct.mean()), 4) if len(plan_correct) else None,
        "hit_at_1_by_regularisation": {str(penalty): round(v, 4) for penalty, v in by_penalty.items()},
        "regularisation": best_penalty,
        "regularisation_rule": "listwise L2 penalty: the strongest within one standard error of the best cross-validated hit@1",
        "answer_threshold": round(threshold, 4),
        "plan_answer_threshold": round(plan_threshold, 4),
        "cross_validated_false_refusals": round(float(refused[answerable].mean()), 4),
        "cross_validated_plan_refused": int(refused_all[table.about_plan].sum()),
        "cross_validated_out_of_scope_refused": round(float(refused[~answerable].mean()), 4),
        "cross_validated_out_of_scope_led_by_the_plan": int((plan_leads_at & ~table.answerable).sum()),
        "cross_validated_out_of_scope_led_by_the_plan_refused": int((refused_all & plan_leads_at & ~table.answerable).sum()),
    }
    candidate_model = fit_ranker(table, best_penalty)
    # the answerability part learns from out-of-fold probabilities: in-sample ones would be overconfident
    answer_model = _fit(question_rows, answerable.astype(int), ANSWERABILITY_C, balanced=True)
    plan_answer_model = _fit(all_question_rows, table.answerable.astype(int), ANSWERABILITY_C, balanced=True)
    provenance = {
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "training_questions": str(folder),
        "training_digest": _digest(folder),
        **({"note_questions_folder": str(note_folder), "note_questions_digest": _digest(note_folder)} if note_folder else {}),
        "index_version": index_version,
        **figures,
    }
    detail = read_training_questions(note_folder) if note_folder else []
    with_facts = [FactQuestion(q.question, q.group, q.facts) for q in questions + detail if q.facts and q.group in ranker.index.procedures]
    notes, note_figures = train_notes(collect_groups(with_facts, ranker.index.procedures, ranker.analyzer, ranker.word_idf))
    figures |= note_figures
    provenance |= note_figures
    embedding = {key: ranker.index.manifest.embedding.get(key) for key in ("backend", "model")}
    model = RankingModel(candidate_model, answer_model, threshold, embedding, provenance, notes, plan_answer_model, plan_threshold)
    return model, figures
