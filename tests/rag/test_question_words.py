"""Question words: counts of how citizens write, learned from the training questions, restore a question typed
without diacritics as a question."""

from __future__ import annotations

from rag.query import QueryAnalyzer
from rag.question_words import QuestionWords, count_question_words

# Legal prose: "có căn cứ" is common, "có cần" is not.
RECORDS = {
    "unigrams": {"có": 500, "căn": 300, "cứ": 300, "cần": 20, "giấy": 200, "tờ": 200, "gì": 5},
    "bigrams": {"có căn": 250, "căn cứ": 300, "giấy tờ": 200},
}


def test_only_questions_typed_with_diacritics_are_counted():
    words = count_question_words(["Có cần giấy tờ gì không?", "co can giay to gi khong", "mất 2 ngày"])
    assert words.unigrams["cần"] == 1 and "can" not in words.unigrams
    assert words.bigrams["có cần"] == 1
    assert "mất ngày" not in words.bigrams  # a pair never spans a number


def test_question_words_restore_a_question_as_a_question():
    without = QueryAnalyzer(RECORDS).analyze("co can giay to gi")
    words = count_question_words(["có cần giấy tờ gì không", "có cần mang gì"])
    with_words = QueryAnalyzer(RECORDS, question_words=words).analyze("co can giay to gi")
    assert without.restored.startswith("có căn")
    assert with_words.restored.startswith("có cần")


def test_question_words_round_trip_and_a_malformed_section_is_ignored():
    words = count_question_words(["Có cần giấy tờ gì không?"])
    assert QuestionWords.from_dict(words.to_dict()) == words
    for bad in ({"weight": 20, "unigrams": {"có": -1}, "bigrams": {}}, {"weight": 20, "unigrams": [], "bigrams": {}}, {}, None):
        assert QuestionWords.from_dict(bad) is None


def test_a_pair_the_questions_used_once_does_not_read_an_english_question_as_vietnamese():
    words = count_question_words(["tờ đó nộp ở đâu"])  # at its weight, one use would pass the common-pair count
    analyzer = QueryAnalyzer(RECORDS, question_words=words)
    assert analyzer.restorer.known_pair("to", "do") is None
    assert analyzer.restorer.restore("to do") == "tờ đó"  # while decoding still reads it as citizens write
