"""The must-answer set on a real index: how many legitimate trap-word questions are turned away, and how.

``tests/security/must_answer.py`` holds 147 legitimate questions carrying the words the guards look for
(đóng vai trò, hướng dẫn, quên mật khẩu, bác sĩ, du lịch…). The tests prove the guard passes them; this
measures what the whole assistant does with them on an index (the portal index is the one that matters):
refused by the guard, or answered "chưa có trong dữ liệu" because no record is likely enough.
"""

from __future__ import annotations

from rag.guard import check_question
from rag.service import load_assistant
from tests.security.must_answer import MUST_ANSWER
from tthc.settings import Settings


def must_answer_figures(settings: Settings) -> dict:
    """Counts of guard refusals and "not in our data" refusals, with the questions refused."""
    assistant = load_assistant(settings)
    by_guard, not_in_data = [], []
    for question in MUST_ANSWER:
        if check_question(question, assistant.catalogue).refused:
            by_guard.append(question)
        elif assistant.answer(question).refused:
            not_in_data.append(question)
    return {
        "questions": len(MUST_ANSWER),
        "index": assistant.version,
        "refused_by_guard": len(by_guard),
        "refused_not_in_data": len(not_in_data),
        "refused_questions": by_guard + not_in_data,
    }
