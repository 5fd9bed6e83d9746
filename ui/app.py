"""Gradio Blocks mounted at /ui: Hỏi đáp (citizens), Tra cứu thủ tục (officers), Quản trị (administrators)."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import gradio as gr
import pandas as pd
from fastapi import FastAPI

from service import ServiceError, TthcService
from service.core import Caller, job_report_text
from tthc.schema import SECTION_TITLES, Answer, Procedure, UpdateList
from tthc.settings import PRIVACY_NOTICE
from tthc.text import display_date
from ui.card import mount_card
from ui.widget import mount_widget

log = logging.getLogger(__name__)

EXAMPLES = [
    "Làm giấy khai sinh cho con cần giấy tờ gì?",
    "thoi han cap doi CCCD bao lau",
    "Lệ phí đăng ký thành lập hộ kinh doanh?",
    "Đăng ký tạm trú nộp ở đâu?",
    "Mục tiêu mức độ hài lòng của người dân trong kế hoạch CCHC?",
]
CSS = """
.gradio-container {max-width: 980px !important; margin: auto;}
@media (max-width: 640px) { .gradio-container {padding: 4px !important;} }
@media print { .no-print {display: none !important;} }
"""
# Gradio's own strings, in Vietnamese whatever the browser's language
GRADIO_STRINGS = {
    "upload_text.drop_file": "Kéo thả tệp vào đây",
    "upload_text.click_to_upload": "Bấm để chọn tệp",
    "upload_text.drop_csv": "Kéo thả tệp CSV vào đây",
    "upload_text.paste_clipboard": "Dán từ bộ nhớ tạm",
    "common.or": "hoặc",
    "common.clear": "Xóa",
    "common.submit": "Gửi",
    "common.loading": "Đang tải",
    "common.error": "Lỗi",
    "common.copy": "Sao chép",
    "chatbot.like": "Hài lòng",
    "chatbot.dislike": "Chưa hài lòng",
    "dataframe.sort_column": "Sắp xếp cột",
    "file.uploading": "Đang tải lên…",
    "file.number_of_files": "{number} tệp",
}
T = TypeVar("T")


def _answer_markdown(answer: Answer) -> str:
    """The answer escaped as text, then our own citation links (they replace the text's source line)."""
    lines = answer.answer.split("\n")
    if answer.citations and lines[-1].startswith("Nguồn:"):
        lines = lines[:-1]
    body = html.escape("\n".join(lines)).replace("\n", "  \n")
    links = [
        f"[{html.escape(c.code)} — {html.escape(c.title)} ({html.escape(c.section)})]({c.url})"
        if c.url
        else f"{html.escape(c.code)} — {html.escape(c.title)} ({html.escape(c.section)})"
        for c in answer.citations
    ]
    return body + ("\n\n**Nguồn:** " + "; ".join(links) if links else "")


def _card_markdown(proc: Procedure) -> str:
    e = html.escape
    lines = [f"### {e(proc.name)}", f"**Mã:** {e(proc.code)} · **Lĩnh vực:** {e(proc.field)} · **Cấp:** {e(', '.join(proc.levels))}"]
    if proc.agency:
        lines.append(f"**Cơ quan thực hiện:** {e(proc.agency)}")
    if proc.applicants:
        lines.append(f"**Đối tượng:** {e(proc.applicants)}")
    lines += ["", f"#### {SECTION_TITLES['time_fees']}", "| Hình thức | Thời hạn | Phí, lệ phí |", "|---|---|---|"]
    lines += [f"| {e(c.channel)} | {e(c.time_limit or '—')} | {e(c.fee or '—')} |" for c in proc.channels]
    lines += ["", f"#### {SECTION_TITLES['documents']}"]
    lines += [f"- {e(d.name)}" + (f" — *{e(d.copies)}*" if d.copies else "") for d in proc.documents]
    lines += [f"*{e(note)}*" for note in proc.document_notes]
    lines += ["", f"#### {SECTION_TITLES['steps']}", *[f"{i}. {e(s)}" for i, s in enumerate(proc.steps, 1)]]
    if proc.conditions:
        lines += ["", f"#### {SECTION_TITLES['conditions']}", *[f"- {e(c)}" for c in proc.conditions]]
    lines += ["", f"#### {SECTION_TITLES['result']}", e(proc.result or "—")]
    lines += ["", f"#### {SECTION_TITLES['legal_basis']}"]
    lines += [f"- {e(r.title)}" + (f" ({e(r.number)})" if r.number else "") for r in proc.legal_basis]
    if proc.url:
        lines += ["", f"[Xem và nộp trên Cổng Dịch vụ công quốc gia]({proc.url})"]
    return "\n".join(lines)


UPDATE_STATUS = {"added": "thủ tục mới", "changed": "thay đổi", "removed": "bãi bỏ, gỡ khỏi tra cứu"}
UPDATE_CHANGES_SHOWN = 4


def _updates_markdown(listing: UpdateList) -> str:
    """The 'Mới cập nhật' list for officers: code, name, date and what changed, newest first."""
    e = html.escape
    if not listing.items:
        return f"Không có thủ tục nào cập nhật trong {listing.days} ngày qua."
    lines = [f"**Thủ tục cập nhật trong {listing.days} ngày qua** (mới nhất trước)", ""]
    for item in listing.items:
        shown = [e(c) for c in item.changes[:UPDATE_CHANGES_SHOWN]]
        if len(item.changes) > UPDATE_CHANGES_SHOWN:
            shown.append(f"… và {len(item.changes) - UPDATE_CHANGES_SHOWN} thay đổi khác")
        head = f"- **{e(item.code)}** {e(item.name)} — {display_date(item.date)} — {UPDATE_STATUS[item.status]}"
        lines.append(head + "".join(f"  \n  {c}" for c in shown if item.status == "changed"))
    return "\n".join(lines)


def _caller(service: TthcService, request: gr.Request | None) -> Caller:
    """The caller as the API sees it: Gradio hands over the same peer address and forwarding header."""
    if request is None:
        return service.caller(None)
    headers = request.headers or {}
    return service.caller(request.client.host if request.client else None, headers.get("x-forwarded-for"))


def _attempt(action: Callable[[], T]) -> T | str:
    """Run a service call; a refusal becomes its Vietnamese message."""
    try:
        return action()
    except ServiceError as exc:
        return exc.message


def build_blocks(service: TthcService) -> gr.Blocks:
    """The three tabs; every handler goes through the service, with the caller's address."""

    def ask(message: str, chat: list[dict], answer_ids: list[str], request: gr.Request):
        message = (message or "").strip()
        if not message:
            return "", chat, answer_ids
        history = [{"role": m["role"], "content": str(m["content"])} for m in chat][-service.settings.max_history_turns :]
        result = _attempt(lambda: service.chat(_caller(service, request), message, history))
        user_turn = {"role": "user", "content": html.escape(message)}
        if isinstance(result, str):
            return "", [*chat, user_turn, {"role": "assistant", "content": html.escape(result)}], [*answer_ids, ""]
        return "", [*chat, user_turn, {"role": "assistant", "content": _answer_markdown(result)}], [*answer_ids, result.answer_id]

    def rate(answer_ids: list[str], data: gr.LikeData, request: gr.Request) -> str:
        index = data.index if isinstance(data.index, int) else data.index[0]
        turn = index // 2
        if turn >= len(answer_ids) or not answer_ids[turn]:
            return ""
        rating = "up" if data.liked else "down"
        outcome = _attempt(lambda: service.feedback(_caller(service, request), answer_ids[turn], rating, None))
        return outcome if isinstance(outcome, str) else "Cảm ơn bạn đã đánh giá!"

    def search(query: str, field: str | None, level: str | None, request: gr.Request):
        if not (query or "").strip():
            return gr.update(value=[]), "Nhập từ khóa để tìm thủ tục."
        hits = _attempt(lambda: service.search(_caller(service, request), query, field or None, level or None, limit=20))
        if isinstance(hits, str):
            return gr.update(value=[]), hits
        rows = [[h.code, h.name, h.field, ", ".join(h.levels), h.snippet] for h in hits]
        return gr.update(value=rows), f"Tìm thấy {len(rows)} thủ tục. Chọn một dòng để xem thẻ thủ tục."

    def recent_updates(request: gr.Request) -> str:
        days = service.settings.updates_window_days
        listing = _attempt(lambda: service.updates(_caller(service, request), days, limit=50))
        return listing if isinstance(listing, str) else _updates_markdown(listing)

    def open_card(code: str, request: gr.Request):
        card = _attempt(lambda: service.procedure_card(_caller(service, request), code or ""))
        if isinstance(card, str):
            return card, ""
        return _card_markdown(card), card.checklist

    def select_row(table, event: gr.SelectData, request: gr.Request):
        row = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        code = table.iloc[row, 0] if hasattr(table, "iloc") else table[row][0]
        card, checklist = open_card(str(code), request)
        return str(code), card, checklist

    def upload(token: str, file_path: str | None, remove_missing: bool, request: gr.Request):
        if not file_path:
            return "", "Vui lòng chọn tệp cần nạp."
        path = Path(file_path)
        job = _attempt(lambda: service.submit_ingest(_caller(service, request), token, path.name, path.read_bytes(), remove_missing))
        if isinstance(job, str):
            return "", job
        return job.id, f"Đã bắt đầu nạp dữ liệu (mã công việc {job.id}). Bấm “Xem tiến độ” để cập nhật."

    def job_status(token: str, job_id: str, request: gr.Request) -> str:
        if not (job_id or "").strip():
            return "Chưa có công việc nạp dữ liệu."
        job = _attempt(lambda: service.ingest_job(_caller(service, request), token, job_id))
        return job if isinstance(job, str) else job_report_text(job)

    def versions(token: str, request: gr.Request) -> str:
        listing = _attempt(lambda: service.versions(_caller(service, request), token))
        if isinstance(listing, str):
            return listing
        lines = [f"{'➜ ' if v == listing.current else '   '}{v}" for v in reversed(listing.versions)]
        return "\n".join(lines) or "Chưa có phiên bản."

    def do_rollback(token: str, request: gr.Request) -> str:
        listing = _attempt(lambda: service.rollback(_caller(service, request), token))
        if isinstance(listing, str):
            return listing
        return f"Đã quay lại phiên bản {listing.current}.\n\n" + "\n".join(
            f"{'➜ ' if v == listing.current else '   '}{v}" for v in reversed(listing.versions)
        )

    def stats(token: str, request: gr.Request):
        data = _attempt(lambda: service.admin_stats(_caller(service, request), token))
        if isinstance(data, str):
            return data, None
        satisfaction = data["satisfaction"]
        text = [
            f"**Tỷ lệ hài lòng:** {satisfaction * 100:.1f}% (mục tiêu 97%) — {data['feedback_up']} hài lòng, "
            f"{data['feedback_down']} chưa hài lòng"
            if satisfaction is not None
            else "**Tỷ lệ hài lòng:** chưa có đánh giá (mục tiêu 97%)",
            "",
            "**Câu hỏi theo ngày:** " + ", ".join(f"{r['day']}: {r['questions']}" for r in data["questions_per_day"][:14]),
            "",
            "**Câu hỏi chưa trả lời được (cần bổ sung dữ liệu):**",
            *[f"- {html.escape(r['question'])}" for r in data["unanswered"][:20]],
            "",
            "**Góp ý gần đây của người dân:**",
            *[
                f"- {'👍' if r['rating'] == 'up' else '👎'} {html.escape(r['comment'])} — câu hỏi: {html.escape(r['question'])}"
                for r in data.get("comments", [])[:20]
            ],
        ]
        chart = pd.DataFrame({"chỉ số": ["Hài lòng", "Mục tiêu"], "tỷ lệ (%)": [round((satisfaction or 0) * 100, 1), 97.0]})
        return "\n".join(text), chart

    title = f"Trợ lý thủ tục hành chính — {service.settings.ward_name}"
    with gr.Blocks(title=title) as blocks:
        gr.Markdown(f"## {title}\nTrả lời dựa trên nguồn chính thức, có trích dẫn.")
        with gr.Tab("Hỏi đáp"):
            chatbot = gr.Chatbot(label="Hỏi đáp", height=460, sanitize_html=True, feedback_options=("Like", "Dislike"))
            answer_ids = gr.State([])
            with gr.Row():
                box = gr.Textbox(
                    placeholder="Nhập câu hỏi, ví dụ: làm giấy khai sinh cần gì?",
                    show_label=False,
                    scale=5,
                    max_length=service.settings.max_question_chars,
                )
                send = gr.Button("Gửi", variant="primary", scale=1, elem_id="send-button")
            gr.Markdown(f"*{PRIVACY_NOTICE}*", elem_id="privacy-notice")
            gr.Examples(EXAMPLES, inputs=box, label="Câu hỏi mẫu")
            thanks = gr.Markdown()
            box.submit(ask, [box, chatbot, answer_ids], [box, chatbot, answer_ids], api_name="ask")
            send.click(ask, [box, chatbot, answer_ids], [box, chatbot, answer_ids], api_visibility="undocumented")
            chatbot.like(rate, [answer_ids], [thanks])
        with gr.Tab("Tra cứu thủ tục"):
            with gr.Row():
                query = gr.Textbox(label="Từ khóa", placeholder="ví dụ: cấp đổi căn cước", scale=3)
                field = gr.Dropdown(label="Lĩnh vực", choices=service.fields(), value=None, allow_custom_value=True, scale=2)
                level = gr.Dropdown(label="Cấp", choices=["Cấp xã", "Cấp tỉnh", "Cấp bộ"], value=None, scale=1)
            find = gr.Button("Tìm kiếm", variant="primary", elem_id="search-button")
            found = gr.Markdown()
            table = gr.Dataframe(
                headers=["Mã", "Tên thủ tục", "Lĩnh vực", "Cấp", "Đoạn khớp"],
                interactive=False,
                wrap=True,
                column_widths=["11%", "34%", "16%", "10%", "29%"],
            )
            code = gr.Textbox(label="Mã thủ tục", placeholder="Chọn một dòng hoặc nhập mã, ví dụ 1.001193")
            show = gr.Button("Xem thẻ thủ tục", elem_id="card-button")
            card = gr.Markdown(elem_id="procedure-card")
            checklist = gr.Textbox(
                label="Danh sách giấy tờ (in hoặc sao chép gửi người dân)", lines=12, buttons=["copy"], elem_id="checklist"
            )
            find.click(search, [query, field, level], [table, found], api_name="search")
            query.submit(search, [query, field, level], [table, found], api_visibility="undocumented")
            table.select(select_row, [table], [code, card, checklist])
            show.click(open_card, [code], [card, checklist], api_name="card")
            with gr.Accordion("Mới cập nhật", open=True):
                updates_text = gr.Markdown(elem_id="recent-updates")
                load_updates = gr.Button("Làm mới danh sách", elem_id="updates-button")
            load_updates.click(recent_updates, None, [updates_text], api_name="updates")
        with gr.Tab("Quản trị"):
            token = gr.Textbox(label="Mã quản trị", type="password", elem_id="admin-token")
            with gr.Group():
                gr.Markdown("#### 1. Tải lên danh sách hoặc hồ sơ")
                with gr.Row():
                    upload_file = gr.File(
                        label="Tệp danh sách hoặc hồ sơ",
                        file_types=[".json", ".jsonl", ".xlsx", ".yaml", ".yml", ".txt", ".docx"],
                        type="filepath",
                    )
                    remove = gr.Checkbox(label="Gỡ thủ tục không còn trong danh sách .xlsx")
                start = gr.Button("Nạp dữ liệu", variant="primary")
            with gr.Group():
                gr.Markdown("#### 2. Tiến độ")
                job_id = gr.Textbox(label="Mã công việc")
                refresh = gr.Button("Xem tiến độ")
            with gr.Group():
                gr.Markdown("#### 3. Báo cáo nạp dữ liệu")
                job_report = gr.Textbox(label="Báo cáo", lines=10, elem_id="job-report")
            with gr.Group():
                gr.Markdown("#### 4. Phiên bản chỉ mục")
                with gr.Row():
                    list_versions = gr.Button("Danh sách phiên bản", elem_id="versions-button")
                    back = gr.Button("Quay lại phiên bản trước", variant="stop")
                version_text = gr.Textbox(label="Phiên bản", lines=5, elem_id="versions-text")
            with gr.Group():
                gr.Markdown("#### 5. Thống kê")
                load_stats = gr.Button("Xem thống kê", elem_id="stats-button")
                stats_text = gr.Markdown(elem_id="stats-text")
                stats_chart = gr.BarPlot(x="chỉ số", y="tỷ lệ (%)", y_lim=[0, 100], label="Mức độ hài lòng so với mục tiêu 97%")
            start.click(upload, [token, upload_file, remove], [job_id, job_report])
            refresh.click(job_status, [token, job_id], [job_report])
            list_versions.click(versions, [token], [version_text], api_name="versions")
            back.click(do_rollback, [token], [version_text])
            load_stats.click(stats, [token], [stats_text, stats_chart], api_name="stats")
        blocks.load(recent_updates, None, [updates_text], api_visibility="undocumented")
    return blocks


def mount_ui(app: FastAPI, service: TthcService) -> None:
    """Mount the Gradio app at /ui, the widget at /widget and the citizen's procedure cards at /thu-tuc/{code}."""
    mount_widget(app, service)
    mount_card(app, service)
    gr.mount_gradio_app(
        app,
        build_blocks(service),
        path="/ui",
        css=CSS,
        footer_links=[],
        i18n=gr.I18n(vi=GRADIO_STRINGS, en=GRADIO_STRINGS),
    )
