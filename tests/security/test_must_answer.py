"""The other side of the injection and off-topic guards: legitimate questions and real record text pass.

Kept beside tests/security/attempts.py so a pattern that blocks more attacks cannot silently start
refusing citizens or rejecting records at ingest.
"""

from __future__ import annotations

import json

import pytest

from ingest.curated import load_curated_file
from ingest.portal import record_to_procedure
from rag.guard import CatalogueWording, check_question
from tests.conftest import CORPUS, SHARED_PORTAL
from tests.security.must_answer import MUST_ANSWER
from tthc.safety import contains_instructions
from tthc.text import has_diacritics


def test_must_answer_set_is_large_and_mixed():
    assert len(MUST_ANSWER) >= 70 and len(set(MUST_ANSWER)) == len(MUST_ANSWER)
    assert sum(not has_diacritics(q) for q in MUST_ANSWER) >= 10


@pytest.mark.parametrize("question", MUST_ANSWER)
def test_legitimate_question_passes_the_guard(question):
    assert check_question(question).reason is None


@pytest.mark.parametrize("question", MUST_ANSWER)
def test_legitimate_question_is_not_taken_for_an_instruction(question):
    assert not contains_instructions(question)


@pytest.mark.parametrize("path", sorted((CORPUS / "procedures").glob("*.yaml")), ids=lambda p: p.stem)
def test_curated_record_is_not_taken_for_an_instruction(path):
    assert not contains_instructions(load_curated_file(path).model_dump_json())


def test_portal_records_are_not_taken_for_instructions():
    """The ingest checks each materialised record; none of the portal's real records may be refused."""
    path = SHARED_PORTAL / "procedures.jsonl"
    if not path.exists():
        pytest.skip(f"portal data not found at {path}")
    with open(path, encoding="utf-8") as handle:
        procedures = [record_to_procedure(json.loads(line)) for line in handle if line.strip()]
    assert len(procedures) > 1000
    assert [p.code for p in procedures if contains_instructions(p.model_dump_json())] == []


CATALOGUE = CatalogueWording(
    [
        "Xét công nhận liệt sỹ, cấp bằng Tổ quốc ghi công và giải quyết chế độ ưu đãi đối với thân nhân liệt sỹ",
        "Cấp giấy phép lái xe quốc tế",
        "Công nhận điểm du lịch",
    ]
)


@pytest.mark.parametrize(
    "question",
    [
        "ông tôi hy sinh hồi chiến tranh, gia đình muốn xin công nhận liệt sỹ",
        "sắp sang Hàn du lịch, muốn tự lái xe bên đó thì làm bằng lái xe quốc tế ở đâu",
    ],
)
def test_an_off_topic_word_does_not_refuse_a_question_worded_like_a_procedure(question):
    assert check_question(question).reason == "off_topic"  # the word lists alone refuse it
    assert check_question(question, CATALOGUE).reason is None


@pytest.mark.parametrize("question", ["gợi ý tour du lịch Phú Quốc giá rẻ", "phim chiến tranh nào hay nhất"])
def test_off_topic_questions_stay_refused_with_the_catalogue(question):
    assert check_question(question, CATALOGUE).reason == "off_topic"
