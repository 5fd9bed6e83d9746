"""What restates a measured question's situation: a vocabulary phrase or a decision-set question that tells the story of
an evaluation or fresh question in other words ("bố e vừa mất hôm qua, gia đình cần làm giấy tờ gì với phường" is the
evaluation's "Bố tôi vừa mất hôm qua ở nhà, …").

The harness tests keep the decision sets clear of such questions. The vocabulary keeps its phrases (they are the
ward's common situations), so :func:`write_vocabulary_without_restated` writes copies without them: an index built on
those copies shows how much of a figure the restated phrases make (`tthc bench restated`).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from eval.dataset import EvalItem
from rag.notes import word_set

# Words any question of any procedure uses ("… thì làm thủ tục gì ở phường", "hồ sơ nộp bản chính hay bản sao"): they
# say nothing of a citizen's situation.
ANY_QUESTION = word_set(
    "ở đâu làm thì gì cần thế nào muốn em tôi mình à ạ không có được bao nhiêu lâu vậy sao cho hỏi xin thủ tục những các "
    "và là để mà rồi giờ nhà ơi với ntn j dc phải này đó của tại về khi nếu ai một hai người con phường ubnd xã giấy tờ "
    "hồ sơ nộp bản chính mang lệ phí hạn mất tiền đăng ký lại trên trước sau năm tháng ngày e ko k ak"
)
MIN_SHARED_WORDS = 3  # a story is told in three situation words at least
SHARED_SHARE = 0.6  # of the fewer situation words of the two


def procedure_names(corpus_dir: Path) -> dict[str, str]:
    """Procedure names by code, from our curated records and vocabulary."""
    names: dict[str, str] = {}
    for file in [*(corpus_dir / "procedures").glob("*.yaml"), *(corpus_dir / "situations").glob("*.yaml")]:
        loaded = yaml.safe_load(file.read_text(encoding="utf-8"))
        names |= {p["code"]: p["name"] for p in (loaded if isinstance(loaded, list) else [loaded]) if "code" in p and "name" in p}
    return names


def situation(text: str, codes: list[str], names: dict[str, str]) -> frozenset[str]:
    """The words of ``text`` beyond its procedures' names and the words any question uses."""
    return word_set(text) - ANY_QUESTION - frozenset().union(*(word_set(names.get(code, "")) for code in codes))


def restates(told: frozenset[str], held: frozenset[str]) -> bool:
    """Whether two situations share enough words to be one story."""
    shared = len(told & held)
    return shared >= MIN_SHARED_WORDS and shared >= SHARED_SHARE * min(len(told), len(held))


def measured_situations(items: list[EvalItem], names: dict[str, str]) -> dict[str, list[frozenset[str]]]:
    """The measured questions' situations by gold code."""
    measured: dict[str, list[frozenset[str]]] = {}
    for item in items:
        for code in item.gold_codes:
            measured.setdefault(code, []).append(situation(item.question, item.gold_codes, names))
    return measured


def write_vocabulary_without_restated(
    vocabulary_dir: Path, out_dir: Path, measured: dict[str, list[frozenset[str]]], names: dict[str, str]
) -> dict[str, int]:
    """Copies of the vocabulary files in ``out_dir`` without the phrases that restate a measured situation of their
    procedure; the number dropped per file. Life events are copied whole: they name no single procedure."""
    out_dir.mkdir(parents=True, exist_ok=True)
    dropped: dict[str, int] = {}
    for file in sorted(vocabulary_dir.glob("*.yaml")):
        entries = yaml.safe_load(file.read_text(encoding="utf-8")) or []
        dropped[file.name] = 0
        for entry in entries:
            if "code" not in entry:
                continue
            held = measured.get(entry["code"], [])
            for key in ("everyday", "situations"):
                kept = [p for p in entry.get(key) or [] if not any(restates(situation(p, [entry["code"]], names), h) for h in held)]
                dropped[file.name] += len(entry.get(key) or []) - len(kept)
                if key in entry:
                    entry[key] = kept
        (out_dir / file.name).write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dropped
