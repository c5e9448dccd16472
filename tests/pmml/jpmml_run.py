"""Scores a CSV file with a PMML document in jpmml-evaluator (PyPI, Java)
and prints one JSON line of column names, then one JSON array per row:
the id, then the document's output fields (probability; or score and
reason codes) in their order.

    python jpmml_run.py model.pmml data.csv id_column

Every cell goes to the evaluator as the text in the file (untrimmed, the
empty string included): the document itself must read it as kequn does.
"""

import csv
import json
import sys

import pandas
from jpmml_evaluator import make_evaluator


def main():
    pmml, path, id_col = sys.argv[1:4]
    evaluator = make_evaluator(pmml).verify()
    inputs = [f.getName() for f in evaluator.getInputFields()]
    outputs = [f.getName() for f in evaluator.getOutputFields()]
    with open(path, encoding="utf-8-sig", newline="") as f:
        sample = f.read(64 * 1024)
        f.seek(0)
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        rows = list(csv.reader(f, dialect))
    head, body = rows[0], [r for r in rows[1:] if r]
    at = {name: k for k, name in enumerate(head)}
    missing = [n for n in inputs + [id_col] if n not in at]
    if missing:
        sys.exit(f"{path}: no column {missing}")
    frame = pandas.DataFrame(
        {n: pandas.Series([r[at[n]] for r in body], dtype=object) for n in inputs}
    )
    results = evaluator.evaluateAll(frame)
    if "errors" in results.columns and results["errors"].notna().any():
        bad = results[results["errors"].notna()]
        sys.exit(f"{len(bad)} rows failed, first: {bad['errors'].iloc[0]}")
    print(json.dumps({"columns": [id_col] + outputs}, ensure_ascii=False))
    for k, r in enumerate(body):
        row = [r[at[id_col]]]
        for o in outputs:
            v = results[o].iloc[k]
            if v is None or (isinstance(v, float) and v != v):
                row.append(None)
            elif isinstance(v, str):
                row.append(v)
            else:
                row.append(float(v))
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
