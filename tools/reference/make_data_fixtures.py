"""Writes small training-data files in the layouts users bring, made with the libraries that
write them for real (pyarrow for Parquet), for the Java readers' tests.

Run: tools/reference/.venv/bin/python tools/reference/make_data_fixtures.py
"""
import pathlib

import pyarrow as pa
import pyarrow.parquet as pq

OUT = pathlib.Path(__file__).resolve().parents[2] / "trainer-image/src/test/resources/data"

ROWS = [
    {"instruction": "Define harbor.", "input": "", "output": "A sheltered port."},
    {"instruction": "Translate to English.", "input": "bonjour", "output": "hello"},
    {"instruction": "Name a color — ✓ in Unicode.", "input": None, "output": "Blue."},
]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(ROWS), OUT / "alpaca.parquet", compression="snappy")
    conversations = [{"messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]}]
    pq.write_table(pa.Table.from_pylist(conversations), OUT / "messages.parquet", compression="zstd")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
