"""The ward's reform plan (text or .docx) -> heading-path sections and appendix-table rows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tthc.text import normalize_inline

_ROMAN = re.compile(r"^(?P<label>[IVX]+)\.\s+(?P<title>\S.*)$")
_NUMBER = re.compile(r"^(?P<label>\d+)\.\s+(?P<title>\S.*)$")
_LETTER = re.compile(r"^(?P<label>[a-zđ])\)\s+(?P<title>\S.*)$")
_TAGS = re.compile(r"</?p>")
_APPENDIX_START = "PHỤ LỤC"
_RECIPIENTS = "Nơi nhận:"  # the closing block: the list of recipients, then the signer's title and name
CLOSING_HEADING = "Nơi nhận và người ký"


@dataclass
class PlanSection:
    """Text under one heading path, e.g. ('II. CHỈ TIÊU, NHIỆM VỤ', '1. Cải cách thể chế', 'a) Mục tiêu')."""

    path: list[str]
    paragraphs: list[str]

    @property
    def heading(self) -> str:
        return " > ".join(self.path)


@dataclass
class PlanTableRow:
    """One appendix row with its part title and column values."""

    part: str
    cells: dict[str, str]


def read_plan_text(path: Path) -> str:
    """Plan text from .txt (UTF-8) or .docx (paragraphs, then tables as tab-separated rows)."""
    if path.suffix.lower() == ".docx":
        import docx

        document = docx.Document(str(path))
        lines = [p.text for p in document.paragraphs]
        for table in document.tables:
            lines.append(_APPENDIX_START)
            lines.extend("\t".join(cell.text for cell in row.cells) for row in table.rows)
        return "\n".join(lines)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path.name}: không phải văn bản UTF-8") from exc


def _heading(line: str) -> tuple[int, str] | None:
    """Heading level (0 roman, 1 number, 2 letter) of a line, or None for body text."""
    for level, pattern in enumerate((_ROMAN, _NUMBER, _LETTER)):
        match = pattern.match(line)
        if match and (level != 2 or len(line) < 60):
            if level == 0 and not match.group("title")[:1].isupper():
                return None
            return level, line
    return None


def parse_plan(text: str) -> tuple[list[PlanSection], list[PlanTableRow]]:
    """Split the plan into heading sections and appendix rows."""
    body, _, appendix = text.partition("\n" + _APPENDIX_START)
    return _parse_sections(body), _parse_appendix(appendix)


def _parse_sections(body: str) -> list[PlanSection]:
    lines = [line for line in (normalize_inline(_TAGS.sub("", raw)) for raw in body.split("\n")) if line]
    end = next((i for i, line in enumerate(lines) if line.startswith(_RECIPIENTS)), len(lines))
    sections: list[PlanSection] = [PlanSection(path=["Mở đầu"], paragraphs=[])]
    path: list[str] = []
    for line in lines[:end]:
        heading = _heading(line)
        if heading:
            level, title = heading
            path = path[:level] + [title]
            sections.append(PlanSection(path=list(path), paragraphs=[]))
            continue
        current = sections[-1]
        if current.paragraphs and line[0].islower() and not current.paragraphs[-1].endswith((".", ";", ":")):
            current.paragraphs[-1] += " " + line  # a sentence split by a page break
        else:
            current.paragraphs.append(line)
    return [s for s in [*sections, _closing(lines[end + 1 :])] if s.paragraphs]


def _closing(lines: list[str]) -> PlanSection:
    """Whom the plan is sent to and who signed it, as sentences a question can match: "Người ký: CHỦ TỊCH Phan Văn
    Quốc", where the signer's title over a bare name shares no word with "ai ký"."""
    recipients = [line.lstrip("- ") for line in lines if line.startswith("-")]
    signer = " ".join(line for line in lines if not line.startswith("-"))
    paragraphs = [f"Nơi nhận: {' '.join(recipients)}"] if recipients else []
    return PlanSection(path=[CLOSING_HEADING], paragraphs=[*paragraphs, *([f"Người ký: {signer}"] if signer else [])])


def _parse_appendix(appendix: str) -> list[PlanTableRow]:
    header: list[str] = []
    part = ""
    rows: list[PlanTableRow] = []
    for raw in appendix.split("\n"):
        cells = [normalize_inline(_TAGS.sub("", c)) for c in raw.split("\t")]
        if len(cells) < 3:
            continue
        if cells[0].casefold() == "stt":
            header = cells
            continue
        if not header:
            continue
        stt = cells[0]
        if re.fullmatch(r"[IVX]+", stt) and not any(cells[2:]):
            part = f"{stt}. {cells[1]}"
            continue
        if not stt and rows:  # a row spilled over a page break: append cell by cell
            previous = rows[-1].cells
            for name, value in zip(header, cells):
                if value:
                    previous[name] = f"{previous.get(name, '')} {value}".strip()
            continue
        rows.append(PlanTableRow(part=part, cells=dict(zip(header, cells))))
    return rows
