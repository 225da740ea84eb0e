"""How long a generated answer takes on this machine: time to the first streamed words and to the
verified answer, median of several questions, for 1 and 2 llama.cpp threads, with the extractive
answer of the same questions as the baseline.

    python eval/bench_llm.py                 # the seeds, 8 questions, threads 1 and 2
    python eval/bench_llm.py --threads 2 --questions 12

Run it on a quiet machine: prompt reading dominates and competes for the same two cores.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = [  # answerable factoids of the seeds' eval set, one per kind; lists are quoted, not generated
    "Ông Nguyễn Văn Thông giữ chức vụ gì?",
    "Cụm Thi đua số III tổ chức Hội nghị tổng kết thi đua năm 2019 vào ngày nào?",
    "Năm 2020, các đơn vị trong Cụm thi đua số III đề ra bao nhiêu nhiệm vụ trọng tâm?",
    "hoi nghi so ket cum thi dua so 2 nam 2019 to chuc o huyen nao",
    "Ai phát biểu chào mừng hội nghị tổng kết thi đua năm 2019 của Cụm Thi đua số III?",
    "Đồng chí Hoàng Đăng Quang giữ chức vụ gì?",
    "Theo đồng chí Lê Quang Triều, Đảng bộ tỉnh Hà Giang luôn phát huy truyền thống gì?",
    "Who is the Deputy Secretary of the Nghe An Provincial Party Committee who spoke at the Emulation Cluster 2 meeting?",
    "Việc thực hiện Nghị quyết số 18-NQ/TW sẽ được sơ kết sau bao nhiêu năm?",
    "Hội nghị sơ kết thi đua của Cụm thi đua số 2 tại Diễn Châu diễn ra vào thời gian nào?",
    "Ai phát biểu kết luận hội nghị giao ban 8 tỉnh, thành phố khu vực miền Trung năm 2022?",
    "Ông Tán Văn Bảo giữ chức vụ gì?",
]


def timed(pipeline, question: str) -> tuple[float, float, int]:
    """(seconds to the first streamed piece, seconds to the final answer, its length)."""
    started = time.perf_counter()
    first = None
    for event in pipeline.stream(question):
        if first is None:
            first = time.perf_counter() - started
        final = event
    return first, time.perf_counter() - started, len(final.answer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", default="1,2", help="llama.cpp threads to compare (comma-separated)")
    parser.add_argument("--questions", type=int, default=8)
    args = parser.parse_args()

    from rag.chain import open_pipeline
    from rag.evaluation.command import corpus_settings
    from rag.ingest.pipeline import ingest
    from rag.retrieval.store import ReportStore
    from rag.settings import Settings

    settings = corpus_settings(Settings.load(), ROOT / "seeds", "seeds")
    ingest([ROOT / "seeds"], ReportStore.open(settings, create=True), settings.lexical_dir, progress=False)
    questions = QUESTIONS[: args.questions]
    rows = []
    base = open_pipeline(replace(settings, answerer="extractive"))
    runs = [timed(base, q) for q in questions]
    rows.append(("extractive", *(statistics.median(x) for x in zip(*runs))))
    for threads in [int(t) for t in args.threads.split(",")]:
        pipeline = open_pipeline(replace(settings, answerer="llm", llm_threads=threads))
        timed(pipeline, questions[0])  # load the model and the prompt's cached prefix once
        runs = [timed(pipeline, q) for q in questions]
        rows.append((f"llm, {threads} thread(s)", *(statistics.median(x) for x in zip(*runs))))
    print(f"median over {len(questions)} seed questions (seconds; answer length in characters)")
    print(f"{'answerer':<20} {'first words':>12} {'answer':>8} {'chars':>6} {'× extractive':>13}")
    for name, first, total, chars in rows:
        print(f"{name:<20} {first:>12.2f} {total:>8.2f} {chars:>6.0f} {total / rows[0][2]:>13.0f}")


if __name__ == "__main__":
    main()
