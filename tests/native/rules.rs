//! The rule language over the hand-made fixture in `tests/fixtures/rules/` (analysis date 2025-07-01): the examples
//! of the product brief, the built-in tags, and the helpers the other `rules_*` modules share.
//!
//! What each member of the fixture is for is described in `docs/rules.md` ("The example data"); every expected
//! set below is derived by hand from the three CSV files, and the comment next to it says how.

use huaxiang::base::date::Day;
use huaxiang::base::roles::FileKind;
use huaxiang::engine::Workspace;
use huaxiang::rules::eval::Outcome;
use std::collections::BTreeMap;

/// The fixture's analysis date.
pub fn as_of() -> Day {
    Day::from_ymd(2025, 7, 1).expect("a valid date")
}

/// A workspace with the rules fixture loaded and computed as of 2025-07-01.
pub fn workspace() -> Workspace {
    let mut ws = Workspace::new();
    for (name, kind) in [("members.csv", FileKind::Members), ("orders.csv", FileKind::Orders), ("events.csv", FileKind::Events)] {
        let bytes = std::fs::read(crate::fixture(&format!("rules/{name}"))).expect("fixture exists");
        let report = ws.load_bytes(name, Some(kind), &bytes, 1 << 16).expect("fixture loads");
        assert_eq!(report.rows_skipped, 0, "{name} loads cleanly");
    }
    ws.compute(Some(as_of())).expect("RFM computes");
    ws
}

/// A workspace with `text` imported; panics on any problem in the text.
pub fn with_rules(text: &str) -> Workspace {
    let mut ws = workspace();
    let (_, problems) = ws.import_rules(text, "2025-07-01T09:00:00", "test");
    assert!(problems.is_empty(), "{problems:?}");
    let report = ws.tags().expect("tags evaluate");
    for t in &report.tags {
        assert!(t.diagnostics.is_empty(), "{}: {:?}", t.name, t.diagnostics);
    }
    ws
}

/// What a definition evaluated to, in member keys.
#[derive(Clone, Debug, PartialEq)]
pub enum Actual {
    /// Yes/no: the members it holds for, sorted.
    Members(Vec<String>),
    /// Enumerated: the members with each value, sorted (values without members left out).
    Values(BTreeMap<String, Vec<String>>),
    /// A number per member (members without a value left out).
    Numbers(BTreeMap<String, f64>),
}

/// Evaluates every definition of the workspace and returns `name`'s result.
pub fn actual(ws: &mut Workspace, name: &str) -> Actual {
    let (compiled, evaluation) = ws.evaluate_tags().expect("tags evaluate");
    let evaluation = evaluation.expect("computed");
    let i = compiled.find(name).unwrap_or_else(|| panic!("{name} is defined"));
    let key = |p: usize| ws.person_key(p as u32).to_string();
    match evaluation.outcomes[i].as_ref().unwrap_or_else(|| panic!("{name} evaluated")) {
        Outcome::Bool(b) => {
            let mut keys: Vec<String> = b.iter().map(|p| key(p as usize)).collect();
            keys.sort();
            Actual::Members(keys)
        }
        Outcome::Text(t) => {
            let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for p in 0..t.codes.len() {
                let v = t.get(p);
                if !v.is_empty() {
                    values.entry(v.to_string()).or_default().push(key(p));
                }
            }
            values.values_mut().for_each(|v| v.sort());
            Actual::Values(values)
        }
        Outcome::Num(v) => Actual::Numbers(v.iter().enumerate().filter(|(_, x)| !x.is_nan()).map(|(p, &x)| (key(p), x)).collect()),
    }
}

/// The members a yes/no definition holds for.
pub fn members(ws: &mut Workspace, name: &str) -> Vec<String> {
    match actual(ws, name) {
        Actual::Members(m) => m,
        other => panic!("{name} is not yes/no: {other:?}"),
    }
}

/// Member keys from a literal list.
pub fn keys(list: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// The product brief's examples, verbatim.
pub const PRODUCT: &str = r#"# comments start with #
tag 高价值会员 = rfm.segment == "重要价值客户"
tag 促销敏感 in 偏好 = share(orders, discount) >= 0.6 and count(orders) >= 3
tag 美妆达人 in 兴趣 = count(orders where category in ["美妆", "护肤"], last 180d) >= 3
tag 沉默会员 in 生命周期 = days_since(last(orders.time)) > 90
tag 浏览未购 = count(events where type == "view", last 30d) > 0 and count(orders, last 30d) == 0
tag 加购未付 = did(events where type == "add_cart") then not did(orders) within 3d
tag 年龄段 = case when age < 25 then "Z世代" when age < 35 then "青年" else "其他" end
audience 唤醒对象 = 高价值会员 and 沉默会员 and not 促销敏感
"#;

#[test]
fn the_fixture_loads_as_described() {
    let ws = workspace();
    let rfm = ws.rfm().expect("computed");
    assert_eq!(ws.people().map(|p| p.len()), Some(14));
    // 11 buyers; M08, M12 (no orders) and M14 (its only order is after the analysis date) are not scored.
    assert_eq!(rfm.rows.len(), 11);
    assert_eq!(rfm.orders_after, 1);
    let means = rfm.means.map(|m| (m * 11.0).round() as i64);
    assert_eq!(means, [29, 28, 31], "mean scores are 29/11, 28/11 and 31/11");
}

#[test]
fn every_product_example_compiles_and_gives_its_hand_checked_members() {
    let mut ws = with_rules(PRODUCT);
    let report = ws.tags().unwrap();
    assert_eq!(report.tags.iter().filter(|t| !t.builtin).count(), 8);
    // rfm.segment is 重要价值客户 for R, F and M all above the mean score: M01 (5 5 5) and M03 (3 4 5).
    assert_eq!(members(&mut ws, "高价值会员"), keys(&["M01", "M03"]));
    // Discounted rows / rows ≥ 0.6 and ≥ 3 rows: M02 3/4; M04 3/5 = 0.6 exactly (4 lines + a refund row).
    // M06 has 2/2 but only 2 rows; M07 1/3.
    assert_eq!(members(&mut ws, "促销敏感"), keys(&["M02", "M04"]));
    // 美妆/护肤 rows since 2025-01-02: M01 4, M02 3, M03 3 (its 护肤 order is exactly 180 days back).
    assert_eq!(members(&mut ws, "美妆达人"), keys(&["M01", "M02", "M03"]));
    // Latest order row more than 90 days back: M03 95, M04 228 (its refund), M06, M09, M13 232. M07's refund is 80
    // days back; members without orders have no last order and are not in it.
    assert_eq!(members(&mut ws, "沉默会员"), keys(&["M03", "M04", "M06", "M09", "M13"]));
    // A view since 2025-06-01 and no order row since: M07 (views 06-26), M08 (no orders), M09 (view 06-01 23:00).
    // M12's view at 2025-05-31 23:59:59 is outside the window; M01, M02, M10 ordered within it.
    assert_eq!(members(&mut ws, "浏览未购"), keys(&["M07", "M08", "M09"]));
    // Add-to-cart with no order in the next 3 days, the 3 days over by 2025-07-01 24:00: M05 (06-21, no order
    // since), M10 (06-16, ordered 06-21). M02 and M06 ordered within 3 days; M08's 06-30 cart is still open.
    assert_eq!(members(&mut ws, "加购未付"), keys(&["M05", "M10"]));
    // Ages at 2025-07-01. M02 (born 2002-07-02) is still 22; M04 (2000-07-01) turns 25 that day; M11 has no
    // birthday and falls to else.
    let Actual::Values(ages) = actual(&mut ws, "年龄段") else { panic!("年龄段 is enumerated") };
    assert_eq!(ages["Z世代"], keys(&["M02", "M08", "M10", "M14"]));
    assert_eq!(ages["青年"], keys(&["M03", "M04", "M05", "M07", "M12"]));
    assert_eq!(ages["其他"], keys(&["M01", "M06", "M09", "M11", "M13"]));
    // {M01, M03} ∩ {M03, M04, M06, M09, M13} minus {M02, M04}.
    assert_eq!(members(&mut ws, "唤醒对象"), keys(&["M03"]));
    let groups: Vec<(&str, &str)> =
        report.tags.iter().filter(|t| !t.group.is_empty() && !t.builtin).map(|t| (t.name.as_str(), t.group.as_str())).collect();
    assert_eq!(groups, [("促销敏感", "偏好"), ("美妆达人", "兴趣"), ("沉默会员", "生命周期")]);
}

#[test]
fn the_product_examples_are_on_the_reference_page() {
    let doc = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md")).unwrap();
    assert!(doc.contains(&format!("```rules\n{PRODUCT}```")), "docs/rules.md shows the product examples verbatim");
}

#[test]
fn the_built_in_tags_give_their_hand_checked_values() {
    let mut ws = workspace();
    let report = ws.tags().unwrap();
    let builtins: Vec<&str> = report.tags.iter().filter(|t| t.builtin).map(|t| t.name.as_str()).collect();
    assert_eq!(builtins, ["RFM分群", "RFM十一分群", "生命周期", "价值分层", "偏好品类", "偏好渠道"]);
    assert!(report.tags.iter().filter(|t| t.builtin).all(|t| t.diagnostics.is_empty() && t.group == "系统"));
    let value = |ws: &mut Workspace, name: &str, v: &str| match actual(ws, name) {
        Actual::Values(values) => values.get(v).cloned().unwrap_or_default(),
        other => panic!("{name}: {other:?}"),
    };
    // The segments of the table in docs/rules.md (R, F, M high = score above the means 2.64, 2.55, 2.82).
    assert_eq!(value(&mut ws, "RFM分群", "重要发展客户"), keys(&["M05"]));
    assert_eq!(value(&mut ws, "RFM分群", "一般挽留客户"), keys(&["M13"]));
    // FM = ⌈(F + M) / 2⌉: M02 (5 5 2) → R 5, FM 4 → Champions; M05 (4 1 4) → R 4, FM 3 → Loyal.
    assert_eq!(value(&mut ws, "RFM十一分群", "Champions"), keys(&["M01", "M02"]));
    assert_eq!(value(&mut ws, "RFM十一分群", "Loyal"), keys(&["M03", "M05"]));
    // M scores: M01 5, M03 5 | M05 4, M09 4, M06 3, M07 3 | M02 2, M04 2, M10 1, M11 1, M13 1.
    assert_eq!(value(&mut ws, "价值分层", "中价值"), keys(&["M05", "M06", "M07", "M09"]));
    assert_eq!(value(&mut ws, "价值分层", "未消费"), keys(&["M08", "M12", "M14"]));
    // M01: 美妆 2 rows, 护肤 2 rows: the tie goes to 护 (U+62A4) before 美 (U+7F8E).
    assert_eq!(value(&mut ws, "偏好品类", "护肤"), keys(&["M01", "M03"]));
    // M01: 天猫 3 rows, 门店 2.
    assert_eq!(value(&mut ws, "偏好渠道", "天猫"), keys(&["M01", "M04", "M07", "M09", "M13"]));
}

#[test]
fn built_in_tags_cannot_be_changed_or_shadowed() {
    let mut ws = workspace();
    let edit = huaxiang::tags::Edit { name: "生命周期".into(), rule: "recency < 30".into(), ..Default::default() };
    assert_eq!(ws.save_tag(&edit, "t", "me").unwrap_err().code, "builtin_tag");
    // Imported rule text cannot shadow one either: the duplicate is reported on the user's definition.
    ws.import_rules("tag 偏好渠道 = recency < 30\n", "t", "me");
    let report = ws.tags().unwrap();
    let mine = report.tags.iter().find(|t| t.name == "偏好渠道" && !t.builtin).unwrap();
    assert_eq!(mine.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(), ["duplicate_name"]);
    assert_eq!(mine.value_type, "none");
}
