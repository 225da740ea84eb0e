"""`baocao eval`: the benchmark analysts run from the command line."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import os
import sys
import tempfile
import time
from pathlib import Path

import click

from rag.evaluation.dataset import DEFAULT_SEEDS, DEFAULT_SET
from rag.settings import ANSWERERS, MODES

FLOOR_METRICS = ("accuracy", "hit@1", "hit@3", "hit@5", "mrr", "ndcg@5", "evidence_recall", "fact_recall", "f1",
                 "span_match", "span_recall", "refusal_precision", "refusal_recall", "citation_precision",
                 "citation_recall", "citation_verbatim")
CEILING_METRICS = ("false_refusal_rate", "answer_chars_p50")


def _parse_limits(option: str, limits: tuple[str, ...], allowed: tuple[str, ...]) -> dict[str, float]:
    parsed = {}
    for limit in limits:
        name, _, value = limit.partition("=")
        if name not in allowed or not value:
            raise click.UsageError(f"{option} wants METRIC=VALUE with METRIC one of {', '.join(allowed)}; got {limit!r}")
        try:
            parsed[name] = float(value)
        except ValueError as exc:
            raise click.UsageError(f"{option} {limit!r}: {value!r} is not a number") from exc
    return parsed


@click.command("eval")
@click.option("--corpus", "--reports", "corpora", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder of reports to index (in its own data folder) and ask about; repeatable. "
                   "A folder with docs/ and qa.jsonl needs no --qa.  [default: seeds/]")
@click.option("--qa", "--set", "qa_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The Q&A set (JSON lines) of each --corpus, in the same order.  [default: eval/qa.jsonl]")
@click.option("--split", type=click.Choice(["all", "dev", "test"]), default="all", show_default=True,
              help="Tune on dev; report test.")
@click.option("-k", type=click.IntRange(1, 50), help="Passages to retrieve (default 6).")
@click.option("--mode", type=click.Choice(MODES), help="Retrieval mode (default hybrid).")
@click.option("--answerer", type=click.Choice(ANSWERERS),
              help="extractive (default) or llm (generated and verified; slow on a CPU: try --limit).")
@click.option("--limit", type=click.IntRange(1), help="Only the first N questions (of the split) of each set.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write results.json, report.md and report.html here (one folder per corpus when several).")
@click.option("--ablation", is_flag=True, help="Run dense, lexical and hybrid retrieval and print them together.")
@click.option("--compare", nargs=2, type=click.Path(exists=True, path_type=Path), metavar="A B",
              help="Compare two earlier runs (folders or results.json) instead of running.")
@click.option("--min", "floors", multiple=True, metavar="METRIC=VALUE",
              help="Exit 1 when METRIC (overall, on every corpus) falls below VALUE; repeatable.")
@click.option("--max", "ceilings", multiple=True, metavar="METRIC=VALUE",
              help="Exit 1 when METRIC rises above VALUE (false_refusal_rate, answer_chars_p50); repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON instead of tables.")
@click.pass_obj
def eval_command(obj, corpora, qa_files, split, k, mode, answerer, limit, out, ablation, compare, floors, ceilings,
                 as_json) -> None:
    """Measure retrieval, answers, refusals and citations on Q&A sets.

    Each corpus is indexed (incrementally) in its own folder under the data folder's
    eval/, so an eval never touches the index you ask questions of.

    \b
    Examples:
      baocao eval                                  # seeds/ + eval/qa.jsonl, tables in the terminal
      baocao eval --split test --out runs/base     # + results.json, report.md, report.html
      baocao eval --corpus ../shared/corpora/vinewsqa-dev            # a folder with docs/ + qa.jsonl
      baocao eval --corpus seeds --corpus ../shared/corpora/vinewsqa-dev   # two corpora side by side
      baocao eval --corpus my-reports/ --qa my-questions.jsonl
      baocao eval --ablation                       # dense vs lexical vs hybrid
      baocao eval --answerer llm --split test --limit 40   # generated answers (local Qwen), verified
      baocao eval --compare runs/base runs/new     # side by side, with deltas
      baocao eval --min accuracy=0.8 --max false_refusal_rate=0.05   # non-zero exit past a limit (CI)
    """
    from rag.evaluation.compare import ablation_table, compare as compare_runs, load_results
    from rag.evaluation.dataset import DatasetError, corpus_paths
    from rag.evaluation.report import corpora_table, html_report, markdown_report, text_report

    if compare:
        try:
            a, b = (load_results(p) for p in compare)
        except (FileNotFoundError, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(compare_runs(a, b, str(compare[0]), str(compare[1])))
        return
    minimums = _parse_limits("--min", floors, FLOOR_METRICS)
    maximums = _parse_limits("--max", ceilings, CEILING_METRICS)
    if qa_files and len(qa_files) != max(1, len(corpora)):
        raise click.UsageError("give one --qa per --corpus, in the same order (or none: DIR/qa.jsonl is found)")
    try:
        pairs = [corpus_paths(c, q) for c, q in zip(corpora, qa_files or [None] * len(corpora))] if corpora else [
            (DEFAULT_SEEDS, qa_files[0] if qa_files else DEFAULT_SET)]
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from exc
    base = obj.settings(k=k, mode=mode, answerer=answerer)
    modes = ["dense", "lexical", "hybrid"] if ablation else [base.mode]
    results: dict[str, dict] = {}  # corpus name -> the main mode's results
    failed = []
    for docs, qa in pairs:
        name = corpus_name(docs)
        runs = _run(corpus_settings(base, docs, name), qa, split, docs, modes, limit, progress=not as_json)
        main = results[name] = runs.get(base.mode) or runs["hybrid"]
        main["config"]["corpus"] = name
        if not as_json:
            click.echo(text_report(main))
            if ablation:
                click.echo("\nablation (same set, same index):\n" + ablation_table(runs))
        if out:
            folder = out / name if len(pairs) > 1 else out
            files = {"results.json": json.dumps(main, ensure_ascii=False, indent=1),
                     "report.md": markdown_report(main), "report.html": html_report(main)}
            if ablation:
                files["ablation.md"] = ablation_table(runs) + "\n"
            _write_all(folder, files)
            if not as_json:
                click.echo(f"\nwrote {', '.join(files)} to {folder}")
        failed += _past_limits(name, main["overall"], minimums, maximums)
    if as_json:
        payload = {n: {key: r[key] for key in ("config", "overall", "by_split", "by_tag", "latency_ms")}
                   for n, r in results.items()}
        click.echo(json.dumps(payload, ensure_ascii=False))
    elif len(results) > 1:
        click.echo("\ncorpora side by side:\n" + corpora_table(results))
        if out:
            _write_all(out, {"corpora.md": corpora_table(results) + "\n"})
    for line in failed:
        click.echo(line, err=True)
    if failed:
        sys.exit(1)


def _past_limits(name: str, overall: dict, minimums: dict, maximums: dict) -> list[str]:
    lines = [f"{name}: below floor: {m} = {overall.get(m) or 0.0:.3f} < {v}"
             for m, v in minimums.items() if (overall.get(m) or 0.0) < v]
    return lines + [f"{name}: above ceiling: {m} = {overall.get(m):.3f} > {v}"
                    for m, v in maximums.items() if overall.get(m) is not None and overall[m] > v]


def corpus_name(docs: Path) -> str:
    """A readable, stable name: `seeds`, `vinewsqa-dev` (the folder above a docs/ folder)."""
    folder = docs.resolve()
    folder = folder.parent if folder.name == "docs" else folder
    return re.sub(r"[^A-Za-z0-9_-]+", "-", folder.name).strip("-") or "corpus"


def corpus_settings(settings, docs: Path, name: str):
    """Each corpus gets its own data folder (and collection, on a shared Chroma server)."""
    digest = hashlib.sha1(str(docs.resolve()).encode()).hexdigest()[:8]
    return dataclasses.replace(settings, home=settings.home / "eval" / f"{name}-{digest}",
                               collection=f"{settings.collection}-eval-{name}-{digest}"[:60])


def _run(settings, set_path: Path, split: str, reports_path: Path, modes: list[str], limit: int | None,
         progress: bool) -> dict[str, dict]:
    from rag.chain import open_pipeline
    from rag.embedders.sentence_transformers import ModelFolderError
    from rag.evaluation.dataset import DatasetError, load, validate
    from rag.evaluation.runner import evaluate, summarize
    from rag.generators import GeneratorUnavailable
    from rag.generators.gguf_parts import ModelAssemblyError
    from rag.ingest.pipeline import ingest
    from rag.retrieval.store import ReportStore, StoreError

    try:
        items = [i for i in load(set_path) if split == "all" or i.split == split][:limit]
        store = ReportStore.open(settings, create=True)
        ingest([reports_path], store, settings.lexical_dir, progress=progress)
        texts = {doc_id: store.report(doc_id).text for doc_id in store.reports()}
    except (DatasetError, StoreError, ModelFolderError) as exc:
        raise click.ClickException(str(exc)) from exc
    problems = validate(items, texts)
    if problems:
        raise click.ClickException(f"the eval set has {len(problems)} problem(s), e.g.: " + "; ".join(problems[:3]))
    runs = {}
    for mode in modes:
        try:
            pipeline = open_pipeline(dataclasses.replace(settings, mode=mode))
        except (GeneratorUnavailable, ModelAssemblyError) as exc:
            raise click.ClickException(str(exc)) from exc
        config = {"set": set_path.name, "split": split, "questions": len(items), "mode": mode, "k": settings.k,
                  "embedder": pipeline.store.embedder, "answerer": _answerer_id(pipeline),
                  "date": time.strftime("%Y-%m-%d %H:%M")}
        outcomes = evaluate(_conversation(pipeline), items, texts, progress=progress)
        runs[mode] = summarize(outcomes, config)
    return runs


def _answerer_id(pipeline) -> str:
    """"extractive", or the generator with its prompt version: scores of two prompts never mix."""
    generator = getattr(pipeline.answerer, "generator", None)
    if generator is None:
        return "extractive"
    from rag.answer.generated import prompt

    return f"{generator} prompt={prompt()[0]}"


def _conversation(pipeline):
    """Answers a question after its conversation's earlier questions, follow-ups resolved as the chat does."""
    from rag.answer.followup import Turn

    def ask(question: str, history: list[str]) -> dict:
        turns: list[Turn] = []
        for earlier in history:
            resolved = pipeline.resolve(earlier, turns)
            answer = pipeline.ask(resolved)
            turns.append(Turn(resolved, answer.answer, answer.refused))
        return pipeline.ask(pipeline.resolve(question, turns)).to_dict()

    return ask


def _write_all(folder: Path, files: dict[str, str]) -> None:
    """Each file is written whole or not at all (temp file + rename)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(content)
        os.replace(tmp, folder / name)
