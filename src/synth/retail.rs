//! Scenario 4, retail cross-sell: a DB2 `.del` export (comma, double-quoted
//! strings, no header) of 28 profile fields and the product balances, plus its
//! column list. Hidden segments hold different product bundles, so the
//! association rules of each segment differ.

use std::io::{self, Write};

use rand::Rng;

use super::{lognormal, pick, row_rng};

pub const PROFILE_COLUMNS: [&str; 28] = [
    "年龄",
    "性别",
    "开户年限",
    "学历",
    "婚姻状况",
    "村民",
    "新市民",
    "代发客户",
    "按揭客户",
    "大学生客户",
    "股东客户",
    "企业主客户",
    "持有存款产品个数",
    "持有理财产品个数",
    "持有保险产品个数",
    "持有基金产品个数",
    "持有贷款产品个数",
    "持有信用卡个数",
    "风险评级",
    "储蓄产品偏好",
    "理财产品偏好",
    "保险产品偏好",
    "基金产品偏好",
    "交易渠道偏好",
    "月收入",
    "近一年交易笔数",
    "手机银行登录次数",
    "客户等级",
];
pub const BALANCE_COLUMNS: [&str; 10] = [
    "存款余额",
    "保险余额",
    "理财余额",
    "基金余额",
    "积存金余额",
    "国债余额",
    "高净值产品余额",
    "贷款余额",
    "信用卡分期余额",
    "积利宝余额",
];
/// History columns that a recipe must ignore when deriving holdings.
pub const HISTORY_COLUMNS: [&str; 2] = ["上年末存款余额", "历史最高理财余额"];

/// 低风险 < 中低风险 < 中风险 < 中高风险 < 高风险 (the recipe's ordinal order).
pub const RISK: [&str; 5] = ["低风险", "中低风险", "中风险", "中高风险", "高风险"];
const EDUCATION: [&str; 5] = ["初中及以下", "高中", "大专", "本科", "硕士及以上"];
const PREFERENCE: [&str; 3] = ["低", "中", "高"];
const CHANNEL: [&str; 4] = ["手机银行", "网上银行", "柜面", "自助设备"];
const LEVEL: [&str; 4] = ["普通", "金卡", "白金", "钻石"];

pub fn columns() -> Vec<&'static str> {
    let mut c = vec!["客户号"];
    c.extend(PROFILE_COLUMNS);
    c.extend(BALANCE_COLUMNS);
    c.extend(HISTORY_COLUMNS);
    c
}

/// Writes rows `from..to` of the `.del` export.
pub fn write_del<W: Write>(out: &mut W, seed: u64, from: u64, to: u64) -> io::Result<()> {
    for i in from..to {
        let mut r = row_rng(seed, 4, i);
        // 0: young new citizens, 1: mortgage families, 2: prudent retirees, 3: wealthy
        let seg = match r.gen_range(0..100) {
            0..=29 => 0,
            30..=64 => 1,
            65..=87 => 2,
            _ => 3,
        };
        let age: u32 = match seg {
            0 => r.gen_range(20..33),
            1 => r.gen_range(28..50),
            2 => r.gen_range(55..78),
            _ => r.gen_range(35..65),
        };
        // Probability of holding each of the ten products, by segment.
        let p: [f64; 10] = match seg {
            0 => [0.95, 0.05, 0.10, 0.45, 0.05, 0.02, 0.00, 0.10, 0.55, 0.35],
            1 => [0.97, 0.50, 0.20, 0.15, 0.05, 0.05, 0.02, 0.75, 0.25, 0.10],
            2 => [0.99, 0.30, 0.60, 0.05, 0.45, 0.60, 0.05, 0.03, 0.02, 0.05],
            _ => [0.99, 0.55, 0.80, 0.50, 0.20, 0.15, 0.65, 0.20, 0.10, 0.15],
        };
        let scale = [10.0, 11.0, 11.8, 13.0][seg];
        let mut holds = [false; 10];
        for (k, h) in holds.iter_mut().enumerate() {
            *h = r.gen_bool(p[k]);
        }
        // Insurance buyers in families tend to hold loans too (a rule to find).
        if seg == 1 && holds[7] && r.gen_bool(0.4) {
            holds[1] = true;
        }
        let balances: Vec<String> = holds
            .iter()
            .map(|&h| {
                if h {
                    format!("{:.2}", lognormal(&mut r, scale, 0.9))
                } else {
                    "0".to_string()
                }
            })
            .collect();
        let risk = (match seg {
            0 => 2,
            1 => 1,
            2 => 0,
            _ => 3,
        } + r.gen_range(0..2))
        .min(4);
        let count = |k: usize, r: &mut rand_xoshiro::Xoshiro256PlusPlus| {
            if holds[k] {
                r.gen_range(1..4)
            } else {
                0
            }
        };
        let counts = [
            count(0, &mut r),
            count(2, &mut r),
            count(1, &mut r),
            count(3, &mut r),
            count(7, &mut r),
            u32::from(holds[8]) + r.gen_range(0..2),
        ];
        let pref = |level: f64, r: &mut rand_xoshiro::Xoshiro256PlusPlus| {
            PREFERENCE[((level + r.gen_range(0.0..1.2)) as usize).min(2)]
        };
        let flag = |p: f64, r: &mut rand_xoshiro::Xoshiro256PlusPlus| u8::from(r.gen_bool(p));
        let income = lognormal(&mut r, [8.8, 9.3, 8.6, 10.3][seg], 0.5).round();
        let history_deposit = if holds[0] {
            format!("{:.2}", lognormal(&mut r, scale, 0.9))
        } else {
            "0".into()
        };
        let history_wealth = format!("{:.2}", lognormal(&mut r, scale, 1.0));
        let fields: Vec<String> = vec![
            format!("\"R{:08}\"", i + 1),
            age.to_string(),
            format!("\"{}\"", if r.gen_bool(0.5) { "男" } else { "女" }),
            r.gen_range(0..(age.saturating_sub(18)).clamp(1, 30))
                .to_string(),
            format!(
                "\"{}\"",
                EDUCATION[match seg {
                    0 => r.gen_range(2..5),
                    2 => r.gen_range(0..3),
                    _ => r.gen_range(1..5),
                }]
            ),
            format!(
                "\"{}\"",
                match seg {
                    0 => pick(&mut r, &["未婚", "未婚", "已婚"]),
                    _ => pick(&mut r, &["已婚", "已婚", "已婚", "离异"]),
                }
            ),
            flag(if seg == 2 { 0.3 } else { 0.08 }, &mut r).to_string(),
            flag(if seg == 0 { 0.5 } else { 0.1 }, &mut r).to_string(),
            flag(if seg <= 1 { 0.45 } else { 0.1 }, &mut r).to_string(),
            flag(if seg == 1 { 0.7 } else { 0.05 }, &mut r).to_string(),
            flag(if seg == 0 && age < 25 { 0.5 } else { 0.0 }, &mut r).to_string(),
            flag(if seg == 3 { 0.2 } else { 0.02 }, &mut r).to_string(),
            flag(if seg == 3 { 0.35 } else { 0.03 }, &mut r).to_string(),
            counts[0].to_string(),
            counts[1].to_string(),
            counts[2].to_string(),
            counts[3].to_string(),
            counts[4].to_string(),
            counts[5].to_string(),
            format!("\"{}\"", RISK[risk]),
            format!("\"{}\"", pref(if seg == 2 { 1.5 } else { 0.5 }, &mut r)),
            format!("\"{}\"", pref(if seg >= 2 { 1.2 } else { 0.3 }, &mut r)),
            format!("\"{}\"", pref(if seg == 1 { 1.2 } else { 0.4 }, &mut r)),
            format!(
                "\"{}\"",
                pref(if seg == 0 || seg == 3 { 1.2 } else { 0.2 }, &mut r)
            ),
            format!(
                "\"{}\"",
                if seg == 2 {
                    pick(&mut r, &["柜面", "柜面", "手机银行", "自助设备"])
                } else {
                    pick(&mut r, &CHANNEL[..2])
                }
            ),
            format!("{income}"),
            format!(
                "{}",
                lognormal(&mut r, [3.8, 3.5, 2.5, 3.6][seg], 0.5).round()
            ),
            format!(
                "{}",
                if seg == 2 {
                    lognormal(&mut r, 1.0, 0.8)
                } else {
                    lognormal(&mut r, 3.0, 0.6)
                }
                .round()
            ),
            format!(
                "\"{}\"",
                LEVEL[(seg + r.gen_range(0..2)).saturating_sub(1).min(3)]
            ),
        ];
        writeln!(
            out,
            "{},{},{history_deposit},{history_wealth}",
            fields.join(","),
            balances.join(",")
        )?;
    }
    Ok(())
}
