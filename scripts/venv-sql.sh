#!/usr/bin/env bash
# The Python engines the SQL and PMML exports are checked on, from PyPI, in
# target/venv-sql (idempotent):
#   scripts/venv-sql.sh          DuckDB (tests/sql.rs, part of `make test`)
#   scripts/venv-sql.sh spark    and PySpark (`make check-spark`; needs Java)
#   scripts/venv-sql.sh pmml     and jpmml-evaluator, with Java and xmllint
#                                from apt when missing (tests/pmml.rs)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=target/venv-sql
DUCKDB=2.0.1
PYSPARK=4.0.1
JPMML=0.16.0
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@"
}
if ! python3 -c 'import ensurepip' 2>/dev/null; then
  apt_install python3-venv
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import duckdb, sys; sys.exit(duckdb.__version__ != '$DUCKDB')" 2>/dev/null \
  || "$VENV/bin/pip" install -q "duckdb==$DUCKDB"
if [ "${1:-}" = spark ] || [ "${1:-}" = pmml ]; then
  command -v java >/dev/null || apt_install default-jre-headless
fi
if [ "${1:-}" = spark ]; then
  "$VENV/bin/python" -c "import pyspark" 2>/dev/null || "$VENV/bin/pip" install -q "pyspark==$PYSPARK"
fi
if [ "${1:-}" = pmml ]; then
  command -v xmllint >/dev/null || apt_install libxml2-utils
  "$VENV/bin/python" -c "import jpmml_evaluator, sys; sys.exit(jpmml_evaluator.__version__ != '$JPMML')" 2>/dev/null \
    || "$VENV/bin/pip" install -q "jpmml-evaluator==$JPMML"
fi
