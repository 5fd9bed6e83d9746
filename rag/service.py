"""The answering chain used by the CLI, the API and the evaluation: one entry point, one result shape."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from typing import Literal

from index_store.embeddings import Embedder, make_embeddings
from index_store.ids import PLAN_ID
from index_store.store import IndexVersion
from rag.composer import (
    NO_DIFFERENCE_WORDS,
    compose_clarification,
    compose_plan_answer,
    compose_procedure_answer,
    name_differences,
    name_key,
    refusal_text,
)
from rag.english import understood_note
from rag.guard import CatalogueWording, check_question
from rag.life_events import ASKS_WHAT_TO_DO, ONE_PROCEDURE_INTENTS, LifeEventMatcher, about_one_procedure, compose_life_event_answer
from rag.llm import LLMPhraser
from rag.notes import LearnedNotes, NoteModel, asks_a_detail, asks_which_form, word_set
from rag.query import Query, bare_words, detect_intents, intents_beside_name
from rag.ranking import RankingModel
from rag.retriever import (
    GENERIC_NAME_WORDS,
    SIBLING_MARKERS,
    HybridRanker,
    ProcedureHit,
    RetrievalFilters,
    asked_markers,
    markers_of_name,
)
from tthc.schema import Answer, AnswerOption, LifeEvent, Procedure
from tthc.settings import Settings
from tthc.text import bm25_tokens, fold_diacritics, has_diacritics, syllables

log = logging.getLogger(__name__)

_CODE_IN_TEXT = re.compile(r"\bmã (\d\.\d{6})\b")
_ORDINALS = ("1", "2", "3", "4", "5", "nhat", "hai", "ba", "tu", "nam")
_ORDINAL = re.compile(r"\b(?:thu|so|cai|muc|phuong an) ?(1|2|3|4|5|nhat|hai|ba|tu|nam)\b")
_FOLLOWUP_CUE = re.compile(r"^(con|the con|vay|the|thi sao|con ve|neu|nhu vay|vay thi)\b")
# A thing pointed back at ("giấy đó", "cái này", "khoản bán đất này"): the turn is about what was said before, whatever
# names it holds. Folded "đó" is also "đỏ" ("sổ đỏ", "giấy đỏ"), so unaccented "do" points back only after a noun
# that is never red; "thẻ" only accented, since folded it is also "thế" ("thế này").
_POINTED_BACK = re.compile(r"\b(giấy tờ|giấy|cái|việc|thủ tục|hồ sơ|khoản|vụ|thẻ)( \w+){0,3} (này|đó|ấy|kia)\b")
_POINTED_BACK_FOLDED = re.compile(
    r"\b(giay to|giay|cai|viec|thu tuc|ho so|khoan|vu)( \w+){0,3} (nay|ay|kia)\b|\b(giay to|cai|viec|thu tuc|ho so) do\b"
)
# words that carry no topic: a question made of these and at most one other word is a follow-up
_FILLER_WORDS = (
    "con thi sao the vay nhu nao bao nhieu lau may ngay le phi can gi giay to ho so o dau nop va cua thu tuc do nay kia no "
    "la co khong duoc a nhe oi nhung cac buoc quy trinh dieu kien ket qua cu thoi han gian tien mat nua lam"
)
_FILLER = frozenset(_FILLER_WORDS.split())
# "nơi thường trú", "nơi cư trú": a place the citizen names, not the procedure "Đăng ký thường trú" (folded)
_PLACE_OF_RESIDENCE = re.compile(r"\bnoi (dang ky )?(thuong tru|tam tru|cu tru)\b")


EARLIER_TURNS = 2  # the citizen's turns read with a follow-up when the caller sends no assistant turn


def _place_words(folded: str) -> set[str]:
    """The words that only name a place of residence in a folded question: "còn đứa con 9 tuổi thì có phải về quê nơi
    thường trú làm không" names no other procedure than the card talked about."""
    elsewhere = set(_PLACE_OF_RESIDENCE.sub(" ", folded).split())
    return {word for match in _PLACE_OF_RESIDENCE.finditer(folded) for word in match.group(0).split()} - elsewhere


@dataclass
class Conversation:
    """What earlier turns tell about the current question."""

    focus: str | None = None  # the procedure being talked about
    options: list[str] = field(default_factory=list)  # choices the assistant offered last
    # the citizen's last turns, oldest first, when the caller sent no assistant turn (API clients, chat channels)
    earlier: list[str] = field(default_factory=list)


def other_level_note(proc: Procedure) -> str:
    """Who handles a procedure that is not the ward's, said first so nobody comes to the ward for it."""
    levels = ", ".join(level.lower() for level in proc.levels) or "cấp khác"
    agency = f" ({proc.agency})" if proc.agency else ""
    return f"Lưu ý: thủ tục này do {levels}{agency} giải quyết, không nộp tại phường."


@dataclass(frozen=True)
class AnswerPolicy:
    """Thresholds of the answer policy, none per question. The coverage, dense-similarity, clarification and
    name-overlap ones were set by hand in v1, before the decision sets existed, with the evaluation set in view; the
    ones with a comment were decided on the decision sets (``training/``), never on ``eval/``."""

    min_coverage: float = 0.5
    confident_coverage: float = 0.67
    confident_dense_similarity: float = 0.85
    clarify_ratio: float = 0.85
    # a sibling with the marker the question asks for goes first from this share of the best score (training, out of fold)
    marker_sibling_ratio: float = 0.3
    vague_name_overlap: float = 0.3
    new_topic_name_overlap: float = 0.5
    new_topic_name_words: int = 3
    # a follow-up turn is about one procedure of its own when the model scores it this many times the next
    # (training/followups: one conversation of 178 gained, none lost; the 76 two-turn training conversations the same)
    clear_lead_ratio: float = 2.0
    # a follow-up turn names a procedure of its own by a pair of its name's words that at most this share of the names
    # hold: on the portal's catalogue "thủ tục" (26%), "đối với" and "giấy phép" (15%) name nothing; "khai sinh" is 11%
    # of the curated names (training/followups and training/held-out: one conversation gained each, none lost; the 76
    # two-turn training conversations the same)
    naming_pair_share: float = 0.15
    # a follow-up read with the citizen's earlier turns picks its notes by its own words when it has this many content
    # syllables: "có cần đưa thông tin bản án ly hôn không hay chỉ cần cccd" asks of its own words, "hồ sơ nộp ở đâu"
    # needs the earlier turns' (training/followups: 2 of 178 gained, none lost; all own words lost 5; the 76 two-turn
    # training conversations the same)
    own_words_for_notes: int = 8
    # a follow-up's sibling shares this much of the earlier procedure's name, markers aside (Jaccard)
    sibling_name_share: float = 0.5
    # "X có cần <document> không": X names a procedure when this share of its words is in the name
    subject_name_share: float = 0.75
    subject_max_words: int = 5
    # the words of a sibling's difference a question must state to pick it ("… dịch thuật của Ủy ban …" is not typed)
    stated_difference_words: int = 3
    # below this probability that the best candidate is the procedure asked about, "not in our data" is the honest
    # answer. Decided on the decision sets: at 0.005, training/refusals 149 -> 156 of 194 refused, and of the
    # answerable questions 2 more of training/notes' 3,756 refused (both answered wrong) and 2 of the training
    # questions' 2,978 (one answered right; their out-of-scope ones 316 -> 323 of 412); none of training/validation,
    # training/followups or training/events. At 0.01 (167 of 194) situation questions of training/events answered
    # right at 0.008-0.009 were refused too: the probability is not calibrated that low for them
    min_top_probability: float = 0.005


# words that make "… không phải là cộng tác viên …" the negated sibling of "… là cộng tác viên …"
_NEGATION_WORDS = frozenset({"khong", "phai", "chua", "la"})
_NEGATIONS = frozenset({"khong", "chua"})  # the words of that set that negate alone


# markers of one choice that everyday words can name together: "bị mất", "làm lại" name cấp lại and đăng ký lại;
# "làm lại thẻ hết hạn" names cấp lại and cấp đổi
_ALTERNATIVE_MARKERS = (frozenset({"cap lai", "dang ky lai", "cap doi"}),)


def _missing_markers(asked: set[str], name_markers: frozenset[str], folded_question: str) -> set[str]:
    """The markers asked that a name (with ``name_markers``) lacks. A name with one of the alternatives asked lacks
    none of the others the question names only in everyday words; a marker the question spells out ("đăng ký lại …")
    is lacking on its own."""
    missing = asked - name_markers
    for group in _ALTERNATIVE_MARKERS:
        if any(m in name_markers and m in asked for m in group):
            missing -= {m for m in group if m not in folded_question}
    return missing


def _markers_of(name: str) -> frozenset[str]:
    """The sibling markers a procedure's name states."""
    return markers_of_name(fold_diacritics(name.casefold()))


# A procedure that undoes another: "Dừng thực hiện thủ tục đăng ký hộ kinh doanh", "Thu hồi giấy phép lái xe", "Hủy
# đăng ký dự án" (folded; 34 names of the portal). A question that says none of these words asks for the procedure
# itself, not for its undoing.
_UNDOING = re.compile(r"^(thu tuc )?(dung thuc hien|huy|thu hoi|dinh chi|rut)\b")
# "dừng" folds with "dùng" and "đúng" ("… có đúng không"): named with what it stops
_ASKS_TO_UNDO = re.compile(r"\b(dung (thuc hien|lai|thu tuc|dang ky|ho so)|huy|thu hoi|dinh chi|rut)\b")


def _undoes(name: str) -> bool:
    return bool(_UNDOING.match(fold_diacritics(name.casefold())))


def _name_words(name: str) -> set[str]:
    """A procedure name's folded syllables, without the generic "thủ tục" some names start with."""
    return set(word_set(name) - GENERIC_NAME_WORDS)


# The words of "(thực hiện tại cấp huyện)", "cấp tỉnh", "cấp xã": names that differ only in them name one procedure
# at two levels of government
_LEVEL_WORDS = frozenset({"thuc", "hien", "tai", "o", "cap", "xa", "huyen", "tinh", "trung", "uong"})


def accent_clash(name: str, other_name: str) -> set[str]:
    """The words of ``name`` that ``other_name`` holds only folded: "đóng" of "Công bố đóng cảng, bến" beside the
    "động" of "Công bố hoạt động bến". Folded, both names have "dong", and a question's "đóng" tells them apart."""
    words, other_words = set(syllables(name)), set(syllables(other_name))
    other_folded = {fold_diacritics(w) for w in other_words}
    return {w for w in words - other_words if fold_diacritics(w) in other_folded}


def _the_wards_level_of(top: Procedure, other: Procedure) -> bool:
    """``other`` is ``top`` at the ward's level: their names differ only in the level, and only ``other``'s names
    the commune level. The portal lists both at cấp xã since the districts went (2025)."""
    words_top, words_other = _name_words(top.name), _name_words(other.name)
    differ = words_top ^ words_other
    names_commune = ["cap xa" in fold_diacritics(p.name.casefold()) for p in (top, other)]
    return bool(differ) and differ <= _LEVEL_WORDS and names_commune == [False, True] and other.is_ward_level


def ranking_model(index: IndexVersion) -> RankingModel | None:
    """The learned ranking step stored with the version, or None (RRF fallback) with the reason logged."""
    if index.ranker is None:
        log.info("index %s has no learned ranker: ranking by RRF", index.name)
        return None
    model = RankingModel.from_dict(index.ranker)
    if model is None:
        log.warning("index %s: its ranker was trained on other features than this code computes; ranking by RRF", index.name)
    elif not model.fits(index.manifest.embedding):
        built = index.manifest.embedding
        log.info("index %s: its ranker learned %s similarities, the index uses %s; ranking by RRF", index.name, model.embedding, built)
        return None
    return model


class Assistant:
    """Understands, retrieves and composes. Built once; ``answer`` is stateless."""

    def __init__(self, index: IndexVersion, embeddings: Embedder, settings: Settings) -> None:
        self.index = index
        self.ranker = HybridRanker(
            index,
            embeddings,
            ward_level_prior=settings.ward_level_prior,
            sibling_penalty=settings.sibling_penalty,
            model=ranking_model(index),
            rerank_depth=settings.rerank_depth,
            own_place_names=settings.ward_place_names,
        )
        self.notes = NoteModel.from_dict((index.ranker or {}).get("notes"))
        if self.notes is None:
            log.info("index %s has no note model: notes are picked by word overlap", index.name)
        self.ward_name, self.contact_centre = settings.ward_name, settings.contact_centre
        self.policy = AnswerPolicy()
        self.events = LifeEventMatcher(index.life_events) if index.life_events else None
        self.catalogue = CatalogueWording([p.name for p in index.procedures.values()])
        # each procedure's folded name and name words: a follow-up's sibling is looked up among them
        self.sibling_names = [(c, fold_diacritics(p.name.casefold()), _name_words(p.name)) for c, p in index.procedures.items()]
        self.phraser = (
            LLMPhraser(settings.llm_base_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout, settings.ward_name)
            if settings.llm_base_url
            else None
        )

    @property
    def version(self) -> str:
        return self.index.name

    def _refusal(self, reason: str) -> str:
        return refusal_text(reason, self.ward_name, self.contact_centre)

    def _conversation(self, history: list[dict]) -> Conversation:
        """What the conversation so far is about, from the assistant's last turn or, without one, the user's."""
        state = Conversation()
        for turn in reversed(history):
            content = str(turn.get("content", ""))
            if turn.get("role") == "assistant" and not (state.focus or state.options):
                codes = list(dict.fromkeys(_CODE_IN_TEXT.findall(content)))
                if len(codes) > 1:  # a clarifying question or a life event: the next turn picks one
                    state.options = [c for c in codes if c in self.index.procedures]
                elif codes:
                    state.focus = codes[0]
        if not any(turn.get("role") == "assistant" for turn in history):
            users = [str(turn.get("content", "")) for turn in history if turn.get("role") == "user"]
            state.earlier = users[-EARLIER_TURNS:]
        return state

    def _stands_out_alone(self, hits: list[ProcedureHit]) -> bool:
        """The question on its own is about a procedure whose name stands out: no other name among the best few holds
        as large a share of its words asked (the same name at another level aside). "đăng ký lại" holds as much of
        "đăng ký lại khai sinh" as of "đăng ký lại kết hôn": it names a marker, and the earlier turns say of what."""
        if not hits or hits[0].code == PLAN_ID or self._weak(hits[0]):
            return False
        top = hits[0]
        words = _name_words(top.name) - _LEVEL_WORDS
        return not any(
            h.name_overlap >= top.name_overlap and _name_words(h.name) - _LEVEL_WORDS != words for h in hits[1:3] if h.code != PLAN_ID
        )

    def _leads_by_score(self, hits: list[ProcedureHit]) -> bool:
        """The model scores the best at least ``clear_lead_ratio`` times the next ("còn sửa thông tin bị sai trong cơ sở
        dữ liệu dân cư", where "Khai thác thông tin … dân cư" holds as many of its words)."""
        return len(hits) < 2 or hits[1].score * self.policy.clear_lead_ratio <= hits[0].score

    def _names_a_procedure(self, hits: list[ProcedureHit]) -> bool:
        """The question on its own names one procedure: most of its name's words, at least three of them, and a name
        that stands out among the best few."""
        if not self._stands_out_alone(hits):
            return False
        top = hits[0]
        return top.name_overlap >= self.policy.new_topic_name_overlap and top.name_matches >= self.policy.new_topic_name_words

    def _surer_alone(self, hits: list[ProcedureHit], joined_hits: list[ProcedureHit], query: Query) -> bool:
        """The turn on its own is about one procedure more surely than read with the earlier turns: a question with a
        topic of its own ("… xin trích xuất thông tin trong cơ sở dữ liệu dân cư" after a new card). It names the
        procedure by a pair of its name's words, and the name stands out or the model's lead does. Without the pair a
        lead is the model's reading of generic words: "xin lại thì điền tờ khai mẫu nào" led with the birth's
        re-registration after a torn health-insurance card, "nếu nộp online thì có cần gửi bản chính không" with
        the courts' online filing after a seafood certificate."""
        if not hits or hits[0].code == PLAN_ID or self._weak(hits[0]):
            return False
        named = self.ranker.names_by_a_pair(hits[0].name, query, self.policy.naming_pair_share)
        alone = named and (self._stands_out_alone(hits) or self._leads_by_score(hits))
        return alone and (not joined_hits or hits[0].score > joined_hits[0].score)

    def _in_vietnamese(self, turns: list[str]) -> str:
        """The citizen's turns as one text, each read in Vietnamese (an English turn by the terms it names)."""
        return " ".join(self.ranker.analyzer.vietnamese(t) for t in turns)

    def _with_earlier_turns(self, query: Query, earlier: list[str]) -> Query:
        """The question read together with the citizen's earlier turns; it still asks what it asks."""
        joined = self.ranker.analyzer.analyze(self._in_vietnamese([*earlier, query.original]))
        joined.intents, joined.ask = query.intents, query.ask
        return joined

    @staticmethod
    def _points_back(query: Query) -> bool:
        """The turn points back at a thing said before: "nếu làm mất luôn giấy đó thì xin lại mất mấy ngày"."""
        return bool(_POINTED_BACK.search(query.normalized) or _POINTED_BACK_FOLDED.search(query.folded))

    @staticmethod
    def _names_nothing(query: Query) -> bool:
        """At most one word that is not about any procedure in particular: "thế nộp ở đâu", "lệ phí bao nhiêu"."""
        return len([s for s in query.folded.split() if s not in _FILLER]) <= 1

    def _turned_to(self, hits: list[ProcedureHit], earlier_code: str, query: Query) -> ProcedureHit | None:
        """The procedure among the best few whose name the turn's own words name, and more of its words than of the
        one talked about: "còn khai tử thì sao" after a birth."""
        if earlier_code not in self.index.procedures:
            return None
        asked = set(query.content_words) - _place_words(query.folded)
        named_earlier = len(_name_words(self.index.procedures[earlier_code].name) & asked)
        best: tuple[int, float, ProcedureHit] | None = None
        for hit in hits[:3]:
            if hit.code in (earlier_code, PLAN_ID) or self._weak(hit) or hit.name_overlap < self.policy.new_topic_name_overlap:
                continue
            named = len(_name_words(hit.name) & asked)
            if named >= 2 and named > named_earlier and (best is None or (named, hit.name_overlap) > best[:2]):
                best = (named, hit.name_overlap, hit)
        return best[2] if best else None

    def _stays_on(self, focus_code: str, hits: list[ProcedureHit], query: Query) -> bool:
        """A question in a conversation stays on its procedure unless it clearly names another one: more of another's
        name's words than of its own, or, not starting "còn …", "thế …", words found in another procedure only."""
        if self._names_nothing(query) or not hits or hits[0].code == focus_code:
            return True
        if self._turned_to(hits, focus_code, query) is not None:
            return False
        if _FOLLOWUP_CUE.match(query.folded):
            return True
        top = hits[0]
        names_another = top.name_overlap >= self.policy.new_topic_name_overlap
        return not (names_another and top.coverage > self.ranker.coverage(focus_code, query))

    def _sibling_of_earlier_turns(self, earlier: list[str], this_turn: Query, filters: RetrievalFilters | None) -> str | None:
        """The sibling, with the marker this turn asks for, of the procedure the citizen's earlier turns are about on
        their own: read with them, "nếu không xây mới mà chỉ sửa chữa, cải tạo nhà cũ thì cần thêm bản vẽ gì" after
        "tôi muốn xin giấy phép xây nhà mới" matched the building life event, not the repair permit beside the new one."""
        hits = self.ranker.rank(self.ranker.analyzer.analyze(self._in_vietnamese(earlier)), filters, limit=1)
        if not hits or hits[0].code not in self.index.procedures or self._weak(hits[0]):
            return None
        return self._marker_sibling(hits[0].code, this_turn)

    def _marker_sibling(self, earlier_code: str, query: Query) -> str | None:
        """The sibling of the procedure talked about whose name has the marker this turn asks for: "thế cấp lại thì bao
        nhiêu" after cấp đổi, "còn con dưới 14 tuổi" after the card from 14. Siblings share their name but its
        markers; the closest one, at the ward's level first, is meant."""
        earlier = self.index.procedures[earlier_code]
        earlier_name = fold_diacritics(earlier.name.casefold())
        earlier_markers = markers_of_name(earlier_name)
        asked = asked_markers(query.folded)
        missing = asked - earlier_markers
        if not missing:
            return None
        best: tuple[float, bool, str] | None = None
        for code, name, words in self.sibling_names:
            markers = markers_of_name(name)
            if code == earlier_code or not missing & markers:
                continue
            if markers - earlier_markers - asked:
                continue  # "… cho người đã có hồ sơ, giấy tờ cá nhân": a case nobody asked about
            marked = {w for m in SIBLING_MARKERS if m in name or m in earlier_name for w in m.replace(",", "").split()}
            own, theirs = words - marked, _name_words(earlier.name) - marked
            closeness = len(own & theirs) / len(own | theirs) if own | theirs else 0.0
            candidate = (closeness, self.index.procedures[code].is_ward_level, code)
            if closeness >= self.policy.sibling_name_share and (best is None or candidate[:2] > best[:2]):
                best = candidate
        return best[2] if best else None

    def _asked_of_its_subject(self, query: Query, hits: list[ProcedureHit], filters: RetrievalFilters | None) -> list[ProcedureHit]:
        """The candidates for what a document question is about. "đăng ký kết hôn có cần giấy xác nhận tình trạng hôn
        nhân không" ranks the certificate's own procedure first, "tách hộ có cần sổ hộ khẩu không" the residence
        registration that "hộ khẩu" stands for; the question is about the procedure named before the document, when
        those few words name one (most of them in its name, two at least) better than the best candidate's name does.
        A longer subject is a situation ("đất rừng đã có đề án … rồi thì") or the document itself ("bản sao hợp đồng
        hợp tác kinh doanh có phải nộp …"): the question is then about what the ranker found."""
        ask = query.ask
        if not ask or ask.kind != "document" or not hits or hits[0].code == PLAN_ID:
            return hits
        restored = " ".join(query.restored.split())
        at = fold_diacritics(restored.casefold()).find(fold_diacritics(" ".join(ask.item.split()).casefold()))
        if at <= 0:
            return hits
        subject = self.ranker.analyzer.analyze(restored[:at])
        subject_hits = self.ranker.rank(subject, filters, limit=20)
        if not subject_hits or subject_hits[0].code in (hits[0].code, PLAN_ID) or self._weak(subject_hits[0]):
            return hits
        asked = set(subject.content_words)
        named = len(_name_words(subject_hits[0].name) & asked)
        short = len(asked) <= self.policy.subject_max_words  # a name, not a situation or a document described
        names_it = short and named >= 2 and named >= self.policy.subject_name_share * len(asked)
        return subject_hits if names_it and len(_name_words(hits[0].name) & asked) < named else hits

    @staticmethod
    def _chosen_option(options: list[str], hits: list[ProcedureHit], query: Query) -> str | None:
        """The option a reply to a clarifying question picks: by ordinal ("cái thứ hai") or by words."""
        ordinal = _ORDINAL.search(query.folded)
        if ordinal:
            index = _ORDINALS.index(ordinal.group(1)) % 5
            return options[index] if index < len(options) else None
        return next((h.code for h in hits if h.code in options), None)

    def _undecided_siblings(self, top: ProcedureHit, other: ProcedureHit, query: Query) -> bool:
        """Two near-identical procedures, and the question says nothing that tells them apart.

        A general procedure and its special case (…lưu động, …có yếu tố nước ngoài, "… khai sinh, đăng ký thường
        trú, cấp thẻ BHYT" beside "… khai sinh, cấp thẻ BHYT") are not undecided: without the case in the question,
        the general one is meant. On the decision sets, of the clarifying questions between a best candidate and
        one that adds words to its name, the best was right in 11 and the longer one in 5 (validation, old notes,
        training questions, with the listwise ranker); a marker was required before.
        """
        if top.code not in self.index.procedures or other.code not in self.index.procedures:
            return False
        a, b = _name_words(top.name) - NO_DIFFERENCE_WORDS, _name_words(other.name) - NO_DIFFERENCE_WORDS
        if len(a & b) / len(a | b) < 0.5:
            return False
        asked = set(query.content_words)
        if asked & ((a - b) | (b - a)):
            return False
        if has_diacritics(query.normalized) and set(syllables(query.normalized)) & accent_clash(top.name, other.name):
            return False  # typed with its accents, "đóng bến" is not "hoạt động bến"
        if _the_wards_level_of(self.index.procedures[other.code], self.index.procedures[top.code]):
            return False  # the ward's own level is meant (see _ward_level_sibling_first)
        if asked_markers(query.folded) & (_markers_of(top.name) ^ _markers_of(other.name)):
            return False  # the question names (in everyday words) the marker that tells them apart
        if _undoes(other.name) and not _undoes(top.name) and not _ASKS_TO_UNDO.search(query.folded):
            return False  # "đăng ký hộ kinh doanh" is not "Dừng thực hiện thủ tục đăng ký hộ kinh doanh"
        # "… không phải là cộng tác viên" beside "… là cộng tác viên" is the other case, not a special one
        return bool(a - b) or bool((b - a) & _NEGATIONS)

    @staticmethod
    def _turn_markers(this_turn: Query, joined: Query) -> set[str] | None:
        """The markers a turn read with the citizen's earlier ones asks for: its own, and the earlier turns' that it
        does not replace. "đăng ký lại" after "chồng người Nhật" asks for both; "thế cấp lại" after "cấp đổi" asks for
        cấp lại alone."""
        own = asked_markers(this_turn.folded)
        if not own:
            return None
        earlier = asked_markers(joined.folded) - own
        replaced = {m for group in _ALTERNATIVE_MARKERS if own & group for m in group}
        return own | (earlier - replaced)

    def _asked_marker_first(self, hits: list[ProcedureHit], query: Query, asked: set[str] | None = None) -> list[ProcedureHit]:
        """A sibling whose name has the marker the question asks for goes before the best one, which lacks it.

        "lấy chồng người Nhật, đăng ký kết hôn" names "có yếu tố nước ngoài" in everyday words; when the model scores
        the plain procedure higher, the sibling the question describes is still the one meant. "Higher" has a limit
        (``marker_sibling_ratio``): out of fold on the training questions, moving siblings from 0.3 of the best score
        put 8 right and 1 wrong, against 1 and 0 at the clarifying ratio (0.85).
        """
        if len(hits) < 2 or hits[0].code == PLAN_ID:
            return hits
        top = hits[0]
        top_markers = _markers_of(top.name)
        missing = _missing_markers(asked_markers(query.folded) if asked is None else asked, top_markers, query.folded)
        # a marker no close candidate's name has chooses between none of them ("mẹ cháu đã mất" beside "người Thái")
        missing &= set().union(*(_markers_of(h.name) for h in hits[1:4] if h.code != PLAN_ID))
        if not missing:
            return hits
        top_words = _name_words(top.name)
        for hit in hits[1:4]:
            if hit.code == PLAN_ID or hit.score < self.policy.marker_sibling_ratio * top.score:
                continue
            markers = _markers_of(hit.name)
            words = _name_words(hit.name)
            unasked = markers - top_markers - missing
            siblings = top_words <= words or len(top_words & words) / len(top_words | words) >= 0.5  # the same name, a marker added
            if not _missing_markers(missing, markers, query.folded) and not unasked and siblings:
                return [hit, *[h for h in hits if h is not hit]]
        return hits

    def _ward_level_sibling_first(self, hits: list[ProcedureHit]) -> list[ProcedureHit]:
        """The ward's own level of a procedure the portal also lists at another level ("Trình báo mất hộ chiếu …
        (thực hiện tại cấp huyện)" / "(… cấp xã)") goes first: a citizen asking the ward means the ward's, and a
        question "cấp huyện hay cấp xã?" is one they cannot answer (districts no longer exist)."""
        if len(hits) < 2 or hits[0].code == PLAN_ID:
            return hits
        top = self.index.procedures.get(hits[0].code)
        if top is None:
            return hits
        for hit in hits[1:4]:
            proc = self.index.procedures.get(hit.code)
            if proc is not None and hit.score >= self.policy.clarify_ratio * hits[0].score and _the_wards_level_of(top, proc):
                return [hit, *[h for h in hits if h is not hit]]
        return hits

    def _life_event(
        self, text: str, ranked: list[ProcedureHit], hits: list[ProcedureHit], query: Query, with_earlier_turns: bool
    ) -> tuple[LifeEvent, float] | None:
        """The life event the question is about as a whole, and how sure: the learned decision when the index
        version has one, else the trigger rule and :meth:`_describes_event`. The model learned from single
        questions; a question read together with the citizen's earlier turns is left to the rule, as before it."""
        if self.events is None or about_one_procedure(ranked, query):
            return None
        model = self.ranker.model.events if self.ranker.model is not None and not with_earlier_turns else None
        if model is not None:
            return model.choose(self.index.life_events, self.events.overlaps(text), ranked, query)
        match = self.events.match(text)
        return (match.event, match.share) if match and self._describes_event(match.event, hits, query) else None

    def _describes_event(self, event: LifeEvent, hits: list[ProcedureHit], query: Query) -> bool:
        """The question is about the life event as a whole, not about one procedure.

        A question that asks for a single fact (a deadline, a fee) is about one procedure. So is one that asks for
        documents or a detail (a form, how many) when one procedure clearly leads, unless it asks what to do as a
        whole ("cần lo những giấy tờ nào"): otherwise the event's list is a better answer than a choice between two.
        So is a question whose best candidate is a confident procedure outside the event: the trigger words matched
        by chance ("mất" as lost, not died).
        """
        if not hits:
            return True
        top = hits[0]
        if self._weak(top):
            return True
        in_event = top.code in {step.code for step in event.procedures}
        one_procedure_asked = ("documents" in query.intents and not ASKS_WHAT_TO_DO.search(query.folded)) or asks_a_detail(query.folded)
        if one_procedure_asked and not self._close_choices(hits, query):
            return False  # "hồ sơ xin giấy phép xây dựng cần thêm giấy gì", "… theo mẫu nào": the one procedure that is clear
        return in_event and not ONE_PROCEDURE_INTENTS.intersection(query.intents)

    def _weak(self, hit: ProcedureHit) -> bool:
        """The model finds the best candidate unlikely, or too few of the question's words occur in its document."""
        model = self.ranker.model
        if model is not None and hit.answerable is not None and hit.answerable < model.answer_threshold_for(hit.code):
            return True  # the learned answerability; its thresholds were set on the training questions
        policy = self.policy
        if model is not None and hit.score < policy.min_top_probability:
            return True  # the best candidate is all but surely not the one asked about
        if hit.coverage < policy.min_coverage:
            return True
        return hit.coverage < policy.confident_coverage and hit.dense_similarity < policy.confident_dense_similarity

    def _confidence(self, hit: ProcedureHit) -> float:
        """How likely the best candidate is the procedure asked about: the model's probability when there is one."""
        if self.ranker.model is not None:
            return min(1.0, max(0.0, hit.score))
        return min(1.0, 0.5 * hit.name_overlap + 0.5 * max(0.0, (hit.dense_similarity - 0.75) / 0.2))

    def warm(self) -> None:
        """Before serving: read what answers would otherwise read on first use (every record's sentences, ~5 s)."""
        self.ranker.warm()

    def answer(self, question: str, history: list[dict] | None = None, filters: RetrievalFilters | None = None) -> Answer:
        started = time.perf_counter()
        result = self._answer(question, history or [], filters)
        result.latency_ms = round((time.perf_counter() - started) * 1000, 2)
        return result

    def _answer(self, question: str, history: list[dict], filters: RetrievalFilters | None) -> Answer:
        verdict = check_question(question, self.catalogue)
        if verdict.refused:
            log.info("refused before retrieval: %s", verdict.reason)
            return Answer(answer=self._refusal(verdict.reason or ""), refused=True)
        query = self.ranker.analyzer.analyze(question)
        if query.english and not query.normalized:
            log.info("refused before retrieval: english question with no known term")
            return Answer(answer=self._refusal("english_unknown"), refused=True, scope="none")
        result = self._answer_query(question, query, history, filters)
        if query.english and not result.refused:  # an English asker sees what was searched for
            result.answer = f"{understood_note(query.normalized)}\n{result.answer}"
        return result

    def _answer_query(self, question: str, query: Query, history: list[dict], filters: RetrievalFilters | None) -> Answer:
        named = _CODE_IN_TEXT.search(question)
        if named and named.group(1) in self.index.procedures:  # "… (mã 2.001008)": a choice the citizen picked
            hits = self.ranker.rank(query, filters, limit=20)
            retrieved = [named.group(1), *[h.code for h in hits if h.code != named.group(1)]]
            return self._procedure_answer(question, named.group(1), query, retrieved, confidence=0.9)
        talk = self._conversation(history) if history else Conversation()
        asked = query.normalized  # this turn's words: a life event is matched on them, not on earlier turns
        hits = self._asked_of_its_subject(query, self.ranker.rank(query, filters, limit=20), filters)
        points_back = self._points_back(query)
        read_with_earlier_turns = bool(talk.earlier) and (points_back or not self._names_a_procedure(hits))
        this_turn, turned = query, None
        # "còn …", "thế …" may turn to another procedure; "… giấy đó …" stays on the one it points back at
        cue = bool(_FOLLOWUP_CUE.match(query.folded)) and not self._names_nothing(query) and not points_back
        if read_with_earlier_turns:
            # only the citizen's turns: what they said before tells what this question is about
            joined = self._with_earlier_turns(query, talk.earlier)
            joined_hits = self.ranker.rank(joined, filters, limit=20)
            turned = self._turned_to(hits, joined_hits[0].code, query) if cue and joined_hits else None
            if turned is None and (points_back or not self._surer_alone(hits, joined_hits, query)):
                query, hits = joined, joined_hits
            read_with_earlier_turns = query is joined
        elif talk.focus and not self._names_nothing(query) and not points_back:
            turned = self._turned_to(hits, talk.focus, query)
        if turned is not None:  # "còn khai tử thì sao": the procedure this turn names goes first
            hits = [turned, *[h for h in hits if h is not turned]]
        ranked = hits  # as the ranker gave them: the event model learned from them
        turn_markers = self._turn_markers(this_turn, query) if read_with_earlier_turns else None  # None: this turn's own
        # the words the notes are picked by: this turn's own when it says enough of its own
        worded = this_turn if len(this_turn.content_words) >= self.policy.own_words_for_notes else query
        hits = self._ward_level_sibling_first(self._asked_marker_first(hits, query, turn_markers))
        retrieved = [h.code for h in hits]
        chosen = self._chosen_option(talk.options, hits, query) if talk.options else None
        focus = chosen or talk.focus
        # a turn that points back ("giấy đó") stays on the procedure talked about
        stays = focus in self.index.procedures and (chosen or points_back or self._stays_on(focus, hits, query))
        # the procedure talked about: the assistant's, or the one the citizen's earlier turns with this one rank first
        talked_about = focus if stays else None
        if talked_about is None and read_with_earlier_turns and hits and hits[0].code in self.index.procedures:
            talked_about = hits[0].code
        # "thế cấp lại thì sao": its sibling, for a turn that does not name a procedure of its own
        sibling = self._marker_sibling(talked_about, this_turn) if talked_about and not chosen else None
        if sibling is None and read_with_earlier_turns and asked_markers(this_turn.folded):
            sibling = self._sibling_of_earlier_turns(talk.earlier, this_turn, filters)
        focus = sibling or focus
        if focus and (sibling or stays):
            retrieved = [focus, *[c for c in retrieved if c != focus]]
            return self._procedure_answer(question, focus, worded, retrieved, confidence=0.8)
        event = self._life_event(asked, ranked, hits, query, read_with_earlier_turns)
        if event:
            life_event, probability = event
            text, citations = compose_life_event_answer(life_event, self.index.procedures)
            codes = [step.code for step in life_event.procedures]
            options = [AnswerOption(code=step.code, name=step.name, note=step.what_for) for step in life_event.procedures]
            if hits and hits[0].code in codes:  # the step the question itself points at leads
                codes = [hits[0].code, *[c for c in codes if c != hits[0].code]]
            ordered = [*codes, *[c for c in retrieved if c not in codes]]
            return Answer(
                answer=text,
                citations=citations,
                retrieved=ordered,
                focus_code=codes[0],
                confidence=round(probability, 3),
                options=options,
                scope="ward",
                life_event=life_event.id,
            )
        if not hits or self._weak(hits[0]):
            return Answer(answer=self._refusal("weak_evidence"), refused=True, retrieved=retrieved, scope="none")
        top = hits[0]
        confidence = round(self._confidence(top), 3)
        if top.code == PLAN_ID:
            chunks = [c for c, _ in sorted(top.chunks, key=lambda cs: -cs[1])] or self.ranker.chunks_of(PLAN_ID)[:1]
            text, citations = compose_plan_answer(chunks, bm25_tokens(query.search_text))
            return Answer(answer=text, citations=citations, retrieved=retrieved, focus_code=PLAN_ID, confidence=confidence)
        same_named = self._same_named(hits)
        close = self._close_choices([h for h in hits if h not in same_named], query)
        stated = self._stated_choice([top, *close], query) if close else None
        if stated is not None:  # "tôi không phải cộng tác viên": asking which would ask what was said
            retrieved = [stated.code, *[c for c in retrieved if c != stated.code]]
            return self._procedure_answer(question, stated.code, worded, retrieved, confidence)
        if close:
            choices = [self.index.procedures[h.code] for h in [top, *close]]
            text, citations = compose_clarification(choices, self._note_picker(query), _intents_asked_of(query, choices[0]))
            return Answer(
                answer=text,
                citations=citations,
                clarification=True,
                options=[AnswerOption(code=p.code, name=p.name) for p in choices],
                retrieved=retrieved,
                focus_code=top.code,
                confidence=confidence,
            )
        return self._procedure_answer(question, top.code, worded, retrieved, confidence, [h.code for h in same_named])

    def _stated_choice(self, choices: list[ProcedureHit], query: Query) -> ProcedureHit | None:
        """The one of near-identical procedures whose difference the question states in so many words.

        "… người dịch không phải là cộng tác viên …" and "… người dịch là cộng tác viên …" differ by a negation, which
        the content words drop: "tôi không phải cộng tác viên" states the first, "là cộng tác viên" (not negated) the
        second. The first words after the negation say it (``stated_difference_words``).
        """
        text = f" {' '.join(bare_words(query.folded))} "
        differences = name_differences([hit.name for hit in choices])
        stated: dict[str, ProcedureHit] = {}  # by code: both siblings' differences may point at the same one
        for hit, difference in zip(choices, differences, strict=True):
            words = fold_diacritics(difference.casefold()).split()
            negation = next((i for i, word in enumerate(words) if word not in _NEGATION_WORDS), len(words))
            said = " ".join(words[negation : negation + self.policy.stated_difference_words])
            if not said or f" {said} " not in text:
                continue
            negated = re.search(rf" (khong|ko|k|chua) (phai )?(la )?{re.escape(said)} ", text)
            if not negation or negated:
                stated[hit.code] = hit
            else:  # the words without their negation: the sibling whose name lacks it
                stated |= {other.code: other for other, its_difference in zip(choices, differences, strict=True) if not its_difference}
        return next(iter(stated.values())) if len(stated) == 1 else None

    def _same_named(self, hits: list[ProcedureHit]) -> list[ProcedureHit]:
        """Candidates the portal lists under the best one's name and field: nothing tells them apart to ask."""
        if not hits:
            return []
        top = self.index.procedures.get(hits[0].code)
        if top is None:
            return []
        return [
            h
            for h in hits[1:4]
            if (proc := self.index.procedures.get(h.code)) is not None
            and proc.field == top.field
            and name_key(proc.name) == name_key(top.name)
        ]

    def _close_choices(self, hits: list[ProcedureHit], query: Query) -> list[ProcedureHit]:
        """The candidates too close to the best one to answer without asking which is meant."""
        top = hits[0]
        close = [h for h in hits[1:4] if h.code != PLAN_ID and h.score >= self.policy.clarify_ratio * top.score]
        undecided = [h for h in close if self._undecided_siblings(top, h, query)]
        vague = len(query.content_words) <= 3 and top.name_overlap < self.policy.vague_name_overlap
        return undecided or (close if vague else [])

    def _note_picker(self, query: Query) -> LearnedNotes | None:
        """The index version's note model reading this question; None without one (the composer's rule then picks)."""
        return LearnedNotes(self.notes, query, self.ranker.word_idf) if self.notes else None

    def _procedure_answer(
        self, question: str, code: str, query: Query, retrieved: list[str], confidence: float, same_named: list[str] | None = None
    ) -> Answer:
        """The composed answer, after who handles it when not the ward and before the portal's other codes of its name."""
        proc = self.index.procedures[code]
        notes = self._note_picker(query)
        intents = _intents_asked_of(query, proc)
        other_level = None if proc.is_ward_level else other_level_note(proc)
        same_name = _same_name_note([code, *same_named]) if same_named else None
        taken = sum(len(line) + 1 for line in (other_level, same_name) if line)  # the composer leaves these to them
        asks_form = asks_which_form(query.folded)
        text, citation = compose_procedure_answer(proc, intents, query.content_words, query.ask, notes, taken, asks_form)
        if self.phraser is not None:
            phrased = self.phraser.phrase(question, text)
            if phrased:
                text = f"{phrased}\n{text.splitlines()[-1]}"  # the source line is always ours
        if same_name:
            text = _before_card_link(text, same_name)
        if other_level:
            text = f"{other_level}\n{text}"
        scope: Literal["ward", "other_level"] = "ward" if proc.is_ward_level else "other_level"
        return Answer(answer=text, citations=[citation], retrieved=retrieved, focus_code=code, confidence=confidence, scope=scope)


def _intents_asked_of(query: Query, proc: Procedure) -> list[str]:
    """What the question asks of ``proc``: read from this question (not a follow-up's or an English one's), words that
    only repeat its name ask for no section."""
    if query.intents == detect_intents(query.folded):
        return intents_beside_name(query.folded, proc.name)
    return list(query.intents)


def _same_name_note(codes: list[str]) -> str:
    """That the portal has the procedure more than once, and which of its codes the answer follows."""
    return f"Cổng Dịch vụ công có {len(codes)} thủ tục cùng tên này (mã {', '.join(codes)}); câu trả lời theo mã {codes[0]}."


def _before_card_link(text: str, note: str) -> str:
    """The answer with ``note`` just before the link to the full card."""
    lines = text.split("\n")
    at = next((i for i, line in enumerate(lines) if line.startswith("Xem đầy đủ")), len(lines) - 1)
    return "\n".join([*lines[:at], note, *lines[at:]])


def load_assistant(settings: Settings, embeddings: Embedder | None = None) -> Assistant:
    """Load the current index version and the embedder once; refuses a mismatched embedding model."""
    index = IndexVersion.load(settings)
    embedder = embeddings or make_embeddings(settings)
    index.manifest.check_embedding(embedder.spec)
    return Assistant(index, embedder, settings)
