//! The diagnostics a user can see, driven by files in `tests/fixtures/rules/diagnostics/`.
//!
//! Each case is a text and the diagnostics it must give, no more and no fewer:
//! - `NAME.rule` is a whole rules file (statements, settings, comments). Its problems are those of parsing and
//!   settings (as importing the file reports them) and of checking every definition together with the built-in
//!   tags; spans are in the file's own lines and columns.
//! - `NAME.expr` is one rule as the editor holds it (the expression after `=`), checked with
//!   [`Workspace::check_rule`]; spans are in the rule's text.
//!
//! `NAME.expect` lists the diagnostics, one block each:
//!
//! ```text
//! error unknown_name 1:11-1:19
//!   zh: 您是不是想写“monetary”
//!   en: Did you mean “monetary”?
//! ```
//!
//! To write a new case, give it an empty `.expect`: the test fails and prints what the case reports in this format,
//! to be checked by hand before it is saved.
//!
//! The first line is the severity, the stable code and the span as `line:col-end_line:end_col` (1-based, counted in
//! characters, the end just past the last character); `zh:` and `en:` give text each message must contain. Lines
//! starting with `#` are comments. The test also requires every code the parser, the checker and the settings can
//! produce (read from the source) to appear in some case, so a new kind of error cannot go untested.

use crate::rules::workspace;
use huaxiang::engine::Workspace;
use huaxiang::rules::ast::Program;
use huaxiang::rules::check::check;
use huaxiang::rules::parser::{parse_expr, parse_program};
use huaxiang::rules::{Diagnostic, Severity};
use huaxiang::tags::{builtin, schema_of, Catalog, DiagnosticInfo, Edit};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One expected diagnostic.
#[derive(Debug, Default)]
struct Expected {
    severity: String,
    code: String,
    span: (u32, u32, u32, u32),
    zh: Vec<String>,
    en: Vec<String>,
}

fn cases_dir() -> PathBuf {
    crate::fixture("rules/diagnostics")
}

fn bad_span(text: &str, file: &Path) -> ! {
    panic!("{}: bad span “{text}” (want line:col-line:col)", file.display())
}

fn parse_span(text: &str, file: &Path) -> (u32, u32, u32, u32) {
    let (a, b) = text.split_once('-').unwrap_or_else(|| bad_span(text, file));
    let pair = |s: &str| -> (u32, u32) {
        let (l, c) = s.split_once(':').unwrap_or_else(|| bad_span(text, file));
        (l.parse().unwrap_or_else(|_| bad_span(text, file)), c.parse().unwrap_or_else(|_| bad_span(text, file)))
    };
    let ((l1, c1), (l2, c2)) = (pair(a), pair(b));
    (l1, c1, l2, c2)
}

fn read_expected(file: &Path) -> Vec<Expected> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut out: Vec<Expected> = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if let Some(zh) = t.strip_prefix("zh:") {
            out.last_mut().expect("zh: after a diagnostic line").zh.push(zh.trim().to_string());
        } else if let Some(en) = t.strip_prefix("en:") {
            out.last_mut().expect("en: after a diagnostic line").en.push(en.trim().to_string());
        } else {
            let parts: Vec<&str> = t.split_whitespace().collect();
            assert_eq!(parts.len(), 3, "{}: “{t}” is not `severity code span`", file.display());
            out.push(Expected {
                severity: parts[0].to_string(),
                code: parts[1].to_string(),
                span: parse_span(parts[2], file),
                ..Expected::default()
            });
        }
    }
    out
}

/// What a user sees for a whole rules file: parse and settings problems, then every definition checked with the
/// built-in tags (as the workspace compiles them), all located in the file.
fn program_diagnostics(ws: &Workspace, text: &str) -> Vec<DiagnosticInfo> {
    let (_, mut diags) = Catalog::new().import_text(text, "2025-07-01T00:00:00", "test");
    let (parsed, _) = parse_program(text);
    let mut program = Program::default();
    for b in builtin::BUILTINS {
        let rule = parse_program(&format!("tag `{}` = {}", b.name, b.rule)).0;
        program.defs.extend(rule.defs);
    }
    let builtins = program.defs.len();
    program.defs.extend(parsed.defs);
    let checked = check(&program, &schema_of(ws.data()));
    for (i, d) in checked.diagnostics {
        assert!(i >= builtins, "a built-in tag has a problem: {d:?}");
        diags.push(d);
    }
    diags.iter().map(|d: &Diagnostic| DiagnosticInfo::new(d, text)).collect()
}

/// What the editor shows for one rule.
fn rule_diagnostics(ws: &mut Workspace, rule: &str) -> Vec<DiagnosticInfo> {
    let edit = Edit { name: "草稿".into(), rule: rule.into(), ..Edit::default() };
    ws.check_rule(&edit).expect("check_rule runs").diagnostics
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn show(d: &DiagnosticInfo) -> String {
    let a = d.at;
    format!("{} {} {}:{}-{}:{}\n  zh: {}\n  en: {}", severity(d.severity), d.code, a.line, a.col, a.end_line, a.end_col, d.zh, d.en)
}

/// Every case: `(name, text, is_expr)`.
fn cases() -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(cases_dir()).expect("the diagnostics folder exists") {
        let path = entry.unwrap().path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext == "rule" || ext == "expr" {
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            out.push((name, std::fs::read_to_string(&path).unwrap(), ext == "expr"));
        }
    }
    out.sort();
    out
}

fn actual(ws: &mut Workspace, text: &str, is_expr: bool) -> Vec<DiagnosticInfo> {
    if is_expr {
        rule_diagnostics(ws, text.trim_end_matches('\n'))
    } else {
        program_diagnostics(ws, text)
    }
}

#[test]
fn every_case_gives_exactly_its_expected_diagnostics() {
    let mut ws = workspace();
    let mut failures = Vec::new();
    let cases = cases();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    for (name, text, is_expr) in &cases {
        let expect_file = cases_dir().join(format!("{name}.expect"));
        let expected = read_expected(&expect_file);
        let got = actual(&mut ws, text, *is_expr);
        let mut unmatched: Vec<&DiagnosticInfo> = got.iter().collect();
        for e in &expected {
            let found = unmatched.iter().position(|d| {
                let a = d.at;
                severity(d.severity) == e.severity
                    && d.code == e.code
                    && (a.line, a.col, a.end_line, a.end_col) == e.span
                    && e.zh.iter().all(|z| d.zh.contains(z.as_str()))
                    && e.en.iter().all(|x| d.en.contains(x.as_str()))
            });
            match found {
                Some(i) => {
                    unmatched.remove(i);
                }
                None => failures
                    .push(format!("{name}: expected, not reported:\n{} {} {:?} zh {:?} en {:?}", e.severity, e.code, e.span, e.zh, e.en)),
            }
        }
        for d in unmatched {
            failures.push(format!("{name}: reported, not expected:\n{}", show(d)));
        }
        for d in &got {
            assert!(!d.zh.trim().is_empty() && !d.en.trim().is_empty(), "{name}: a message is empty");
            assert!(d.zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{name}: the Chinese message has no Chinese: {}", d.zh);
        }
    }
    assert!(failures.is_empty(), "{} problem(s):\n\n{}", failures.len(), failures.join("\n\n"));
}

/// Every diagnostic code written in the rule system's source (`error("code"`, `warning("code"`).
fn codes_in_source() -> BTreeSet<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("src/tags/catalog.rs"), root.join("src/metrics/mod.rs")];
    let mut stack = vec![root.join("src/rules")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut codes = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // Unit tests build diagnostics with made-up codes; only the code before them counts.
        let text = text.split("#[cfg(test)]").next().unwrap_or("");
        for marker in ["error(", "warning("] {
            for (at, _) in text.match_indices(marker) {
                let rest = text[at + marker.len()..].trim_start();
                if let Some(lit) = rest.strip_prefix('"') {
                    if let Some(end) = lit.find('"') {
                        codes.insert(lit[..end].to_string());
                    }
                }
            }
        }
    }
    codes
}

#[test]
fn every_code_in_the_source_has_a_case_and_every_case_names_a_real_code() {
    let source = codes_in_source();
    assert!(source.len() >= 30, "{source:?}");
    let mut covered = BTreeSet::new();
    for (name, _, _) in cases() {
        for e in read_expected(&cases_dir().join(format!("{name}.expect"))) {
            assert!(source.contains(&e.code), "{name}: “{}” is not a code the source produces", e.code);
            covered.insert(e.code);
        }
    }
    let missing: Vec<&String> = source.difference(&covered).collect();
    assert!(missing.is_empty(), "codes without a diagnostics case: {missing:?}");
}

#[test]
fn the_reference_page_lists_every_code() {
    let doc = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md")).unwrap();
    for code in codes_in_source() {
        assert!(doc.contains(&format!("| `{code}` |")) || doc.contains(&format!("| `{code}` (warning) |")), "docs/rules.md lists `{code}`");
    }
}

#[test]
fn several_problems_in_one_text_are_all_reported_and_the_good_rules_still_run() {
    let text = std::fs::read_to_string(cases_dir().join("several_errors.rule")).unwrap();
    let mut ws = workspace();
    let diags = program_diagnostics(&ws, &text);
    let lines: BTreeSet<u32> = diags.iter().map(|d| d.at.line).collect();
    assert!(lines.len() >= 4, "problems on several lines are all reported: {lines:?}");
    ws.import_rules(&text, "2025-07-01T00:00:00", "test");
    let report = ws.tags().unwrap();
    let good = |name: &str| report.tags.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("{name} was imported"));
    // 好 = recency <= 30: M01 (2), M02 (5), M10 (10).
    assert_eq!((good("好").value_type, good("好").count), ("bool", 3));
    // 也好 = frequency >= 2: M01, M02, M03, M04, M06, M07.
    assert_eq!((good("也好").value_type, good("也好").count), ("bool", 6));
    assert_eq!(good("拼错").value_type, "none");
    assert!(!good("拼错").diagnostics.is_empty());
}

#[test]
fn a_window_on_a_table_without_times_is_refused() {
    // The engine's tables always have a time column; a schema can say one has none (as a warehouse table might).
    let schema = huaxiang::rules::check::Schema { untimed: vec![huaxiang::rules::names::Table::Events], ..Default::default() };
    let text = "tag 近期浏览 = count(events where type == \"view\", last 30d) > 0\ntag 浏览过 = count(events) > 0\n";
    let checked = check(&parse_program(text).0, &schema);
    let found: Vec<(usize, &str, String)> =
        checked.diagnostics.iter().map(|(i, d)| (*i, d.code, DiagnosticInfo::new(d, text).en)).collect();
    assert_eq!(found, [(0, "window_without_time", "events has no time column, so a window (last …) cannot apply to it.".to_string())]);
    let at = DiagnosticInfo::new(&checked.diagnostics[0].1, text).at;
    assert_eq!((at.line, at.col, at.end_col), (1, 52, 55), "the span is the window's duration, 30d");
}

#[test]
fn the_expression_parser_agrees_with_the_editor_on_empty_rules() {
    let (expr, diags) = parse_expr("  # nothing here\n");
    assert!(expr.is_none());
    assert_eq!(diags.iter().map(|d| d.code).collect::<Vec<_>>(), ["empty_rule"]);
}
