//! The rule language means what it says (issue 18): each answer a reader of the rule would call wrong before is a
//! test here, with the value the reader expects, over three members written out below.
//!
//! - M1 bought twice: 10.10 yuan on 2024-12-20 (order A1, discount 0.20) and 0.20 yuan at 16:00 on 2025-01-01 (A2).
//! - M2 bought twice on 2024-06-01: 0.05 and 0.00 yuan (order B1 twice, as two order lines).
//! - M3 never bought.

use crate::rules::{actual, keys, members, Actual};
use huaxiang::base::date::Day;
use huaxiang::base::roles::FileKind;
use huaxiang::engine::Workspace;

const MEMBERS: &str = "会员编号,城市\nM1,上海\nM2,北京\nM3,\n";
const ORDERS: &str = "订单号,会员编号,下单时间,实付金额,优惠金额,品类,渠道\n\
A1,M1,2024-12-20 09:00:00,10.10,0.20,美妆,天猫\n\
A2,M1,2025-01-01 16:00:00,0.20,0,护肤,门店\n\
B1,M2,2024-06-01 10:00:00,0.05,0,美妆,天猫\n\
B1,M2,2024-06-01 10:00:00,0.00,0,食品,天猫\n";

/// The three members with `rules` imported (as of 2025-07-01); panics on any diagnostic.
fn workspace(rules: &str) -> Workspace {
    let mut ws = Workspace::new();
    for (name, kind, text) in [("m.csv", FileKind::Members, MEMBERS), ("o.csv", FileKind::Orders, ORDERS)] {
        let report = ws.load_bytes(name, Some(kind), text.as_bytes(), 1 << 16).expect("loads");
        assert_eq!(report.rows_skipped, 0, "{name} loads cleanly");
    }
    ws.compute(Some(Day::from_ymd(2025, 7, 1).unwrap())).expect("computes");
    let (_, problems) = ws.import_rules(rules, "2025-07-01T09:00:00", "test");
    assert!(problems.is_empty(), "{problems:?}");
    for t in &ws.tags().expect("tags evaluate").tags {
        assert!(t.diagnostics.is_empty(), "{}: {:?}", t.name, t.diagnostics);
    }
    ws
}

fn number(ws: &mut Workspace, name: &str, member: &str) -> Option<f64> {
    match actual(ws, name) {
        Actual::Numbers(v) => v.get(member).copied(),
        other => panic!("{name} is not a number: {other:?}"),
    }
}

#[test]
fn literals_read_as_themselves_in_every_position() {
    let mut ws = workspace(
        r#"tag 文字在列表中 = "a" in ["a"]
tag 文字不在列表中 = "a" not in ["b"]
tag 数字在列表中 = 1 in [1, 2]
tag 行内文字相等 = count(orders where "a" == "a") >= 1
tag 行内文字在列表中 = count(orders where "a" in ["a"]) >= 1
tag 行内真 = share(orders, true) > 0
tag 行内真值相等 = count(orders where true == true) == count(orders)
tag 行内包含 = count(orders where contains("abc", "b")) >= 1
tag 包含 = contains("上海市", "上海")
tag 小数相加 = 0.1 + 0.2 == 0.3
tag 行内小数相加 = count(orders where 0.1 + 0.2 == 0.3) >= 1
tag 假 = "a" in ["b"] or "a" == "b"
tag 行内假 = count(orders where "a" == "b" or "a" in ["b"]) >= 1
"#,
    );
    let everyone = keys(&["M1", "M2", "M3"]);
    let buyers = keys(&["M1", "M2"]);
    for name in ["文字在列表中", "文字不在列表中", "数字在列表中", "包含", "小数相加"] {
        assert_eq!(members(&mut ws, name), everyone, "{name}");
    }
    for name in ["行内文字相等", "行内文字在列表中", "行内真", "行内包含", "行内小数相加"] {
        assert_eq!(members(&mut ws, name), buyers, "{name}");
    }
    // For M3 there are no rows: 0 == 0.
    assert_eq!(members(&mut ws, "行内真值相等"), everyone);
    assert_eq!(members(&mut ws, "假"), Vec::<String>::new());
    assert_eq!(members(&mut ws, "行内假"), Vec::<String>::new());
}

#[test]
fn money_is_summed_and_compared_exactly() {
    let mut ws = workspace(
        r#"tag 合计 = sum(orders.amount) == 10.3
tag 消费 = monetary == 10.3
tag 原价合计 = sum(orders, amount + discount) == 10.5
tag 行内原价 = count(orders where amount + discount == 10.3) == 1
metric 平均 = avg(orders.amount)
metric 两项之和 = sum(orders.amount) + sum(orders.discount)
tag 两项之和相等 = sum(orders.amount) + sum(orders.discount) == 10.5
"#,
    );
    assert_eq!(members(&mut ws, "合计"), keys(&["M1"]));
    assert_eq!(members(&mut ws, "消费"), keys(&["M1"]));
    assert_eq!(members(&mut ws, "原价合计"), keys(&["M1"]));
    assert_eq!(members(&mut ws, "行内原价"), keys(&["M1"]));
    assert_eq!(members(&mut ws, "两项之和相等"), keys(&["M1"]));
    // 10.30 / 2 = 5.15 exactly; M2's (0.05 + 0.00) / 2 = 0.025 is rounded half to even: 0.02.
    assert_eq!(number(&mut ws, "平均", "M1"), Some(5.15));
    assert_eq!(number(&mut ws, "平均", "M2"), Some(0.02));
    assert_eq!(number(&mut ws, "平均", "M3"), None);
    assert_eq!(number(&mut ws, "两项之和", "M1"), Some(10.5));
}

#[test]
fn a_date_literal_compared_with_a_time_means_that_calendar_day() {
    let mut ws = workspace(
        r#"tag 当天及以前 = last(orders.time) <= "2025-01-01"
tag 当天 = last(orders.time) == "2025-01-01"
tag 当天函数 = last(orders.time) == date("2025-01-01")
tag 当天以前 = last(orders.time) < "2025-01-01"
tag 当天以后 = last(orders.time) > "2025-01-01"
tag 不是当天 = last(orders.time) != "2025-01-01"
tag 中午以前 = last(orders.time) <= "2025-01-01 12:00:00"
tag 当天之间 = last(orders.time) between "2025-01-01" and "2025-01-01"
tag 行内当天 = count(orders where time == "2025-01-01") == 1
tag 行内当天及以前 = count(orders where time <= date("2025-01-01")) == 2
"#,
    );
    let m1 = keys(&["M1"]);
    for name in ["当天", "当天函数", "当天之间", "行内当天"] {
        assert_eq!(members(&mut ws, name), m1, "{name}");
    }
    // M1's last order is at 16:00 on that day, M2's months before; both have two rows up to that day.
    assert_eq!(members(&mut ws, "当天及以前"), keys(&["M1", "M2"]));
    assert_eq!(members(&mut ws, "行内当天及以前"), keys(&["M1", "M2"]));
    assert_eq!(members(&mut ws, "当天以前"), keys(&["M2"]));
    assert_eq!(members(&mut ws, "不是当天"), keys(&["M2"]));
    assert_eq!(members(&mut ws, "当天以后"), Vec::<String>::new());
    // A date and time compares to the second: 16:00 is after noon.
    assert_eq!(members(&mut ws, "中午以前"), keys(&["M2"]));
}

#[test]
fn order_numbers_are_compared_where_the_evaluator_supports_it() {
    let mut ws = workspace(
        r#"tag 有A1 = count(orders where order_id == "A1") >= 1
tag 非A1行 = count(orders where order_id != "A1") >= 1
tag 在列表 = count(orders where order_id in ["A2", "B1"]) >= 1
tag 不在列表 = count(orders where order_id not in ["A1", "A2"]) >= 1
tag 之后 = did(orders where order_id == "A1") then did(orders where order_id == "A2") within 30d
"#,
    );
    assert_eq!(members(&mut ws, "有A1"), keys(&["M1"]));
    assert_eq!(members(&mut ws, "非A1行"), keys(&["M1", "M2"]));
    assert_eq!(members(&mut ws, "在列表"), keys(&["M1", "M2"]));
    assert_eq!(members(&mut ws, "不在列表"), keys(&["M2"]));
    assert_eq!(members(&mut ws, "之后"), keys(&["M1"]));
}

#[test]
fn the_checker_refuses_what_the_evaluator_cannot_do() {
    let mut ws = workspace("");
    for (rule, code) in [
        (r#"count(orders where order_id < "A1") > 0"#, "type_mismatch"),
        (r#"last(orders.time) <= "去年""#, "bad_date"),
        (r#"last(orders.time) between "2025-01-01" and "明天""#, "bad_date"),
        (r#"last(orders.time) between 1 and date("2025-01-01")"#, "type_mismatch"),
    ] {
        let edit = huaxiang::tags::Edit { name: "t".into(), rule: rule.into(), ..Default::default() };
        let check = ws.check_rule(&edit).expect("checks");
        let codes: Vec<&str> = check.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, [code], "{rule}");
    }
}
