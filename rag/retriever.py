"""Hybrid retrieval at the procedure level: BM25 (chunks and names) + dense (Chroma), fused by RRF.

Ward-level procedures get a configurable prior, and 'special-case' siblings (có yếu tố
nước ngoài, lưu động, đăng ký lại…) are held back unless the question says so.
"""

from __future__ import annotations

import copy
import re
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from index_store.embeddings import Embedder
from index_store.ids import PLAN_ID
from index_store.keywords import KeywordIndex
from index_store.store import IndexVersion
from rag.notes import record_sentences, word_pairs, words_and_pairs
from rag.query import MARKER_PARAPHRASES, Query, QueryAnalyzer, with_acronyms_spelled_out
from rag.question_words import QuestionWords
from rag.ranking import FEATURE_NAMES, RankingModel
from tthc.schema import Chunk, Procedure
from tthc.text import bm25_tokens, fold_diacritics, syllables

RRF_K = 60
_COVERAGE_COLUMN = FEATURE_NAMES.index("coverage")  # the same figure as HybridRanker.coverage, already computed
# words some portal names start with ("Thủ tục đăng ký khai tử") that say nothing about which procedure
GENERIC_NAME_WORDS = frozenset({"thu", "tuc"})
# "đăng" of "đăng ký", "đăng kiểm" and "đang" (being: "đang ở", "đang khai thác") fold alike; the next word tells
# them apart, without accents too. A name's "dang" is matched only by a question's of the same kind: "nơi thường trú
# … làm chỗ đang ở" does not name "Đăng ký thường trú".
_DANG = re.compile(r"\bdang\b( \w+)?")
_REGISTERING = frozenset({"ky", "ki", "kiem"})
MAX_SENTENCE_PAIRS = 6  # word pairs asked that one sentence holds: more says no more
SIBLING_WINDOW = 30  # a special case is held back only if its general sibling is among these candidates
# Modifiers that turn a procedure into a special case of a sibling (matched on folded text).
SIBLING_MARKERS = (
    "nuoc ngoai",
    "luu dong",
    "dang ky lai",
    "nguoi dich",
    "khu vuc bien gioi",
    "giam sat viec giam ho",
    "cham dut",
    "ket hop",
    "da co ho so, giay to ca nhan",
    "duoi 14 tuoi",
    "cap lai",
    "cap doi",
    "dieu chinh",
    "gia han",
    "sua chua, cai tao",
    "di doi",
    "xoa dang ky",
    "thay doi",
    "ghi vao so",
    "lien thong",
    "thuong xuyen",
    "dinh ky",
    "thoat ngheo",
    "trong nuoc",
    "tam ngung",
    "co thu tien",
    "lan dau",
    "trinh bao mat",
    "chet",
)
_LITERAL_MARKERS = {marker: re.compile(re.escape(marker)) for marker in SIBLING_MARKERS}


# What negates the words that follow (folded): "chứ không phải cấp lại", "không phải đăng ký lại", "ko mất giấy",
# "không xin cấp lại", "không phải trường hợp tử vong". Not "hàng không nước ngoài" (an airline), nor "chưa" ("chưa
# đủ 6 tuổi" is under 14).
_NEGATED = re.compile(
    r"(\bchu (khong|ko|k) phai( la)?( \w+){0,2}|(?<!hang )\b(khong|ko|k)( phai( la)?)?( (bi|xin|lam|can|con|truong hop))?) $"
)


def _stated(pattern: re.Pattern[str], folded_question: str) -> bool:
    """Whether the question says what ``pattern`` matches at least once without negating it."""
    return any(not _NEGATED.search(folded_question[: match.start()]) for match in pattern.finditer(folded_question))


def _spelled_out(folded_text: str) -> set[str]:
    """Sibling markers the text spells out and does not negate."""
    return {marker for marker in SIBLING_MARKERS if _stated(_LITERAL_MARKERS[marker], folded_text)}


@lru_cache(maxsize=8192)
def markers_of_name(folded_name: str) -> frozenset[str]:
    """The sibling markers of a procedure's name: a name "… nhưng không thay đổi cơ quan đăng ký" is not the "thay
    đổi" case. Cached, for names only: the same names are read for every question, and questions are not kept."""
    return frozenset(_spelled_out(folded_name))


def asked_markers(folded_question: str) -> set[str]:
    """Sibling markers the question names, literally or in everyday words, and does not negate: "đăng ký kết hôn lần
    đầu chứ không phải đăng ký lại" asks for neither "đăng ký lại" nor what "làm lại" would name."""
    asked = _spelled_out(folded_question)
    asked |= {marker for marker, pattern in MARKER_PARAPHRASES.items() if _stated(pattern, folded_question)}
    return asked


# A question that names another level (or a central agency) turns the ward-level prior off.
_OTHER_LEVEL = re.compile(
    r"\b(cap tinh|cap bo|trung uong|hai quan|thue|so (tu phap|noi vu|tai chinh|xay dung|nong nghiep|y te|giao duc|cong thuong)"
    r"|bo (tu phap|cong an|tai chinh|xay dung|noi vu|y te|ngoai giao))\b"
)
# Words that point to the reform plan rather than to a procedure.
_PLAN_CUES = re.compile(
    r"\b(ke hoach|muc tieu|chi tieu|nhiem vu|chu tri|phoi hop|phan dau|giai doan|cai cach hanh chinh|cchc|muc do hai long"
    r"|ty le|phan tram|den nam 2030|nam 2026|phu luc|phan cong|san pham|don doc|chinh quyen so|chuyen doi so|kinh phi)\b"
)
PLAN_PRIOR = 1.5


def _ranks(scores: dict[str, float]) -> dict[str, int]:
    """Ties go by code: the vector store returns equal distances (the same text at two levels) in no fixed order."""
    return {code: r for r, code in enumerate(sorted(scores, key=lambda c: (-scores[c], c)))}


def _reciprocal(rank: int | None) -> float:
    return 0.0 if rank is None else 1.0 / (1 + rank)


def _dang_kinds(folded: str) -> frozenset[str]:
    """The kinds of "dang" a folded text holds: "register" before "ký" / "kiểm", "being" elsewhere."""
    return frozenset("register" if (m.group(1) or "").strip() in _REGISTERING else "being" for m in _DANG.finditer(folded))


def _pairs(folded_text: str) -> set[str]:
    """Adjacent syllable pairs of a folded text ("giay khai", "khai sinh")."""
    words = [w for w in syllables(folded_text) if w.isalnum()]
    return {f"{a} {b}" for a, b in zip(words, words[1:])}


def _name_pairs_of(name: str) -> set[str]:
    """Adjacent syllable pairs of a procedure's name, its acronyms spelled out ("CCCD" is "căn cước công dân")."""
    return _pairs(fold_diacritics(with_acronyms_spelled_out(name).casefold()))


@dataclass
class Evidence:
    """What the three retrievers said about one question."""

    chunk_hits: dict[str, list[tuple[int, float]]]
    chunk_best: dict[str, float]
    name_scores: dict[str, float]
    dense: dict[str, float]
    fused: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def __post_init__(self) -> None:
        self.chunk_ranks = _ranks(self.chunk_best)
        self.name_ranks = _ranks(self.name_scores)
        self.dense_ranks = _ranks(self.dense)


class VectorStoreUnavailable(RuntimeError):
    """The vector store did not answer (a Chroma server that is down or unreachable)."""


@dataclass
class ProcedureHit:
    """One ranked procedure (or the plan) with the evidence behind its rank."""

    code: str
    score: float
    name: str
    chunks: list[tuple[Chunk, float]] = field(default_factory=list)
    dense_similarity: float = 0.0
    name_overlap: float = 0.0
    name_matches: int = 0  # how many of the name's words the question holds
    coverage: float = 0.0
    answerable: float | None = None  # the learned model's P(the question is about one of the candidates)


@dataclass(frozen=True)
class RetrievalFilters:
    """Metadata filters an officer can set."""

    field: str | None = None
    level: str | None = None
    source: str | None = None

    def accepts(self, chunk: Chunk) -> bool:
        if self.source and chunk.source != self.source:
            return False
        if self.field and chunk.field.casefold() != self.field.casefold():
            return False
        return not (self.level and self.level.casefold() not in chunk.level.casefold())


@dataclass(frozen=True)
class RecordSentences:
    """One record's sentences as ids: each sentence's distinct folded words and word pairs, flattened."""

    sentences: int
    word_ids: np.ndarray
    sentence_of_word: np.ndarray
    pair_ids: np.ndarray
    sentence_of_pair: np.ndarray


class SentenceWords:
    """Every record's sentences as word and word-pair ids, read once per record and kept: about 12 bytes a word,
    so the whole catalogue fits in a few tens of MB, and a question is matched with a few array operations."""

    def __init__(self, procedures: dict[str, Procedure]) -> None:
        self._procedures = procedures
        self._word_ids: dict[str, int] = {}
        self._records: dict[str, RecordSentences] = {}
        self._lock = threading.Lock()  # requests answered in threads must not give two words one id

    def _id(self, word: str) -> int:
        return self._word_ids.setdefault(word, len(self._word_ids))

    @staticmethod
    def _pair_id(first: int, second: int) -> int:
        return first << 32 | second

    def read_all(self) -> None:
        """Read every record now (about 5 s for the 2,642 portal records), so that no answer pays for one."""
        for code in self._procedures:
            self.record(code)

    def record(self, code: str) -> RecordSentences:
        found = self._records.get(code)
        return found if found is not None else self._read(code)

    def _read(self, code: str) -> RecordSentences:
        with self._lock:
            if code in self._records:
                return self._records[code]
            proc = self._procedures.get(code)
            words: list[int] = []
            word_sentence: list[int] = []
            pairs: list[int] = []
            pair_sentence: list[int] = []
            sentences = [words_and_pairs(s.text) for s in record_sentences(proc)] if proc else []
            for i, (sentence_words, sentence_pairs) in enumerate(sentences):
                words += [self._id(w) for w in sentence_words]
                word_sentence += [i] * len(sentence_words)
                pairs += [self._pair_id(self._id(a), self._id(b)) for a, b in sentence_pairs]
                pair_sentence += [i] * len(sentence_pairs)
            self._records[code] = RecordSentences(
                len(sentences),
                np.asarray(words, dtype=np.int32),
                np.asarray(word_sentence, dtype=np.int32),
                np.asarray(pairs, dtype=np.int64),
                np.asarray(pair_sentence, dtype=np.int32),
            )
            return self._records[code]

    def weights(self, words: list[str], weights: np.ndarray) -> np.ndarray:
        """A weight per known word id: the question's words get theirs, every other word 0."""
        by_id = np.zeros(len(self._word_ids) + 1)
        for word, weight in zip(words, weights.tolist(), strict=True):
            if word in self._word_ids:
                by_id[self._word_ids[word]] = weight
        return by_id

    def pair_ids(self, pairs: frozenset[tuple[str, str]]) -> np.ndarray:
        """The ids of the word pairs whose words some record holds (a pair of an unknown word matches none)."""
        known = self._word_ids
        return np.asarray([self._pair_id(known[a], known[b]) for a, b in pairs if a in known and b in known], dtype=np.int64)


class HybridRanker:
    """Everything loaded once: the index version, a names BM25 and the query embedder."""

    def __init__(
        self,
        index: IndexVersion,
        embeddings: Embedder,
        ward_level_prior: float = 1.25,
        sibling_penalty: float = 0.8,
        dense_candidates: int = 60,
        model: RankingModel | None = None,
        rerank_depth: int = 30,
        own_place_names: list[str] | None = None,
    ) -> None:
        self.index = index
        self.embeddings = embeddings
        self.ward_level_prior = ward_level_prior
        self.sibling_penalty = sibling_penalty
        self.dense_candidates = dense_candidates
        self.model = model
        self.rerank_depth = rerank_depth
        self.own_place_names = own_place_names
        self.analyzer = self._analyzer(model.question_words if model else None)
        names = [(c, self._name_text(index.procedures[c])) for c in sorted(index.procedures)]
        plan_heads = [c for c in index.chunks if c.source == "plan"]
        names += [(PLAN_ID, f"{c.heading} {' '.join(c.text.split(chr(10), 2)[-1].split()[:40])}") for c in plan_heads]
        self._name_codes = [code for code, _ in names]
        self._names = KeywordIndex.build([(f"{i}", text) for i, (_, text) in enumerate(names)])
        self._folded_names = {c: fold_diacritics(p.name.casefold()) for c, p in index.procedures.items()}
        self._ward_level = frozenset(c for c, p in index.procedures.items() if p.is_ward_level)
        spelled_names = {c: with_acronyms_spelled_out(p.name) for c, p in index.procedures.items()}
        self._name_tokens = {c: {fold_diacritics(w) for w in syllables(name)} for c, name in spelled_names.items()}
        self._name_pairs = {c: _name_pairs_of(p.name) for c, p in index.procedures.items()}
        self._marker_pairs = {pair for marker in SIBLING_MARKERS for pair in _pairs(marker)}
        self._names_with_pair = Counter(pair for pairs in self._name_pairs.values() for pair in pairs)
        self._name_markers = {c: markers_of_name(name) for c, name in self._folded_names.items()}
        self._vocabulary_words = {
            c: {fold_diacritics(w) for w in syllables(self._name_text(p).casefold())} for c, p in index.procedures.items()
        }
        self._phrases = {
            c: [
                (_pairs(folded), set(syllables(folded)))
                for folded in (fold_diacritics(with_acronyms_spelled_out(t).casefold()) for t in [*p.aliases, *p.situations])
            ]
            for c, p in index.procedures.items()
        }
        self._chunks_by_doc: dict[str, list[int]] = defaultdict(list)
        for i, chunk in enumerate(index.chunks):
            self._chunks_by_doc[chunk.doc_id].append(i)
        self._sentence_words = SentenceWords(index.procedures)

    def _analyzer(self, question_words: QuestionWords | None) -> QueryAnalyzer:
        """The analyzer over the records' syllables, and how citizens write when a model learned it."""
        return QueryAnalyzer(self.index.vocabulary(), self.own_place_names, question_words)

    def with_question_words(self, question_words: QuestionWords) -> HybridRanker:
        """A copy whose analyzer restores questions with ``question_words``: training reads its questions as answering
        with the model it writes will."""
        ranker = copy.copy(self)
        ranker.analyzer = self._analyzer(question_words)
        return ranker

    @staticmethod
    def _name_text(proc: Procedure) -> str:
        return with_acronyms_spelled_out(" ".join([proc.name, *proc.aliases, *proc.situations]))

    def _bm25_chunks(self, query: Query) -> dict[str, list[tuple[int, float]]]:
        scores = self.index.keywords.scores(bm25_tokens(query.search_text))
        top = np.argsort(scores)[::-1][:300]
        by_doc: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i in top:
            if scores[i] <= 0:
                break
            by_doc[self.index.chunks[i].doc_id].append((int(i), float(scores[i])))
        return by_doc

    def _bm25_names(self, query: Query) -> dict[str, float]:
        scores = self._names.scores(bm25_tokens(query.search_text))
        best: dict[str, float] = {}
        for i in np.argsort(scores)[::-1][:100]:
            if scores[i] <= 0:
                break
            best.setdefault(self._name_codes[i], float(scores[i]))
        return best

    def _dense(self, query: Query) -> dict[str, float]:
        vector = self.embeddings.embed_query(query.search_text)
        try:
            n = min(self.dense_candidates, self.index.dense_units)
            if n == 0:
                return {}
            result = self.index.collection.query(
                query_embeddings=cast(Any, [vector]), n_results=n, include=cast(Any, ["metadatas", "distances"])
            )
        except Exception as exc:  # a Chroma server that is down raises transport errors of its own
            raise VectorStoreUnavailable(f"vector store query failed: {exc.__class__.__name__}: {exc}") from exc
        best: dict[str, float] = {}
        for meta, distance in zip((result["metadatas"] or [[]])[0], (result["distances"] or [[]])[0]):
            code = str(meta["code"])
            best[code] = max(best.get(code, -1.0), 1.0 - float(distance))
        return best

    def _has_general_sibling(self, code: str, marker: str, candidates: list[str]) -> bool:
        """Another candidate is the same procedure without ``marker`` (khai sinh vs khai sinh lưu động)."""
        marker_words = set(marker.replace(",", " ").split())
        words = self._name_tokens[code] - marker_words
        for other in candidates:
            if other == code or other not in self._name_tokens or marker in self._name_markers[other]:
                continue
            other_words = self._name_tokens[other]
            if words and len(words & other_words) / len(words | other_words) >= 0.5:
                return True
        return False

    def _same_procedure_elsewhere(self, code: str, candidates: list[str]) -> bool:
        """A candidate of another level carries (nearly) the same name: the ward's version should win the tie."""
        words = self._name_tokens[code]
        for other in candidates:
            if other == code or other not in self._name_tokens or other in self._ward_level:
                continue
            other_words = self._name_tokens[other]
            if len(words & other_words) / len(words | other_words) >= 0.5:
                return True
        return False

    def _prior(self, code: str, query: Query, candidates: list[str]) -> float:
        """Tie-breakers on top of the fused rank: the ward's own version of a procedure, the plan when asked
        about, and sibling markers. They reorder close candidates; they do not overrule clear evidence."""
        other_level = bool(_OTHER_LEVEL.search(query.folded))
        if code == PLAN_ID:  # the ward's own document, when the question points to it
            return self.ward_level_prior * PLAN_PRIOR if _PLAN_CUES.search(query.folded) and not other_level else 1.0
        proc = self.index.procedures.get(code)
        if proc is None:
            return 1.0
        ward_tie = code in self._ward_level and not other_level and self._same_procedure_elsewhere(code, candidates)
        factor = self.ward_level_prior if ward_tie else 1.0
        asked = asked_markers(query.folded)
        for marker in SIBLING_MARKERS:
            if marker not in self._name_markers[code]:
                continue
            if marker in asked:
                factor /= self.sibling_penalty
            elif self._has_general_sibling(code, marker, candidates):
                factor *= self.sibling_penalty  # a special case, and the general procedure is a candidate
        return factor

    def _evidence(self, query: Query) -> Evidence:
        """The three retrievers' scores for one question, fused by RRF."""
        chunk_hits = self._bm25_chunks(query)
        chunk_best = {doc: max(s for _, s in hits) for doc, hits in chunk_hits.items()}
        evidence = Evidence(chunk_hits, chunk_best, self._bm25_names(query), self._dense(query))
        for ranking in (evidence.chunk_ranks, evidence.name_ranks, evidence.dense_ranks):
            for code, r in ranking.items():
                evidence.fused[code] += 1.0 / (RRF_K + r)
        return evidence

    def features(self, query: Query, evidence: Evidence, codes: list[str]) -> np.ndarray:
        """One row of :data:`rag.ranking.FEATURE_NAMES` per candidate code."""
        fused_ranks = _ranks(evidence.fused)
        asked = asked_markers(query.folded)
        other_cue = bool(_OTHER_LEVEL.search(query.folded))
        plan_cue = bool(_PLAN_CUES.search(query.folded))
        words = {fold_diacritics(w) for w in syllables(query.search_text)}
        pairs = _pairs(fold_diacritics(query.search_text.casefold()))
        content = set(query.content_words)
        top_chunk = max(evidence.chunk_best.values(), default=0.0) or 1.0
        top_name = max(evidence.name_scores.values(), default=0.0) or 1.0
        top_dense = max(evidence.dense.values(), default=0.0)
        idf = self.word_idf(query.content_words)
        unseen_idf = self.index.keywords.unseen_idf()
        presence = self._present(codes, query.content_words)
        sentence = self._sentence_match(codes, query)
        rows = []
        for code, present, best_sentence in zip(codes, presence, sentence, strict=True):
            proc = self.index.procedures.get(code)
            name_words = self._name_tokens.get(code, set())
            name_pairs = self._name_pairs.get(code, set())
            phrases = self._phrases.get(code, [])
            vocabulary_words = self._vocabulary_words.get(code, name_words)
            name_markers = [m for m in SIBLING_MARKERS if m in self._name_markers.get(code, ())]
            unasked = [m for m in name_markers if m not in asked]
            ward = code in self._ward_level
            dense_sim = evidence.dense.get(code, 0.0)
            rows.append(
                [
                    evidence.fused.get(code, 0.0) * RRF_K,
                    _reciprocal(fused_ranks.get(code)),
                    _reciprocal(evidence.chunk_ranks.get(code)),
                    evidence.chunk_best.get(code, 0.0) / top_chunk,
                    _reciprocal(evidence.name_ranks.get(code)),
                    evidence.name_scores.get(code, 0.0) / top_name,
                    _reciprocal(evidence.dense_ranks.get(code)),
                    dense_sim,
                    top_dense - dense_sim if code in evidence.dense else 1.0,
                    len(name_words & words) / max(1, len(name_words)),
                    len(name_pairs & pairs) / max(1, len(name_pairs)),
                    len(content & vocabulary_words) / max(1, len(content)),
                    max((len(p & pairs) / len(p) for p, _ in phrases if p), default=0.0),
                    max((len(w & words) / len(w) for _, w in phrases if w), default=0.0),
                    *self.document_evidence(present, idf, unseen_idf),
                    *best_sentence,
                    *self.rare_words_in_name(code, query, idf),
                    sum(m in asked for m in name_markers),
                    len(unasked),
                    sum(self._has_general_sibling(code, m, codes) for m in unasked),
                    len(asked - set(name_markers)) if proc else 0,
                    float(ward),
                    float(ward and other_cue),
                    float(bool(proc) and not ward and other_cue),
                    float(ward and self._same_procedure_elsewhere(code, codes)),
                    float(code == PLAN_ID),
                    float(code == PLAN_ID and plan_cue),
                    top_dense,
                    min(len(content), 20) / 10,
                    float(query.english),
                ]
            )
        return np.asarray(rows, dtype=float).reshape(len(codes), len(FEATURE_NAMES))

    def candidates(self, query: Query, filters: RetrievalFilters | None = None) -> tuple[Evidence, list[str]]:
        """The fused candidates that pass the filters, best RRF first (the learned step reorders the head)."""
        filters = filters or RetrievalFilters()
        evidence = self._evidence(query)
        codes = []
        for code in sorted(evidence.fused, key=lambda c: (-evidence.fused[c], c)):
            chunk_ids = self._chunks_by_doc.get(code, [])
            if chunk_ids and filters.accepts(self.index.chunks[chunk_ids[0]]):
                codes.append(code)
        return evidence, codes

    def rank(self, query: Query, filters: RetrievalFilters | None = None, limit: int = 20) -> list[ProcedureHit]:
        """Procedures (and the plan) best first: by the learned model when the index has one, else RRF x priors."""
        evidence, codes = self.candidates(query, filters)
        head = codes[: self.rerank_depth]
        answerable: float | None = None
        coverage: dict[str, float] = {}
        if self.model is not None and head:
            features = self.features(query, evidence, head)
            probabilities = self.model.probabilities(features)
            answerable = self.model.answerable(features, probabilities)
            coverage = dict(zip(head, features[:, _COVERAGE_COLUMN].tolist()))
            # the tail keeps its RRF order below every re-ranked candidate
            scored = [*zip(head, probabilities.tolist()), *((c, -1.0 + evidence.fused[c]) for c in codes[len(head) :])]
        else:
            window = codes[:SIBLING_WINDOW]
            scored = [(c, evidence.fused[c] * self._prior(c, query, window)) for c in codes]
        scored.sort(key=lambda cs: -cs[1])
        query_syllables = {fold_diacritics(w) for w in syllables(query.search_text)}
        query_dang = _dang_kinds(fold_diacritics(query.search_text.casefold()))
        hits: list[ProcedureHit] = []
        for code, score in scored[:limit]:
            proc = self.index.procedures.get(code)
            name = proc.name if proc else self.index.chunks[self._chunks_by_doc[code][0]].title
            name_tokens = (self._name_tokens.get(code) or {fold_diacritics(w) for w in syllables(name)}) - GENERIC_NAME_WORDS
            matched = name_tokens & query_syllables
            if "dang" in matched and not query_dang & _dang_kinds(self._folded_names.get(code) or fold_diacritics(name.casefold())):
                matched.discard("dang")  # the question's "đang" is not the name's "đăng", or the reverse
            hits.append(
                ProcedureHit(
                    code=code,
                    score=score,
                    name=name,
                    chunks=[(self.index.chunks[i], s) for i, s in evidence.chunk_hits.get(code, [])],
                    dense_similarity=evidence.dense.get(code, 0.0),
                    name_overlap=len(matched) / max(1, len(name_tokens)),
                    name_matches=len(matched),
                    answerable=answerable,
                )
            )
        for hit in hits[:5]:
            hit.coverage = coverage[hit.code] if hit.code in coverage else self.coverage(hit.code, query)
        return hits

    def warm(self) -> None:
        """Read every record's sentences for the sentence features before serving (see :meth:`SentenceWords.read_all`)."""
        self._sentence_words.read_all()

    def _sentence_match(self, codes: list[str], query: Query) -> np.ndarray:
        """Per candidate: its best sentence's idf-weighted share of the words asked, the most word pairs asked one
        sentence holds, and both relative to the candidates' best.

        A detail question ("nhận cha con với người nước ngoài thì niêm yết bao lâu") is answered by one sentence
        that holds its words together; a long record also holds them scattered, which coverage cannot tell apart.
        """
        records = [self._sentence_words.record(code) for code in codes]  # first: a record read now may add words
        words = list(dict.fromkeys(query.content_words))
        idf = self.word_idf(words)
        weights = self._sentence_words.weights(words, idf / (float(idf.sum()) or 1.0))
        pairs = self._sentence_words.pair_ids(word_pairs(query.restored))
        best = np.zeros((len(codes), 2))
        for row, record in enumerate(records):
            if record.sentences:
                share = np.bincount(record.sentence_of_word, weights=weights[record.word_ids], minlength=record.sentences)
                together = np.bincount(record.sentence_of_pair, weights=np.isin(record.pair_ids, pairs), minlength=record.sentences)
                best[row] = share.max(), min(together.max(), MAX_SENTENCE_PAIRS) / MAX_SENTENCE_PAIRS
        return np.hstack([best, best / np.maximum(best.max(axis=0), 1e-9)])

    def chunks_of(self, code: str) -> list[Chunk]:
        """Every chunk of one document, in index order."""
        return [self.index.chunks[i] for i in self._chunks_by_doc.get(code, [])]

    def _present(self, codes: list[str], words: list[str]) -> list[np.ndarray]:
        """Per document, for each word, whether any of its chunks holds it (one slice of the keyword matrix)."""
        keywords = self.index.keywords
        ids = [keywords.term_ids.get(f"~{w}") for w in words]
        known = [k for k, i in enumerate(ids) if i is not None]
        rows_of = [self._chunks_by_doc.get(code, []) for code in codes]
        all_rows = [row for rows in rows_of for row in rows]
        result = [np.zeros(len(words), dtype=bool) for _ in codes]
        if not known or not all_rows:
            return result
        block = keywords.counts[all_rows][:, [ids[k] for k in known]].toarray() > 0
        start = 0
        for present, rows in zip(result, rows_of):
            present[known] = block[start : start + len(rows)].any(axis=0)
            start += len(rows)
        return result

    @staticmethod
    def document_evidence(present: np.ndarray, idf: np.ndarray, unseen_idf: float) -> tuple[float, float, float]:
        """Coverage, idf-weighted coverage, and the rarest question word the document lacks.

        A question about something in no record usually names a word no candidate contains
        ("khinh khí cầu"); plain coverage counts it like any other word.
        """
        if not len(present):
            return 1.0, 1.0, 0.0
        missing = idf[~present]
        rarest = float(missing.max() / unseen_idf) if len(missing) else 0.0
        return float(present.mean()), float(idf[present].sum() / idf.sum()), rarest

    def word_idf(self, words: list[str]) -> np.ndarray:
        keywords = self.index.keywords
        unseen = keywords.unseen_idf()
        return np.asarray([float(keywords.idf[i]) if (i := keywords.term_ids.get(f"~{w}")) is not None else unseen for w in words])

    def rare_words_in_name(self, code: str, query: Query, idf: np.ndarray) -> tuple[float, float]:
        """Like :meth:`document_evidence`, against the procedure's name and our vocabulary for it only.

        Long portal texts hold many words by chance; the name says what the procedure is about.
        """
        words = query.content_words
        if not words:
            return 1.0, 0.0
        vocabulary = self._vocabulary_words.get(code, set())
        present = np.asarray([w in vocabulary for w in words])
        missing = idf[~present]
        return float(idf[present].sum() / idf.sum()), float(missing.max() / self.index.keywords.unseen_idf()) if len(missing) else 0.0

    def names_by_a_pair(self, name: str, query: Query, max_name_share: float) -> bool:
        """The question's own words hold two adjacent words of the procedure's name, not of a sibling marker, that few
        names share: "khai sinh" names the birth, "đăng ký lại" or "cấp lại" a kind of procedure, "tờ khai" is not
        "khai sinh", and "online" is no "trực tuyến" of a name (the expansions of shorthand are not the question's)."""
        most_names = max_name_share * len(self._name_pairs)
        own = _name_pairs_of(name) & _pairs(query.folded)
        return any(pair not in self._marker_pairs and self._names_with_pair[pair] <= most_names for pair in own)

    def coverage(self, code: str, query: Query) -> float:
        """Share of the question's content words that occur anywhere in the document's chunks."""
        words = query.content_words
        return float(self._present([code], words)[0].mean()) if words else 1.0


class HybridRetriever(BaseRetriever):
    """LangChain retriever over :class:`HybridRanker`: one Document per procedure, best first."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    ranker: HybridRanker
    filters: RetrievalFilters = RetrievalFilters()
    k: int = 10

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        analyzed = self.ranker.analyzer.analyze(query)
        documents = []
        for hit in self.ranker.rank(analyzed, self.filters, self.k):
            best = max(hit.chunks, key=lambda cs: cs[1])[0] if hit.chunks else None
            first = best or self.ranker.chunks_of(hit.code)[0]
            documents.append(
                Document(
                    page_content=first.text,
                    metadata={**first.metadata(), "score": hit.score},
                )
            )
        return documents
