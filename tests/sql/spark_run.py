"""Runs a query written by `kequn export-sql --dialect spark` in Spark SQL
(local mode, PySpark from PyPI) over CSV files and prints its rows as JSON
lines, as tests/sql/duckdb_run.py does for DuckDB.

    python3 tests/sql/spark_run.py QUERY.sql TABLE FILE.csv [FILE2.csv JOIN_KEY]

Spark reads the files with its own CSV reader (header, inferSchema; the
delimiter taken from the header line) and the session time zone is UTC,
as the exported query's header asks. Used by `make check-spark`.
"""
import json
import sys

from pyspark.sql import SparkSession

query_file, table, first = sys.argv[1], sys.argv[2], sys.argv[3]
spark = (SparkSession.builder.master("local[*]").appName("kequn-sql-check")
         .config("spark.sql.session.timeZone", "UTC")
         .config("spark.ui.enabled", "false")
         .config("spark.driver.memory", "6g")
         .getOrCreate())
spark.sparkContext.setLogLevel("ERROR")


def read(path):
    with open(path, encoding="utf-8") as f:
        head = f.readline()
    sep = ";" if head.count(";") > head.count(",") else ","
    return spark.read.csv(path, header=True, inferSchema=True, sep=sep, encoding="UTF-8")


df = read(first)
if len(sys.argv) > 5:
    df = df.join(read(sys.argv[4]), sys.argv[5])
df.createOrReplaceTempView(table)
result = spark.sql(open(query_file, encoding="utf-8").read())
print(json.dumps({"columns": result.columns, "spark": spark.version}, ensure_ascii=False))
for row in result.toLocalIterator():
    print(json.dumps([v if isinstance(v, (int, float, str)) or v is None else str(v) for v in row],
                     ensure_ascii=False))
spark.stop()
