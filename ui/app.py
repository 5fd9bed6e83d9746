"""Gradio Blocks mounted at /ui: Hỏi đáp (citizens), Tra cứu thủ tục (officers), Quản trị (administrators)."""

from __future__ import annotations

import hmac
import html
import logging

import gradio as gr
from fastapi import FastAPI

from api.jobs import UploadRejected
from ingest.pipeline import rollback
from ingest.store import IndexProblem, VersionStore
from rag.composer import compose_checklist
from rag.search import search_procedures
from tthc.schema import SECTION_TITLES
from tthc.settings import Settings
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
NOT_READY = "Hệ thống tra cứu chưa sẵn sàng. Vui lòng thử lại sau."


def _answer_markdown(answer) -> str:
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


def _card_markdown(proc) -> str:
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
    lines += ["", f"#### {SECTION_TITLES['steps']}", *[f"{i}. {e(s)}" for i, s in enumerate(proc.steps, 1)]]
    if proc.conditions:
        lines += ["", f"#### {SECTION_TITLES['conditions']}", *[f"- {e(c)}" for c in proc.conditions]]
    lines += ["", f"#### {SECTION_TITLES['result']}", e(proc.result or "—")]
    lines += ["", f"#### {SECTION_TITLES['legal_basis']}"]
    lines += [f"- {e(r.title)}" + (f" ({e(r.number)})" if r.number else "") for r in proc.legal_basis]
    if proc.url:
        lines += ["", f"[Xem và nộp trên Cổng Dịch vụ công quốc gia]({proc.url})"]
    return "\n".join(lines)


def build_blocks(app: FastAPI, settings: Settings) -> gr.Blocks:
    holder, storage, jobs = app.state.holder, app.state.storage, app.state.jobs

    def ask(message: str, chat: list[dict], answer_ids: list[str]):
        message = (message or "").strip()
        if not any(ch.isalnum() for ch in message):
            return "", chat, answer_ids
        from api.schemas import clean_question

        try:
            question = clean_question(message)
            assistant = holder.get()
        except ValueError as exc:
            return "", [*chat, {"role": "user", "content": html.escape(message)}, {"role": "assistant", "content": str(exc)}], answer_ids
        except IndexProblem:
            return "", [*chat, {"role": "user", "content": html.escape(message)}, {"role": "assistant", "content": NOT_READY}], answer_ids
        history = [{"role": m["role"], "content": str(m["content"])} for m in chat][-settings.max_history_turns :]
        answer = assistant.answer(question, history)
        answer_id = storage.record_answer(question, answer, assistant.version)
        chat = [*chat, {"role": "user", "content": html.escape(question)}, {"role": "assistant", "content": _answer_markdown(answer)}]
        return "", chat, [*answer_ids, answer_id]

    def rate(answer_ids: list[str], data: gr.LikeData) -> str:
        index = data.index if isinstance(data.index, int) else data.index[0]
        assistant_turn = index // 2
        if assistant_turn >= len(answer_ids):
            return ""
        storage.record_feedback(answer_ids[assistant_turn], "up" if data.liked else "down", None)
        return "Cảm ơn bạn đã đánh giá!"

    def fields() -> list[str]:
        try:
            return sorted({p.field for p in holder.get().index.procedures.values() if p.field})
        except IndexProblem:
            return []

    def search(query: str, field: str | None, level: str | None):
        if not (query or "").strip():
            return gr.update(value=[]), "Nhập từ khóa để tìm thủ tục."
        try:
            hits = search_procedures(holder.get(), query, field or None, level or None, limit=20)
        except IndexProblem:
            return gr.update(value=[]), NOT_READY
        rows = [[h.code, h.name, h.field, ", ".join(h.levels), h.snippet] for h in hits]
        return gr.update(value=rows), f"Tìm thấy {len(rows)} thủ tục. Chọn một dòng để xem thẻ thủ tục."

    def open_card(code: str):
        try:
            proc = holder.get().index.procedures.get((code or "").strip())
        except IndexProblem:
            return NOT_READY, ""
        if proc is None:
            return "Không tìm thấy thủ tục có mã này.", ""
        return _card_markdown(proc), compose_checklist(proc)

    def select_row(table, event: gr.SelectData):
        row = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        code = table.iloc[row, 0] if hasattr(table, "iloc") else table[row][0]
        card, checklist = open_card(str(code))
        return str(code), card, checklist

    def authorised(token: str) -> bool:
        return settings.admin_enabled and hmac.compare_digest((token or "").encode(), settings.admin_token.encode())

    def upload(token: str, file_path: str | None, remove_missing: bool):
        if not authorised(token):
            log.warning("UI admin action refused: wrong or missing token")
            return "", "Mã quản trị không đúng hoặc chức năng quản trị đang tắt."
        if not file_path:
            return "", "Vui lòng chọn tệp cần nạp."
        from pathlib import Path

        path = Path(file_path)
        try:
            job_id = jobs.submit(path.name, path.read_bytes(), remove_missing)
        except UploadRejected as exc:
            return "", str(exc)
        return job_id, f"Đã bắt đầu nạp dữ liệu (mã công việc {job_id}). Bấm “Xem tiến độ” để cập nhật."

    def job_status(token: str, job_id: str) -> str:
        if not authorised(token):
            return "Mã quản trị không đúng hoặc chức năng quản trị đang tắt."
        job = storage.job((job_id or "").strip())
        if job is None:
            return "Chưa có công việc nạp dữ liệu."
        from ingest.pipeline import IngestReport
        from ingest.sources import Failure

        text = f"Trạng thái: {job['status']} · tệp {job['filename']} · cập nhật {job['updated_at']}"
        if job["report"]:
            report = dict(job["report"])
            report["failed"] = [Failure(**f) for f in report.get("failed", [])]
            text += "\n\n" + IngestReport(**report).to_text()
        if job["error"]:
            text += f"\n\nLỗi: {job['error']}"
        return text

    def versions(token: str) -> str:
        if not authorised(token):
            return "Mã quản trị không đúng hoặc chức năng quản trị đang tắt."
        store = VersionStore(settings.index_dir)
        return "\n".join(f"{'➜ ' if v == store.current() else '   '}{v}" for v in reversed(store.versions())) or "Chưa có phiên bản."

    def do_rollback(token: str) -> str:
        if not authorised(token):
            return "Mã quản trị không đúng hoặc chức năng quản trị đang tắt."
        try:
            name = rollback(settings)
        except IndexProblem as exc:
            return f"Không thể quay lại: {exc}"
        return f"Đã quay lại phiên bản {name}.\n\n" + versions(token)

    def stats(token: str):
        if not authorised(token):
            return "Mã quản trị không đúng hoặc chức năng quản trị đang tắt.", None
        data = storage.stats()
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
        ]
        import pandas as pd

        chart = pd.DataFrame({"chỉ số": ["Hài lòng", "Mục tiêu"], "tỷ lệ (%)": [round((satisfaction or 0) * 100, 1), 97.0]})
        return "\n".join(text), chart

    with gr.Blocks(title="Trợ lý thủ tục hành chính — phường Nam Gia Nghĩa") as blocks:
        gr.Markdown("## Trợ lý thủ tục hành chính — phường Nam Gia Nghĩa\nTrả lời dựa trên nguồn chính thức, có trích dẫn.")
        with gr.Tab("Hỏi đáp"):
            chatbot = gr.Chatbot(label="Hỏi đáp", height=460, sanitize_html=True, feedback_options=("Like", "Dislike"))
            answer_ids = gr.State([])
            with gr.Row():
                box = gr.Textbox(placeholder="Nhập câu hỏi, ví dụ: làm giấy khai sinh cần gì?", show_label=False, scale=5)
                send = gr.Button("Gửi", variant="primary", scale=1, elem_id="send-button")
            gr.Examples(EXAMPLES, inputs=box, label="Câu hỏi mẫu")
            thanks = gr.Markdown()
            box.submit(ask, [box, chatbot, answer_ids], [box, chatbot, answer_ids])
            send.click(ask, [box, chatbot, answer_ids], [box, chatbot, answer_ids])
            chatbot.like(rate, [answer_ids], [thanks])
        with gr.Tab("Tra cứu thủ tục"):
            with gr.Row():
                query = gr.Textbox(label="Từ khóa", placeholder="ví dụ: cấp đổi căn cước", scale=3)
                field = gr.Dropdown(label="Lĩnh vực", choices=fields(), value=None, allow_custom_value=True, scale=2)
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
            find.click(search, [query, field, level], [table, found])
            query.submit(search, [query, field, level], [table, found])
            table.select(select_row, [table], [code, card, checklist])
            show.click(open_card, [code], [card, checklist])
        with gr.Tab("Quản trị"):
            token = gr.Textbox(label="Mã quản trị", type="password")
            with gr.Row():
                upload_file = gr.File(
                    label="Tệp danh sách hoặc hồ sơ",
                    file_types=[".json", ".jsonl", ".xlsx", ".yaml", ".yml", ".txt", ".docx"],
                    type="filepath",
                )
                remove = gr.Checkbox(label="Gỡ thủ tục không còn trong danh sách .xlsx")
            start = gr.Button("Nạp dữ liệu", variant="primary")
            job_id = gr.Textbox(label="Mã công việc")
            refresh = gr.Button("Xem tiến độ")
            job_report = gr.Textbox(label="Báo cáo nạp dữ liệu", lines=10)
            with gr.Row():
                list_versions = gr.Button("Danh sách phiên bản")
                back = gr.Button("Quay lại phiên bản trước", variant="stop")
            version_text = gr.Textbox(label="Phiên bản chỉ mục", lines=5)
            load_stats = gr.Button("Xem thống kê", elem_id="stats-button")
            stats_text = gr.Markdown(elem_id="stats-text")
            stats_chart = gr.BarPlot(x="chỉ số", y="tỷ lệ (%)", y_lim=[0, 100], label="Mức độ hài lòng so với mục tiêu 97%")
            start.click(upload, [token, upload_file, remove], [job_id, job_report])
            refresh.click(job_status, [token, job_id], [job_report])
            list_versions.click(versions, [token], [version_text])
            back.click(do_rollback, [token], [version_text])
            load_stats.click(stats, [token], [stats_text, stats_chart])
    return blocks


def mount_ui(app: FastAPI, settings: Settings) -> None:
    """Mount the Gradio app at /ui and the widget at /widget."""
    mount_widget(app, settings)
    gr.mount_gradio_app(app, build_blocks(app, settings), path="/ui", css=CSS, footer_links=[])
