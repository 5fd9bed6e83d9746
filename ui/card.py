"""The citizen's procedure card: GET /thu-tuc/{code}, the page a widget source links to.

Built from ``service.procedure_card`` with every value escaped; the printable checklist comes first, with a
print button. Only https addresses on the hosts in ``settings.link_hosts`` become links; anything else stays
text. The page has its own CSP (no inline code: its script and style are files in ui/static/).
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from service import ServiceError, TthcService
from tthc.schema import SECTION_TITLES, ProcedureCard
from ui.widget import frame_ancestors


def allowed_link(url: str | None, hosts: list[str]) -> str | None:
    """``url`` when it is https on one of ``hosts`` (or a subdomain of one), otherwise None."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").casefold().rstrip(".")
    if parts.scheme != "https" or parts.username or parts.password or not host:
        return None
    for allowed in hosts:
        allowed = allowed.casefold().strip().rstrip(".")
        if allowed and (host == allowed or host.endswith("." + allowed)):
            return url.strip()
    return None


def _page(title: str, body: str, ward_heading: str) -> str:
    return (
        '<!doctype html>\n<html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        '<link rel="stylesheet" href="/widget/static/card.css">'
        '<script src="/widget/static/card.js" defer></script></head><body>'
        f'<header class="top"><p>{escape(ward_heading)} · Thủ tục hành chính</p></header>'
        f'<main id="card">{body}</main></body></html>'
    )


def _list(items: list[str], ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{tag}>"


def card_html(card: ProcedureCard, link_hosts: list[str], ward_heading: str) -> str:
    """The card page; every value from the record is escaped."""
    e = escape
    meta = [f"Mã thủ tục: <strong>{e(card.code)}</strong>"]
    if card.field:
        meta.append(f"Lĩnh vực: {e(card.field)}")
    if card.levels:
        meta.append(f"Cấp thực hiện: {e(', '.join(card.levels))}")
    portal = allowed_link(card.url, link_hosts)
    actions = ['<button type="button" id="print" class="primary">In danh sách giấy tờ</button>']
    if portal:
        actions.insert(
            0,
            f'<a class="primary" id="submit-online" href="{e(portal)}" target="_blank" rel="noopener noreferrer">'
            'Nộp trực tuyến<span class="sr-only"> (mở Cổng Dịch vụ công trong thẻ mới)</span></a>',
        )
    parts = [
        f"<h1>{e(card.name)}</h1>",
        f'<p class="meta">{" · ".join(meta)}</p>',
        f'<div class="actions no-print">{"".join(actions)}</div>',
        '<section class="checklist-box" aria-labelledby="checklist-title">'
        '<h2 id="checklist-title">Danh sách giấy tờ cần chuẩn bị</h2>'
        f'<pre class="checklist" id="checklist">{e(card.checklist)}</pre></section>',
    ]
    if card.summary:
        parts.append(f'<p class="summary">{e(card.summary)}</p>')
    overview = []
    if card.agency:
        overview.append(f"<dt>Cơ quan thực hiện</dt><dd>{e(card.agency)}</dd>")
    if card.applicants:
        overview.append(f"<dt>Đối tượng</dt><dd>{e(card.applicants)}</dd>")
    if overview:
        parts.append(f"<section><h2>{SECTION_TITLES['overview']}</h2><dl>{''.join(overview)}</dl></section>")
    if card.channels:
        rows = "".join(
            f"<tr><th scope=\"row\">{e(c.channel)}</th><td>{e(c.time_limit or '—')}</td><td>{e(c.fee or '—')}</td></tr>"
            for c in card.channels
        )
        parts.append(
            f"<section><h2>{SECTION_TITLES['time_fees']}</h2><div class=\"table\"><table>"
            '<thead><tr><th scope="col">Hình thức nộp</th><th scope="col">Thời hạn</th><th scope="col">Phí, lệ phí</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div></section>"
        )
    if card.documents or card.document_notes:
        docs = [
            e(d.name)
            + (f' <span class="copies">— {e(d.copies)}</span>' if d.copies else "")
            + (f"<br><small>{e(d.note)}</small>" if d.note else "")
            for d in card.documents
        ]
        notes = "".join(f"<p><small>{e(note)}</small></p>" for note in card.document_notes)
        parts.append(f"<section><h2>{SECTION_TITLES['documents']}</h2>{_list(docs) if docs else ''}{notes}</section>")
    if card.steps:
        parts.append(f"<section><h2>{SECTION_TITLES['steps']}</h2>{_list([e(s) for s in card.steps], ordered=True)}</section>")
    if card.conditions:
        parts.append(f"<section><h2>{SECTION_TITLES['conditions']}</h2>{_list([e(c) for c in card.conditions])}</section>")
    if card.result:
        parts.append(f"<section><h2>{SECTION_TITLES['result']}</h2><p>{e(card.result)}</p></section>")
    if card.legal_basis:
        refs = [e(r.title) + (f" ({e(r.number)})" if r.number else "") for r in card.legal_basis]
        parts.append(f"<section><h2>{SECTION_TITLES['legal_basis']}</h2>{_list(refs)}</section>")
    source = (
        f'<a href="{e(portal)}" target="_blank" rel="noopener noreferrer">{e(portal)}</a>' if portal else e(card.url or card.code)
    )
    checked = f" · kiểm tra ngày {e(card.last_checked)}" if card.last_checked else ""
    parts.append(f'<footer class="source"><p>Nguồn: {source}{checked}</p></footer>')
    return _page(f"{card.name} — thủ tục hành chính", "".join(parts), ward_heading)


def error_html(status: int, message: str, ward_heading: str) -> str:
    """A refusal or a missing procedure, in Vietnamese."""
    title = "Không tìm thấy thủ tục" if status == 404 else "Chưa mở được thẻ thủ tục"
    return _page(
        title,
        f"<h1>{escape(title)}</h1><p>{escape(message)}</p>"
        '<p><a href="/widget">Quay lại hỏi đáp thủ tục hành chính</a></p>',
        ward_heading,
    )


def mount_card(app: FastAPI, service: TthcService) -> None:
    csp = (
        "default-src 'none'; script-src 'self'; style-src 'self'; base-uri 'none'; form-action 'none'; "
        f"frame-ancestors {frame_ancestors(service)}"
    )

    @app.get("/thu-tuc/{code:path}", response_class=HTMLResponse, include_in_schema=False)
    def procedure_page(code: str, request: Request) -> HTMLResponse:
        caller = service.caller(request.client.host if request.client else None, request.headers.get("x-forwarded-for"))
        headers = {"Content-Security-Policy": csp}
        try:
            card = service.procedure_card(caller, code)
        except ServiceError as exc:
            if exc.retry_after:
                headers["Retry-After"] = str(exc.retry_after)
            return HTMLResponse(error_html(exc.status, exc.message, service.settings.ward_heading), status_code=exc.status, headers=headers)
        return HTMLResponse(card_html(card, service.settings.link_hosts, service.settings.ward_heading), headers=headers)
