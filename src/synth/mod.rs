//! Deterministic generators of customer-shaped data (same seed, same bytes).
//! Values depend on each other (age and occupation drive assets; assets drive
//! holdings and activity) so that later analyses have structure to find.

use std::io::{self, Write};

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

const SURNAMES: [&str; 12] = [
    "张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: [&str; 12] = [
    "伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明",
];
/// (occupation, occupation type, income factor)
const OCCUPATIONS: [(&str, &str, f64); 8] = [
    ("企业主", "私营", 3.0),
    ("医生", "事业单位", 1.8),
    ("律师", "专业服务", 2.2),
    ("教师", "事业单位", 1.1),
    ("公务员", "机关", 1.2),
    ("工程师", "企业", 1.5),
    ("销售", "企业", 1.0),
    ("退休", "无", 0.9),
];
const CITY_LEVELS: [&str; 4] = ["一线城市", "新一线城市", "二线城市", "三线城市"];
const BRANCHES: [&str; 5] = ["北京分行", "上海分行", "广州分行", "成都分行", "武汉分行"];
const LIFECYCLE: [&str; 5] = ["新客户", "成长期", "成熟期", "衰退期", "流失期"];
const MARRIAGE: [&str; 3] = ["未婚", "已婚", "离异"];
const CONTACT: [&str; 4] = ["成功", "未接通", "拒绝", "待跟进"];

/// The header of [`write_customers`]: 30 columns.
pub const CUSTOMER_COLUMNS: [&str; 30] = [
    "user_id",
    "name",
    "age",
    "gender",
    "occupation",
    "occupation_type",
    "city_level",
    "branch_name",
    "lifecycle_stage",
    "marriage_status",
    "open_account_date",
    "monthly_trade_amount",
    "stock_value",
    "cash_value",
    "fixed_income_value",
    "equity_value",
    "alternative_value",
    "total_assets",
    "asset_level",
    "stock_flag",
    "fixed_income_flag",
    "equity_flag",
    "alternative_flag",
    "product_count",
    "trade_count_30d",
    "app_login_30d",
    "last_login_time",
    "contact_result",
    "marketing_cool_period",
    "stat_month",
];

fn pick<'a, R: Rng>(rng: &mut R, xs: &[&'a str]) -> &'a str {
    xs[rng.gen_range(0..xs.len())]
}

/// A right-skewed amount: exp of a normal-ish draw (sum of uniforms).
fn lognormal<R: Rng>(rng: &mut R, mu: f64, sigma: f64) -> f64 {
    let z: f64 = (0..6).map(|_| rng.gen::<f64>()).sum::<f64>() - 3.0;
    (mu + sigma * z * std::f64::consts::SQRT_2).exp()
}

fn date(days_since_epoch: i64) -> String {
    crate::table::infer::format_date(days_since_epoch * 86400, false)
}

/// Writes a customer CSV (UTF-8, header, comma) of `rows` rows.
pub fn write_customers<W: Write>(out: &mut W, rows: usize, seed: u64) -> io::Result<()> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    writeln!(out, "{}", CUSTOMER_COLUMNS.join(","))?;
    let base_day = crate::table::infer::days_from_civil(2024, 10, 31).unwrap_or(0);
    for i in 0..rows {
        let age: i64 = rng.gen_range(22..75);
        let (occ, occ_type, factor) = OCCUPATIONS[rng.gen_range(0..OCCUPATIONS.len())];
        let (occ, occ_type, factor) = if age >= 62 {
            ("退休", "无", 0.9)
        } else {
            (occ, occ_type, factor)
        };
        let city = rng.gen_range(0..CITY_LEVELS.len());
        let wealth = factor * (1.0 + (age as f64 - 22.0) / 40.0) * (1.3 - 0.15 * city as f64);
        let total = lognormal(&mut rng, 12.2 + wealth.ln(), 0.9);
        let shares: Vec<f64> = (0..5).map(|_| rng.gen::<f64>()).collect();
        let sum: f64 = shares.iter().sum();
        let part = |k: usize| (total * shares[k] / sum * 100.0).round() / 100.0;
        let (stock, cash, fixed, equity, alt) = (part(0), part(1), part(2), part(3), part(4));
        let level = match total {
            t if t >= 1_000_000.0 => "100万+",
            t if t >= 800_000.0 => "80-100万",
            t if t >= 500_000.0 => "50-80万",
            _ => "0-50万",
        };
        let p_hold = (total / 1_500_000.0).min(0.9);
        let flags: Vec<u8> = (0..4)
            .map(|_| u8::from(rng.gen::<f64>() < 0.2 + p_hold * 0.7))
            .collect();
        let product_count = 1 + flags.iter().map(|&f| f as u32).sum::<u32>() + rng.gen_range(0..2);
        let trades = (lognormal(&mut rng, 1.0 + p_hold, 0.6)).round() as u32;
        let logins = (trades as f64 * 1.5 + rng.gen_range(0.0..10.0)).round() as u32;
        let name = format!("{}{}", pick(&mut rng, &SURNAMES), pick(&mut rng, &GIVEN));
        let gender = if rng.gen::<bool>() { "男" } else { "女" };
        let open = date(base_day - rng.gen_range(30..((age - 18) * 365).min(9000)));
        let last_login = format!(
            "{} {:02}:{:02}:00",
            date(base_day - rng.gen_range(0..90)),
            rng.gen_range(7..23),
            rng.gen_range(0..60)
        );
        let monthly_trade = (total * rng.gen_range(0.01..0.2)).round();
        // A few missing cells, as real exports have.
        let marriage = if rng.gen::<f64>() < 0.02 {
            ""
        } else {
            pick(&mut rng, &MARRIAGE)
        };
        writeln!(
            out,
            "U{:08},{name},{age},{gender},{occ},{occ_type},{},{},{},{marriage},{open},{monthly_trade},{stock},{cash},{fixed},{equity},{alt},{:.2},{level},{},{},{},{},{product_count},{trades},{logins},{last_login},{},{},2024-10",
            i + 1,
            CITY_LEVELS[city],
            pick(&mut rng, &BRANCHES),
            pick(&mut rng, &LIFECYCLE),
            total,
            flags[0], flags[1], flags[2], flags[3],
            pick(&mut rng, &CONTACT),
            rng.gen_range(0..30),
        )?;
    }
    Ok(())
}

/// The customer CSV as bytes (for small samples and tests).
pub fn customers_csv(rows: usize, seed: u64) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_customers(&mut out, rows, seed);
    out
}

/// A header-less DB2-style `.del` export of companies (double-quoted text,
/// plain numbers, `YYYYMMDD` dates) and its column list with Chinese names.
pub fn corporate_del(rows: usize, seed: u64) -> (Vec<u8>, String) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let columns = [
        "客户号",
        "企业名称",
        "行业",
        "开户日期",
        "金融资产月日均",
        "近三个月金融资产月日均",
        "贷款余额",
    ];
    let industries = ["制造业", "批发零售", "建筑业", "信息技术", "房地产"];
    let mut out = String::new();
    let base_day = crate::table::infer::days_from_civil(2024, 10, 31).unwrap_or(0);
    for i in 0..rows {
        let avg3 = lognormal(&mut rng, 14.0, 1.0).round();
        let ratio = if rng.gen::<f64>() < 0.15 {
            rng.gen_range(0.1..0.5)
        } else {
            rng.gen_range(0.6..1.4)
        };
        let loan = if rng.gen::<f64>() < 0.05 {
            String::new()
        } else {
            format!("{:.2}", lognormal(&mut rng, 13.0, 1.2))
        };
        let open = date(base_day - rng.gen_range(100..7000)).replace('-', "");
        out.push_str(&format!(
            "\"C{:07}\",\"{}{}有限公司\",\"{}\",\"{open}\",{:.2},{avg3:.2},{loan}\n",
            i + 1,
            pick(&mut rng, &["华", "盛", "东", "恒", "嘉", "瑞"]),
            pick(&mut rng, &["达", "泰", "源", "信", "丰", "和"]),
            pick(&mut rng, &industries),
            avg3 * ratio,
        ));
    }
    (out.into_bytes(), columns.join("\n") + "\n")
}

/// Writes the page's and tests' sample files into `dir`.
pub fn write_samples(dir: &std::path::Path) -> io::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let customers = customers_csv(300, 7);
    let text = String::from_utf8_lossy(&customers);
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let (del, cols) = corporate_del(200, 11);
    let files = [
        ("customers.csv", customers.clone()),
        ("customers_gbk.csv", gbk.into_owned()),
        ("corporate.del", del),
        ("corporate_columns.txt", cols.into_bytes()),
    ];
    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::write(&path, bytes)?;
        written.push(path);
    }
    Ok(written)
}
