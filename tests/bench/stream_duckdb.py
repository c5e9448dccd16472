"""The peer of `kequn score --all` in tests/bench/stream.mjs: DuckDB runs the
query `kequn export-sql` wrote over the same CSV (read_csv), writing every
row's score to a CSV, on every core. Prints JSON: seconds, rows, peak RSS.

    python3 tests/bench/stream_duckdb.py QUERY.sql DATA.csv OUT.csv
"""
import json
import resource
import sys
import time

import duckdb

query_file, data, out = sys.argv[1:4]
query = open(query_file, encoding="utf-8").read()
con = duckdb.connect()
start = time.perf_counter()
con.execute(f"CREATE VIEW customers AS SELECT * FROM read_csv('{data}')")
con.execute(f"COPY ({query}) TO '{out}' (HEADER, DELIMITER ',')")
seconds = time.perf_counter() - start
rows = con.execute(f"SELECT count(*) FROM read_csv('{out}')").fetchone()[0]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rows": rows, "peak_mib": peak,
                  "threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
                  "duckdb": duckdb.__version__}))
