"""Flags win over the environment and the defaults, in every command (`--data-dir` against TTHC_DATA_DIR)."""

from __future__ import annotations

import json

import httpx
import pytest

from cli.main import main
from tests.conftest import CORPUS, FAKE_EMBEDDING_ENV
from tests.processes import serve

ONE = CORPUS / "procedures" / "1.004194.yaml"


@pytest.fixture
def flagged(tmp_path, monkeypatch):
    """An index built through the flag while the environment points elsewhere."""
    monkeypatch.setenv("TTHC_DATA_DIR", str(tmp_path / "from-environment"))
    monkeypatch.setenv("TTHC_EMBEDDING_BACKEND", "hashing")
    data_dir = tmp_path / "from-flag"
    assert main(["ingest", "--source", str(ONE), "--data-dir", str(data_dir), "--json"]) == 0
    assert (data_dir / "index" / "CURRENT").exists()
    assert not (tmp_path / "from-environment").exists()
    return data_dir


def test_status_reads_the_flagged_index(flagged, capsys):
    capsys.readouterr()
    assert main(["status", "--data-dir", str(flagged), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["procedures"] == 1


def test_ask_answers_from_the_flagged_index(flagged, capsys):
    capsys.readouterr()
    assert main(["ask", "đăng ký tạm trú", "--data-dir", str(flagged), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["focus_code"] == "1.004194"


def test_eval_and_bench_use_the_flagged_index(flagged, tmp_path):
    dataset = tmp_path / "one.jsonl"
    item = {"id": "x1", "question": "đăng ký tạm trú", "kind": "procedure", "history": [], "gold_codes": ["1.004194"]}
    dataset.write_text(json.dumps({**item, "gold_facts": [], "expect_refusal": False}, ensure_ascii=False), encoding="utf-8")
    assert main(["eval", "--data-dir", str(flagged), "--dataset", str(dataset), "--out", str(tmp_path / "eval")]) == 0
    summary = json.loads((tmp_path / "eval" / "summary.json").read_text(encoding="utf-8"))
    assert summary["systems"]["ours"]["all"]["hit_at_1"] == 1.0
    assert main(["bench", "answer", "--data-dir", str(flagged), "--dataset", str(dataset), "--out", str(tmp_path / "bench")]) == 0
    assert any((tmp_path / "bench").iterdir())


def test_serve_serves_the_flagged_index(flagged, tmp_path):
    # the environment names a folder without an index; the flag must win (it used to serve ./data)
    with serve(flagged, "--data-dir", str(flagged), TTHC_DATA_DIR=str(tmp_path / "from-environment"), **FAKE_EMBEDDING_ENV) as base:
        ready = httpx.get(f"{base}/readyz").json()
        assert ready["status"] == "ready"
        assert httpx.post(f"{base}/api/chat", json={"question": "đăng ký tạm trú"}).json()["focus_code"] == "1.004194"


def test_must_answer_bench_counts_refusals_on_the_flagged_index(flagged, capsys):
    capsys.readouterr()
    assert main(["bench", "must-answer", "--data-dir", str(flagged)]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["questions"] >= 70 and figures["refused_by_guard"] == 0
    assert figures["refused_not_in_data"] == len(figures["refused_questions"])
    assert figures["false_refusals"] == len(figures["falsely_refused_questions"]) <= figures["refused_not_in_data"]
    assert 0 < figures["answered_by_a_loaded_procedure"] < figures["questions"]


def test_restated_bench_writes_the_vocabulary_without_the_restated_phrases(tmp_path, capsys):
    capsys.readouterr()
    assert main(["bench", "restated", "--out", str(tmp_path)]) == 0
    report = json.loads(capsys.readouterr().out.split("\n}\n")[0] + "\n}")
    written = tmp_path / "situations"
    assert report["written_to"] == str(written) and report["dropped"] == sum(report["by_file"].values()) > 0
    assert sorted(p.name for p in written.glob("*.yaml")) == sorted(report["by_file"])
