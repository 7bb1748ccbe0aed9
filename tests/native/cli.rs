//! The command-line tool gives the same results as the workspace the browser uses.

use crate::{counts, fixture, load};
use std::process::Command;

fn run(args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_huaxiang")).args(args).output().expect("the CLI runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out
}

#[test]
fn profile_writes_members_and_summary() {
    let dir = std::env::temp_dir().join(format!("hx-cli-{}", std::process::id()));
    let orders = fixture("rfm_small_gbk.csv");
    let members = fixture("members_small.csv");
    run(&["profile", "--orders", orders.to_str().unwrap(), "--members", members.to_str().unwrap(), "--out", dir.to_str().unwrap()]);
    let csv = std::fs::read_to_string(dir.join("members.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next().unwrap(), "member_id,name,recency,frequency,monetary,r_score,f_score,m_score,segment,segment_en");
    assert_eq!(lines.next().unwrap(), "00101,张伟,1,5,2500.00,5,5,5,重要价值客户,Important value");
    assert_eq!(csv.lines().count(), 11);
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let (_, reference) = load(&[("members_small.csv", None), ("rfm_small.csv", None)], 4096);
    let cli_counts: Vec<u64> = summary["segments"].as_array().unwrap().iter().map(|s| s["count"].as_u64().unwrap()).collect();
    assert_eq!(cli_counts, counts(&reference));
    assert_eq!(summary["files"][1]["rowsSkipped"], 2);
    assert_eq!(summary["files"][1]["encoding"], "GBK");
    assert_eq!(summary["members"], 11);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn sample_then_profile_round_trips() {
    let dir = std::env::temp_dir().join(format!("hx-sample-{}", std::process::id()));
    let d = dir.to_str().unwrap();
    run(&["sample", "--out", d, "--members", "400", "--seed", "9"]);
    let out = dir.join("out");
    run(&[
        "profile",
        "--members",
        dir.join("sample_members.csv").to_str().unwrap(),
        "--orders",
        dir.join("sample_orders.csv").to_str().unwrap(),
        "--as-of",
        "2025-06-01",
        "--out",
        out.to_str().unwrap(),
    ]);
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["members"], 400);
    assert_eq!(summary["asOf"], "2025-06-01");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn bad_arguments_fail_with_a_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_huaxiang")).args(["profile", "--out", "x"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--orders"));
}

#[test]
fn profile_with_rules_writes_every_tag_and_their_sizes() {
    let dir = std::env::temp_dir().join(format!("hx-cli-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("pack.rules");
    std::fs::write(&rules, "# 买过美妆\ntag 美妆客 in 兴趣 = count(orders where category == \"美妆\") >= 1\ntag 性别分 = case when gender == \"女\" then \"女性\" else \"其他\" end\n").unwrap();
    let (orders, members) = (fixture("rfm_small.csv"), fixture("members_small.csv"));
    let out = dir.join("out");
    let args =
        ["profile", "--orders", orders.to_str().unwrap(), "--members", members.to_str().unwrap(), "--rules", rules.to_str().unwrap()];
    run(&[&args[..], &["--out", out.to_str().unwrap()]].concat());
    let csv = std::fs::read_to_string(out.join("members.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert!(header.ends_with(&["美妆客", "性别分"]), "{header:?}");
    assert!(header.contains(&"生命周期") && header.contains(&"RFM分群"));
    // Every member is listed (11 in the member file plus buyers missing from it), not only buyers.
    let (ws, summary) = load(&[("members_small.csv", None), ("rfm_small.csv", None)], 4096);
    assert_eq!(csv.lines().count() as u64, summary.members + 1);
    let row = |id: &str| csv.lines().find(|l| l.starts_with(&format!("{id},"))).unwrap().to_string();
    assert!(row("00101").ends_with(",1,其他"), "{}", row("00101"));
    assert!(row("00105").ends_with(",0,女性"), "{}", row("00105"));
    drop(ws);
    let sizes = std::fs::read_to_string(out.join("tags.csv")).unwrap();
    assert!(sizes.lines().next().unwrap().starts_with("name,group,kind,type,value,members,share"));
    let beauty = sizes.lines().find(|l| l.starts_with("美妆客,")).unwrap();
    let buyers_of_beauty = csv.lines().skip(1).filter(|l| l.split(',').nth_back(1) == Some("1")).count();
    assert_eq!(beauty.split(',').nth(5).unwrap(), buyers_of_beauty.to_string());
    assert!(sizes.lines().any(|l| l.starts_with("性别分,,tag,enum,女性,")));

    // A rule with errors: every problem with file, line and column, and nothing written.
    std::fs::write(&rules, "tag a = monetery > 1\ntag b = count(orders, last 30x) > 1\n").unwrap();
    let bad = dir.join("bad");
    let o = Command::new(env!("CARGO_BIN_EXE_huaxiang")).args(args).args(["--out", bad.to_str().unwrap()]).output().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("pack.rules:1:9: error in a: Nothing is called “monetery”. Did you mean “monetary”?"), "{err}");
    assert!(err.contains("pack.rules:2:28:") && err.contains("2 error(s)"), "{err}");
    assert!(!bad.join("members.csv").exists());
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn profile_with_sql_writes_the_warehouse_script_and_the_tables_it_reads() {
    let dir = std::env::temp_dir().join(format!("hx-cli-sql-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("pack.rules");
    std::fs::write(&rules, "tag 美妆客 = count(orders where category == \"美妆\") >= 1\n").unwrap();
    let (orders, out) = (fixture("rfm_small.csv"), dir.join("out"));
    let args = ["profile", "--orders", orders.to_str().unwrap(), "--rules", rules.to_str().unwrap(), "--sql", "duckdb"];
    run(&[&args[..], &["--out", out.to_str().unwrap()]].concat());
    let sql = std::fs::read_to_string(out.join("tags.duckdb.sql")).unwrap();
    assert!(sql.contains("member_tags") && sql.contains("美妆客"), "{sql}");
    let orders_csv = std::fs::read_to_string(out.join("tables").join("orders.csv")).unwrap();
    assert!(orders_csv.starts_with("member_id,") && orders_csv.lines().count() > 10, "{orders_csv}");
    assert!(std::fs::read_to_string(out.join("tables").join("load.sql")).unwrap().contains("read_csv"));
    let o = Command::new(env!("CARGO_BIN_EXE_huaxiang"))
        .args(["profile", "--orders", "x.csv", "--sql", "duckdb", "--out", "y"])
        .output()
        .unwrap();
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("--rules"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn counts_and_timings_give_each_audience_size_as_the_workspace_does() {
    let dir = std::env::temp_dir().join(format!("hx-cli-counts-{}", std::process::id()));
    let d = dir.to_str().unwrap();
    run(&["sample", "--out", d, "--members", "300", "--seed", "5"]);
    run(&["sample", "--out", d, "--only", "pack", "--seed", "7", "--tags", "20", "--audiences", "30"]);
    let pack = std::fs::read_to_string(dir.join("pack.rules")).unwrap();
    assert_eq!(pack, huaxiang::sample::pack::rules(7, 20));
    let expressions: Vec<String> = std::fs::read_to_string(dir.join("audiences.txt")).unwrap().lines().map(str::to_string).collect();
    assert_eq!(expressions, huaxiang::sample::pack::audiences(7, 20, 30));
    let (members, orders) = (dir.join("sample_members.csv"), dir.join("sample_orders.csv"));
    let out = dir.join("out");
    let p = |p: &std::path::Path| p.to_str().unwrap().to_string();
    run(&[
        "profile",
        "--members",
        &p(&members),
        "--orders",
        &p(&orders),
        "--rules",
        &p(&dir.join("pack.rules")),
        "--count",
        &p(&dir.join("audiences.txt")),
        "--timings",
        "--out",
        &p(&out),
    ]);
    // The same counts from a workspace given the same files and pack.
    let mut ws = huaxiang::engine::Workspace::new();
    for (path, kind) in [(&members, huaxiang::base::roles::FileKind::Members), (&orders, huaxiang::base::roles::FileKind::Orders)] {
        ws.load_bytes(&p(path), Some(kind), &std::fs::read(path).unwrap(), 1 << 20).unwrap();
    }
    ws.compute(None).unwrap();
    ws.import_rules(&pack, "", "test");
    ws.tags().unwrap();
    let csv = std::fs::read_to_string(out.join("counts.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 30);
    for (row, e) in rows.iter().zip(&expressions) {
        let n: u64 = row.rsplit(',').next().unwrap().parse().unwrap();
        assert_eq!(Some(n), ws.audience_count(e).unwrap().count, "{e}");
    }
    let timings: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("timings.json")).unwrap()).unwrap();
    for step in ["load", "rules", "rfm", "tags", "counts", "write"] {
        assert!(timings["seconds"][step].as_f64().is_some_and(|s| s >= 0.0), "{step}: {timings}");
    }
    assert_eq!(timings["counts"]["n"], 30);
    // An expression that cannot be counted stops the run with its place.
    std::fs::write(dir.join("bad.txt"), "b001 and nosuchtag\n").unwrap();
    let bad = Command::new(env!("CARGO_BIN_EXE_huaxiang"))
        .args([
            "profile",
            "--orders",
            &p(&orders),
            "--rules",
            &p(&dir.join("pack.rules")),
            "--count",
            &p(&dir.join("bad.txt")),
            "--out",
            &p(&out),
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("nosuchtag"), "{}", String::from_utf8_lossy(&bad.stderr));
    std::fs::remove_dir_all(dir).ok();
}
