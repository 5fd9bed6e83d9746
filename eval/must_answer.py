"""The must-answer set on a real index: how many legitimate trap-word questions are turned away, and how.

``tests/security/must_answer.py`` holds 147 legitimate questions carrying the words the guards look for
(đóng vai trò, hướng dẫn, quên mật khẩu, bác sĩ, du lịch…). The tests prove the guard passes them; this
measures what the whole assistant does with them on an index (the portal index is the one that matters).

``eval/must_answer_codes.py`` says, by hand, which portal procedures answer each question. A refusal of a
question some loaded procedure answers is a false refusal; "chưa có trong dữ liệu" for one no record answers
(a forgotten password, a topic the catalogue lacks) is the honest reply. A guard refusal is always false.
"""

from __future__ import annotations

from eval.must_answer_codes import PORTAL_CODES
from rag.guard import check_question
from rag.service import load_assistant
from tests.security.must_answer import MUST_ANSWER
from tthc.settings import Settings


def must_answer_figures(settings: Settings) -> dict:
    """Guard refusals, false and honest "not in our data" refusals, and whether the right procedure came first."""
    assistant = load_assistant(settings)
    by_guard: list[str] = []
    false_not_in_data: list[str] = []
    honest_not_in_data: list[str] = []
    answerable = found_first = found_in_5 = 0
    for question in MUST_ANSWER:
        codes = [c for c in PORTAL_CODES.get(question, []) if c in assistant.index.procedures]
        answerable += bool(codes)
        if check_question(question, assistant.catalogue).refused:
            by_guard.append(question)
            continue
        answer = assistant.answer(question)
        if answer.refused:
            (false_not_in_data if codes else honest_not_in_data).append(question)
        elif codes:
            found_first += bool(set(answer.retrieved[:1]) & set(codes))
            found_in_5 += bool(set(answer.retrieved[:5]) & set(codes))
    return {
        "questions": len(MUST_ANSWER),
        "index": assistant.version,
        "answered_by_a_loaded_procedure": answerable,
        "refused_by_guard": len(by_guard),
        "refused_not_in_data": len(false_not_in_data) + len(honest_not_in_data),
        "false_refusals": len(by_guard) + len(false_not_in_data),
        "honest_not_in_data": len(honest_not_in_data),
        "right_procedure_first": found_first,
        "right_procedure_in_5": found_in_5,
        "refused_questions": by_guard + false_not_in_data + honest_not_in_data,
        "falsely_refused_questions": by_guard + false_not_in_data,
    }
