"""Benchmark: the CSV export streams, so memory stays flat as rows grow (issue 7).

Prints, for 10k / 100k / 1M rows written through core.exports.csv_response (UTF-8 and cp932),
the wall time and the peak Python memory (tracemalloc) while the response is consumed.
Run: make bench   (or: DJANGO_SECRET_KEY=x .venv/bin/python bench/export_memory.py)
"""

import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

from core.exports import Column, csv_response  # noqa: E402
from core.formatting import Unit  # noqa: E402

COLUMNS = [
    Column("program_slug", "事業キー", "Program key"),
    Column("program", "事業", "Program"),
    Column("fiscal_year", "年度", "Fiscal year", "int"),
    Column("amount", "金額", "Amount", "money"),
    Column("amount_yen", "金額（円）", "Amount (yen)", "yen"),
    Column("note", "備考", "Note"),
]


def rows(n):
    def generate():
        for i in range(n):
            yield {
                "program_slug": f"program-{i % 97}",
                "program": "知的クラスター創成事業（第II期）",
                "fiscal_year": 2000 + i % 30,
                "amount": 1_566_000_000 + i,
                "amount_yen": 1_566_000_000 + i,
                "note": "=formula-like text" if i % 10 == 0 else "出典：文部科学省",
            }

    return generate


def measure(n, encoding):
    tracemalloc.start()
    started = time.perf_counter()
    response = csv_response(filename="bench.csv", columns=COLUMNS, rows=rows(n), unit=Unit.MILLION, encoding=encoding)
    size = sum(len(chunk) for chunk in response.streaming_content)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return size, elapsed, peak


if __name__ == "__main__":
    print(f"{'rows':>10} {'encoding':>8} {'bytes':>14} {'seconds':>8} {'peak MiB':>9}")
    for n in (10_000, 100_000, 1_000_000):
        for encoding in ("utf-8", "cp932"):
            size, elapsed, peak = measure(n, encoding)
            print(f"{n:>10,} {encoding:>8} {size:>14,} {elapsed:>8.2f} {peak / 2**20:>9.2f}")
