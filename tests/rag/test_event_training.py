"""The learned life-event decision: its features, its file format, its training, and its use by the service."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np

from rag.event_training import EventTable, read_event_questions, train_events
from rag.life_events import EVENT_FEATURE_NAMES, EventModel, LifeEventMatcher, event_features
from rag.logistic import Logistic
from rag.query import QueryAnalyzer
from rag.ranking import RankingModel
from rag.retriever import ProcedureHit
from rag.training import train
from tthc.schema import LifeEvent, LifeEventStep
from tthc.settings import PROJECT_ROOT

DEATH = LifeEvent(
    id="qua-doi",
    title="Có người thân qua đời",
    triggers=["bố mất", "nhà có người mất"],
    procedures=[LifeEventStep(code="1.000656", name="Đăng ký khai tử", what_for="Khai tử")],
)
HOUSE = LifeEvent(
    id="xay-nha",
    title="Xây nhà",
    triggers=["tôi muốn xây nhà"],
    procedures=[LifeEventStep(code="1.013225", name="Cấp giấy phép xây dựng", what_for="Xin phép xây")],
)


def _model(weights: dict[str, float], bias: float = -3.0, threshold: float = 0.5) -> EventModel:
    vector = np.zeros(len(EVENT_FEATURE_NAMES))
    for name, weight in weights.items():
        vector[EVENT_FEATURE_NAMES.index(name)] = weight
    width = len(EVENT_FEATURE_NAMES)
    return EventModel(Logistic(np.zeros(width), np.ones(width), vector, bias), threshold)


def _hit(code: str, answerable: float) -> ProcedureHit:
    return ProcedureHit(code=code, score=0.9, name="", name_overlap=0.1, coverage=0.5, answerable=answerable)


def _row(features: np.ndarray, name: str) -> np.ndarray:
    return features[:, EVENT_FEATURE_NAMES.index(name)]


def test_features_read_the_triggers_the_question_and_the_candidates():
    matcher = LifeEventMatcher([DEATH, HOUSE])
    question = "bố tôi mất rồi cần làm những giấy tờ gì"
    query = QueryAnalyzer({}).analyze(question)
    features = event_features([DEATH, HOUSE], matcher.overlaps(question), [_hit("1.000656", 0.8), _hit("1.013225", 0.1)], query)
    assert features.shape == (2, len(EVENT_FEATURE_NAMES))
    assert list(_row(features, "share")) == [1.0, 0.0]  # "bố mất" whole; nothing of "xây nhà"
    assert list(_row(features, "top_in_event")) == [1.0, 0.0] and list(_row(features, "first_rank")) == [1.0, 0.5]
    assert list(_row(features, "asks_what_to_do")) == [1.0, 1.0]
    assert list(_row(features, "confident_outside")) == [0.0, 0.8]


def test_the_model_chooses_the_most_probable_event_from_its_threshold():
    matcher = LifeEventMatcher([DEATH, HOUSE])
    question = "nhà có người mất thì phải làm gì"
    query = QueryAnalyzer({}).analyze(question)
    found = matcher.overlaps(question)
    sure = _model({"share": 6.0})
    chosen = sure.choose([DEATH, HOUSE], found, [], query)
    assert chosen is not None and chosen[0].id == "qua-doi" and chosen[1] > 0.9
    assert replace(sure, threshold=1.0).choose([DEATH, HOUSE], found, [], query) is None
    assert sure.choose([DEATH, HOUSE], matcher.overlaps("cấp giấy phép lái xe"), [], query) is None  # no trigger word at all


def test_the_model_is_stored_with_the_ranking_model_and_ignored_when_its_features_differ():
    data = _model({"share": 2.0}).to_dict()
    again = EventModel.from_dict(data)
    assert again is not None and again.to_dict() == data
    assert EventModel.from_dict({**data, "features": ["share"]}) is None
    assert EventModel.from_dict({**data, "schema": 0}) is None
    assert EventModel.from_dict({**data, "threshold": 2}) is None


def test_event_questions_are_read_with_the_event_of_their_style(tmp_path):
    lines = [
        {"id": "a", "question": "bố mất cần làm gì", "style": "life_event:qua-doi"},
        {"id": "b", "question": "khai tử cần giấy gì", "style": "one_procedure:qua-doi"},
        {"id": "c", "question": "còn gì nữa", "history": [{"role": "user", "content": "x"}], "style": "life_event:qua-doi"},
    ]
    (tmp_path / "e.jsonl").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    questions = read_event_questions(tmp_path)
    assert [(q.question, q.event) for q in questions] == [("bố mất cần làm gì", "qua-doi"), ("khai tử cần giấy gì", None)]


def test_training_learns_which_rows_are_the_event_and_sets_a_threshold():
    rng = np.random.default_rng(0)
    width, labels = len(EVENT_FEATURE_NAMES), np.asarray([0] * 15 + [1] * 15 + [-1] * 30)
    features = rng.normal(0, 0.1, size=(len(labels), 2, width))
    share = EVENT_FEATURE_NAMES.index("share")
    for i, label in enumerate(labels):
        if label >= 0:
            features[i, label, share] = 1.0
    model, figures = train_events(EventTable(features, labels, np.ones(len(labels), dtype=bool)))
    assert model is not None and figures["event_positives"] == 30
    assert figures["event_cross_validated_right"] == 30 and figures["event_cross_validated_listed_not_event"] == 0
    assert model.threshold == figures["event_threshold"]
    named = np.asarray([False] * 25 + [True] * 35)  # the first 25 (all but 5 of the events) name one procedure
    few, figures = train_events(EventTable(features, labels, named))
    assert few is None and figures["event_positives"] == 30 and figures["event_positives_naming_a_procedure"] == 25


def test_the_ranker_command_trains_the_event_decision_from_its_folder(assistant, tmp_path):
    """The default corpus's own events: questions about them, and questions that name one procedure."""
    events = assistant.index.life_events
    positives = [(f"{trigger}, cần làm những giấy tờ gì", event.id) for event in events for trigger in event.triggers[:3]]
    names = [(p.name.casefold(), None) for p in sorted(assistant.index.procedures.values(), key=lambda p: p.code)[:24]]
    folder = tmp_path / "events"
    folder.mkdir()
    lines = [
        {"id": f"e{i}", "question": q, "style": f"life_event:{e}" if e else "one_procedure", "kind": "procedure", "gold_codes": []}
        for i, (q, e) in enumerate(positives + names)
    ]
    (folder / "e.jsonl").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    questions = tmp_path / "questions"
    questions.mkdir()
    named = [{"id": f"q{i}", "question": q, "kind": "procedure", "gold_codes": [c]} for i, (q, c) in enumerate(_named(assistant))]
    nothing = ["nuôi cá sấu", "bay khinh khí cầu"]
    named += [{"id": f"n{i}", "question": q, "kind": "out_of_scope", "gold_codes": []} for i, q in enumerate(nothing)]
    (questions / "q.jsonl").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in named), encoding="utf-8")
    model, figures = train(assistant.ranker, questions, assistant.version, max_false_refusals=0.01, event_folder=folder)
    assert model.events is not None and figures["event_positives"] == len(positives)
    assert figures["event_questions"] == len(positives) + len(names) + len(named)
    assert model.provenance["event_questions_folder"] == str(folder)
    stored = RankingModel.from_dict(json.loads(model.to_json()))
    assert stored is not None and stored.events is not None and stored.events.to_dict() == model.events.to_dict()


def _named(assistant) -> list[tuple[str, str]]:
    procedures = sorted(assistant.index.procedures.values(), key=lambda p: p.code)[:12]
    return [(p.name.casefold(), p.code) for p in procedures]


def test_the_service_answers_with_the_event_the_model_chooses(assistant, monkeypatch):
    """With a model, the model decides: one that never lists leaves the death question to its procedure, unless the
    question is read with earlier turns."""
    question = "bố tôi vừa mất, gia đình cần lo những giấy tờ nào"
    events = _model({"share": 8.0, "asks_what_to_do": 2.0}, bias=-6.0)
    model = RankingModel(_model({}).logistic, _model({}).logistic, 0.0, {}, events=events)
    monkeypatch.setattr(assistant.ranker, "model", None)
    listed = assistant.answer(question)
    assert listed.life_event == "nguoi-than-qua-doi"  # the rule, without a model
    monkeypatch.setattr(type(assistant.ranker), "rank", _rank_without_model(type(assistant.ranker).rank))
    monkeypatch.setattr(assistant.ranker, "model", replace(model, events=replace(events, threshold=1.0)))
    assert assistant.answer(question).life_event is None
    # read with the citizen's earlier turns, the question is not one the model learned from: the rule decides
    earlier = [{"role": "user", "content": "cho tôi hỏi một việc"}]
    assert assistant.answer(question, history=earlier).life_event == "nguoi-than-qua-doi"
    monkeypatch.setattr(assistant.ranker, "model", model)
    chosen = assistant.answer(question)
    assert chosen.life_event == "nguoi-than-qua-doi" and 0.0 < chosen.confidence <= 1.0


def _rank_without_model(rank):
    """The ranker as without a model (this test's model has no ranking weights), so only the event part is new."""

    def ranked(self, query, filters=None, limit=10):
        model, self.model = self.model, None
        try:
            return rank(self, query, filters, limit)
        finally:
            self.model = model

    return ranked


def test_the_training_folder_exists_and_names_events_of_the_corpus(assistant):
    questions = read_event_questions(PROJECT_ROOT / "training" / "events")
    ids = {event.id for event in assistant.index.life_events}
    assert {q.event for q in questions if q.event} <= ids
