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
