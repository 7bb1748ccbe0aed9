//! Tidy for the front end (www/): the page keeps no copy of the core's vocabulary (it arrives in the worker's `init`
//! reply, see `engine::vocabulary`), its views talk through the app and never import or flag one another, and the
//! worker stays small (plain methods are declared in one table, www/js/methods.js).

use huaxiang::engine::vocabulary::vocabulary;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "js" || e == "mjs" || e == "html") {
            out.push(path);
        }
    }
}

/// Every script and page under www/, as (path from the root, text).
fn www() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    files(&root.join("www"), &mut out);
    out.sort();
    out.into_iter()
        .map(|p| (p.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/"), std::fs::read_to_string(&p).unwrap()))
        .collect()
}

/// The string literals of a script (`'…'`, `"…"`, and template literals without `${`), with the text just before
/// each, as (preceding 20 characters, literal). Comments are skipped; a regular expression may be misread, which
/// only adds literals.
fn literals(text: &str) -> Vec<(String, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
            continue;
        }
        if c == '\'' || c == '"' || c == '`' {
            let start = i + 1;
            let mut j = start;
            while j < chars.len() && chars[j] != c && (c == '`' || chars[j] != '\n') {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            let end = j.min(chars.len());
            let literal: String = chars[start..end].iter().collect();
            if !(c == '`' && literal.contains("${")) {
                let before: String = chars[start.saturating_sub(21)..start - 1].iter().collect();
                out.push((before, literal));
            }
            i = end + 1;
            continue;
        }
        i += 1;
    }
    out
}

fn scripts() -> Vec<(String, String)> {
    www().into_iter().filter(|(path, _)| path.ends_with(".js")).collect()
}

#[test]
fn the_page_keeps_no_copy_of_the_metric_labels() {
    let v = vocabulary();
    let labels: BTreeSet<&str> = v.metrics.iter().flat_map(|m| [m.zh, m.en]).collect();
    for (path, text) in www() {
        if path.ends_with(".html") {
            for label in &labels {
                assert!(!text.contains(&format!(">{label}<")), "{path} writes the metric label “{label}”; take it from the vocabulary");
            }
            continue;
        }
        let copies: Vec<String> = literals(&text).into_iter().map(|(_, l)| l).filter(|l| labels.contains(l.as_str())).collect();
        assert!(copies.is_empty(), "{path} holds the metric labels {copies:?}; take them from the vocabulary (js/vocabulary.js)");
    }
}

#[test]
fn a_metric_key_in_a_script_is_only_ever_a_label_lookup() {
    let v = vocabulary();
    let keys: BTreeSet<&str> = v.metrics.iter().map(|m| m.key).collect();
    for (path, text) in scripts() {
        for (before, literal) in literals(&text) {
            if keys.contains(literal.as_str()) {
                assert!(
                    before.ends_with("metricLabel(") || before.ends_with("metricZh("),
                    "{path} names the metric '{literal}' outside metricLabel(…) or metricZh(…): a list of metrics belongs to the core"
                );
            }
        }
    }
}

/// Fails when one script holds a copy of a list of the core's words as whole literals: more than half of a long
/// list, or every entry of a short one (a script may name a few: the sample's three files have their kinds).
fn assert_no_copy(what: &str, words: &[&str]) {
    let words: BTreeSet<&str> = words.iter().copied().collect();
    let copy = |n: usize| if words.len() < 8 { n == words.len() } else { n * 2 > words.len() };
    for (path, text) in scripts() {
        let found: BTreeSet<String> = literals(&text).into_iter().map(|(_, l)| l).filter(|l| words.contains(l.as_str())).collect();
        assert!(
            !copy(found.len()),
            "{path} holds {} of the {} {what} ({found:?}): take them from the vocabulary",
            found.len(),
            words.len()
        );
    }
}

#[test]
fn the_page_keeps_no_copy_of_the_rule_keywords_units_roles_or_kinds() {
    let v = vocabulary();
    assert_no_copy("rule keywords", &v.keywords);
    assert_no_copy("duration units", &v.duration_units);
    assert_no_copy("column roles", &v.roles.iter().map(|r| r.role).collect::<Vec<_>>());
    assert_no_copy("identifier kinds", &v.id_kinds.iter().map(|k| k.key).collect::<Vec<_>>());
    assert_no_copy("file kinds", &v.file_kinds.iter().map(|k| k.key).collect::<Vec<_>>());
}

#[test]
fn the_copy_detector_finds_a_copy() {
    let text = "// 'recency' in a comment is not a literal\nconst M = [['recency', '最近消费天数'], [\"monetary\", `x`]];\nlabel(metricLabel('frequency'));";
    let found = literals(text);
    assert_eq!(
        found.iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>(),
        ["recency", "最近消费天数", "monetary", "x", "frequency"],
        "the literal scanner"
    );
    assert!(found[4].0.ends_with("metricLabel("));
    assert!(!found[0].0.ends_with("metricLabel("));
}

#[test]
fn views_talk_through_the_app_never_to_each_other() {
    for (path, text) in scripts() {
        if path != "www/js/app.js" {
            assert!(!text.contains(".views."), "{path} reaches into another view through app.views; emit an app event instead");
        }
        if !path.starts_with("www/js/views/") {
            continue;
        }
        for line in text.lines().filter(|l| l.starts_with("import ")) {
            let Some(from) = line.split(" from ").nth(1) else { continue };
            let target = from.trim_matches(|c| c == '\'' || c == '"' || c == ';' || c == ' ');
            if target.starts_with("./") {
                // The Audiences view is one view in three files: its own portrait and activation panels.
                let panel = path == "www/js/views/audiences.js" && target.starts_with("./audience-");
                assert!(panel, "{path} imports the view {target}; views talk through the app (js/app.js)");
            }
        }
        for (n, line) in text.lines().enumerate() {
            if let Some(at) = line.find(".dirty =") {
                assert!(line[..at].ends_with("this"), "{path}:{}: sets a flag on another object: {line}", n + 1);
            }
        }
    }
}

#[test]
fn the_worker_stays_small() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let lines = std::fs::read_to_string(root.join("www/worker.js")).unwrap().lines().count();
    assert!(lines < 180, "www/worker.js has {lines} lines: declare plain methods in www/js/methods.js");
}
