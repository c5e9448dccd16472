#!/usr/bin/env bash
# The Python engines the SQL export is checked on, from PyPI, in
# target/venv-sql (idempotent):
#   scripts/venv-sql.sh          DuckDB (tests/sql.rs, part of `make test`)
#   scripts/venv-sql.sh spark    and PySpark (`make check-spark`; needs Java)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=target/venv-sql
DUCKDB=2.0.1
PYSPARK=4.0.1
if ! python3 -c 'import ensurepip' 2>/dev/null; then
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq python3-venv
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import duckdb, sys; sys.exit(duckdb.__version__ != '$DUCKDB')" 2>/dev/null \
  || "$VENV/bin/pip" install -q "duckdb==$DUCKDB"
if [ "${1:-}" = spark ]; then
  if ! command -v java >/dev/null; then
    as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq default-jre-headless
  fi
  "$VENV/bin/python" -c "import pyspark" 2>/dev/null || "$VENV/bin/pip" install -q "pyspark==$PYSPARK"
fi
