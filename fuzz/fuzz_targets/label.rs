//! Any text as a label rule: parsing, type-checking against a small table of
//! every column kind, and evaluating return a result or a typed error.
#![no_main]

use kequn::label::Rule;
use kequn::table::{self, LoadOptions};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn table() -> &'static table::Table {
    static T: OnceLock<table::Table> = OnceLock::new();
    T.get_or_init(|| {
        let csv = "id,age,city,opened,note,资产\n1,30,广州,2020-01-02,a b,1.5\n2,,深圳,2021-03-04,,\n3,61,广州,,x,100\n";
        table::load(csv.as_bytes(), "t.csv", &LoadOptions::default(), &mut ())
            .expect("the fixture loads")
            .0
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = kequn::label::parse(&text);
    if let Ok(rule) = Rule::new(&text, table()) {
        let _ = rule.eval(table());
    }
});
