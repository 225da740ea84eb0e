"""Eval results as a terminal table, Markdown, and a self-contained HTML report with charts."""
from __future__ import annotations

import html

from rag.evaluation.runner import HEADLINE

TAG_COLUMNS = ["n", "accuracy", "hit@1", "evidence_recall", "fact_recall", "span_match", "refusal_recall",
               "false_refusal_rate"]


def fmt(value, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{min(digits, 1) if abs(value) >= 10 else digits}f}"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def headline_rows(results: dict) -> tuple[list[str], list[list[str]]]:
    splits = list(results["by_split"])
    headers = ["metric", "all", "95% CI", *splits, *(f"{s} 95% CI" for s in splits)]
    rows = []
    for name in HEADLINE:
        if results["overall"].get(name) is None:
            continue  # a metric this set has no gold for (facts vs. spans)
        ci = results["ci95"].get(name)
        row = [name, fmt(results["overall"].get(name)), _ci(ci)]
        row += [fmt(results["by_split"][s].get(name)) for s in splits]
        row += [_ci(results["ci95_by_split"][s].get(name)) for s in splits]
        rows.append(row)
    rows.append(["n (questions)", fmt(results["overall"]["n"]), "", *(fmt(results["by_split"][s]["n"]) for s in splits),
                 *("" for _ in splits)])
    return headers, rows


def tag_rows(results: dict) -> tuple[list[str], list[list[str]]]:
    rows = [[tag, *(fmt(m.get(c)) for c in TAG_COLUMNS)] for tag, m in sorted(
        results["by_tag"].items(), key=lambda kv: (kv[1]["accuracy"] or 0.0))]
    return ["tag (worst first)", *TAG_COLUMNS], rows


def corpora_table(runs: dict[str, dict]) -> str:
    """The headline metrics of several corpora side by side (test split beside all)."""
    names = list(runs)
    headers = ["metric"] + [f"{n} ({part})" for n in names for part in ("all", "test")]
    rows = []
    for metric in ["n", *HEADLINE]:
        values = [runs[n]["overall"].get(metric) for n in names]
        if all(v is None for v in values):
            continue
        rows.append([metric] + [fmt(part.get(metric)) for n in names
                                for part in (runs[n]["overall"], runs[n]["by_split"].get("test", {}))])
    return _table(headers, rows)


def latency_rows(results: dict) -> tuple[list[str], list[list[str]]]:
    return ["stage (ms)", "p50", "p95"], [[s, fmt(v["p50"], 1), fmt(v["p95"], 1)] for s, v in results["latency_ms"].items()]


def _ci(ci) -> str:
    return f"[{ci[0]:.2f}, {ci[1]:.2f}]" if ci else ""


def text_report(results: dict, worst: int = 8) -> str:
    parts = [_config_line(results), _table(*headline_rows(results)), "", _table(*tag_rows(results)), "",
             _table(*latency_rows(results))]
    failed = [q for q in results["questions"] if not q["correct"]][:worst]
    if failed:
        parts += ["", f"worst {len(failed)} of {sum(not q['correct'] for q in results['questions'])} failed questions:"]
        parts += [f"  {q['id']} {q['question'][:70]} — {'; '.join(q['failures']) or 'wrong'}" for q in failed]
    return "\n".join(parts)


def _config_line(results: dict) -> str:
    c = results["config"]
    return " · ".join(f"{k}={v}" for k, v in c.items())


def markdown_report(results: dict) -> str:
    def md(headers, rows):
        return "\n".join(["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
                         + ["| " + " | ".join(r) + " |" for r in rows])

    failed = [q for q in results["questions"] if not q["correct"]]
    lines = [f"# baocao eval\n\n{_config_line(results)}\n", "## Headline\n", md(*headline_rows(results)),
             "\n## By tag\n", md(*tag_rows(results)), "\n## Latency\n", md(*latency_rows(results)),
             f"\n## Failed questions ({len(failed)})\n"]
    lines += [f"- **{q['id']}** {q['question']} — {'; '.join(q['failures'])}" for q in failed]
    return "\n".join(lines) + "\n"


def _bars(title: str, items: list[tuple[str, float]], maximum: float, unit: str = "") -> str:
    """A horizontal bar chart as inline SVG (no script, no external resource)."""
    row, label_w, bar_w = 22, 170, 360
    height = row * len(items) + 30
    out = [f'<svg role="img" aria-label="{html.escape(title)}" width="{label_w + bar_w + 80}" height="{height}">',
           f'<text x="0" y="14" font-weight="bold">{html.escape(title)}</text>']
    for i, (label, value) in enumerate(items):
        y = 24 + i * row
        width = 0 if not maximum else bar_w * max(0.0, value) / maximum
        out.append(f'<text x="0" y="{y + 14}">{html.escape(label)}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 3}" width="{width:.1f}" height="14" fill="#3b6ea5"/>')
        out.append(f'<text x="{label_w + width + 4:.1f}" y="{y + 14}">{value:.2f}{unit}</text>')
    return "\n".join(out + ["</svg>"])


def html_report(results: dict) -> str:
    def table(headers, rows):
        head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    tags = sorted(results["by_tag"].items(), key=lambda kv: kv[1]["accuracy"] or 0.0)
    charts = [
        _bars("Accuracy by tag", [(t, m["accuracy"] or 0.0) for t, m in tags], 1.0),
        _bars("Fact recall by tag", [(t, m["fact_recall"] or 0.0) for t, m in tags if m["fact_recall"] is not None], 1.0),
        _bars("Latency p50 / p95 (ms)", [(f"{s} {p}", v[p]) for s, v in results["latency_ms"].items() for p in ("p50", "p95")],
              max((v["p95"] for v in results["latency_ms"].values()), default=1.0), " ms"),
    ]
    rows = []
    for q in results["questions"]:
        cites = "<br>".join(f"[{c['marker']}] {html.escape(c['doc_id'])} {c['start']}–{c['end']}: "
                            f"{html.escape(c['quote'][:160])}" for c in q["citations"])
        status = "ok" if q["correct"] else "fail"
        rows.append(
            f"<tr class='{status}'><td>{html.escape(q['id'])}</td><td>{html.escape(', '.join(q['tags']))}</td>"
            f"<td>{html.escape(q['question'])}</td><td>{html.escape(q['gold'] or '(refusal)')}</td>"
            f"<td>{html.escape(q['answer'])}</td><td>{cites}</td>"
            f"<td>{html.escape('; '.join(q['failures']))}</td></tr>"
        )
    questions = ("<table><thead><tr><th>id</th><th>tags</th><th>question</th><th>gold</th><th>answer</th>"
                 "<th>citations</th><th>what failed</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
    style = ("body{font-family:sans-serif;margin:2em;max-width:1400px}table{border-collapse:collapse;margin:1em 0}"
             "td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;font-size:13px}"
             "tr.fail td:first-child{border-left:4px solid #c0392b}tr.ok td:first-child{border-left:4px solid #27ae60}"
             "svg{display:block;margin:1em 0;font-size:12px}")
    return (f"<!doctype html><html lang='vi'><head><meta charset='utf-8'><title>baocao eval</title>"
            f"<style>{style}</style></head><body><h1>baocao eval</h1><p>{html.escape(_config_line(results))}</p>"
            f"<h2>Headline</h2>{table(*headline_rows(results))}<h2>Charts</h2>{''.join(charts)}"
            f"<h2>By tag</h2>{table(*tag_rows(results))}<h2>Latency</h2>{table(*latency_rows(results))}"
            f"<h2>Questions, worst first</h2>{questions}</body></html>")
