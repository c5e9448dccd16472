//! Files as bank staff really receive them: statement exports with title
//! lines and totals, a GBK payment export in Alipay's layout, and one small
//! table polluted in the ways the Pollock benchmark (PVLDB 2023) lists.
//! Each is written here, so what it holds is in plain sight.

use kequn::table::{self, ColumnData, ColumnKind, LoadOptions, LoadReport, Table};

fn load(text: &str) -> (Table, LoadReport) {
    load_bytes(text.as_bytes(), &LoadOptions::default())
}

fn load_bytes(bytes: &[u8], opts: &LoadOptions) -> (Table, LoadReport) {
    table::load(bytes, "export.csv", opts, &mut ()).unwrap_or_else(|e| panic!("{e}"))
}

fn names(t: &Table) -> Vec<&str> {
    t.columns.iter().map(|c| c.name.as_str()).collect()
}

fn numbers(t: &Table, name: &str) -> Vec<f64> {
    match &t.column(name).unwrap().data {
        ColumnData::Numeric(v) => v.clone(),
        other => panic!("{name} is not numeric: {other:?}"),
    }
}

/// A bank statement: bank name, account and period above, a blank line, the
/// header, data rows ending in a comma, then totals and a count below.
#[test]
fn bank_statement_with_title_lines_trailing_commas_and_totals() {
    let s = "某某银行个人账户交易明细\r\n\
             账号：6222 0200 1234 5678,户名：张三\r\n\
             起止日期：2024-01-01 至 2024-03-31\r\n\
             \r\n\
             交易日期,摘要,收入,支出,余额,对方户名\r\n\
             2024-01-02,工资,\"8,000.00\",,\"9,000.00\",某某公司,\r\n\
             2024-01-05,消费,,120.50,\"8,879.50\",超市,\r\n\
             2024-02-01,转账,,\"1,000.00\",\"7,879.50\",李四,\r\n\
             合计,,\"8,000.00\",\"1,120.50\",,,\r\n\
             共 3 笔\r\n";
    let (t, r) = load(s);
    assert_eq!(
        names(&t),
        ["交易日期", "摘要", "收入", "支出", "余额", "对方户名"]
    );
    assert_eq!(t.rows(), 3);
    assert_eq!(numbers(&t, "余额"), [9000.0, 8879.5, 7879.5]);
    assert_eq!(t.column("交易日期").unwrap().kind, ColumnKind::Date);
    assert_eq!(r.header_line, 5);
    let all = r.warnings.join("\n");
    assert!(all.contains("skipped 3 lines above the header"), "{all}");
    assert!(
        all.contains("left out 2 lines below the data (lines 9–10)"),
        "{all}"
    );
    assert!(all.contains("«合计 8,000.00 1,120.50»"), "{all}");
    let zh = r.warnings_zh.join("\n");
    assert!(
        zh.contains("跳过表头上方 3 行") && zh.contains("略去数据下方 2 行"),
        "{zh}"
    );
    // The decisions can be overridden: no footer taken, so 合计 stays a row.
    let opts = LoadOptions {
        footer_rows: Some(0),
        types: [("余额".to_string(), ColumnKind::Text)].into(),
        ..Default::default()
    };
    let (t, _) = load_bytes(s.as_bytes(), &opts);
    assert_eq!(t.rows(), 5);
}

/// Alipay's account export: GBK, a dashed title line, cells padded with
/// spaces and tabs after them, a trailing comma, and a summary block below.
#[test]
fn gbk_payment_export_in_alipays_layout() {
    let mut s = String::from(
        "支付宝交易记录明细查询\n账号:[zhang***@example.com]\n起始日期:[2024-01-01 00:00:00]    终止日期:[2024-02-01 00:00:00]\n---------------------------------交易记录明细列表------------------------------------\n",
    );
    s.push_str("交易号                  ,交易创建时间              ,交易对方            ,商品名称                ,金额（元）   ,收/支     ,交易状态    ,\n");
    for i in 0..12 {
        s.push_str(&format!(
            "2024010{}22001{:04}\t,2024-01-0{} 12:3{}:00 ,商户{}\t,\"商品, 第{}件\"\t,{}.{:02} ,支出 ,交易成功 ,\n",
            i % 9 + 1,
            i,
            i % 9 + 1,
            i % 6,
            i,
            i,
            10 + i,
            i * 7 % 100
        ));
    }
    s.push_str("------------------------------------------------------------------------------------\n共12笔记录\n已收入:0笔,0.00元\n待收入:0笔,0.00元\n已支出:12笔,198.00元\n导出时间:[2024-02-01 10:00:00]\n");
    let (gbk, _, bad) = encoding_rs::GBK.encode(&s);
    assert!(!bad);
    let (t, r) = load_bytes(&gbk, &LoadOptions::default());
    assert_eq!(r.encoding, "GBK");
    assert_eq!(t.rows(), 12, "{:?}", r.warnings);
    assert_eq!(
        names(&t),
        [
            "交易号",
            "交易创建时间",
            "交易对方",
            "商品名称",
            "金额（元）",
            "收/支",
            "交易状态"
        ]
    );
    assert_eq!(t.column("商品名称").unwrap().text(3), "商品, 第3件");
    assert_eq!(numbers(&t, "金额（元）")[1], 11.07);
    assert_eq!(t.column("交易创建时间").unwrap().kind, ColumnKind::Date);
    let all = r.warnings.join("\n");
    assert!(all.contains("skipped 4 lines above the header"), "{all}");
    assert!(all.contains("left out 6 lines below the data"), "{all}");
}

/// An 84-row table (id, name, city, amount, date), then one pollution at a
/// time, as the Pollock benchmark does it.
fn clean_rows() -> Vec<String> {
    let cities = ["北京", "上海", "深圳", "Hangzhou"];
    (1..=84)
        .map(|i| {
            format!(
                "{i},Customer {i},{},{}.{:02},2024-{:02}-{:02}",
                cities[i % 4],
                100 + i * 13,
                i % 100,
                i % 12 + 1,
                i % 28 + 1
            )
        })
        .collect()
}

const HEADER: &str = "id,name,city,amount,opened";

fn polluted(edit: impl FnOnce(&mut Vec<String>)) -> String {
    let mut lines = vec![HEADER.to_string()];
    lines.extend(clean_rows());
    edit(&mut lines);
    lines.join("\n") + "\n"
}

fn check_clean(t: &Table, rows: usize) {
    assert_eq!(names(t), ["id", "name", "city", "amount", "opened"]);
    assert_eq!(t.rows(), rows);
    assert_eq!(t.column("amount").unwrap().kind, ColumnKind::Numeric);
    assert_eq!(t.column("opened").unwrap().kind, ColumnKind::Date);
}

#[test]
fn one_bad_row_in_an_84_row_file_gives_the_data_and_a_warning() {
    // A row with one delimiter too many, where the name holds it.
    let (t, r) = load(&polluted(|l| {
        l[10] = "10,Smith, John,上海,230.10,2024-11-11".into()
    }));
    check_clean(&t, 84);
    assert_eq!(t.column("name").unwrap().text(9), "Smith, John");
    assert!(
        r.warnings[0].contains("joined back (line 11)"),
        "{:?}",
        r.warnings
    );

    // One delimiter too few: padded.
    let (t, r) = load(&polluted(|l| l[20] = "20,Customer 20,北京,360.20".into()));
    check_clean(&t, 84);
    assert!(t.column("opened").unwrap().is_missing(19));
    assert!(
        r.warnings[0].contains("padded with missing values (line 21)"),
        "{:?}",
        r.warnings
    );

    // A stray quote inside an unquoted cell is kept as written.
    let (t, _) = load(&polluted(|l| {
        l[30] = "30,Cust\"omer 30,深圳,490.30,2024-07-03".into()
    }));
    check_clean(&t, 84);
    assert_eq!(t.column("name").unwrap().text(29), "Cust\"omer 30");

    // A stray quote opening a cell, that would swallow the following lines.
    let (t, r) = load(&polluted(|l| {
        l[40] = "40,\"Customer 40,北京,620.40,2024-05-13".into()
    }));
    check_clean(&t, 84);
    assert_eq!(t.column("name").unwrap().text(39), "\"Customer 40");
    assert_eq!(t.column("city").unwrap().text(40), "上海");
    assert!(
        r.warnings.iter().any(|w| w.contains("stray quote")),
        "{:?}",
        r.warnings
    );

    // A row delimited by spaces.
    let (t, r) = load(&polluted(|l| {
        l[50] = "50 Customer_50 上海 750.50 2024-03-23".into()
    }));
    check_clean(&t, 84);
    assert_eq!(t.column("city").unwrap().text(49), "上海");
    assert!(
        r.warnings[0].contains("split into 5 fields"),
        "{:?}",
        r.warnings
    );

    // Values that cannot be placed: the row is left out and named.
    let (t, r) = load(&polluted(|l| l[60] = "60,a,b,c,d,e,f".into()));
    check_clean(&t, 83);
    assert!(
        r.warnings[0].contains("left out (line 61)"),
        "{:?}",
        r.warnings
    );
}

#[test]
fn structure_around_the_table() {
    // A preamble.
    let (t, r) = load(&polluted(|l| {
        l.insert(0, "Customer list, exported 2024-04-01".into());
        l.insert(1, String::new());
    }));
    check_clean(&t, 84);
    assert_eq!(r.header_line, 3);

    // A header over two rows.
    let (t, r) = load(&polluted(|l| {
        l.insert(0, "Customer,,,Account,".into());
    }));
    assert_eq!(
        names(&t),
        [
            "Customer_id",
            "Customer_name",
            "Customer_city",
            "Account_amount",
            "Account_opened"
        ]
    );
    assert_eq!(t.rows(), 84);
    assert!(
        r.warnings[0].contains("spans lines 1 and 2"),
        "{:?}",
        r.warnings
    );

    // No header.
    let (t, _) = load(&polluted(|l| {
        l.remove(0);
    }));
    assert_eq!(t.rows(), 84);
    assert_eq!(t.columns[0].name, "column_1");

    // A second table after a blank line.
    let (t, r) = load(&polluted(|l| {
        l.push(String::new());
        l.push("branch,manager".into());
        l.push("北京,王五".into());
        l.push("上海,赵六".into());
    }));
    check_clean(&t, 84);
    assert!(r.warnings[0].contains("second table"), "{:?}", r.warnings);
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);

    // A longer second table: none of its rows is read as data.
    let (t, r) = load(&polluted(|l| {
        l.push(String::new());
        l.push("branch,manager".into());
        for i in 0..30 {
            l.push(format!("北京,王{i}"));
        }
    }));
    assert!(
        r.warnings[0].contains("its 31 lines were left out"),
        "{:?}",
        r.warnings
    );
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    check_clean(&t, 84);

    // Other delimiters and quotes.
    for (d, q) in [(";", "\""), ("\t", "\""), ("|", "'")] {
        let text = polluted(|l| {
            for line in l.iter_mut() {
                *line = line.replace(',', d);
            }
            l[5] = l[5].replacen("Customer 5", &format!("{q}Customer 5{q}"), 1);
        });
        let (t, _) = load(&text);
        check_clean(&t, 84);
    }
}

#[test]
fn a_file_whose_rows_mostly_disagree_is_refused_with_its_first_lines() {
    let text = polluted(|l| {
        for line in l.iter_mut().skip(1).step_by(2) {
            line.push_str(",x,y");
        }
    });
    let e = table::load(
        text.as_bytes(),
        "export.csv",
        &LoadOptions::default(),
        &mut (),
    )
    .unwrap_err();
    assert_eq!(e.code(), "ragged_rows");
    assert_eq!(e.line(), Some(2));
}

#[test]
fn money_as_exports_write_it() {
    let s = "客户,余额\nA,\"¥1,234.00\"\nB,￥５６７．８９\nC,\"(1,000.50)\"\nD,\"1,234元\"\nE,-1，234.5\n";
    let (t, _) = load(s);
    assert_eq!(
        numbers(&t, "余额"),
        [1234.0, 567.89, -1000.5, 1234.0, -1234.5]
    );
    // A code column stays text: one value with a letter keeps the column as written.
    let (t, _) = load("客户,代码\nA,¥1\nB,X2\n");
    assert_eq!(t.column("代码").unwrap().kind, ColumnKind::Categorical);
}
