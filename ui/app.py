"""The Gradio chat: answers with clickable citations, the cited passage highlighted,
follow-ups, filters, uploads, a reports tab and 👍/👎 feedback. Interface text is Vietnamese."""
from __future__ import annotations

import html
import tempfile
import tomllib
from pathlib import Path

import gradio as gr

from rag.answer.citations import Answer
from rag.answer.followup import Turn
from rag.chain import QuestionError, validate
from rag.retrieval.store import IndexWriteError, StoreUnavailableError
from ui.render import (
    REPORT_COLUMNS, REPORT_WIDTHS, answer_segments, conversation_markdown, draft_html, report_html, reports_rows,
    file_status, shortened, skipped_reason, sources_html, verification_note, why_not,
)
from ui.service import ChatService, UploadError

EXAMPLES = [
    "Cụm thi đua số 2 gồm bao nhiêu tỉnh?",
    "Ai được trao Huân chương Lao động hạng Nhì?",
    "Hội nghị giao ban năm 2022 tổ chức ở đâu?",
    "huan chuong lao dong hang nhi duoc trao cho ai",
]
CSS = """
.source{border:1px solid var(--border-color-primary);border-radius:8px;padding:6px 10px;margin:6px 0}
.source:target,.source.active{outline:3px solid #e0a800}
.source mark{background:#ffe066;padding:0 2px}
.source-meta{color:var(--body-text-color-subdued);font-size:12px;margin:2px 0 6px}
.passage,.report-text{white-space:pre-wrap;line-height:1.5}
.sources-empty{color:var(--body-text-color-subdued);padding:8px}
a.cite{text-decoration:none;font-weight:600}
.draft{color:var(--body-text-color-subdued)}
.why-not{color:var(--body-text-color-subdued)}
.lead{margin-bottom:6px}
/* Gradio titles its toasts with their English type ("Warning"): the page says it in Vietnamese */
.toast-title{font-size:0!important}
.toast-title::after{font-size:var(--text-md);font-weight:600}
.toast-title.warning::after{content:"Cảnh báo"}
.toast-title.info::after{content:"Thông báo"}
.toast-title.error::after{content:"Lỗi"}
.toast-title.success::after{content:"Thành công"}
#reports-table, #reports-table *{font-family:var(--font)}
#reports-table{max-width:100%;overflow-x:auto}
"""
# Clicking a marker opens and highlights its card in the sources panel (the panel is
# outside the chat bubble, so a plain anchor would not scroll both reliably).
HEAD = """<script>
document.addEventListener('click', function (e) {
  var a = e.target.closest && e.target.closest('a.cite');
  if (!a) return;
  e.preventDefault();
  var card = document.getElementById((a.getAttribute('href') || '').slice(1));
  if (!card) return;
  document.querySelectorAll('.source.active').forEach(function (c) { c.classList.remove('active'); });
  card.open = true; card.classList.add('active');
  card.scrollIntoView({behavior: 'smooth', block: 'center'});
}, true);
// "mở trong báo cáo": hand "doc_id:start:end" to the page, which opens the Báo cáo tab there
document.addEventListener('click', function (e) {
  var a = e.target.closest && e.target.closest('a.open-in-report');
  if (!a) return;
  e.preventDefault();
  window.baocaoOpenAt = a.dataset.at;
  var button = document.querySelector('#open-at');
  if (button) button.click();
}, true);
</script>"""


def gradio_vietnamese() -> gr.I18n:
    """Gradio's own labels ("Copy message", "Drop File Here") in Vietnamese, whatever the browser's
    language: `gradio_vi.toml`, as flat keys for each locale Gradio ships."""
    with open(Path(__file__).with_name("gradio_vi.toml"), "rb") as f:
        data = tomllib.load(f)
    locales = data.pop("locales")
    flat = {f"{section}.{key}": text for section, table in data.items() for key, text in table.items()}
    return gr.I18n(**{locale: flat for locale in locales})


def build_app(service: ChatService) -> gr.Blocks:
    def report_choices():
        return [(f"{shortened(m.get('title') or d, 60)} ({d})", d) for d, m in sorted(service.reports().items())]

    def year_choices():
        return sorted({str(m["year"]) for m in service.reports().values() if m.get("year")})

    def report_lists(cleared: bool = False) -> tuple:
        """The reports table, the picker and the two filters as the index is now, in that order;
        `cleared` also empties what was picked (a removed report may have been)."""
        choices = report_choices()
        picked = {"value": None} if cleared else {}
        chosen = {"value": []} if cleared else {}
        return (reports_rows(service.reports()), gr.update(choices=choices, **picked),
                gr.update(choices=choices, **chosen), gr.update(choices=year_choices(), **chosen))

    def respond(question, chat, turns, answers, doc_ids, years, k, mode):
        try:
            question = validate(question)
        except QuestionError as exc:
            gr.Warning(exc.vi, title="Cảnh báo")
            yield chat, turns, answers, gr.update(), gr.update()
            return
        history = [Turn(**t) for t in turns]
        chat = chat + [{"role": "user", "content": question}, {"role": "assistant", "content": ""}]
        draft, answer, prefix = "", None, ""
        try:
            for resolved, event in service.ask_stream(question, history, doc_ids=doc_ids,
                                                      years=[int(y) for y in years or []], k=int(k), mode=mode):
                if resolved != question:
                    prefix = f"<small>↪ Hiểu là: {html.escape(resolved)}</small>\n\n"
                if isinstance(event, str):  # a generator writing: show it as it comes, then verify
                    draft += event
                    chat[-1] = {"role": "assistant", "content": prefix + draft_html(draft)}
                    yield chat, turns, answers, gr.update(), ""
                else:
                    answer = event
        except StoreUnavailableError:  # the shared index's server is down: say so, keep the question to resend
            gr.Warning(f"Không kết nối được máy chủ chỉ mục {service.settings.chroma_url}. "
                       "Hãy gửi lại câu hỏi khi máy chủ hoạt động trở lại.", title="Lỗi")
            yield chat[:-2], turns, answers, gr.update(), question
            return
        texts = {c.doc_id: service.report(c.doc_id).text for c in answer.citations}
        shown = prefix
        for segment in answer_segments(answer):  # the verified answer, piece by piece
            shown += segment
            chat[-1] = {"role": "assistant", "content": shown}
            yield chat, turns, answers, gr.update(), ""
        chat[-1] = {"role": "assistant", "content": shown + verification_note(answer) + why_not(answer, service.reports())}
        turns = turns + [{"question": resolved, "answer": answer.answer, "refused": answer.refused}]
        answers = answers + [answer.to_dict()]
        yield chat, turns, answers, sources_html(answer, service.reports(), texts), ""

    def new_chat():
        """A fresh conversation: the chat, its memory, the sources and the upload box emptied."""
        return [], [], [], sources_html(None, {}, {}), "", None, "", {}, gr.update(value=None, interactive=False)

    def save(chat, turns, answers):
        """Kept in the browser (local storage) across reloads, and offered as Markdown."""
        if not answers:
            return {}, gr.update(value=None, interactive=False)
        path = Path(tempfile.mkdtemp(prefix="baocao-")) / "cuoc-tro-chuyen.md"
        path.write_text(conversation_markdown(answers, service.reports()), encoding="utf-8")
        return {"chat": chat, "turns": turns, "answers": answers}, gr.update(value=str(path), interactive=True)

    def restore(saved):
        """The conversation this browser had before the page was reloaded."""
        saved = saved or {}
        answers = saved.get("answers") or []
        if not answers:
            return [], [], [], sources_html(None, {}, {})
        last = Answer.from_dict(answers[-1])
        texts = {c.doc_id: service.report(c.doc_id).text for c in last.citations if c.doc_id in service.reports()}
        return saved.get("chat", []), saved.get("turns", []), answers, sources_html(last, service.reports(), texts)

    def feedback(data: gr.LikeData, answers, turns):
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        n = index // 2  # messages alternate user, assistant
        if 0 <= n < len(answers):
            service.record_feedback(turns[n]["question"], answers[n], bool(data.liked))
            gr.Info("Cảm ơn góp ý của bạn.", title="Thông báo")

    def upload(files, progress=gr.Progress()):
        if not files:
            return gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
        paths = [f if isinstance(f, str) else f.name for f in files]
        try:
            result = service.upload(paths, progress=lambda p, msg: progress(p, desc=msg))
        except UploadError as exc:
            raise gr.Error(str(exc), title="Lỗi") from exc
        except IndexWriteError as exc:
            raise gr.Error("Không ghi được chỉ mục (ổ đĩa đầy?). Các báo cáo đã có vẫn nguyên vẹn; "
                           "hãy giải phóng dung lượng rồi tải lên lại.", title="Lỗi") from exc
        lines = [f"Đã lập chỉ mục: {', '.join(result.added + result.updated) or 'không có gì mới'}."]
        lines += [file_status(f) for f in result.files if f["doc_id"] in result.added + result.updated]
        lines += [f"Bỏ qua {Path(p).name}: {skipped_reason(why)}" for p, why in result.skipped]
        return ("\n\n".join(lines), *report_lists())

    def show_report(doc_id):
        if not doc_id:
            return ""
        report = service.report(doc_id)
        return report_html(doc_id, report.meta, report.text)

    def open_at(request):
        """The Báo cáo tab on the report of a citation, its passage highlighted."""
        parts = (request or "").rsplit(":", 2)
        if len(parts) != 3 or parts[0] not in service.reports():
            return gr.update(), gr.update(), gr.update()
        doc_id, start, end = parts[0], int(parts[1]), int(parts[2])
        report = service.report(doc_id)
        return (gr.update(selected="reports"), gr.update(value=doc_id),
                report_html(doc_id, report.meta, report.text, (start, end)))

    def remove_report(doc_id):
        """Forget the picked report (after the browser's confirmation), then refresh every list."""
        if not doc_id:
            return gr.update(), gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
        service.remove(doc_id)
        gr.Info(f"Đã xóa báo cáo {doc_id} khỏi chỉ mục.", title="Thông báo")
        return (*report_lists(cleared=True), "", f"Đã xóa {doc_id}.")

    def api_ask(question: str) -> dict:
        """Ask a question; returns the answer contract (answer, refused, citations, retrieved, timings_ms)."""
        try:
            return service.ask(question, [])[1].to_dict()
        except (QuestionError, StoreUnavailableError) as exc:
            raise gr.Error(str(exc)) from exc

    with gr.Blocks(title="baocao — Hỏi đáp báo cáo") as app:
        gr.Markdown("## baocao — hỏi đáp về các báo cáo, có trích dẫn nguồn")
        turns = gr.State([])
        answers = gr.State([])
        saved = gr.BrowserState({}, storage_key="baocao-conversation")
        open_request = gr.Button(visible="hidden", elem_id="open-at")  # clicked by the page's script
        with gr.Tabs() as tabs:
            with gr.Tab("Hỏi đáp", id="chat"):
                with gr.Row():
                    with gr.Column(scale=3):
                        # only the per-message copy button: the top toolbar covered the first message
                        chat = gr.Chatbot(label="Trò chuyện", height=460, elem_id="chat", buttons=["copy"],
                                          placeholder="Hỏi về các báo cáo, ví dụ: “Cụm thi đua số 2 gồm bao nhiêu tỉnh?”")
                        with gr.Row():
                            box = gr.Textbox(placeholder="Nhập câu hỏi…", show_label=False, scale=5, elem_id="question")
                            send = gr.Button("Gửi", variant="primary", scale=1, elem_id="send")
                        with gr.Row():
                            clear = gr.Button("Cuộc trò chuyện mới", size="sm", elem_id="new-chat")
                            export = gr.DownloadButton("Tải cuộc trò chuyện (Markdown)", size="sm", interactive=False,
                                                       elem_id="export")
                        gr.Examples(EXAMPLES, inputs=box, label="Câu hỏi mẫu")
                    with gr.Column(scale=2):
                        gr.Markdown("### Nguồn trích dẫn")
                        sources = gr.HTML(sources_html(None, {}, {}), elem_id="sources")
                # below both columns: on a narrow screen the sources come right after the chat
                with gr.Row():
                    with gr.Accordion("Bộ lọc và cài đặt", open=False):
                        doc_filter = gr.CheckboxGroup(report_choices(), label="Chỉ tìm trong các báo cáo")
                        year_filter = gr.CheckboxGroup(year_choices(), label="Năm")
                        k = gr.Slider(1, 12, value=service.settings.k, step=1, label="Số đoạn văn truy xuất")
                        mode = gr.Radio([("Kết hợp", "hybrid"), ("Ngữ nghĩa", "dense"), ("Từ khóa", "lexical")],
                                        value=service.settings.mode, label="Cách truy xuất")
                    with gr.Accordion("Tải báo cáo lên (txt, md, html, pdf, docx)", open=False, elem_id="upload-box"):
                        files = gr.File(file_count="multiple", file_types=[".txt", ".md", ".html", ".htm", ".pdf", ".docx"],
                                        label="Báo cáo", elem_id="upload")
                        upload_status = gr.Markdown(elem_id="upload-status")
            with gr.Tab("Báo cáo", id="reports"):
                table = gr.Dataframe(reports_rows(service.reports()), headers=REPORT_COLUMNS, interactive=False, wrap=True,
                                     elem_id="reports-table", column_widths=REPORT_WIDTHS)
                with gr.Row():
                    pick = gr.Dropdown(report_choices(), value=None, label="Mở báo cáo", scale=4)
                    delete = gr.Button("Xóa báo cáo này", variant="stop", size="sm", scale=1, elem_id="delete-report")
                removed_status = gr.Markdown(elem_id="removed-status")
                report_view = gr.HTML(elem_id="report-view")

        inputs = [box, chat, turns, answers, doc_filter, year_filter, k, mode]
        outputs = [chat, turns, answers, sources, box]
        for trigger in (send.click, box.submit):
            trigger(respond, inputs, outputs, api_visibility="private").then(
                save, [chat, turns, answers], [saved, export], api_visibility="private")
        clear.click(new_chat, None, outputs + [files, upload_status, saved, export], api_visibility="private")
        app.load(restore, saved, [chat, turns, answers, sources], api_visibility="private")
        # the lists as the index is now (uploads and removals since the app was built)
        lists = [table, pick, doc_filter, year_filter]
        app.load(report_lists, None, lists, api_visibility="private")
        chat.like(feedback, [answers, turns], None, api_visibility="private")
        files.upload(upload, files, [upload_status, *lists], concurrency_limit=1,
                     concurrency_id="index-writes", api_visibility="private")
        pick.input(show_report, pick, report_view, api_visibility="private")  # a pick by hand; open_at sets its own view
        open_request.click(open_at, open_request, [tabs, pick, report_view], api_visibility="private",
                           js="() => window.baocaoOpenAt || ''").then(
            None, None, None, js="() => setTimeout(() => document.getElementById('cited')?.scrollIntoView({block: 'center'}), 300)")
        delete.click(remove_report, pick, [*lists, report_view, removed_status],
                     js="(id) => (id && confirm('Xóa báo cáo ' + id + ' khỏi chỉ mục? Tệp gốc không bị xóa.')) ? id : null",
                     concurrency_limit=1, concurrency_id="index-writes", api_visibility="private")
        gr.api(api_ask, api_name="ask")
    return app


def serve(service: ChatService, host: str = "127.0.0.1", port: int = 7860, auth=None, block: bool = True):
    app = build_app(service)
    app.queue(default_concurrency_limit=4)  # questions in parallel; index writes have their own limit 1
    app.launch(server_name=host, server_port=port, auth=auth, share=False, css=CSS, head=HEAD,
               prevent_thread_lock=not block, max_file_size=service.settings.max_file_bytes,
               footer_links=[],  # no English footer; the API is in the README
               i18n=gradio_vietnamese())
    return app
