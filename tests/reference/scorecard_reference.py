"""Reference figures for the scorecard binning (tests/scorecard.rs).

Pins our optimal WOE binning to optbinning (PyPI, which solves the binning
with OR-Tools CP-SAT) on:

* scikit-learn's breast-cancer data, column "mean radius", OptimalBinning
  with default settings (the column and target are written to
  tests/reference/breast_cancer_mean_radius.csv so the Rust test needs no
  Python);
* BinningProcess with default settings on ../shared/data/real/
  Churn_Modelling.csv (label Exited; RowNumber, CustomerId, Surname dropped)
  and bank-full.csv (';'-delimited, label y == "yes", duration dropped).

Run from the repository root:

    python3 -m venv target/venv-optbinning
    target/venv-optbinning/bin/pip install optbinning scikit-learn pandas
    target/venv-optbinning/bin/python tests/reference/scorecard_reference.py

It rewrites tests/reference/scorecard_reference.json and the CSV.

The scorecards ("churn_scorecard", "bank_full_scorecard") are optbinning's
Scorecard (BinningProcess with selection_criteria iv >= 0.02,
scikit-learn's LogisticRegression() on the WOE, pdo_odds scaling: 600
points at odds 1:19, pdo 50) fitted on kequn's training rows: the test rows
are tests/reference/<name>_split.txt (kequn's seeded stratified split, held
by tests/gbdt_recipes.rs and tests/scorecard.rs).
"""

import json
import os

import numpy as np
import optbinning
import pandas as pd
import sklearn
from optbinning import BinningProcess, OptimalBinning, Scorecard
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.datasets import load_breast_cancer

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.join(HERE, "..", "..", "..", "shared", "data", "real")


def table_rows(optb):
    bt = optb.binning_table
    df = bt.build(add_totals=False)
    rows = []
    for _, r in df.iterrows():
        rows.append({
            "bin": str(r["Bin"]),
            "count": int(r["Count"]),
            "non_event": int(r["Non-event"]),
            "event": int(r["Event"]),
            "event_rate": float(r["Event rate"]),
            "woe": float(r["WoE"]),
            "iv": float(r["IV"]),
        })
    return rows, bt


def breast_cancer():
    data = load_breast_cancer()
    x = data.data[:, list(data.feature_names).index("mean radius")]
    y = data.target
    pd.DataFrame({"mean_radius": x, "target": y}).to_csv(
        os.path.join(HERE, "breast_cancer_mean_radius.csv"), index=False,
        float_format="%.17g")
    optb = OptimalBinning(name="mean radius", dtype="numerical", solver="cp")
    optb.fit(x, y)
    rows, bt = table_rows(optb)
    bt.analysis(print_output=False)
    return {
        "status": optb.status,
        "splits": [float(s) for s in optb.splits],
        "iv": float(bt.iv),
        "gini": float(bt.gini),
        "ks": float(bt.ks),
        "bins": rows,
    }


# Constrained runs, to hold the optimiser to CP-SAT where constraints bind.
VARIANTS = {
    "descending": {"monotonic_trend": "descending"},
    "ascending": {"monotonic_trend": "ascending"},
    "peak": {"monotonic_trend": "peak"},
    "valley": {"monotonic_trend": "valley"},
    "none": {"monotonic_trend": None},
    "max_n_bins_4": {"max_n_bins": 4},
    "min_n_bins_5_max_7": {"min_n_bins": 5, "max_n_bins": 7},
    "min_bin_size_0.1": {"min_bin_size": 0.1},
    "min_event_rate_diff_0.05": {"min_event_rate_diff": 0.05},
    "min_bin_n_event_60": {"min_bin_n_event": 60},
    "max_n_prebins_10": {"max_n_prebins": 10, "min_prebin_size": 0.02},
}


def scaled_objective(x, y, splits):
    """The CP model's objective: sum over bins of floor(1e6 * IV), clean rows."""
    x = np.asarray(x, dtype=float)
    keep = ~np.isnan(x)
    x, y = x[keep], np.asarray(y)[keep]
    idx = np.digitize(x, splits, right=False)
    e = np.array([np.sum((idx == i) & (y == 1)) for i in range(len(splits) + 1)])
    ne = np.array([np.sum((idx == i) & (y == 0)) for i in range(len(splits) + 1)])
    p, q = e / e.sum(), ne / ne.sum()
    iv = (p - q) * np.log(p / q)
    return int(np.sum((iv * 1e6).astype(np.int64)))


def variants():
    churn = pd.read_csv(os.path.join(REAL, "Churn_Modelling.csv"))
    data = load_breast_cancer()
    columns = {
        "mean radius": (data.data[:, 0], data.target),
        "Churn CreditScore": (churn["CreditScore"].values.astype(float),
                              churn["Exited"].values),
        "Churn Balance": (churn["Balance"].values, churn["Exited"].values),
        "Churn Age": (churn["Age"].values.astype(float),
                      churn["Exited"].values),
    }
    out = {}
    for cname, (x, y) in columns.items():
        for vname, params in VARIANTS.items():
            optb = OptimalBinning(name=cname, solver="cp", **params)
            optb.fit(x, y)
            bt = optb.binning_table
            bt.build()
            out[f"{cname} / {vname}"] = {
                "params": params,
                "status": optb.status,
                "splits": [float(s) for s in optb.splits],
                "iv": float(bt.iv),
                "objective": scaled_objective(x, y, optb.splits),
            }
    # Column-specific settings: a special code and the analyst's cut points.
    bank = pd.read_csv(os.path.join(REAL, "bank-full.csv"), sep=";")
    bank_y = (bank["y"] == "yes").astype(int).values
    extra = {
        "bank pdays / special_codes -1": (
            bank["pdays"].values.astype(float), bank_y,
            {"special_codes": [-1]}),
        "bank balance / special_codes 0": (
            bank["balance"].values.astype(float), bank_y,
            {"special_codes": [0]}),
        "mean radius / user_splits": (
            data.data[:, 0], data.target,
            {"user_splits": [10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 17.0, 20.0]}),
        "mean radius / user_splits fixed": (
            data.data[:, 0], data.target,
            {"user_splits": [10.0, 12.0, 14.0, 17.0],
             "user_splits_fixed": [False, True, True, False]}),
    }
    for vname, (x, y, params) in extra.items():
        optb = OptimalBinning(name=vname, solver="cp", **params)
        optb.fit(x, y)
        bt = optb.binning_table
        bt.build()
        out[vname] = {
            "params": params,
            "status": optb.status,
            "splits": [float(s) for s in optb.splits],
            "iv": float(bt.iv),
            "objective": scaled_objective(
                x[~np.isin(x, params.get("special_codes", []))],
                y[~np.isin(x, params.get("special_codes", []))],
                optb.splits),
        }
    return out


def process(file, label, drop, sep=","):
    df = pd.read_csv(os.path.join(REAL, file), sep=sep)
    if file == "bank-full.csv":
        y = (df[label] == "yes").astype(int).values
    else:
        y = df[label].astype(int).values
    X = df.drop(columns=[label] + drop)
    bp = BinningProcess(variable_names=list(X.columns))
    bp.fit(X, y)
    summary = bp.summary()
    out = {}
    for _, r in summary.iterrows():
        name = r["name"]
        optb = bp.get_binned_variable(name)
        splits = optb.splits
        if optb.dtype == "numerical":
            splits = [float(s) for s in splits]
        else:
            splits = [[str(c) for c in group] for group in splits]
        out[name] = {
            "dtype": r["dtype"],
            "status": r["status"],
            "n_bins": int(r["n_bins"]),
            "iv": float(r["iv"]),
            "gini": float(r["gini"]),
            "splits": splits,
        }
    return out


def scorecard(file, label, drop, split, sep=","):
    df = pd.read_csv(os.path.join(REAL, file), sep=sep)
    if file == "bank-full.csv":
        y = (df[label] == "yes").astype(int).values
    else:
        y = df[label].astype(int).values
    X = df.drop(columns=[label] + drop)
    test = np.loadtxt(os.path.join(HERE, split), dtype=int)
    is_test = np.zeros(len(y), dtype=bool)
    is_test[test] = True
    bp = BinningProcess(variable_names=list(X.columns),
                        selection_criteria={"iv": {"min": 0.02}})
    sc = Scorecard(binning_process=bp, estimator=LogisticRegression(),
                   scaling_method="pdo_odds",
                   scaling_method_params={"pdo": 50, "odds": 19,
                                          "scorecard_points": 600})
    sc.fit(X[~is_test], y[~is_test])
    proba = sc.predict_proba(X[is_test])[:, 1]
    score = sc.score(X[is_test])
    est = sc.estimator_
    names = list(sc.binning_process_.get_support(names=True))
    return {
        "selected": names,
        "coef": {n: float(c) for n, c in zip(names, est.coef_[0])},
        "intercept": float(est.intercept_[0]),
        "test_auc": float(roc_auc_score(y[is_test], proba)),
        "test_auc_score": float(roc_auc_score(y[is_test], -score)),
        "train_rows": int((~is_test).sum()),
        "test_rows": int(is_test.sum()),
    }


def main():
    ref = {
        "versions": {
            "optbinning": optbinning.__version__,
            "scikit-learn": sklearn.__version__,
            "pandas": pd.__version__,
            "numpy": np.__version__,
        },
        "breast_cancer_mean_radius": breast_cancer(),
        "churn": process("Churn_Modelling.csv", "Exited",
                         ["RowNumber", "CustomerId", "Surname"]),
        "bank_full": process("bank-full.csv", "y", ["duration"], sep=";"),
        "variants": variants(),
        "churn_scorecard": scorecard(
            "Churn_Modelling.csv", "Exited",
            ["RowNumber", "CustomerId", "Surname"], "churn_split.txt"),
        "bank_full_scorecard": scorecard(
            "bank-full.csv", "y", ["duration"], "bank_split.txt", sep=";"),
    }
    with open(os.path.join(HERE, "scorecard_reference.json"), "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
