use super::*;
use crate::table::{load, LoadOptions};

fn table() -> Table {
    let csv = "user_id,asset_level,金融资产月日均,近三个月金融资产月日均,注册地址,经营地址,open date,age\n\
               U1,100万+,10,30,广东省深圳市,北京市,2024-01-05,30\n\
               U2,0-50万,29,30,浙江省杭州市,广东省广州市,2024-03-01,\n\
               U3,50-80万,,30,江苏省南京市,江苏省南京市,2023-12-31,50\n\
               U4,100万+,40,30,广东省佛山市,广东省佛山市,,61\n";
    load(csv.as_bytes(), "t.csv", &LoadOptions::default(), &mut ())
        .unwrap()
        .0
}

fn eval(rule: &str) -> Vec<Truth> {
    let t = table();
    Rule::new(rule, &t)
        .unwrap_or_else(|e| panic!("{e}"))
        .eval(&t)
        .unwrap()
}

fn err(rule: &str) -> Error {
    Rule::new(rule, &table()).unwrap_err()
}

const T: Truth = Some(true);
const F: Truth = Some(false);
const U: Truth = None;

#[test]
fn the_scenarios_rules() {
    assert_eq!(eval("asset_level == \"100万+\""), [T, F, F, T]);
    assert_eq!(
        eval("金融资产月日均 < 0.5 * 近三个月金融资产月日均"),
        [T, F, U, F]
    );
    assert_eq!(
        eval("金融资产月日均 > 3 or 近三个月金融资产月日均 > 300万"),
        [T, T, U, T]
    );
    assert_eq!(
        eval("注册地址 contains \"广东\" or 经营地址 contains \"广东\""),
        [T, T, F, T]
    );
}

#[test]
fn literals_sets_missing_dates_and_logic() {
    assert_eq!(eval("近三个月金融资产月日均 == 0.003万"), [T, T, T, T]);
    assert_eq!(eval("age in (30, 61)"), [T, U, F, T]);
    assert_eq!(
        eval("asset_level not in ('100万+', '0-50万')"),
        [F, F, T, F]
    );
    assert_eq!(eval("age is missing"), [F, T, F, F]);
    assert_eq!(eval("not age is not missing"), [F, T, F, F]);
    assert_eq!(eval("`open date` >= \"2024-01-01\""), [T, T, F, U]);
    // Three-valued logic: false wins in and, true wins in or.
    assert_eq!(eval("age > 40 and 金融资产月日均 > 0"), [F, U, U, T]);
    assert_eq!(eval("not (age > 40)"), [T, U, F, F]);
    assert_eq!(
        eval("(age + 10) / 2 >= 30 且 asset_level != \"0-50万\""),
        [F, F, T, T]
    );
    assert_eq!(eval("age / 0 > 1"), [U, U, U, U]);
}

#[test]
fn columns_used_are_listed_for_the_leakage_guard() {
    let t = table();
    let r = Rule::new(
        "金融资产月日均 < 0.5 * 近三个月金融资产月日均 and 金融资产月日均 > 0",
        &t,
    )
    .unwrap();
    assert_eq!(r.columns, ["金融资产月日均", "近三个月金融资产月日均"]);
}

#[test]
fn errors_point_at_the_place_and_suggest_names() {
    let e = err("asset_levl == \"100万+\"");
    assert_eq!(e.code(), "rule");
    let msg = e.to_string();
    assert!(msg.contains("did you mean 'asset_level'"), "{msg}");
    assert!(msg.ends_with("\n  ^^^^^^^^^^"), "{msg}");
    assert!(e.zh().contains("是否是“asset_level”"), "{}", e.zh());

    let e = err("age > \"30\"");
    assert!(e.to_string().contains("remove the quotes"), "{e}");
    assert!(e.to_string().ends_with("\n        ^^^^"), "{e}");
    let e = err("asset_level == 100");
    assert!(e.to_string().contains("put the value in quotes"), "{e}");
    let e = err("注册地址 contains 3");
    // The caret sits under the 3, after four CJK characters (two columns each).
    assert!(
        e.to_string()
            .ends_with(&format!("\n  {}^", " ".repeat(8 + 10))),
        "{e}"
    );
    assert!(err("age + 1").to_string().contains("not a condition"));
    assert!(err("age > ").to_string().contains("ends too early"));
    assert!(err("age > 3 age")
        .to_string()
        .contains("join conditions with and / or"));
    assert!(err("asset_level == \"x").to_string().contains("no closing"));
    assert!(err("`open date` > \"yesterday\"")
        .to_string()
        .contains("not a date"));
    assert!(err("age in (1, \"a\")")
        .to_string()
        .contains("a literal a number"));
    assert!(err("").to_string().contains("empty"));
    assert!(err("age > 3 and asset_level")
        .to_string()
        .contains("condition (for and / or)"));
    assert!(err("3abc > 1").to_string().contains("backticks"));
}
