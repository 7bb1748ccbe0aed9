//! Audiences over the hand-made rules fixture (analysis date 2025-07-01; members M01–M14, described in
//! `docs/rules.md`): live counts, previews with attrition, explanations, static audiences, snapshots, portraits with
//! TGI, cross-tabs and comparisons. Every expected figure is derived by hand from the fixture's CSV files.

use crate::rules::with_rules;
use huaxiang::audience::{ExplainNode, PortraitRequest, StaticAudience};
use huaxiang::engine::Workspace;
use huaxiang::tags::Edit;

/// Recency and monetary of the fixture (as of 2025-07-01):
/// M01 2 d 2000 · M02 5 d 350 · M03 95 d 1500 · M04 232 d 400 · M05 45 d 800 · M06 232 d 450 · M07 232 d 500 ·
/// M09 232 d 1200 · M10 10 d 100 · M11 75 d 60 · M13 232 d 30; M08, M12, M14 never bought (M14's order is after
/// the analysis date). Women: M02 M03 M05 M07 M10 M12 M14. 上海: M01 M06 M09 M12; 杭州: M02 M08 M14; 北京: M03 M07
/// M13; 广州: M04; 深圳: M05 M10; M11 has no city.
const PACK: &str = "tag 高价值 = monetary >= 1000
tag 女性 = gender == \"女\"
audience 唤醒 = 高价值 and recency > 90 and not 女性
audience 近期 = recency <= 30
";

fn ws() -> Workspace {
    with_rules(PACK)
}

fn keys(ws: &mut Workspace, expr: &str) -> Vec<String> {
    let members = ws.audience_members(expr).unwrap();
    let mut out: Vec<String> = members.iter().map(|p| ws.person_key(p).to_string()).collect();
    out.sort();
    out
}

#[test]
fn counts_as_typed_with_errors_located() {
    let mut ws = ws();
    let c = ws.audience_count("高价值 and not 女性").unwrap();
    // 高价值: M01 M03 M09; not women: M01 M09.
    assert_eq!((c.count, c.members, c.bitmap_only), (Some(2), 14, true));
    assert!((c.share.unwrap() - 2.0 / 14.0).abs() < 1e-12);
    let c = ws.audience_count("高价值 and monetary < 1500").unwrap();
    assert_eq!((c.count, c.bitmap_only), (Some(1), false), "M09 1200");
    let bad = ws.audience_count("高价直 and").unwrap();
    assert_eq!(bad.count, None);
    assert!(!bad.diagnostics.is_empty());
    let unknown = ws.audience_count("高价直").unwrap();
    assert!(unknown.diagnostics.iter().any(|d| d.code == "unknown_name" && d.en.contains("高价值")), "{:?}", unknown.diagnostics);
    let not_bool = ws.audience_count("monetary").unwrap();
    assert!(not_bool.diagnostics.iter().any(|d| d.code == "audience_type"));
    // Saved audiences are names like tags; enumerated tags compare with their values.
    assert_eq!(keys(&mut ws, "唤醒"), ["M09"]);
    assert_eq!(keys(&mut ws, "生命周期 in [\"活跃\"] and 近期"), keys(&mut ws, "近期 and 生命周期 == \"活跃\""));
    assert_eq!(ws.audience_tags("唤醒 or 近期 and monetary > 1").unwrap(), ["唤醒", "近期"]);
}

#[test]
fn preview_shows_attrition_per_condition_and_samples() {
    let mut ws = ws();
    let p = ws.audience_preview("gender == \"女\" and monetary > 100\n  and city != \"北京\"", 5, false).unwrap();
    let steps: Vec<(&str, u64, u64, u64)> = p.steps.iter().map(|s| (s.condition.as_str(), s.alone, s.remaining, s.removed)).collect();
    assert_eq!(
        steps,
        [
            // 7 women of 14.
            ("gender == \"女\"", 7, 7, 7),
            // Over 100: M01 M02 M03 M04 M05 M06 M07 M09; of the women M02 M03 M05 M07 (M10 has exactly 100).
            ("monetary > 100", 8, 4, 3),
            // A city other than 北京 (M11 has none): 10; M03 and M07 live in 北京.
            ("city != \"北京\"", 10, 2, 2),
        ]
    );
    assert!((p.steps[1].removed_share - 3.0 / 7.0).abs() < 1e-12);
    assert_eq!(p.count, Some(2));
    let samples: Vec<(&str, &str, Option<i32>, Option<&str>)> =
        p.samples.iter().map(|s| (s.id.as_str(), s.name.as_str(), s.recency, s.monetary.as_deref())).collect();
    assert_eq!(samples, [("M02", "王芳", Some(5), Some("350.00")), ("M05", "陈静", Some(45), Some("800.00"))]);
    // Evenly spaced and deterministic: 3 of the 14 members.
    let all = ws.audience_preview("true", 3, false).unwrap();
    let ids: Vec<&str> = all.samples.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["M03", "M08", "M12"], "ranks 2, 7 and 11 of 0..14");
    assert_eq!(all.steps.len(), 1);
}

fn find<'a>(node: &'a ExplainNode, text: &str) -> &'a ExplainNode {
    fn walk<'a>(n: &'a ExplainNode, text: &str) -> Option<&'a ExplainNode> {
        if n.text == text {
            return Some(n);
        }
        n.children.iter().find_map(|c| walk(c, text))
    }
    walk(node, text).unwrap_or_else(|| panic!("{text} in {node:#?}"))
}

#[test]
fn explains_why_a_member_is_in_or_out() {
    let mut ws = ws();
    let e = ws.explain_member("唤醒", "M09", false).unwrap();
    assert_eq!((e.kind, e.member.as_str(), e.name.as_str(), e.held), ("audience", "M09", "周杰", Some(true)));
    assert_eq!(e.tree.kind, "and");
    let tag = find(&e.tree, "高价值");
    assert_eq!((tag.kind, tag.held, tag.definition.as_deref()), ("tag", Some(true), Some("高价值")));
    let inner = find(tag, "monetary >= 1000");
    assert_eq!(inner.values[0].name, "monetary");
    assert_eq!(inner.values[0].value.as_deref(), Some("1200"));
    let r = find(&e.tree, "recency > 90");
    assert_eq!((r.held, r.values[0].value.as_deref()), (Some(true), Some("232")));
    let not = find(&e.tree, "not 女性");
    assert_eq!((not.kind, not.held, not.children[0].held), ("not", Some(true), Some(false)));
    assert_eq!(find(not, "gender == \"女\"").values[0].value.as_deref(), Some("男"));

    // Out: M03 is a woman; the first failing condition carries the value that failed it.
    let out = ws.explain_member("唤醒", "M03", false).unwrap();
    assert_eq!(out.held, Some(false));
    assert_eq!(find(&out.tree, "not 女性").held, Some(false));
    // An expression as typed, with a missing value and money with cents.
    let x = ws.explain_member("avg_spend > 100 and city == \"上海\"", "M11", false).unwrap();
    assert_eq!((x.kind, x.held), ("expression", Some(false)));
    let city = find(&x.tree, "city == \"上海\"");
    assert_eq!((city.held, city.values[0].value.clone()), (Some(false), None));
    let y = ws.explain_member("avg_spend > 100", "M02", false).unwrap();
    assert_eq!(y.tree.values[0].value.as_deref(), Some("87.5"), "350 over 4 purchases: one number formatter (base::values::format_number)");
    // An enumerated built-in tag: the value and which arm of its case chose it.
    let v = ws.explain_member("价值分层", "M01", false).unwrap();
    assert_eq!((v.kind, v.held, v.value.as_deref(), v.tree.kind), ("tag", None, Some("高价值"), "case"));
    assert_eq!(v.tree.children[0].held, Some(true));
    assert_eq!(v.tree.children[0].values[0].value.as_deref(), Some("5"));
    assert_eq!(ws.explain_member("唤醒", "nobody", false).unwrap_err().code, "no_such_member");
}

#[test]
fn static_audiences_match_through_the_identity_graph() {
    let (mut ws, _) = crate::load(&[("members_small.csv", None), ("rfm_small.csv", None)], 4096);
    let request = StaticAudience {
        name: "线下名单".into(),
        ids: ["00101", "+86 138-0013-8002", " 00103 ", "00101", "nobody", "", "13900000000"].map(String::from).to_vec(),
        ..StaticAudience::default()
    };
    let saved = ws.save_static_audience(&request, "2025-06-01T09:00:00", "王").unwrap();
    let m = saved.matched.as_ref().unwrap();
    assert_eq!((saved.kind, saved.members), ("static", 3));
    assert_eq!((m.ids, m.matched, m.members, m.unmatched, m.duplicates), (6, 4, 3, 2, 1));
    assert_eq!(m.unmatched_ids, ["nobody", "13900000000"]);
    assert_eq!(keys(&mut ws, "线下名单"), ["00101", "00102", "00103"], "the phone found 00102");
    // Usable by name, listed, versioned, and kept by key in the pack.
    let c = ws.audience_count("线下名单 and rfm.segment == \"重要价值客户\"").unwrap();
    assert!(c.count.is_some());
    let info = ws.audiences().unwrap();
    let list = info.iter().find(|a| a.name == "线下名单").unwrap();
    assert_eq!((list.kind, list.count, list.stored, list.versions), ("static", Some(3), Some(3), 1));
    let only_phones = StaticAudience { kind: Some(huaxiang::base::ids::IdKind::Phone), ..request.clone() };
    let again = ws.save_static_audience(&only_phones, "2025-06-02T09:00:00", "王").unwrap();
    assert_eq!(again.members, 1, "as phones only 138-0013-8002 matches");
    assert_eq!(ws.catalog().get("线下名单").unwrap().history.len(), 2);
    let pack = ws.export_pack();
    assert!(pack.contains("\"members\": [\n        \"00102\"\n      ]"), "{pack}");
    assert!(ws.rules_text().contains("# audience 线下名单: static list, 1 member keys"), "{}", ws.rules_text());
    // The SQL export names a list audience as not exported (it holds members, not a rule) instead of writing `false`.
    let sql = ws.export_sql(&huaxiang::export::sql::SqlOptions::new(huaxiang::export::sql::Dialect::DuckDb)).unwrap();
    let list = sql.defs.iter().find(|d| d.name == "线下名单").unwrap();
    assert!(list.column.is_none() && list.skipped_en.as_deref().unwrap_or("").contains("list audience"), "{list:?}");
    // A name that is taken by a rule, or by a built-in tag, is refused.
    ws.save_tag(&Edit { name: "规则".into(), rule: "recency < 5".into(), ..Edit::default() }, "t", "王").unwrap();
    let taken = StaticAudience { name: "规则".into(), ..request.clone() };
    assert_eq!(ws.save_static_audience(&taken, "t", "王").unwrap_err().code, "duplicate_name");
    let builtin = StaticAudience { name: "RFM分群".into(), ..request };
    assert_eq!(ws.save_static_audience(&builtin, "t", "王").unwrap_err().code, "builtin_tag");
}

#[test]
fn snapshots_freeze_members_and_survive_packs() {
    let mut ws = ws();
    assert_eq!(keys(&mut ws, "近期"), ["M01", "M02", "M10"]);
    let s = ws.snapshot_audience("近期", None, "2025-07-01T12:00:00", "王").unwrap();
    assert_eq!((s.name.as_str(), s.kind, s.members, s.snapshot_of.as_deref()), ("近期_20250701", "snapshot", 3, Some("近期")));
    // The audience changes; its snapshot does not.
    ws.save_tag(&Edit { kind: Some(huaxiang::rules::ast::DefKind::Audience), ..edit("近期", "recency <= 5") }, "t2", "王").unwrap();
    assert_eq!(keys(&mut ws, "近期"), ["M01", "M02"]);
    assert_eq!(keys(&mut ws, "近期_20250701"), ["M01", "M02", "M10"]);
    assert_eq!(keys(&mut ws, "近期_20250701 and not 近期"), ["M10"]);
    let entry = ws.catalog().get("近期_20250701").unwrap();
    assert_eq!(
        (entry.snapshot_of.as_deref(), entry.at.as_deref(), entry.rule.as_str()),
        (Some("近期"), Some("2025-07-01T12:00:00"), "recency <= 30")
    );
    // A second snapshot under the same name is refused; a named one is not.
    assert_eq!(ws.snapshot_audience("近期", None, "2025-07-01T18:00:00", "王").unwrap_err().code, "duplicate_name");
    assert_eq!(ws.snapshot_audience("近期", Some("近期 晚"), "2025-07-01T18:00:00", "王").unwrap().members, 2);
    assert_eq!(keys(&mut ws, "`近期 晚`"), ["M01", "M02"]);
    // Explained as a list; the pack keeps it; a pack without lists (older) still loads.
    let e = ws.explain_member("近期_20250701", "M10", false).unwrap();
    assert_eq!((e.tree.kind, e.held), ("list", Some(true)));
    let pack = ws.export_pack();
    assert!(pack.contains("\"snapshotOf\": \"近期\""));
    let mut other = crate::rules::workspace();
    other.import_pack(&pack, false).unwrap();
    assert_eq!(keys(&mut other, "近期_20250701"), ["M01", "M02", "M10"]);
    let kinds: Vec<(String, &str)> = other.audiences().unwrap().into_iter().map(|a| (a.name, a.kind)).collect();
    assert!(kinds.contains(&("近期_20250701".to_string(), "snapshot")) && kinds.contains(&("唤醒".to_string(), "dynamic")), "{kinds:?}");
    let old = "{\"format\":\"huaxiang-tag-pack\",\"definitions\":[{\"kind\":\"audience\",\"name\":\"旧\",\"rule\":\"recency <= 30\"}]}";
    other.import_pack(old, false).unwrap();
    assert_eq!(keys(&mut other, "旧"), ["M01", "M02", "M10"]);
}

fn edit(name: &str, rule: &str) -> Edit {
    Edit { name: name.into(), rule: rule.into(), ..Edit::default() }
}

#[test]
fn portrait_shares_and_tgi_by_hand() {
    let mut ws = ws();
    let request = PortraitRequest { audience: "city in [\"上海\", \"杭州\"]".into(), min_count: Some(1), ..PortraitRequest::default() };
    let p = ws.portrait(&request).unwrap();
    // M01 M02 M06 M08 M09 M12 M14.
    assert_eq!((p.audience, p.base), (7, 14));
    let dim = |name: &str| p.dimensions.iter().find(|d| d.name == name).unwrap_or_else(|| panic!("{name}"));
    let value = |d: &str, v: &str| dim(d).values.iter().find(|x| x.value == v).unwrap_or_else(|| panic!("{d} {v}")).clone();
    // Men: M01 M06 M08 M09 of 7, against 7 of 14.
    let men = value("性别", "男");
    assert_eq!((men.audience_count, men.base_count), (4, 7));
    assert!((men.audience_share - 4.0 / 7.0).abs() < 1e-12 && (men.base_share - 0.5).abs() < 1e-12);
    assert!((men.tgi.unwrap() - 800.0 / 7.0).abs() < 1e-9);
    // Levels: 金卡 M02 M06 M09 (3 of 7) against 3 of 14 → 200; 钻石 1/7 against 2/14 → 100; 银卡 none → 0.
    assert!((value("会员等级", "金卡").tgi.unwrap() - 200.0).abs() < 1e-9);
    assert!((value("会员等级", "钻石").tgi.unwrap() - 100.0).abs() < 1e-9);
    assert_eq!(value("会员等级", "银卡").tgi, Some(0.0));
    assert!((value("城市", "上海").tgi.unwrap() - 200.0).abs() < 1e-9);
    // A yes/no tag is one value: 高价值 M01 M09 (2 of 7) against M01 M03 M09 (3 of 14).
    let high = value("高价值", "是");
    assert_eq!((dim("高价值").kind, high.audience_count, high.base_count), ("flag", 2, 3));
    // The sort measure of 上海: smoothed shares 4.5/8 and 4.5/15.
    let (a, b): (f64, f64) = (4.5 / 8.0, 4.5 / 15.0);
    assert!((value("城市", "上海").score - (a - b) * (a / b).ln()).abs() < 1e-12);
    assert!(p.traits.windows(2).all(|w| w[0].value.score >= w[1].value.score));
    assert!(p.traits.iter().any(|t| t.dimension == "会员等级" && t.value.value == "银卡" && !t.over));
    // Frequency over shared bins of width 1 from 0 to the base's 99th percentile (5), the last bin open.
    let f = p.histograms.iter().find(|h| h.metric == "frequency").unwrap();
    let bins: Vec<(f64, Option<f64>, u64, u64)> = f.bins.iter().map(|b| (b.low, b.high, b.audience_count, b.base_count)).collect();
    assert_eq!(
        bins,
        [
            (0.0, Some(1.0), 3, 3),
            (1.0, Some(2.0), 1, 5),
            (2.0, Some(3.0), 1, 3),
            (3.0, Some(4.0), 0, 1),
            (4.0, Some(5.0), 1, 1),
            (5.0, None, 1, 1)
        ]
    );
    assert_eq!((f.audience.n, f.audience.median), (7, Some(1.0)));
    assert!((f.audience.mean.unwrap() - 12.0 / 7.0).abs() < 1e-12);
    // With the default minimum count (30), no trait of a 7-member audience is ranked.
    let strict = ws.portrait(&PortraitRequest { min_count: None, ..request }).unwrap();
    assert!(strict.traits.is_empty() && !strict.dimensions.is_empty());

    // Against another audience: 上海 (M01 M06 M09 M12) against the men; 金卡 2/4 against 2/7 → 175.
    let vs = ws
        .portrait(&PortraitRequest {
            audience: "city == \"上海\"".into(),
            base: Some("gender == \"男\"".into()),
            min_count: Some(1),
            bins: None,
        })
        .unwrap();
    assert_eq!((vs.audience, vs.base), (4, 7));
    let gold = vs.dimensions.iter().find(|d| d.name == "会员等级").unwrap().values.iter().find(|v| v.value == "金卡").unwrap();
    assert!((gold.tgi.unwrap() - 175.0).abs() < 1e-9);
}

#[test]
fn crosstab_and_comparison() {
    let mut ws = ws();
    let t = ws.crosstab("city in [\"上海\", \"杭州\"]", "gender", "会员等级").unwrap();
    assert_eq!((t.row.as_str(), t.column.as_str(), t.total), ("性别", "会员等级", 7));
    assert_eq!(t.row_values, ["男", "女"]);
    assert_eq!(t.column_values, ["钻石", "金卡", "普通"], "银卡 has nobody in the audience");
    assert_eq!(t.counts, [[1, 2, 1], [0, 1, 2]]);
    let flags = ws.crosstab("true", "高价值", "rfm").unwrap();
    assert_eq!(flags.row_values, ["是", "否"]);
    assert_eq!(flags.counts.iter().flatten().sum::<u64>(), 14);
    assert_eq!(ws.crosstab("true", "nothing", "gender").unwrap_err().code, "no_such_dimension");
    // 上海 M01 M06 M09 M12 against 高价值 M01 M03 M09.
    let c = ws.compare_audiences("city == \"上海\"", "高价值", Some(1)).unwrap();
    let o = &c.overlap;
    assert_eq!((o.a, o.b, o.a_only, o.both, o.b_only, o.union), (4, 3, 2, 2, 1, 5));
    assert!((o.jaccard - 0.4).abs() < 1e-12);
    assert_eq!((c.a.audience, c.b.audience, c.b.base), (4, 3, 14));
}

#[test]
fn the_command_line_writes_the_audience() {
    use std::process::Command;
    let dir = std::env::temp_dir().join(format!("hx-cli-audience-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("pack.rules");
    std::fs::write(&rules, "tag 女性 = gender == \"女\"\ntag 大客户 = monetary >= 1000\n").unwrap();
    let (orders, members) = (crate::fixture("rfm_small.csv"), crate::fixture("members_small.csv"));
    let out = dir.join("audience.csv");
    let base = [
        "audience",
        "--orders",
        orders.to_str().unwrap(),
        "--members",
        members.to_str().unwrap(),
        "--rules",
        rules.to_str().unwrap(),
        "--expr",
        "女性 or 大客户",
        "--out",
        out.to_str().unwrap(),
    ];
    let run = |extra: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_huaxiang")).args(base).args(extra).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let text = std::fs::read_to_string(&out).unwrap();
        // The app's export format: UTF-8 with a byte-order mark for Excel, CRLF line ends.
        assert!(text.starts_with('\u{feff}') && text.contains("\r\n"), "{text:?}");
        text.trim_start_matches('\u{feff}').to_string()
    };
    let plain = run(&[]);
    let mut lines = plain.lines();
    assert_eq!(lines.next().unwrap(), "member_id,name,phone,recency,frequency,monetary,segment,女性,大客户");
    assert_eq!(lines.next().unwrap(), "00101,张伟,13800138001,1,5,2500.00,重要价值客户,0,1");
    // The same members as the workspace counts.
    let (mut ws, _) = crate::load(&[("members_small.csv", None), ("rfm_small.csv", None)], 4096);
    ws.import_rules(&std::fs::read_to_string(&rules).unwrap(), "t", "t");
    assert_eq!(plain.lines().count() as u64 - 1, ws.audience_count("女性 or 大客户").unwrap().count.unwrap());
    // Masked, with the SHA-256 of the normalised phone (of the unmasked number).
    let masked = run(&["--mask", "--hash", "sha256"]);
    let mut lines = masked.lines();
    assert_eq!(lines.next().unwrap(), "member_id,name,phone,phone_sha256,recency,frequency,monetary,segment,女性,大客户");
    assert_eq!(
        lines.next().unwrap(),
        "00101,张*,138****8001,b0da6e942b8a0642f9cc9b50eb36dffcf183891ed237decc9efd6d6b84902116,1,5,2500.00,重要价值客户,0,1"
    );
    assert!(!masked.contains("13800138"), "no phone in clear");
    let md5 = run(&["--hash", "md5"]);
    assert!(md5.lines().nth(1).unwrap().starts_with("00101,张伟,13800138001,9e9626cef66e28f074e941773891f57c,"));
    // An error in the expression: located, and nothing written.
    std::fs::remove_file(&out).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_huaxiang"))
        .args(&base[..7])
        .args(["--expr", "女性 or 大客", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--expr:1:7: error: Nothing is called “大客”. Did you mean “大客户”?"));
    assert!(!out.exists());
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn lists_refuse_an_empty_upload_and_follow_data_loaded_after_the_last_computation() {
    let (mut ws, _) = crate::load(&[("members_small.csv", None), ("rfm_small.csv", None)], 4096);
    let empty = StaticAudience { name: "空名单".into(), ids: vec![" ".into(), String::new()], ..StaticAudience::default() };
    assert_eq!(ws.save_static_audience(&empty, "t", "王").unwrap_err().code, "empty_list");
    // A member who arrives with a new file is found without recomputing by hand (and does not crash the lookup).
    let more = "会员编号,姓名,手机号,性别,注册日期\n00999,新会员,13800138999,女,2025-01-01\n";
    ws.load_bytes("more.csv", None, more.as_bytes(), 4096).unwrap();
    assert_eq!(ws.find_person(huaxiang::base::ids::IdKind::Member, "00999"), None, "not in the last computation");
    let list = StaticAudience { name: "新人".into(), ids: vec!["00999".into()], ..StaticAudience::default() };
    let saved = ws.save_static_audience(&list, "t", "王").unwrap();
    assert_eq!(saved.members, 1);
    assert!(ws.find_person(huaxiang::base::ids::IdKind::Member, "00999").is_some());
}

#[test]
fn queries_are_read_only_after_a_refresh() {
    let (mut ws, _) = crate::load(&[("members_small.csv", None), ("rfm_small.csv", None)], 4096);
    ws.import_rules("tag 女性 = gender == \"女\"\ntag 大客户 = monetary >= 1000\n", "t", "t");
    // One refresh, then any number of queries through a shared borrow: none of them can change the workspace.
    let analysis = ws.analysis().unwrap();
    let (a, b): (&huaxiang::engine::Analysis, &huaxiang::engine::Analysis) = (&analysis, &analysis);
    let count = a.audience_count("女性 or 大客户").unwrap().count.unwrap();
    let members = b.audience_members("女性 or 大客户").unwrap();
    assert_eq!(count, members.len());
    let tags = a.tags().unwrap();
    assert!(tags.evaluated.is_empty() || tags.evaluated.contains(&"女性".to_string()));
    drop(analysis);
    // The `&mut` conveniences refresh first and give the same answers.
    assert_eq!(ws.audience_count("女性 or 大客户").unwrap().count, Some(count));
}
