"""Many people at once: 16 chat sessions asking through `gradio_client` while a report is
uploaded, with zero errors and every answer well formed; latency p50/p95 and memory printed.

CI asks 3 questions per session; `BAOCAO_LOAD_QUESTIONS=63` (16 × 63 ≈ 1,000 questions) is the
full run by hand, which also asserts that memory stops growing once warm.
"""
from __future__ import annotations

import os
import resource
import shutil
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from rag.settings import Settings

from .conftest import SEEDS, _free_port

SESSIONS = 16
PER_SESSION = int(os.environ.get("BAOCAO_LOAD_QUESTIONS", "3"))
QUESTIONS = [
    "Cụm thi đua số 2 gồm bao nhiêu tỉnh?",
    "Ai được trao Huân chương Lao động hạng Nhì?",
    "Hội nghị giao ban năm 2022 tổ chức ở đâu?",
    "Ai được trao Huân chương Độc lập?",  # refused
    "huan chuong lao dong hang nhi duoc trao cho ai",
    "Cụm Thi đua số III tổ chức hội nghị tổng kết vào ngày nào?",
    "Ai phát biểu khai mạc hội nghị tổng kết công tác dân vận ở Lào Cai?",  # the uploaded report
]
UPLOAD = ("Hội nghị tổng kết công tác dân vận tỉnh Lào Cai\n\n"
          "Sáng 5/3/2021, tại thành phố Lào Cai, Ban Dân vận Tỉnh ủy tổ chức hội nghị tổng kết công tác dân vận năm 2020. "
          "Đồng chí Vàng A Sùng, Trưởng Ban Dân vận Tỉnh ủy, phát biểu khai mạc hội nghị.\n")


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


def test_sixteen_sessions_and_an_upload_at_once(tmp_path):
    from gradio_client import Client

    from ui.app import serve
    from ui.service import ChatService

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for p in SEEDS.glob("*.txt"):
        shutil.copy(p, seeds / p.name)
    service = ChatService(Settings.load(home=tmp_path / "home"), seeds=seeds)
    app = serve(service, port=_free_port(), block=False)
    url = f"http://127.0.0.1:{app.server_port}"
    texts = {d: service.report(d).text for d in service.reports()}
    try:
        Client(url, verbose=False).predict(QUESTIONS[0], api_name="/ask")  # warm
        warm_rss = _rss_mb()
        errors, latencies, answers = [], [], []
        lock = threading.Lock()

        def session(n: int) -> None:
            client = Client(url, verbose=False)
            for i in range(PER_SESSION):
                question = QUESTIONS[(n + i) % len(QUESTIONS)]
                start = time.perf_counter()
                try:
                    result = client.predict(question, api_name="/ask")
                except Exception as exc:  # noqa: BLE001 — every failure is counted, none may happen
                    with lock:
                        errors.append(f"{question}: {exc}")
                    continue
                with lock:
                    latencies.append(time.perf_counter() - start)
                    answers.append(result)

        def upload() -> None:
            time.sleep(1.0)  # while the sessions are asking
            report = tmp_path / "dan_van_lao_cai.txt"
            report.write_text(UPLOAD, encoding="utf-8")
            service.upload([str(report)])

        samples = []  # (questions answered, RSS MB), once a second
        done = threading.Event()

        def sample() -> None:
            while not done.wait(1.0):
                samples.append((len(answers), _rss_mb()))

        start = time.perf_counter()
        with ThreadPoolExecutor(SESSIONS + 2) as pool:
            sampler = pool.submit(sample)
            futures = [pool.submit(session, n) for n in range(SESSIONS)] + [pool.submit(upload)]
            for f in futures:
                f.result()
            done.set()
            sampler.result()
        wall = time.perf_counter() - start
        texts.update({d: service.report(d).text for d in service.reports() if d not in texts})
        end_rss = _rss_mb()
    finally:
        app.close()

    latencies.sort()
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    print(f"\n{len(latencies)} questions from {SESSIONS} sessions in {wall:.1f} s, {len(errors)} errors; "
          f"latency p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s; "
          f"RSS warm {warm_rss:.0f} MB, end {end_rss:.0f} MB, peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    assert errors == []
    assert len(answers) == SESSIONS * PER_SESSION
    for a in answers:  # well formed: the contract, citations quoting the reports exactly
        assert set(a) >= {"question", "answer", "refused", "citations", "retrieved", "timings_ms"}
        assert a["answer"] and (a["refused"] == (not a["citations"]))
        for c in a["citations"]:
            assert c["quote"] == texts[c["doc_id"]][c["start"] : c["end"]]
    assert "dan_van_lao_cai" in service.reports()
    if PER_SESSION * SESSIONS >= 1000:  # the full run: memory levels off (the second half adds little)
        half = next(rss for n, rss in samples if n >= len(answers) // 2)
        print(f"RSS at half of the questions {half:.0f} MB, at the end {end_rss:.0f} MB")
        assert end_rss - half < 0.25 * (half - warm_rss) + 20, (warm_rss, half, end_rss)
