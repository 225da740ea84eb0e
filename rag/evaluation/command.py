"""`baocao eval`: the benchmark analysts run from the command line."""
from __future__ import annotations

import dataclasses
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import click

from rag.evaluation.dataset import DEFAULT_SEEDS, DEFAULT_SET
from rag.settings import MODES

FLOOR_METRICS = ("accuracy", "hit@1", "hit@3", "hit@5", "mrr", "ndcg@5", "evidence_recall", "fact_recall", "f1",
                 "refusal_precision", "refusal_recall", "citation_precision", "citation_recall")


def _parse_floors(floors: tuple[str, ...]) -> dict[str, float]:
    parsed = {}
    for floor in floors:
        name, _, value = floor.partition("=")
        if name not in FLOOR_METRICS or not value:
            raise click.UsageError(f"--min wants METRIC=VALUE with METRIC one of {', '.join(FLOOR_METRICS)}; got {floor!r}")
        try:
            parsed[name] = float(value)
        except ValueError as exc:
            raise click.UsageError(f"--min {floor!r}: {value!r} is not a number") from exc
    return parsed


@click.command("eval")
@click.option("--set", "set_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_SET,
              show_default="eval/qa.jsonl", help="The Q&A set (JSON lines).")
@click.option("--split", type=click.Choice(["all", "dev", "test"]), default="all", show_default=True,
              help="Tune on dev; report test.")
@click.option("-k", type=click.IntRange(1, 50), help="Passages to retrieve (default 6).")
@click.option("--mode", type=click.Choice(MODES), help="Retrieval mode (default hybrid).")
@click.option("--reports", "reports_path", type=click.Path(exists=True, path_type=Path), default=DEFAULT_SEEDS,
              show_default="seeds/", help="Reports indexed (incrementally) before the run.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write results.json, report.md and report.html here.")
@click.option("--ablation", is_flag=True, help="Run dense, lexical and hybrid retrieval and print them together.")
@click.option("--compare", nargs=2, type=click.Path(exists=True, path_type=Path), metavar="A B",
              help="Compare two earlier runs (folders or results.json) instead of running.")
@click.option("--min", "floors", multiple=True, metavar="METRIC=VALUE",
              help="Exit 1 when METRIC (overall) falls below VALUE; repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON instead of tables.")
@click.pass_obj
def eval_command(obj, set_path, split, k, mode, reports_path, out, ablation, compare, floors, as_json) -> None:
    """Measure retrieval, answers, refusals and citations on a Q&A set.

    \b
    Examples:
      baocao eval                                  # the whole set, tables in the terminal
      baocao eval --split test --out runs/base     # + results.json, report.md, report.html
      baocao eval --ablation                       # dense vs lexical vs hybrid
      baocao eval --compare runs/base runs/new     # side by side, with deltas
      baocao eval --min accuracy=0.8 --min hit@1=0.9   # non-zero exit below a floor (CI)
    """
    from rag.evaluation.compare import ablation_table, compare as compare_runs, load_results

    if compare:
        try:
            a, b = (load_results(p) for p in compare)
        except (FileNotFoundError, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(compare_runs(a, b, str(compare[0]), str(compare[1])))
        return
    minimums = _parse_floors(floors)
    settings = obj.settings(k=k, mode=mode)
    runs = _run(settings, set_path, split, reports_path, ["dense", "lexical", "hybrid"] if ablation else [settings.mode],
                progress=not as_json)
    main = runs.get(settings.mode) or runs["hybrid"]
    from rag.evaluation.report import html_report, markdown_report, text_report

    if as_json:
        click.echo(json.dumps({m: {key: r[key] for key in ("config", "overall", "by_split", "by_tag", "latency_ms")}
                               for m, r in runs.items()}, ensure_ascii=False))
    else:
        click.echo(text_report(main))
        if ablation:
            click.echo("\nablation (same set, same index):\n" + ablation_table(runs))
    if out:
        files = {"results.json": json.dumps(main, ensure_ascii=False, indent=1),
                 "report.md": markdown_report(main), "report.html": html_report(main)}
        if ablation:
            files["ablation.md"] = ablation_table(runs) + "\n"
        _write_all(out, files)
        if not as_json:
            click.echo(f"\nwrote {', '.join(files)} to {out}")
    below = {m: v for m, v in minimums.items() if (main["overall"].get(m) or 0.0) < v}
    if below:
        for m, v in below.items():
            click.echo(f"below floor: {m} = {main['overall'].get(m) or 0.0:.3f} < {v}", err=True)
        sys.exit(1)


def _run(settings, set_path: Path, split: str, reports_path: Path, modes: list[str], progress: bool) -> dict[str, dict]:
    from rag.chain import open_pipeline
    from rag.embedders.sentence_transformers import ModelFolderError
    from rag.evaluation.dataset import DatasetError, load, validate
    from rag.evaluation.runner import evaluate, summarize
    from rag.ingest.pipeline import ingest
    from rag.store import ReportStore, StoreError

    try:
        items = [i for i in load(set_path) if split == "all" or i.split == split]
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
        pipeline = open_pipeline(dataclasses.replace(settings, mode=mode))
        config = {"set": set_path.name, "split": split, "questions": len(items), "mode": mode, "k": settings.k,
                  "embedder": pipeline.store.embedder, "date": time.strftime("%Y-%m-%d %H:%M")}
        outcomes = evaluate(_conversation(pipeline), items, texts, progress=progress)
        runs[mode] = summarize(outcomes, config)
    return runs


def _conversation(pipeline):
    """Answers a question after its conversation's earlier questions, follow-ups resolved as the chat does."""
    from rag.answer.followup import Turn, rewrite_followup

    def ask(question: str, history: list[str]) -> dict:
        turns: list[Turn] = []
        for earlier in history:
            resolved = rewrite_followup(earlier, turns)
            answer = pipeline.ask(resolved)
            turns.append(Turn(resolved, answer.answer, answer.refused))
        return pipeline.ask(rewrite_followup(question, turns)).to_dict()

    return ask


def _write_all(folder: Path, files: dict[str, str]) -> None:
    """Each file is written whole or not at all (temp file + rename)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(content)
        os.replace(tmp, folder / name)
