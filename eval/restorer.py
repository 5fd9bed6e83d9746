"""How well questions typed without diacritics are read: the questions of a set typed with them, and the accented
spelling a writer gave of one typed without (``question_accented``), folded and restored.

The restorer decodes with the records' syllable counts and, when the index's model has them, the question words
counted from the training questions (``rag/question_words.py``). Both are measured, so that a set no count came from
(``training/validation``, ``training/held-out``) shows what the question words are worth on questions not counted.
"""

from __future__ import annotations

from pathlib import Path

from eval.dataset import EvalItem, load_dataset
from rag.diacritics import DiacriticRestorer
from rag.query import QueryAnalyzer
from rag.service import load_assistant
from tthc.settings import Settings
from tthc.text import fold_diacritics, has_diacritics, syllables


def wrong_syllables(restorer: DiacriticRestorer, questions: list[str]) -> tuple[int, int]:
    """(syllables restored wrong, syllables) over the questions' words, each question folded and restored whole."""
    wrong = total = 0
    for question in questions:
        words = syllables(question.casefold())
        restored = restorer.restore(fold_diacritics(" ".join(words))).split()
        if len(restored) != len(words):  # folding merged or split a token: no syllable-by-syllable reading
            continue
        pairs = [(w, r) for w, r in zip(words, restored, strict=True) if w.isalpha()]
        total += len(pairs)
        wrong += sum(w != r for w, r in pairs)
    return wrong, total


def accented_questions(items: list[EvalItem]) -> list[str]:
    """The questions spelled with diacritics: the writer's spelling of one typed without, or the question itself."""
    return [item.question_accented or item.question for item in items if item.question_accented or has_diacritics(item.question)]


def restorer_figures(settings: Settings, dataset: Path) -> dict:
    """Syllables restored wrong with and without the model's question words."""
    assistant = load_assistant(settings)
    items = load_dataset(dataset)
    questions = accented_questions(items)
    analyzer = assistant.ranker.analyzer
    without = QueryAnalyzer(assistant.index.vocabulary())  # the records' counts alone
    wrong, total = wrong_syllables(analyzer.restorer, questions)
    wrong_without, _ = wrong_syllables(without.restorer, questions)
    model = assistant.ranker.model
    return {
        "dataset": str(dataset),
        "index": assistant.version,
        "questions_with_diacritics": len(questions),
        "of_them_typed_without": sum(item.question_accented is not None for item in items),
        "syllables": total,
        "wrong_with_question_words": wrong,
        "wrong_without_question_words": wrong_without,
        "question_words": bool(model and model.question_words),
    }
