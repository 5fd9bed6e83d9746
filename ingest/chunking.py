"""Procedures and the plan -> chunks for BM25, and short 'dense units' for the vector store.

Every procedure chunk starts with the procedure's name. A long section is split at
item boundaries into pieces of at most ``MAX_WORDS`` words, each keeping its header.
Dense units are deliberately short (name, aliases, summary, plan headings and lead
words): embedding cost grows with length, and BM25 carries the long detail.
"""

from __future__ import annotations

import hashlib

from index_store.ids import PLAN_ID, PLAN_TITLE
from ingest.reform_plan import PlanSection, PlanTableRow
from tthc.schema import SECTION_TITLES, Chunk, Procedure

MAX_WORDS = 350
DENSE_LEAD_WORDS = 40


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _pack(items: list[str], max_words: int = MAX_WORDS) -> list[list[str]]:
    """Group items into consecutive runs of at most ``max_words`` words (an oversize item stands alone)."""
    groups: list[list[str]] = [[]]
    count = 0
    for item in items:
        words = len(item.split())
        if groups[-1] and count + words > max_words:
            groups.append([])
            count = 0
        groups[-1].append(item)
        count += words
    return [g for g in groups if g]


def _channel_line(channel) -> str:
    parts = [f"- {channel.channel}: thời hạn {channel.time_limit or 'không ghi'}; phí, lệ phí {channel.fee or 'không ghi'}"]
    if channel.note:
        parts.append(f" ({channel.note})")
    return "".join(parts)


def procedure_sections(proc: Procedure) -> dict[str, list[str]]:
    """The items of each section, as display lines."""
    overview = [
        f"Mã thủ tục: {proc.code}",
        f"Lĩnh vực: {proc.field}" if proc.field else "",
        f"Cấp thực hiện: {', '.join(proc.levels)}" if proc.levels else "",
        f"Cơ quan thực hiện: {proc.agency}" if proc.agency else "",
        f"Đối tượng thực hiện: {proc.applicants}" if proc.applicants else "",
        proc.summary or "",
        f"Tên gọi khác: {'; '.join(proc.aliases)}" if proc.aliases else "",
        f"Tình huống thường gặp: {'; '.join(proc.situations)}" if proc.situations else "",
    ]
    documents = [f"- {d.name}" + (f" ({d.copies})" if d.copies else "") + (f" — {d.note}" if d.note else "") for d in proc.documents]
    documents += proc.document_note_lines()
    legal = [f"- {ref.title}" + (f" ({ref.number})" if ref.number else "") for ref in proc.legal_basis]
    return {
        "overview": [line for line in overview if line],
        "documents": documents,
        "steps": [f"- {step}" for step in proc.steps],
        "time_fees": [_channel_line(c) for c in proc.channels],
        "conditions": [f"- {c}" for c in proc.conditions],
        "result": [proc.result] if proc.result else [],
        "legal_basis": legal,
    }


def chunk_procedure(proc: Procedure) -> list[Chunk]:
    """One chunk per non-empty section (split when long); each starts with the name."""
    chunks: list[Chunk] = []
    for section, items in procedure_sections(proc).items():
        for part, group in enumerate(_pack(items)):
            text = f"{proc.name}\n{SECTION_TITLES[section]}:\n" + "\n".join(group)
            chunks.append(
                Chunk(
                    id=f"{proc.code}::{section}::{part}",
                    doc_id=proc.code,
                    title=proc.name,
                    section=section,
                    text=text,
                    source=proc.source,
                    field=proc.field,
                    level=", ".join(proc.levels),
                    url=proc.url,
                    heading=SECTION_TITLES[section],
                    content_hash=_hash(text),
                )
            )
    return chunks


def procedure_dense_units(proc: Procedure) -> list[Chunk]:
    """Short texts that get a vector: the name with its field, each alias, each situation, the summary."""
    texts = [("name", f"{proc.name}. Lĩnh vực: {proc.field}")]
    texts += [("alias", f"{alias} ({proc.name})") for alias in proc.aliases]
    texts += [("situation", situation) for situation in proc.situations]
    if proc.summary:
        texts.append(("summary", f"{proc.name}: {' '.join(proc.summary.split()[:DENSE_LEAD_WORDS])}"))
    return [
        Chunk(
            id=f"{proc.code}::{kind}::{i}",
            doc_id=proc.code,
            title=proc.name,
            section="overview",
            text=text,
            source=proc.source,
            field=proc.field,
            level=", ".join(proc.levels),
            url=proc.url,
            heading=kind,
            content_hash=_hash(text),
        )
        for i, (kind, text) in enumerate(texts)
    ]


def _plan_chunk(chunk_id: str, heading: str, text: str) -> Chunk:
    return Chunk(
        id=chunk_id,
        doc_id=PLAN_ID,
        title=PLAN_TITLE,
        section="plan",
        text=text,
        source="plan",
        field="Cải cách hành chính",
        level="Cấp xã",
        heading=heading,
        content_hash=_hash(text),
    )


def chunk_plan(sections: list[PlanSection], rows: list[PlanTableRow]) -> list[Chunk]:
    """One chunk per heading (split at paragraphs when long) and one per appendix row."""
    chunks: list[Chunk] = []
    for i, section in enumerate(sections):
        for part, group in enumerate(_pack(section.paragraphs)):
            text = f"{PLAN_TITLE}\n{section.heading}:\n" + "\n".join(group)
            chunks.append(_plan_chunk(f"{PLAN_ID}::s{i:02d}::{part}", section.heading, text))
    for i, row in enumerate(rows):
        heading = f"Phụ lục > {row.part} > STT {row.cells.get('STT', '')}".strip()
        lines = [f"{name}: {value}" for name, value in row.cells.items() if value and name != "STT"]
        text = f"{PLAN_TITLE}\nPhụ lục phân công thực hiện nhiệm vụ — {row.part}:\n" + "\n".join(lines)
        chunks.append(_plan_chunk(f"{PLAN_ID}::r{i:02d}::0", heading, text))
    return chunks


def plan_dense_units(chunks: list[Chunk]) -> list[Chunk]:
    """The heading path and lead words of each plan chunk."""
    units = []
    for chunk in chunks:
        body = " ".join(chunk.text.split("\n", 2)[-1].split()[:DENSE_LEAD_WORDS])
        text = f"{chunk.heading}: {body}"
        units.append(chunk.model_copy(update={"id": chunk.id + "::dense", "text": text, "content_hash": _hash(text)}))
    return units
