"""HTML and Markdown for the chat page. Report text is untrusted: everything from a
report goes through `html.escape`, so `<script>` in a report shows as text."""
from __future__ import annotations

import html
import re

from rag.answer.citations import Answer, Citation

_MARKER = re.compile(r"\[(\d+)\]")


def answer_segments(answer: Answer) -> list[str]:
    """The answer for the chat bubble, in pieces to stream: escaped text, each marker a link to
    its source card whose title shows the cited passage on hover."""
    if answer.refused:
        return [f"⚠️ **{html.escape(answer.answer)}**"]
    quotes = {c.marker: c for c in answer.citations}
    segments = _lead(answer)
    pieces = _MARKER.split(answer.answer)
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            cited = quotes.get(int(pieces[i + 1])) if i + 1 < len(pieces) else None
            words = _bold_answers(escape_markdown(piece), cited).split(" ")
            segments += [" ".join(words[j : j + 6]) + (" " if j + 6 < len(words) else "") for j in range(0, len(words), 6)]
        elif (c := quotes.get(int(piece))) is not None:
            segments.append(_marker_link(c))
    return [s for s in segments if s]


def _marker_link(c: Citation) -> str:
    tip = html.escape(f"{c.title[:80]} — {c.quote[:200]}", quote=True)
    return f'<a href="#src-{c.marker}" class="cite" title="{tip}">[{c.marker}]</a>'


def _lead(answer: Answer) -> list[str]:
    """The answer first: the words that state what was asked, each with its marker, as a line of
    their own before the sentences they come from ("➜ **Nguyễn Văn A** [1]"); nothing when the
    answer is not much longer than them (a short generated answer already leads with them)."""
    said = [(c, words) for c in answer.citations if (words := list(dict.fromkeys(_answered(c))))]
    if not said or 2 * sum(len(w) for _, ws in said for w in ws) > len(answer.answer):
        return []
    parts = [", ".join(f"<strong>{html.escape(w)}</strong>" for w in ws) + " " + _marker_link(c) for c, ws in said[:4]]
    return ["<div class='lead'>➜ " + "; ".join(parts) + "</div>\n\n"]


def _answered(c: Citation) -> list[str]:
    """The words of a citation's quote that state what was asked (its highlights)."""
    return [c.quote[a - c.start : b - c.start] for a, b in c.highlights if c.start <= a < b <= c.end]


def _bold_answers(escaped: str, cited: Citation | None) -> str:
    """The answering words in bold, where the sentence says them."""
    for words in sorted(set(_answered(cited)) if cited else (), key=len, reverse=True):
        target = escape_markdown(words)
        if target.strip() and target in escaped and f"**{target}**" not in escaped:
            escaped = escaped.replace(target, f"**{target}**", 1)
    return escaped


def escape_markdown(text: str) -> str:
    text = html.escape(text, quote=False)
    return re.sub(r"([\\`*_{}\[\]#+!|~])", r"\\\1", text)


def draft_html(text: str) -> str:
    """A generated answer while it is being written, before verification."""
    return f"<span class='draft'>{escape_markdown(text)}</span> ▌"


def verification_note(answer: Answer) -> str:
    """One line under a generated answer: each sentence checked against its source, and what was dropped."""
    if answer.refused or not answer.generator.startswith(("llm", "extractive (llm")):
        return ""
    if answer.generator.startswith("extractive"):
        return ("\n\n<small class='verify'>⚠️ Không câu nào mô hình viết kiểm chứng được với nguồn: "
                "đây là các câu trích nguyên văn.</small>")
    dropped = sum(1 for s in answer.sentences if not s["verified"])
    note = "✓ Từng câu đã được đối chiếu với đoạn trích được dẫn"
    if dropped:
        note += f" · đã bỏ {dropped} câu không kiểm chứng được"
    return f"\n\n<small class='verify'>{note}.</small>"


_KIND_VI = {"person": "người", "date": "thời gian", "number": "con số", "place": "địa điểm", "role": "chức vụ",
            "org": "cơ quan", "resolution": "văn bản", "reason": "nguyên nhân", "list": "danh sách"}
_META_VI = {"source": "nguồn đăng", "author": "tác giả", "published": "ngày đăng"}
# The chain's refusal reasons (English, stable prefixes), said in one Vietnamese line.
_WHY_NOT = [
    (r"not in the retrieved reports: (.+)", lambda m: f"Không báo cáo nào nhắc đến: {m.group(1)}."),
    (r"no passage was retrieved", lambda m: "Không tìm thấy đoạn văn nào liên quan."),
    (r"weak evidence", lambda m: "Các đoạn gần nhất quá ít liên quan đến câu hỏi."),
    (r"the question's subject is not in the passages", lambda m: "Các đoạn tìm được không nói về điều được hỏi."),
    (r"no sentence states the (\w+) asked for",
     lambda m: f"Các đoạn tìm được không nêu {_KIND_VI.get(m.group(1), 'thông tin')} được hỏi."),
    (r"the passages name that office only as",
     lambda m: "Các đoạn chỉ nhắc chức vụ đó ở cấp phó, nguyên nhiệm hoặc quyền."),
    (r"no passage names a person with the office", lambda m: "Không đoạn nào nêu tên người giữ chức vụ được hỏi."),
    (r"(no matching sentence names|the named things are not stated)",
     lambda m: "Không câu nào nêu câu trả lời cùng với những tên riêng trong câu hỏi."),
    (r"the report does not state its (\w+)", lambda m: f"Báo cáo không ghi {_META_VI.get(m.group(1), 'thông tin này')}."),
    (r"the model found no answer", lambda m: "Mô hình không tìm thấy câu trả lời trong các đoạn trích."),
]


def why_not(answer: Answer, reports: dict[str, dict]) -> str:
    """One line under a refusal: what was missing, and the closest report that was looked at."""
    if not answer.refused:
        return ""
    line = next((say(m) for pattern, say in _WHY_NOT if (m := re.match(pattern, answer.reason or ""))), "")
    if answer.retrieved and "nhắc đến" not in line:
        closest = answer.retrieved[0]["doc_id"]
        line += f" Gần nhất: «{reports.get(closest, {}).get('title') or closest}»."
    return f"\n\n<small class='why-not'>{html.escape(line.strip())}</small>" if line.strip() else ""


def sources_html(answer: Answer | None, reports: dict[str, dict], texts: dict[str, str]) -> str:
    """The sources panel: one card per citation with the report's title, date, place and the
    passage around the cited span, the span highlighted."""
    if answer is None:
        return "<div class='sources-empty'>Nguồn của câu trả lời sẽ hiện ở đây.</div>"
    if answer.refused or not answer.citations:
        return "<div class='sources-empty'>Không có nguồn: các báo cáo không chứa thông tin này.</div>"
    cards = []
    for c in answer.citations:
        meta = reports.get(c.doc_id, {})
        text = texts.get(c.doc_id, "")
        start = text.rfind("\n\n", 0, c.start)
        start = 0 if start < 0 else start + 2
        end = text.find("\n\n", c.end)
        end = len(text) if end < 0 else end
        passage = (html.escape(text[start:c.start]) + "<mark>" + _strong_answers(text, c) + "</mark>"
                   + html.escape(text[c.end:end]))
        facts = " · ".join(html.escape(str(v)) for v in (meta.get("date") or meta.get("year") or "", meta.get("place", ""),
                                                        meta.get("source", "")) if v)
        cards.append(
            f"<details class='source' id='src-{c.marker}' open><summary><b>[{c.marker}]</b> "
            f"{html.escape(meta.get('title') or c.title)}</summary>"
            f"{where_cited(c)}"
            f"<div class='source-meta'>{facts} · <code>{html.escape(c.doc_id)}</code> · ký tự {c.start}–{c.end} · "
            f"<a href='#' class='open-in-report' data-at='{html.escape(c.doc_id, quote=True)}:{c.start}:{c.end}'>"
            f"mở trong báo cáo</a></div>"
            f"<div class='passage'>{passage}</div></details>"
        )
    return "".join(cards)


def where_cited(c: Citation) -> str:
    """The quote's section and page, and a warning when it was read by OCR from a scan."""
    parts = [html.escape(c.section)] if c.section else []
    if c.page:
        parts.append(f"trang {c.page}")
    if c.ocr:
        parts.append("đọc bằng OCR từ bản quét: hãy đối chiếu với bản gốc")
    return f"<div class='source-section'>{' · '.join(parts)}</div>" if parts else ""


def _strong_answers(text: str, c: Citation) -> str:
    """The cited span, escaped, with the answering words in <strong>."""
    out, at = [], c.start
    for a, b in sorted(h for h in c.highlights if c.start <= h[0] < h[1] <= c.end):
        if a < at:
            continue
        out += [html.escape(text[at:a]), "<strong class='answer-words'>", html.escape(text[a:b]), "</strong>"]
        at = b
    return "".join(out) + html.escape(text[at : c.end])


def report_html(doc_id: str, meta: dict, text: str, span: tuple[int, int] | None = None) -> str:
    """A whole report; with `span`, that passage highlighted (`#cited`, scrolled to by the page)."""
    facts = " · ".join(html.escape(str(meta.get(k))) for k in ("date", "place", "source", "author") if meta.get(k))
    paragraphs, at = [], 0
    for p in text.split("\n\n"):
        a, b = at, at + len(p)
        at = b + 2
        if span and a <= span[0] < b:
            s0, s1 = span[0] - a, min(span[1], b) - a
            paragraphs.append(f"<p>{html.escape(p[:s0])}<mark id='cited'>{html.escape(p[s0:s1])}</mark>"
                              f"{html.escape(p[s1:])}</p>")
        else:
            paragraphs.append(f"<p>{html.escape(p)}</p>")
    paragraphs = "".join(paragraphs)
    return (f"<h3>{html.escape(meta.get('title', doc_id))}</h3><div class='source-meta'>{facts} · "
            f"<code>{html.escape(doc_id)}</code></div><div class='report-text'>{paragraphs}</div>")


def reports_rows(reports: dict[str, dict]) -> list[list]:
    return [[doc_id, shortened(m.get("title", ""), 90), m.get("date") or (m.get("year") or ""), m.get("place", ""),
             m.get("source", ""), f"{m.get('chars', 0):,}".replace(",", "."), m.get("chunks", 0),
             str(m.get("ingested_at", "")).replace("T", " ")[:16]]
            for doc_id, m in sorted(reports.items())]


REPORT_COLUMNS = ["Mã", "Tiêu đề", "Ngày", "Địa điểm", "Nguồn", "Ký tự", "Đoạn", "Lập chỉ mục"]
REPORT_WIDTHS = ["14%", "32%", "9%", "11%", "10%", "7%", "5%", "12%"]


def shortened(text: str, limit: int) -> str:
    """At most `limit` characters, cut between words, with "…" when cut."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:–- ") + "…"


def conversation_markdown(answers: list[dict], reports: dict[str, dict]) -> str:
    """A conversation as Markdown: each question, its answer, and each citation's report, offsets
    and quote, so a reader can check it later (`baocao show DOC_ID`)."""
    lines = ["# Cuộc trò chuyện với baocao", ""]
    for a in answers:
        lines += [f"**Hỏi:** {a['question']}", "", f"**Đáp:** {a['answer']}", ""]
        for c in a.get("citations", []):
            title = reports.get(c["doc_id"], {}).get("title") or c["title"]
            lines.append(f"- [{c['marker']}] {title} (`{c['doc_id']}`, ký tự {c['start']}–{c['end']}): «{c['quote']}»")
        lines.append("")
    return "\n".join(lines)


# Why a file was not indexed (the ingest's English reasons, stable prefixes), in Vietnamese.
_SKIPPED_VI = [
    (r"file is empty", "tệp rỗng"),
    (r"binary content", "tệp nhị phân, không phải văn bản"),
    (r"(neither UTF-8|broken UTF-16)", "không đọc được bảng mã (hãy lưu lại dưới dạng UTF-8)"),
    (r"file too large \(([\d.]+) MB; the limit is (\d+) MB", r"tệp quá lớn (\1 MB; tối đa \2 MB)"),
    (r"PDF is encrypted", "PDF có mật khẩu"),
    (r"no text could be extracted", "không có chữ để đọc (bản quét chưa nhận dạng chữ?)"),
    (r"cannot parse (\.\w+)", r"tệp \1 bị hỏng, không đọc được"),
    (r"unsupported file type", "không hỗ trợ loại tệp này"),
    (r"nothing left after cleaning", "không còn nội dung sau khi làm sạch"),
    (r"same report id as", "trùng mã báo cáo với một tệp khác"),
    (r"a link to", "liên kết ra ngoài thư mục"),
    (r"the DOCX unpacks to ([\d,.]+) MB", r"tệp DOCX giải nén ra \1 MB, quá lớn để là một báo cáo"),
    (r"no text could be extracted", "không đọc được chữ nào trong tệp"),
]


def file_status(f: dict) -> str:
    """What an uploaded file held, in one Vietnamese line (pages, OCR'd pages, tables, passages, warnings)."""
    parts = []
    if f.get("pages"):
        parts.append(f"{f['pages']} trang" + (f", {len(f['ocr_pages'])} trang quét đọc bằng OCR" if f.get("ocr_pages") else ""))
    if f.get("tables"):
        parts.append(f"{f['tables']} bảng")
    parts.append(f"{f.get('chunks', 0)} đoạn")
    warnings = [re.sub(r"^page (\d+): no text$", r"trang \1 không có chữ", w) for w in f.get("warnings", [])]
    tail = f" (lưu ý: {'; '.join(warnings)})" if warnings else ""
    return f"{f['doc_id']}: {', '.join(parts)}{tail}"


def skipped_reason(reason: str) -> str:
    """Why a file was skipped, said in Vietnamese (the English reason when none matches)."""
    for pattern, said in _SKIPPED_VI:
        if m := re.match(pattern, reason):
            return m.expand(said)
    return reason
