//! Scenarios 2 and 3: corporate churn (a header-less export plus a column
//! list) and prospects (company information + transactions, joined on the
//! company id, with addresses across provinces).

use std::io::{self, Write};

use rand::Rng;

use super::{date, lognormal, pick, row_rng};

pub const CHURN_COLUMNS: [&str; 19] = [
    "客户号",
    "企业名称",
    "行业",
    "企业规模",
    "成立日期",
    "开户日期",
    "注册资本",
    "员工人数",
    "信用等级",
    "贷款余额",
    "存款余额",
    "结算账户数",
    "月均交易笔数",
    "月均交易金额",
    "近三个月金融资产月日均",
    "金融资产月日均",
    "产品持有数",
    "客户经理变动次数",
    "最近交易日期",
];

const INDUSTRIES: [&str; 8] = [
    "制造业",
    "批发零售",
    "建筑业",
    "信息技术",
    "房地产",
    "交通运输",
    "餐饮住宿",
    "科研服务",
];
const SIZES: [&str; 4] = ["微型", "小型", "中型", "大型"];
const CREDIT: [&str; 5] = ["AAA", "AA", "A", "BBB", "BB"];
const NAME_A: [&str; 12] = [
    "华", "盛", "东", "恒", "嘉", "瑞", "鼎", "信", "宏", "锦", "中", "新",
];
const NAME_B: [&str; 12] = [
    "达", "泰", "源", "通", "丰", "和", "远", "诚", "昌", "润", "科", "能",
];
const NAME_C: [&str; 6] = ["科技", "贸易", "实业", "建设", "物流", "电子"];

fn company_name<R: Rng>(r: &mut R) -> String {
    format!(
        "{}{}{}有限公司",
        pick(r, &NAME_A),
        pick(r, &NAME_B),
        pick(r, &NAME_C)
    )
}

fn maybe<R: Rng>(r: &mut R, p_missing: f64, s: String) -> String {
    if r.gen_bool(p_missing) {
        String::new()
    } else {
        s
    }
}

/// Writes rows `from..to` of the header-less churn export (comma, text quoted).
pub fn write_churn<W: Write>(out: &mut W, seed: u64, from: u64, to: u64) -> io::Result<()> {
    let base_day = super::day(2024, 10, 31);
    for i in from..to {
        let mut r = row_rng(seed, 2, i);
        let size = r.gen_range(0..4usize);
        let churn = r.gen_bool(0.15);
        let avg3 = lognormal(&mut r, 13.0 + size as f64 * 0.9, 0.9).round();
        let ratio = if churn {
            r.gen_range(0.05..0.49)
        } else {
            r.gen_range(0.55..1.45)
        };
        let trades = lognormal(
            &mut r,
            2.5 + size as f64 * 0.4 - if churn { 0.6 } else { 0.0 },
            0.6,
        )
        .round();
        let amount = (avg3 * r.gen_range(0.3..2.5)).round();
        let manager_changes = if churn {
            r.gen_range(0..4)
        } else {
            r.gen_range(0..2)
        };
        let founded = base_day - r.gen_range(400..12000);
        let opened = founded + r.gen_range(30..360);
        let last_trade = base_day
            - if churn {
                r.gen_range(5..90)
            } else {
                r.gen_range(0..20)
            };
        let credit = CREDIT[(r.gen_range(0..3) + usize::from(churn) * r.gen_range(0..3)).min(4)];
        let loan = lognormal(&mut r, 13.5 + size as f64 * 0.6, 1.1);
        let loan = maybe(&mut r, 0.04, format!("{loan:.2}"));
        let employees = lognormal(&mut r, 2.5 + size as f64 * 1.1, 0.5).round();
        let employees = maybe(&mut r, 0.03, format!("{employees}"));
        let name = company_name(&mut r);
        writeln!(
            out,
            "\"C{:07}\",\"{name}\",\"{}\",\"{}\",\"{}\",\"{}\",{:.0},{employees},\"{credit}\",{loan},{:.2},{},{trades},{amount},{avg3:.2},{:.2},{},{manager_changes},\"{}\"",
            i + 1,
            pick(&mut r, &INDUSTRIES),
            SIZES[size],
            date(founded).replace('-', ""),
            date(opened).replace('-', ""),
            lognormal(&mut r, 15.0 + size as f64 * 0.8, 0.7).round(),
            avg3 * r.gen_range(0.2..0.8),
            r.gen_range(1..4 + size),
            avg3 * ratio,
            r.gen_range(1..6) + usize::from(!churn),
            date(last_trade).replace('-', ""),
        )?;
    }
    Ok(())
}

pub const INFO_COLUMNS: [&str; 9] = [
    "企业编号",
    "企业名称",
    "行业",
    "企业类型",
    "注册地址",
    "经营地址",
    "成立日期",
    "注册资本",
    "员工人数",
];
pub const TXN_COLUMNS: [&str; 7] = [
    "企业编号",
    "月均交易笔数",
    "月均交易金额",
    "账户余额",
    "代发工资人数",
    "对公理财持有",
    "近一年贷款申请次数",
];

/// (province, cities)
const PROVINCES: [(&str, [&str; 3]); 8] = [
    ("广东省", ["深圳市", "广州市", "佛山市"]),
    ("浙江省", ["杭州市", "宁波市", "温州市"]),
    ("江苏省", ["南京市", "苏州市", "无锡市"]),
    ("北京市", ["朝阳区", "海淀区", "丰台区"]),
    ("上海市", ["浦东新区", "徐汇区", "闵行区"]),
    ("四川省", ["成都市", "绵阳市", "德阳市"]),
    ("湖北省", ["武汉市", "宜昌市", "襄阳市"]),
    ("山东省", ["济南市", "青岛市", "烟台市"]),
];
const ROADS: [&str; 6] = [
    "人民路",
    "建设路",
    "科技路",
    "解放大道",
    "中山路",
    "创业大道",
];

fn address<R: Rng>(r: &mut R, province: usize) -> String {
    let (p, cities) = PROVINCES[province];
    let city = pick(r, &cities);
    let city = if p == city || p.starts_with(&city[..3]) {
        String::new()
    } else {
        city.to_string()
    };
    format!("{p}{city}{}{}号", pick(r, &ROADS), r.gen_range(1..300))
}

/// Writes rows `from..to` of both prospect files (headers when `from == 0`).
/// About 3% of companies have no transaction record.
pub fn write_prospects<A: Write, B: Write>(
    info: &mut A,
    txn: &mut B,
    seed: u64,
    from: u64,
    to: u64,
) -> io::Result<()> {
    if from == 0 {
        writeln!(info, "{}", INFO_COLUMNS.join(","))?;
        writeln!(txn, "{}", TXN_COLUMNS.join(","))?;
    }
    let base_day = super::day(2024, 10, 31);
    for i in from..to {
        let mut r = row_rng(seed, 3, i);
        let size = r.gen_range(0..4usize);
        let province = if r.gen_bool(0.25) {
            0
        } else {
            r.gen_range(0..PROVINCES.len())
        };
        let registered = address(&mut r, province);
        // Some companies operate in another province than they registered in.
        let business = if r.gen_bool(0.2) {
            let other = r.gen_range(0..PROVINCES.len());
            address(&mut r, other)
        } else {
            registered.clone()
        };
        let activity = 0.5 + size as f64 * 0.5 + r.gen_range(-0.8..0.8);
        let count = lognormal(&mut r, activity, 0.6).round();
        let amount = (lognormal(&mut r, 13.2 + activity * 0.8, 0.9) / 100.0).round() * 100.0;
        let employees = lognormal(&mut r, 2.2 + size as f64 * 1.0, 0.5).round();
        writeln!(
            info,
            "E{:07},{},{},{},{registered},{business},{},{:.0},{employees}",
            i + 1,
            company_name(&mut r),
            pick(&mut r, &INDUSTRIES),
            pick(
                &mut r,
                &["有限责任公司", "股份有限公司", "个人独资企业", "合伙企业"]
            ),
            date(base_day - r.gen_range(200..10000)),
            lognormal(&mut r, 14.5 + size as f64 * 0.8, 0.8).round(),
        )?;
        if r.gen_bool(0.97) {
            let payroll = if r.gen_bool(0.4) {
                (employees * r.gen_range(0.5..1.0)).round()
            } else {
                0.0
            };
            writeln!(
                txn,
                "E{:07},{count},{amount},{:.2},{payroll},{},{}",
                i + 1,
                amount * r.gen_range(0.2..3.0),
                u8::from(r.gen_bool(0.1 + size as f64 * 0.1)),
                r.gen_range(0..3 + size),
            )?;
        }
    }
    Ok(())
}
