"""Officer search: procedures ranked by the hybrid ranker, with the matching snippet, filterable."""

from __future__ import annotations

from index_store.ids import PLAN_ID
from rag.retriever import RetrievalFilters
from rag.service import Assistant
from tthc.schema import SearchHit

SNIPPET_CHARS = 240


def search_procedures(
    assistant: Assistant, query: str, field: str | None = None, level: str | None = None, limit: int = 20
) -> list[SearchHit]:
    """Procedures matching ``query`` (the plan excluded), best first."""
    analyzed = assistant.ranker.analyzer.analyze(query)
    filters = RetrievalFilters(field=field or None, level=level or None)
    results = []
    for hit in assistant.ranker.rank(analyzed, filters, limit=limit + 1):
        proc = assistant.index.procedures.get(hit.code)
        if hit.code == PLAN_ID or proc is None:
            continue
        best = max(hit.chunks, key=lambda cs: cs[1])[0] if hit.chunks else None
        body = best.text.split("\n", 2)[-1] if best else (proc.summary or "")
        results.append(
            SearchHit(
                code=proc.code,
                name=proc.name,
                field=proc.field,
                levels=proc.levels,
                section=best.heading or best.section if best else "overview",
                snippet=" ".join(body.split())[:SNIPPET_CHARS],
                score=round(hit.score, 6),
                url=proc.url,
            )
        )
    return results[:limit]
