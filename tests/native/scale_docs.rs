//! docs/scale.md's commands, run at a small size: the command line profiles generated data with a rule pack,
//! exports it as DuckDB SQL with the normalised tables, and DuckDB finds the members the command line found.

use std::process::Command;

#[test]
fn the_scale_guide_commands_run() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scale.md")).unwrap();
    let start = doc.find("```sh scale-check\n").expect("docs/scale.md has a scale-check block") + "```sh scale-check\n".len();
    let block = &doc[start..start + doc[start..].find("\n```").unwrap()];
    let cli = env!("CARGO_BIN_EXE_huaxiang");
    let python = crate::sql::python();
    let script: String = block
        .lines()
        .map(|l| match (l.strip_prefix("huaxiang "), l.strip_prefix("python3 ")) {
            (Some(rest), _) => format!("'{cli}' {rest}"),
            (_, Some(rest)) => format!("'{}' {rest}", python.display()),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let dir = std::env::temp_dir().join(format!("hx-scale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new("bash").arg("-euo").arg("pipefail").arg("-c").arg(&script).current_dir(&dir).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{script}\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines.iter().all(|l| l.rsplit(' ').next().is_some_and(|n| n.parse::<u64>().is_ok())), "{stdout}");
    std::fs::remove_dir_all(dir).ok();
}
