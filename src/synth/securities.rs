//! Scenario 5, securities churn: customer attributes (with the churn label)
//! and 12 weeks of behaviour per customer. About 30% churn; two in three
//! churners fade over the last weeks (fewer logins and trades, money
//! transferred out, complaints) and one loyal customer in ten dips more
//! gently, so aggregated trends predict churn well but not perfectly.

use std::io::{self, Write};

use rand::Rng;

use super::{lognormal, pick, row_rng};

pub const CUSTOMER_COLUMNS: [&str; 8] = [
    "客户号",
    "客户类型",
    "风险承受能力",
    "年龄",
    "开户年限",
    "初始资产",
    "营业部",
    "是否流失",
];
pub const WEEKLY_COLUMNS: [&str; 10] = [
    "客户号",
    "周序号",
    "登录次数",
    "交易笔数",
    "交易金额",
    "总资产",
    "资金转出",
    "投诉次数",
    "咨询次数",
    "持仓数量",
];
pub const WEEKS: u32 = 12;
const TOLERANCE: [&str; 5] = ["保守型", "稳健型", "平衡型", "成长型", "进取型"];
const OFFICES: [&str; 6] = [
    "北京金融街营业部",
    "上海陆家嘴营业部",
    "深圳福田营业部",
    "杭州西湖营业部",
    "成都天府营业部",
    "武汉江汉营业部",
];

/// Writes rows `from..to` of both files (headers when `from == 0`).
pub fn write_files<A: Write, B: Write>(
    customers: &mut A,
    weekly: &mut B,
    seed: u64,
    from: u64,
    to: u64,
) -> io::Result<()> {
    if from == 0 {
        writeln!(customers, "{}", CUSTOMER_COLUMNS.join(","))?;
        writeln!(weekly, "{}", WEEKLY_COLUMNS.join(","))?;
    }
    for i in from..to {
        let mut r = row_rng(seed, 5, i);
        let institution = r.gen_bool(0.05);
        let tolerance = r.gen_range(0..5usize);
        let tenure = r.gen_range(0..20u32);
        // Churn is likelier for short tenure, conservative or very small accounts.
        let assets0 = lognormal(&mut r, if institution { 14.0 } else { 11.5 }, 1.1);
        let p_churn = (0.31
            + if tenure < 2 { 0.15 } else { 0.0 }
            + if assets0 < 30_000.0 { 0.1 } else { 0.0 }
            - tolerance as f64 * 0.02)
            .clamp(0.05, 0.9);
        let churn = r.gen_bool(p_churn);
        let fade_from = r.gen_range(4..10u32);
        let base_login = lognormal(&mut r, 1.6, 0.5);
        let base_trade = lognormal(&mut r, 0.5 + tolerance as f64 * 0.25, 0.6);
        let mut assets = assets0;
        let mut holdings = r.gen_range(1..12u32);
        // Not every churner fades visibly first, and some loyal customers dip
        // for a while (a holiday, money moved for a purchase): the signal is
        // strong but not a giveaway.
        let fading = churn && r.gen_bool(0.65);
        let dipping = !churn && r.gen_bool(0.1);
        writeln!(
            customers,
            "S{:08},{},{},{},{tenure},{:.2},{},{}",
            i + 1,
            if institution { "机构" } else { "个人" },
            TOLERANCE[tolerance],
            if institution {
                String::new()
            } else {
                r.gen_range(20..75).to_string()
            },
            assets0,
            pick(&mut r, &OFFICES),
            u8::from(churn),
        )?;
        for week in 1..=WEEKS {
            let low = (fading || dipping) && week >= fade_from;
            let fade = if low {
                (if fading { 0.6f64 } else { 0.75 }).powi((week - fade_from + 1) as i32)
            } else {
                1.0
            };
            let noise = r.gen_range(0.6..1.4);
            let logins = (base_login * fade * noise * 3.0).round();
            let trades = (base_trade * fade * r.gen_range(0.4..1.6)).round();
            let amount = trades * assets * r.gen_range(0.01..0.08);
            let out_share = if low {
                r.gen_range(if fading { 0.1..0.45 } else { 0.03..0.25 })
            } else if r.gen_bool(0.1) {
                r.gen_range(0.0..0.1)
            } else {
                0.0
            };
            let transfer_out = assets * out_share;
            assets = (assets - transfer_out) * r.gen_range(0.97..1.04);
            if low && holdings > 0 && r.gen_bool(if fading { 0.4 } else { 0.15 }) {
                holdings -= 1;
            }
            let complaints = u8::from(r.gen_bool(if low {
                if fading {
                    0.12
                } else {
                    0.05
                }
            } else {
                0.02
            }));
            let consults = u8::from(r.gen_bool(0.1)) + u8::from(churn && r.gen_bool(0.1));
            writeln!(
                weekly,
                "S{:08},{week},{logins},{trades},{amount:.2},{assets:.2},{transfer_out:.2},{complaints},{consults},{holdings}",
                i + 1
            )?;
        }
    }
    Ok(())
}
