//! Scenario 1, high-value potential: `user_base.csv` + `user_behavior_assets.csv`.
//!
//! Each customer has a hidden archetype (young active, mid-career family,
//! entrepreneur / high net worth, retiree) and a hidden total of assets at the
//! bank. The files show only the securities-account part of those assets (a
//! noisy share of the total), so `asset_level` (from the hidden total) is
//! predictable but not a function of any visible column.

use std::io::{self, Write};

use rand::Rng;

use super::{date, datetime, lognormal, pick, row_rng};

pub const BASE_COLUMNS: [&str; 12] = [
    "user_id",
    "name",
    "age",
    "gender",
    "occupation",
    "occupation_type",
    "monthly_trade_amount",
    "open_account_date",
    "lifecycle_stage",
    "marriage_status",
    "city_level",
    "branch_name",
];

pub const BEHAVIOR_COLUMNS: [&str; 20] = [
    "user_id",
    "stock_value",
    "cash_value",
    "fixed_income_value",
    "equity_value",
    "alternative_value",
    "asset_level",
    "stock_flag",
    "fixed_income_flag",
    "equity_flag",
    "alternative_flag",
    "product_count",
    "trade_count_30d",
    "app_login_30d",
    "financial_news_views_30d",
    "last_login_time",
    "last_contact_time",
    "contact_result",
    "marketing_cool_period",
    "stat_month",
];

const SURNAMES: [&str; 16] = [
    "张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
];
const GIVEN: [&str; 16] = [
    "伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚",
];
/// (occupation, occupation type, income factor)
const OCCUPATIONS: [(&str, &str, f64); 10] = [
    ("企业主", "私营业主", 2.6),
    ("医生", "专业人士", 1.7),
    ("律师", "专业人士", 1.9),
    ("教师", "事业单位", 1.0),
    ("公务员", "机关单位", 1.1),
    ("工程师", "企业职员", 1.3),
    ("销售", "企业职员", 0.9),
    ("自由职业", "个体", 0.8),
    ("学生", "其他", 0.3),
    ("退休", "其他", 0.9),
];
pub const CITY_LEVELS: [&str; 4] = ["一线城市", "新一线城市", "二线城市", "三线城市"];
const BRANCHES: [&str; 8] = [
    "北京分行",
    "上海分行",
    "深圳分行",
    "广州分行",
    "杭州分行",
    "成都分行",
    "武汉分行",
    "西安分行",
];
pub const LIFECYCLE: [&str; 5] = ["新客户", "成长期", "成熟期", "衰退期", "流失期"];
const CONTACT: [&str; 4] = ["成功", "未接通", "拒绝", "待跟进"];
pub const ASSET_LEVELS: [&str; 4] = ["0-50万", "50-80万", "80-100万", "100万+"];

/// One generated customer: everything both files need.
pub struct WealthCustomer {
    pub id: u64,
    pub in_base: bool,
    pub in_behavior: bool,
    base: String,
    behavior: String,
}

/// Share of customers only in the base file, and only in the behaviour file.
const BASE_ONLY: f64 = 0.02;
const BEHAVIOR_ONLY: f64 = 0.01;

pub fn customer(seed: u64, i: u64) -> WealthCustomer {
    let mut r = row_rng(seed, 1, i);
    let archetype = r.gen_range(0..100u32);
    // 0: young active, 1: mid-career family, 2: entrepreneur / HNW, 3: retiree
    let arch = match archetype {
        0..=29 => 0,
        30..=69 => 1,
        70..=81 => 2,
        _ => 3,
    };
    let age: i64 = match arch {
        0 => r.gen_range(20..36),
        1 => r.gen_range(30..56),
        2 => r.gen_range(32..66),
        _ => r.gen_range(58..80),
    };
    let occ = match arch {
        3 => OCCUPATIONS[9],
        2 => {
            OCCUPATIONS[if r.gen_bool(0.6) {
                0
            } else {
                r.gen_range(1..3)
            }]
        }
        0 if age < 24 && r.gen_bool(0.4) => OCCUPATIONS[8],
        _ => OCCUPATIONS[r.gen_range(1..8)],
    };
    let city = r.gen_range(0..CITY_LEVELS.len());
    let city_factor = [1.35, 1.15, 1.0, 0.8][city];
    let age_factor = 1.0 + ((age - 20) as f64 / 30.0).min(1.3);
    let arch_mu = [11.0, 12.1, 13.3, 12.5][arch];
    // Securities assets follow the visible profile; deposits and other bank
    // products (never in these files) add a partly independent amount.
    let visible = lognormal(
        &mut r,
        arch_mu + (occ.2 * city_factor * age_factor).ln() * 0.8,
        0.8,
    );
    let other = lognormal(&mut r, arch_mu - 0.5, 1.5);
    let total = visible + other;
    let level = match total {
        t if t >= 1_000_000.0 => 3,
        t if t >= 800_000.0 => 2,
        t if t >= 500_000.0 => 1,
        _ => 0,
    };
    let weights: [f64; 5] = match arch {
        0 => [0.45, 0.3, 0.05, 0.15, 0.05],
        1 => [0.2, 0.35, 0.25, 0.15, 0.05],
        2 => [0.25, 0.1, 0.15, 0.25, 0.25],
        _ => [0.05, 0.3, 0.55, 0.08, 0.02],
    };
    let mut parts = [0.0; 5];
    let mut sum = 0.0;
    for (k, w) in weights.iter().enumerate() {
        parts[k] = w * r.gen_range(0.6..1.4);
        sum += parts[k];
    }
    let values: Vec<f64> = parts
        .iter()
        .map(|p| (visible * p / sum * 100.0).round() / 100.0)
        .collect();
    let flag_p = |base: f64| (base + (total / 2_000_000.0).min(0.4)).min(0.95);
    let flags = [
        r.gen_bool(flag_p([0.5, 0.3, 0.4, 0.1][arch])),
        r.gen_bool(flag_p([0.1, 0.3, 0.3, 0.6][arch])),
        r.gen_bool(flag_p([0.2, 0.2, 0.4, 0.1][arch])),
        r.gen_bool(flag_p([0.02, 0.05, 0.4, 0.02][arch])),
    ];
    let product_count = 1 + flags.iter().filter(|f| **f).count() as u32 + r.gen_range(0..3);
    let activity = [3.0, 1.6, 1.9, 0.4][arch];
    let trades = lognormal(&mut r, activity, 0.45).round() as u32;
    let logins = (lognormal(&mut r, activity + 0.8, 0.35) + trades as f64 * 0.5).round() as u32;
    let news = (logins as f64 * r.gen_range(0.2..1.5)).round() as u32;
    let base_day = super::day(2024, 10, 31);
    let tenure_days = r.gen_range(20..((age - 18).max(2) * 365).min(9000));
    let lifecycle = if tenure_days < 365 {
        0
    } else if logins < 3 {
        if r.gen_bool(0.5) {
            4
        } else {
            3
        }
    } else if tenure_days < 3 * 365 {
        1
    } else {
        2
    };
    let monthly_trade = (visible * r.gen_range(0.02..0.25) * (trades as f64 + 1.0).ln()).round();
    let marriage = if r.gen_bool(0.015) {
        ""
    } else {
        match arch {
            0 => pick(&mut r, &["未婚", "未婚", "已婚"]),
            3 => pick(&mut r, &["已婚", "已婚", "离异", "丧偶"]),
            _ => pick(&mut r, &["已婚", "已婚", "已婚", "未婚", "离异"]),
        }
    };
    let last_login = datetime(
        base_day
            - (r.gen_range(0.0..1.0f64).powi(2) * if lifecycle >= 3 { 180.0 } else { 30.0 }) as i64,
        r.gen_range(7..23),
        r.gen_range(0..60),
    );
    let last_contact = if r.gen_bool(0.1) {
        String::new()
    } else {
        datetime(
            base_day - r.gen_range(1..120),
            r.gen_range(9..18),
            r.gen_range(0..60),
        )
    };
    let place = r.gen_range(0.0..1.0f64);
    let name = format!("{}{}", pick(&mut r, &SURNAMES), pick(&mut r, &GIVEN));
    let gender = if r.gen_bool(0.5) { "男" } else { "女" };
    let base = format!(
        "U{:08},{name},{age},{gender},{},{},{monthly_trade},{},{},{marriage},{},{}",
        i + 1,
        occ.0,
        occ.1,
        date(base_day - tenure_days),
        LIFECYCLE[lifecycle],
        CITY_LEVELS[city],
        pick(&mut r, &BRANCHES),
    );
    let behavior = format!(
        "U{:08},{:.2},{:.2},{:.2},{:.2},{:.2},{},{},{},{},{},{product_count},{trades},{logins},{news},{last_login},{last_contact},{},{},2024-10",
        i + 1,
        values[0], values[1], values[2], values[3], values[4],
        ASSET_LEVELS[level],
        flags[0] as u8, flags[1] as u8, flags[2] as u8, flags[3] as u8,
        pick(&mut r, &CONTACT),
        r.gen_range(0..=30),
    );
    WealthCustomer {
        id: i + 1,
        in_base: place >= BEHAVIOR_ONLY,
        in_behavior: !(BEHAVIOR_ONLY..BEHAVIOR_ONLY + BASE_ONLY).contains(&place),
        base,
        behavior,
    }
}

/// Writes rows `from..to` of both files (headers when `from == 0`).
pub fn write_files<A: Write, B: Write>(
    base: &mut A,
    behavior: &mut B,
    seed: u64,
    from: u64,
    to: u64,
) -> io::Result<()> {
    if from == 0 {
        writeln!(base, "{}", BASE_COLUMNS.join(","))?;
        writeln!(behavior, "{}", BEHAVIOR_COLUMNS.join(","))?;
    }
    for i in from..to {
        let c = customer(seed, i);
        if c.in_base {
            writeln!(base, "{}", c.base)?;
        }
        if c.in_behavior {
            writeln!(behavior, "{}", c.behavior)?;
        }
    }
    Ok(())
}

/// The wide single-file export: base and behaviour side by side, every customer.
pub fn write_wide<W: Write>(out: &mut W, seed: u64, from: u64, to: u64) -> io::Result<()> {
    if from == 0 {
        writeln!(
            out,
            "{},{}",
            BASE_COLUMNS.join(","),
            BEHAVIOR_COLUMNS[1..].join(",")
        )?;
    }
    for i in from..to {
        let c = customer(seed, i);
        let rest = c.behavior.split_once(',').map_or("", |(_, r)| r);
        writeln!(out, "{},{rest}", c.base)?;
    }
    Ok(())
}
