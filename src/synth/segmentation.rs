//! Scenario 6, segmentation: a mixed-type customer table for K-Prototypes —
//! right-skewed spend, ordinal and nominal categoricals, a high-cardinality
//! category (opening branch, ~400 values) and a column ~94% missing.

use std::io::{self, Write};

use rand::Rng;

use super::{lognormal, pick, row_rng};

pub const COLUMNS: [&str; 14] = [
    "客户号",
    "年龄",
    "性别",
    "学历",
    "收入等级",
    "婚姻状况",
    "常用渠道",
    "开户网点",
    "年消费金额",
    "月均交易笔数",
    "存款余额",
    "客户年限",
    "信用卡数量",
    "企业年金余额",
];
pub const EDUCATION: [&str; 5] = ["初中及以下", "高中", "大专", "本科", "硕士及以上"];
pub const INCOME: [&str; 5] = ["低", "中低", "中", "中高", "高"];

/// Writes rows `from..to` (header when `from == 0`).
pub fn write_customers<W: Write>(out: &mut W, seed: u64, from: u64, to: u64) -> io::Result<()> {
    if from == 0 {
        writeln!(out, "{}", COLUMNS.join(","))?;
    }
    for i in from..to {
        let mut r = row_rng(seed, 6, i);
        // 0: basic active (基础活跃), 1: middle-class family (中产家庭), 2: high net worth (高净值), 3: silver (银发)
        let seg = match r.gen_range(0..100) {
            0..=39 => 0,
            40..=74 => 1,
            75..=86 => 2,
            _ => 3,
        };
        let age: u32 = [
            r.gen_range(20..35),
            r.gen_range(30..50),
            r.gen_range(35..65),
            r.gen_range(60..80),
        ][seg];
        let edu = ([
            r.gen_range(1..4),
            r.gen_range(2..5),
            r.gen_range(3..5),
            r.gen_range(0..3),
        ][seg] as usize)
            .min(4);
        let income = ([
            r.gen_range(0..3),
            r.gen_range(1..4),
            r.gen_range(3..5),
            r.gen_range(0..3),
        ][seg] as usize)
            .min(4);
        let spend = lognormal(&mut r, [10.0, 11.0, 12.3, 9.6][seg], 0.7);
        let txns = lognormal(&mut r, [3.2, 2.6, 2.4, 1.3][seg], 0.4).round();
        let deposit = lognormal(&mut r, [9.5, 11.5, 13.5, 12.0][seg], 0.8);
        let annuity = if r.gen_bool(0.06) {
            format!("{:.2}", lognormal(&mut r, 11.0, 0.6))
        } else {
            String::new()
        };
        writeln!(
            out,
            "K{:08},{age},{},{},{},{},{},网点{:04},{spend:.2},{txns},{deposit:.2},{},{},{annuity}",
            i + 1,
            if r.gen_bool(0.5) { "男" } else { "女" },
            EDUCATION[edu],
            INCOME[income],
            match seg {
                0 => pick(&mut r, &["未婚", "未婚", "已婚"]),
                _ => pick(&mut r, &["已婚", "已婚", "已婚", "离异"]),
            },
            match seg {
                3 => pick(&mut r, &["柜面", "柜面", "电话银行", "手机银行"]),
                0 => pick(&mut r, &["手机银行", "手机银行", "微信银行"]),
                _ => pick(&mut r, &["手机银行", "网上银行", "柜面"]),
            },
            r.gen_range(1..=400),
            r.gen_range(0..(age - 18).clamp(1, 30)),
            [
                r.gen_range(0..3),
                r.gen_range(1..4),
                r.gen_range(2..6),
                r.gen_range(0..2)
            ][seg],
        )?;
    }
    Ok(())
}
