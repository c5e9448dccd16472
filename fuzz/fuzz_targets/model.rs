//! Any bytes as a saved model (a file the analyst picks): reading it,
//! checking it against a table, scoring that table and writing it as SQL and
//! PMML return results or typed errors, never a panic — a model whose trees
//! point outside themselves included.
#![no_main]

use kequn::export::{pmml, sql};
use kequn::score::analysis::SavedModel;
use kequn::table::{self, LoadOptions};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn table() -> &'static table::Table {
    static T: OnceLock<table::Table> = OnceLock::new();
    T.get_or_init(|| {
        let csv = "id,x,y,c\n1,0.5,3,a\n2,,4,b\n3,2,,a\n4,1e9,-1,\n";
        table::load(csv.as_bytes(), "t.csv", &LoadOptions::default(), &mut ())
            .expect("the fixture loads")
            .0
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(m) = SavedModel::from_json(data, "m.json") else { return };
    if m.check(table(), true).is_ok() {
        let rows: Vec<usize> = (0..table().rows()).collect();
        let _ = m.predict(table(), &rows);
    }
    for d in ["duckdb", "spark", "postgres"] {
        let opts = sql::SqlOptions {
            dialect: sql::Dialect::parse(d).expect("a known dialect"),
            table: "t".into(),
            id: "id".into(),
            reasons: 3,
        };
        let _ = sql::model_sql(&m, &opts);
    }
    let _ = pmml::model_pmml(&m);
});
