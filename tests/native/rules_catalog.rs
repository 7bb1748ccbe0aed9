//! The tag catalog through the workspace, over the rules fixture: incremental evaluation, tag packs, version
//! history, governance flags, lifecycle thresholds and the RFM monetary setting.

use crate::rules::{as_of, keys, members, with_rules, workspace};
use huaxiang::base::roles::FileKind;
use huaxiang::engine::{TagsReport, Workspace};
use huaxiang::metrics::Settings;
use huaxiang::rules::ast::DefKind;
use huaxiang::tags::{Edit, TagInfo};
use roaring::RoaringBitmap;

fn edit(name: &str, rule: &str) -> Edit {
    Edit { name: name.into(), rule: rule.into(), ..Edit::default() }
}

fn info<'a>(report: &'a TagsReport, name: &str) -> &'a TagInfo {
    report.tags.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("{name} is in the report"))
}

/// A chain 基础 ← 进阶 ← 目标人群, a metric read by 进阶, and an independent tag.
const CHAIN: &str = "tag 基础 = recency <= 30
metric 近90天 = sum(orders.amount, last 90d)
tag 进阶 = 基础 and 近90天 >= 300
audience 目标人群 = 进阶 and not 独立
tag 独立 = city == \"杭州\"
";

#[test]
fn editing_one_rule_evaluates_only_it_and_what_reads_it() {
    let mut ws = with_rules(CHAIN);
    // Nothing changed since the import evaluated everything.
    assert_eq!(ws.tags().unwrap().evaluated, Vec::<String>::new());
    // 基础 = recency <= 30: M01 M02 M10; 进阶 adds 近90天 >= 300: M01 1800, M02 300 (M10 100).
    assert_eq!(members(&mut ws, "进阶"), keys(&["M01", "M02"]));
    let report = ws.save_tag(&edit("基础", "recency <= 10"), "2025-07-01T10:00:00", "李").unwrap();
    assert_eq!(report.evaluated, ["基础", "进阶", "目标人群"], "the edited rule and its dependents, in dependency order");
    assert!(info(&report, "基础").evaluated && info(&report, "目标人群").evaluated);
    assert!(!info(&report, "独立").evaluated && !info(&report, "近90天").evaluated && !info(&report, "RFM分群").evaluated);
    // recency <= 10: M01 2, M02 5, M10 10 — the same members, now through the new rule.
    assert_eq!(members(&mut ws, "目标人群"), keys(&["M01"]));
    // A metric edit re-evaluates the metric and what reads it, not the tag beside it.
    let report = ws.save_tag(&Edit { kind: Some(DefKind::Metric), ..edit("近90天", "sum(orders.amount, last 30d)") }, "t2", "李").unwrap();
    assert_eq!(report.evaluated, ["近90天", "进阶", "目标人群"]);
    // Last 30 days: M01 300 + 500, M02 120 (< 300).
    assert_eq!(members(&mut ws, "进阶"), keys(&["M01"]));
    // Spacing and a description are not a change of meaning: a new version, nothing evaluated.
    let spaced = Edit { description: "最近十天买过".into(), ..edit("基础", "recency<=10") };
    let report = ws.save_tag(&spaced, "t3", "李").unwrap();
    assert_eq!(report.evaluated, Vec::<String>::new());
    assert_eq!(info(&report, "基础").versions, 3);
    // Settings are part of every fingerprint; a new computation forgets every result.
    let settings = Settings { rfm_monetary: huaxiang::rfm::MonetaryBasis::Average, ..Settings::default() };
    let all = ws.set_settings(settings).unwrap().evaluated.len();
    assert_eq!(all, 6 + 5, "six built-in tags and five definitions");
    ws.compute(Some(as_of())).unwrap();
    assert_eq!(ws.tags().unwrap().evaluated.len(), 11);
}

#[test]
fn checking_a_draft_counts_it_without_touching_the_saved_results() {
    let mut ws = with_rules(CHAIN);
    let check = ws.check_rule(&edit("基础", "recency <= 5")).unwrap();
    // M01 2, M02 5.
    assert_eq!((check.value_type, check.count), ("bool", Some(2)));
    assert!(check.diagnostics.is_empty());
    assert_eq!(ws.tags().unwrap().evaluated, Vec::<String>::new(), "the draft replaced no cached result");
    assert_eq!(members(&mut ws, "基础"), keys(&["M01", "M02", "M10"]));
    let bad = ws.check_rule(&edit("草稿", "recency <= ")).unwrap();
    assert_eq!((bad.value_type, bad.count), ("none", None));
    assert_eq!(bad.diagnostics[0].code, "syntax");
}

#[test]
fn a_tag_pack_exported_and_imported_is_identical() {
    let mut ws = with_rules(&format!("set lifecycle.active_days = 45\nset rfm.monetary = \"average\"\n# 近期\n{CHAIN}"));
    ws.save_tag(&Edit { group: "交易".into(), owner: "王".into(), ..edit("独立", "city in [\"杭州\", \"上海\"]") }, "t1", "王").unwrap();
    let pack = ws.export_pack();
    let before = ws.tags().unwrap();
    let mut other = workspace();
    assert_eq!(other.import_pack(&pack, false).unwrap(), 5);
    assert_eq!(other.export_pack(), pack, "the pack survives a round trip byte for byte");
    let after = other.tags().unwrap();
    assert_eq!(after.settings, before.settings);
    let shape = |r: &TagsReport| {
        r.tags.iter().map(|t| (t.name.clone(), t.count, t.versions, t.group.clone(), t.description.clone())).collect::<Vec<_>>()
    };
    assert_eq!(shape(&after), shape(&before));
    assert_eq!(info(&after, "基础").description, "近期", "the comment above a definition is its description");
    // The rule text form round-trips too.
    let text = ws.rules_text();
    let mut again = workspace();
    let (n, problems) = again.import_rules(&text, "t", "王");
    assert_eq!((n, problems.len()), (5, 0));
    assert_eq!(again.rules_text(), text);
    // Merging adds and replaces by name; a pack from elsewhere is refused with a clear code.
    let mut merged = with_rules("tag 另一个 = frequency >= 2\ntag 独立 = gender == \"男\"\n");
    assert_eq!(merged.import_pack(&pack, true).unwrap(), 5);
    let names: Vec<String> = merged.tags().unwrap().tags.into_iter().filter(|t| !t.builtin).map(|t| t.name).collect();
    assert_eq!(names, ["另一个", "独立", "基础", "近90天", "进阶", "目标人群"]);
    assert_eq!(merged.import_pack("{\"format\":\"something-else\"}", false).unwrap_err().code, "bad_pack");
}

#[test]
fn versions_diffs_and_revert_through_the_workspace() {
    let mut ws = workspace();
    ws.save_tag(
        &Edit { group: "偏好".into(), ..edit("促销敏感", "share(orders, discount) >= 0.6 and count(orders) >= 3") },
        "2025-06-01T10:00:00",
        "王",
    )
    .unwrap();
    // M02 0.75 of 4 rows, M04 0.6 of 5.
    assert_eq!(members(&mut ws, "促销敏感"), keys(&["M02", "M04"]));
    ws.save_tag(
        &Edit { group: "偏好".into(), ..edit("促销敏感", "share(orders, discount) >= 0.7 and count(orders) >= 3") },
        "2025-06-02T10:00:00",
        "李",
    )
    .unwrap();
    assert_eq!(members(&mut ws, "促销敏感"), keys(&["M02"]));
    let diff = ws.tag_diff("促销敏感", 1, 2).unwrap();
    let text = |op: &str| diff.iter().filter(|p| p.op == op).map(|p| p.text.trim().to_string()).collect::<Vec<_>>();
    assert_eq!((text("delete"), text("insert")), (vec!["0.6".to_string()], vec!["0.7".to_string()]));
    let report = ws.revert_tag("促销敏感", 1, "2025-06-03T10:00:00", "王").unwrap();
    let tag = info(&report, "促销敏感");
    assert_eq!(
        (tag.versions, tag.rule.as_str(), tag.updated.as_str()),
        (3, "share(orders, discount) >= 0.6 and count(orders) >= 3", "2025-06-03T10:00:00")
    );
    assert_eq!(members(&mut ws, "促销敏感"), keys(&["M02", "M04"]));
    let entry = ws.catalog().get("促销敏感").unwrap();
    let notes: Vec<(u32, &str, &str)> = entry.history.iter().map(|v| (v.version, v.note.as_str(), v.author.as_str())).collect();
    assert_eq!(notes, [(1, "created", "王"), (2, "edited", "李"), (3, "reverted to v1", "王")]);
    assert_eq!(ws.revert_tag("促销敏感", 9, "t", "王").unwrap_err().code, "no_such_version");
    assert_eq!(ws.tag_diff("没有这个", 1, 2).unwrap_err().code, "no_such_tag");
}

#[test]
fn empty_unused_and_near_duplicate_tags_are_flagged() {
    let mut ws = with_rules(
        "tag 高频 = frequency >= 3
tag 高F分 = rfm.f >= 4
tag 没有人 = monetary > 100000
tag 被引用 = city == \"上海\"
audience 上海高频 = 被引用 and 高频
metric 指标 = monetary * 2
",
    );
    let report = ws.tags().unwrap();
    // frequency >= 3 and F score >= 4 are both M01, M02, M03: Jaccard 1.
    assert_eq!(info(&report, "高频").flags.duplicates, ["高F分"]);
    assert_eq!(info(&report, "高F分").flags.duplicates, ["高频"]);
    assert!(info(&report, "没有人").flags.empty && !info(&report, "没有人").flags.near_empty);
    assert!(info(&report, "没有人").flags.duplicates.is_empty(), "empty tags are not duplicates of each other");
    // Tags nothing reads are unused; audiences, metrics and built-in tags are never flagged.
    let unused: Vec<&str> = report.tags.iter().filter(|t| t.flags.unused).map(|t| t.name.as_str()).collect();
    assert_eq!(unused, ["高F分", "没有人"]);
    assert_eq!(info(&report, "被引用").used_by, ["上海高频"]);
    // 上海 M01 M06 M09 M12 and frequency >= 3: M01.
    assert_eq!((info(&report, "上海高频").count, info(&report, "上海高频").share), (1, 1.0 / 14.0));
    assert_eq!(info(&report, "指标").value_type, "number");
}

#[test]
fn near_duplicates_start_at_a_jaccard_of_0_98() {
    let set = |r: std::ops::Range<u32>| r.collect::<RoaringBitmap>();
    // 99 shared of 101: 0.980 — a near-duplicate. 98 shared of 102: 0.961 — not.
    let (a, b, c) = (set(0..100), set(1..101), set(2..102));
    let pairs = huaxiang::tags::report::near_duplicates([(0, &a), (1, &b), (2, &c)].into_iter());
    assert_eq!(pairs, [(0, 1), (1, 2)]);
    assert_eq!(huaxiang::tags::report::DUPLICATE_JACCARD, 0.98);
}

#[test]
fn lifecycle_thresholds_default_from_the_data_and_can_be_set() {
    let mut ws = workspace();
    let t = ws.tags().unwrap().thresholds.unwrap();
    // Intervals of repeat buyers: 20 (M06), 24.5 (M01), 30 (M02), 30 (M04), 40 (M07), 42.5 (M03): median 30.
    assert_eq!(t.median_interval, Some(30.0));
    assert_eq!((t.new_days, t.active_days, t.dormant_days, t.at_risk_days), (30, 30, 60, 90));
    let (_, problems) = ws.import_rules("set lifecycle.active_days = 45\ntag 活跃 = lifecycle == \"活跃\"\n", "t", "王");
    assert!(problems.is_empty());
    let t = ws.tags().unwrap().thresholds.unwrap();
    assert_eq!((t.new_days, t.active_days, t.dormant_days, t.at_risk_days), (30, 45, 60, 90));
    // Active within 45 days: M01 2, M02 5, M05 45 (M10 is new).
    assert_eq!(members(&mut ws, "活跃"), keys(&["M01", "M02", "M05"]));
    // A threshold set below the one before it is raised to it.
    ws.import_rules("set lifecycle.dormant_days = 20\n", "t", "王");
    let t = ws.tags().unwrap().thresholds.unwrap();
    assert_eq!((t.active_days, t.dormant_days, t.at_risk_days), (45, 45, 90));
}

fn orders_only(csv: &str) -> Workspace {
    let mut ws = Workspace::new();
    ws.load_bytes("orders.csv", Some(FileKind::Orders), csv.as_bytes(), 1 << 12).unwrap();
    ws.compute(None).unwrap();
    ws
}

#[test]
fn lifecycle_defaults_without_repeat_buyers_and_with_a_very_short_rhythm() {
    // Nobody bought twice: I = 90.
    let mut ws = orders_only("member,time,amount\nA,2025-01-01,10\nB,2025-02-01,20\n");
    let t = ws.tags().unwrap().thresholds.unwrap();
    assert_eq!((t.median_interval, t.new_days, t.active_days, t.dormant_days, t.at_risk_days), (None, 90, 90, 180, 270));
    // Everyone buys every 2 days: the median 2 is raised to the floor of 7.
    let mut ws = orders_only("member,time,amount\nA,2025-01-01,10\nA,2025-01-03,10\nB,2025-01-02,20\nB,2025-01-04,20\n");
    let t = ws.tags().unwrap().thresholds.unwrap();
    assert_eq!((t.median_interval, t.active_days, t.dormant_days, t.at_risk_days), (Some(2.0), 7, 14, 21));
}

#[test]
fn rfm_monetary_average_rescores_m_and_recomputes_rfm() {
    let mut ws = with_rules("tag M满分 = rfm.m == 5\n");
    // Total net spend: M01 2000 and M03 1500 are the top two of 11.
    assert_eq!(members(&mut ws, "M满分"), keys(&["M01", "M03"]));
    let m_of = |ws: &Workspace, key: &str| {
        let p = ws.find_person(huaxiang::base::ids::IdKind::Member, key).unwrap();
        ws.rfm().unwrap().rows.iter().find(|r| r.member == p).unwrap().m
    };
    assert_eq!(m_of(&ws, "M05"), 4);
    ws.import_rules("set rfm.monetary = \"average\"\n", "t", "王");
    // Per purchase: M09 1200, M05 800 top; M01 400 and M03 500 score 4 (7 and 8 buyers below of 11).
    assert_eq!(members(&mut ws, "M满分"), keys(&["M05", "M09"]));
    assert_eq!((m_of(&ws, "M05"), m_of(&ws, "M01"), m_of(&ws, "M03")), (5, 4, 4));
    // The set of M-high buyers is the same here, so the 8 segments stay.
    assert_eq!(members(&mut ws, "M满分").len(), 2);
    let report = ws.tags().unwrap();
    let segment = info(&report, "RFM分群").values.iter().find(|v| v.value == "重要价值客户").map(|v| v.count);
    assert_eq!(segment, Some(2));
    ws.import_rules("set rfm.monetary = \"total\"\n", "t", "王");
    assert_eq!(members(&mut ws, "M满分"), keys(&["M01", "M03"]));
    assert_eq!(m_of(&ws, "M05"), 4);
}

#[test]
fn lineage_reaches_columns_and_the_definitions_downstream() {
    let mut ws = with_rules(CHAIN);
    ws.tags().unwrap();
    let lineage = ws.lineage("进阶").unwrap();
    let ids: Vec<&str> = lineage.nodes.iter().map(|n| n.id.as_str()).collect();
    for id in ["def:进阶", "def:基础", "def:近90天", "measure:recency", "column:orders.amount", "column:orders.time", "def:目标人群"]
    {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    assert!(!ids.contains(&"def:独立"), "a sibling of a dependent is not in the lineage");
    assert!(lineage.edges.iter().any(|e| e.from == "def:进阶" && e.to == "def:目标人群"));
    assert_eq!(ws.lineage("没有").unwrap_err().code, "no_such_tag");
}

#[test]
fn a_look_alike_name_typed_in_the_editor_is_warned_of() {
    let mut ws = with_rules("tag vip = monetary > 100\n");
    let codes = |ws: &mut huaxiang::engine::Workspace, name: &str| -> Vec<String> {
        ws.check_rule(&edit(name, "monetary > 5")).unwrap().diagnostics.iter().map(|d| d.code.to_string()).collect()
    };
    // Cyrillic і and р beside the Latin name.
    assert_eq!(codes(&mut ws, "vір"), ["look_alike_name"]);
    assert_eq!(codes(&mut ws, "会员vір"), ["mixed_script_name"]);
    assert!(codes(&mut ws, "高价值").is_empty());
    // Editing the tag itself is not a look-alike of itself.
    assert!(codes(&mut ws, "vip").is_empty());
}
