"""Latency benchmark for `baocao ask` (prints numbers; not a test).

    python eval/bench_latency.py [--runs 5]

Measures, on the index in $BAOCAO_HOME (run `baocao ingest` first):
  - cold CLI: wall time of `baocao ask --json` as a new process (median of --runs),
  - the same with `python -c pass` as the interpreter baseline, and the ratio,
  - warm in-process: per-stage timings over a fixed list of questions (median, p95),
  - whether torch / transformers / gradio / sentence_transformers were imported.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUESTIONS = [
    "Cụm thi đua số 2 gồm bao nhiêu tỉnh?",
    "Ai được trao Huân chương Lao động hạng Nhì?",
    "huan chuong lao dong hang nhi duoc trao cho ai",
    "Hội nghị tổng kết thi đua năm 2019 ở Nha Trang diễn ra ngày nào?",
    "Trưởng Ban Tổ chức Tỉnh uỷ Thanh Hoá là ai?",
    "Who chaired the conference in Thanh Hoa in 2022?",
    "Ai được trao Huân chương Độc lập?",
    "Những tỉnh nào thuộc Cụm thi đua Đông Bắc?",
]
HEAVY = ("torch", "transformers", "gradio", "sentence_transformers")


def _wall(cmd: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    baocao = str(Path(sys.executable).parent / "baocao")
    question = QUESTIONS[0]

    cli = _wall([baocao, "ask", question, "--json"], args.runs)
    python = _wall([sys.executable, "-c", "pass"], args.runs)
    imports = subprocess.run([sys.executable, "-X", "importtime", "-m", "rag.cli", "ask", question, "--json"],
                             capture_output=True, text=True, check=True).stderr
    heavy = [m for m in HEAVY if re.search(rf"\|\s+{m}$", imports, re.MULTILINE)]

    from rag.chain import open_pipeline
    from rag.settings import Settings

    t = time.perf_counter()
    pipeline = open_pipeline(Settings.load())
    open_s = time.perf_counter() - t
    stages: dict[str, list[float]] = {"retrieve": [], "answer": [], "total": []}
    for _ in range(args.runs):
        for q in QUESTIONS:
            timings = pipeline.ask(q).timings_ms
            for k in stages:
                stages[k].append(timings[k])

    def p95(xs):
        return sorted(xs)[max(0, int(round(0.95 * len(xs))) - 1)]

    print(f"{'measure':40} {'median':>10} {'p95':>10}")
    print(f"{'cold `baocao ask --json` (s)':40} {statistics.median(cli):10.2f} {max(cli):10.2f}")
    print(f"{'cold `python -c pass` (s)':40} {statistics.median(python):10.2f} {max(python):10.2f}")
    print(f"{'ratio cli / bare interpreter':40} {statistics.median(cli) / statistics.median(python):10.1f}")
    print(f"{'open pipeline in-process (s)':40} {open_s:10.2f}")
    for k, xs in stages.items():
        print(f"{'warm ' + k + ' (ms)':40} {statistics.median(xs):10.1f} {p95(xs):10.1f}")
    print(json.dumps({"heavy_modules_imported": heavy}))


if __name__ == "__main__":
    main()
