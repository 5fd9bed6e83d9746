"""The restorer figure counts the syllables a folded question gets back wrong."""

from __future__ import annotations

from eval.dataset import EvalItem
from eval.restorer import accented_questions, wrong_syllables
from rag.diacritics import DiacriticRestorer

# legal prose: "có căn cứ" is common, "có cần" is not
RECORDS = {"unigrams": {"có": 500, "căn": 300, "cứ": 300, "cần": 20, "giấy": 200}, "bigrams": {"có căn": 250, "căn cứ": 300}}


def test_wrong_syllables_counts_each_word_read_back_otherwise():
    restorer = DiacriticRestorer(RECORDS)
    assert wrong_syllables(restorer, ["Có cần giấy?"]) == (1, 3)  # "cần" comes back "căn"
    assert wrong_syllables(restorer, ["có căn cứ", "2 giấy có"]) == (0, 5)  # a number is no syllable to restore


def test_a_question_typed_without_diacritics_is_measured_by_its_writers_spelling():
    def item(question: str, accented: str | None = None) -> EvalItem:
        return EvalItem(
            id=question, question=question, kind="fact", gold_codes=["1"], gold_facts=[], expect_refusal=False, question_accented=accented
        )

    items = [item("co can giay gi", "có cần giấy gì"), item("Có cần giấy gì?"), item("co can giay gi")]
    assert accented_questions(items) == ["có cần giấy gì", "Có cần giấy gì?"]  # the last has no spelling to compare
