"""Fit the life-event decision on ``training/events`` and the other training questions, never on ``eval/``.

``training/events`` holds questions about one life event as a whole (style ``life_event:<id>``), questions that use
an event's everyday words about one procedure, and near misses; every other training question is about one
procedure or about nothing, so no event's list answers it. Each question gives one row per event; the event it is
about is the positive. The threshold is set on out-of-fold choices (folds by question): the one at which the
event lists given to the right questions most outnumber those given to wrong ones, since each costs a citizen
as much as the other gains.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from rag.life_events import EVENT_FEATURE_NAMES, EventModel, LifeEventMatcher, about_one_procedure, event_features
from rag.logistic import Logistic
from rag.retriever import HybridRanker
from rag.training_data import single_turn_items
from tthc.schema import LifeEvent

log = logging.getLogger(__name__)

EVENT_C = 0.1
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7)
EVENT_STYLE = "life_event:"
MIN_POSITIVES = 10  # fewer questions about events than this teach nothing that can be checked out of fold


@dataclass(frozen=True)
class EventQuestion:
    question: str
    event: str | None  # the life event the question is about as a whole; None: one procedure, or nothing


@dataclass(frozen=True)
class EventTable:
    """Per question, one feature row per event; ``labels[i]`` is the index of its event, or -1."""

    features: np.ndarray  # (questions, events, features)
    labels: np.ndarray
    open_to_event: np.ndarray  # the question neither names one procedure nor asks yes or no: the model decides


def read_event_questions(folder: Path) -> list[EventQuestion]:
    """Single-turn questions of the folder with the event they are about (from their style), if any."""
    questions = []
    for item in single_turn_items(folder):
        style = item.get("style") or ""
        questions.append(EventQuestion(item["question"], style.removeprefix(EVENT_STYLE) if style.startswith(EVENT_STYLE) else None))
    return questions


def collect_events(ranker: HybridRanker, events: Sequence[LifeEvent], questions: list[EventQuestion]) -> EventTable:
    """The features the service computes, from the ranker's candidates as it ranks them (with its model)."""
    matcher = LifeEventMatcher(list(events))
    ids = [event.id for event in events]
    rows, labels, open_to_event = [], [], []
    for item in questions:
        query = ranker.analyzer.analyze(item.question)
        hits = ranker.rank(query, None, limit=20)
        found = matcher.overlaps(query.normalized)
        rows.append(event_features(events, found, hits, query))
        labels.append(ids.index(item.event) if item.event in ids else -1)
        open_to_event.append(not about_one_procedure(hits, query))
    return EventTable(
        np.stack(rows) if rows else np.zeros((0, len(ids), len(EVENT_FEATURE_NAMES))),
        np.asarray(labels, dtype=int),
        np.asarray(open_to_event, dtype=bool),
    )


def _fit(table: EventTable, rows: np.ndarray) -> Logistic:
    features = table.features[rows].reshape(-1, len(EVENT_FEATURE_NAMES))
    events = table.features.shape[1]
    labels = (table.labels[rows][:, None] == np.arange(events)[None, :]).reshape(-1).astype(int)
    mean, scale = features.mean(axis=0), features.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=EVENT_C, max_iter=5000).fit((features - mean) / scale, labels)
    return Logistic(mean, scale, model.coef_[0], float(model.intercept_[0]))


def _outcomes(table: EventTable, chosen: np.ndarray, best: np.ndarray, threshold: float) -> dict[str, int]:
    labels = table.labels
    listed = (best >= threshold) & table.open_to_event
    about_event = labels >= 0
    return {
        "right": int((listed & about_event & (chosen == labels)).sum()),
        "other_event": int((listed & about_event & (chosen != labels)).sum()),
        "listed_not_event": int((listed & ~about_event).sum()),
    }


def train_events(table: EventTable, folds: int = 5) -> tuple[EventModel | None, dict]:
    """The event model on every question, its threshold and cross-validated figures.

    None (the rule decides) when too few questions are about an event to fit and check a model.
    """
    positives = int(((table.labels >= 0) & table.open_to_event).sum())
    counts = {
        "event_questions": len(table.labels),
        "event_positives": int((table.labels >= 0).sum()),
        "event_positives_naming_a_procedure": int(((table.labels >= 0) & ~table.open_to_event).sum()),
    }
    if positives < MIN_POSITIVES or len(table.labels) < folds:
        log.warning("event decision not trained: %d questions, %d of them open to a life event", len(table.labels), positives)
        return None, counts
    chosen = np.zeros(len(table.labels), dtype=int)
    best = np.zeros(len(table.labels))
    for train_idx, test_idx in KFold(n_splits=folds, shuffle=True, random_state=0).split(table.labels):
        model = _fit(table, train_idx)
        for i in test_idx:
            probabilities = model.probabilities(table.features[i])
            chosen[i], best[i] = int(np.argmax(probabilities)), float(probabilities.max())
    outcomes = {t: _outcomes(table, chosen, best, t) for t in THRESHOLDS}
    # the highest threshold among the best: fewer lists for the same balance
    threshold = max(THRESHOLDS, key=lambda t: (outcomes[t]["right"] - outcomes[t]["other_event"] - outcomes[t]["listed_not_event"], t))
    figures = {
        **counts,
        "event_threshold": threshold,
        **{f"event_cross_validated_{key}": value for key, value in outcomes[threshold].items()},
    }
    log.info("event decision: %s", figures)
    return EventModel(_fit(table, np.arange(len(table.labels))), threshold), figures
