"""Runs a query written by `kequn export-sql` in DuckDB over CSV files, as
an analyst would on a workstation, and prints its rows as JSON lines.

    python3 tests/sql/duckdb_run.py QUERY.sql TABLE FILE.csv [FILE2.csv JOIN_KEY]

The files are read with DuckDB's own `read_csv` (types detected by DuckDB,
not by kequn); with two files they are joined on JOIN_KEY into TABLE.
Used by tests/sql.rs with the virtual environment scripts/venv-sql.sh makes.
"""
import json
import sys

import duckdb

query_file, table, first = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect()
if len(sys.argv) > 5:
    second, key = sys.argv[4], sys.argv[5]
    con.execute(
        f'CREATE TABLE "{table}" AS SELECT * FROM read_csv(?) a JOIN read_csv(?) b USING ("{key}")',
        [first, second],
    )
else:
    con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM read_csv(?)', [first])
cur = con.execute(open(query_file, encoding="utf-8").read())
names = [c[0] for c in cur.description]
print(json.dumps({"columns": names, "duckdb": duckdb.__version__}, ensure_ascii=False))
for row in cur.fetchall():
    print(json.dumps([v if isinstance(v, (int, float, str)) or v is None else str(v) for v in row], ensure_ascii=False))
