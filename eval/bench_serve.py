"""How long the chat takes to come up and to answer (prints numbers; not a test).

    python eval/bench_serve.py [--runs 5]

Starts `baocao serve` on a free port over the index in $BAOCAO_HOME (seeds indexed
incrementally), then measures: seconds until the page answers HTTP 200, the first
answer through the app's API (gradio_client, /ask), and later answers (median).
"""
from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "baocao"), "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                urllib.request.urlopen(url, timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    raise SystemExit("baocao serve exited") from None
                time.sleep(0.1)
        ready = time.perf_counter() - started
        from gradio_client import Client

        client = Client(url, verbose=False)
        t = time.perf_counter()
        client.predict("Cụm thi đua số 2 gồm bao nhiêu tỉnh?", api_name="/ask")
        first = time.perf_counter() - t
        later = []
        for q in ["Ai được trao Huân chương Lao động hạng Nhì?", "Hội nghị giao ban năm 2022 tổ chức ở đâu?"] * args.runs:
            t = time.perf_counter()
            client.predict(q, api_name="/ask")
            later.append(time.perf_counter() - t)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(f"{'measure':44} {'seconds':>8}")
    print(f"{'start `baocao serve` -> page answers':44} {ready:8.2f}")
    print(f"{'first answer after start (API round trip)':44} {first:8.2f}")
    print(f"{'start -> first answer':44} {ready + first:8.2f}")
    print(f"{'later answers, median of ' + str(len(later)):44} {statistics.median(later):8.2f}")
    print(f"{'later answers, max':44} {max(later):8.2f}")


if __name__ == "__main__":
    main()
