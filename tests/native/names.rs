//! Names on every way out (issue 19): a definition's name is quoted and escaped wherever it is written — rule
//! text, the catalog's text form and its comments, tag packs, CSV headers, SQL identifiers and comments — and reads
//! back as exactly itself. Random hostile names (backticks, backslashes, line breaks, escape sequences, keywords,
//! `#`, quotes, look-alike letters) go through every format; a property test covers the lexer with any string.

use crate::fixture;
use huaxiang::engine::Workspace;
use huaxiang::export::activation::{CsvEncoding, ExportOptions};
use huaxiang::export::members::ExportColumn;
use huaxiang::export::sql::{Dialect, SqlOptions};
use huaxiang::ingest::records::{Record, RecordReader};
use huaxiang::rules::ast::DefKind;
use huaxiang::rules::lexer::{lex, quote_name, Tok};
use huaxiang::rules::parser::parse_program;
use huaxiang::tags::{Catalog, Entry, MemberList};
use proptest::prelude::*;

/// Pieces names are made of: what breaks quoting (backtick, backslash, line breaks, controls, escapes written
/// out), what the language reads (keywords, `#`, `=`, quotes), and ordinary letters of several scripts.
const PIECES: [&str; 36] = [
    "a",
    "Z",
    "_",
    "7",
    " ",
    "`",
    "``",
    "\\",
    "\\`",
    "\n",
    "\r\n",
    "\t",
    "\u{1b}[2J",
    "\u{7}",
    "\"",
    "'",
    "”",
    "#",
    "=",
    "-",
    "+",
    "@",
    ",",
    "tag",
    " and ",
    "注入",
    "重复",
    "vip",
    "vір",
    "\u{2028}",
    "\\u{41}",
    "{",
    "}",
    "😀",
    "\u{0}",
    "\ntag 注入 = count(orders) >= 0\n#",
];

/// A small deterministic generator (no OS randomness in tests either).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize
    }
}

/// `n` distinct random names of one to six pieces.
fn random_names(seed: u64, n: usize) -> Vec<String> {
    let mut g = Lcg(seed);
    let mut out: Vec<String> = Vec::new();
    while out.len() < n {
        let len = 1 + g.next() % 6;
        let name: String = (0..len).map(|_| PIECES[g.next() % PIECES.len()]).collect();
        // Surrounding white space is not part of a name (the parser and the catalog trim it).
        let name = name.trim().to_string();
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

fn entry(kind: DefKind, name: &str, group: &str, rule: &str) -> Entry {
    Entry {
        kind,
        name: name.to_string(),
        group: group.to_string(),
        description: "说明".to_string(),
        owner: String::new(),
        created: String::new(),
        updated: String::new(),
        rule: rule.to_string(),
        history: Vec::new(),
        members: None,
        snapshot_of: None,
        at: None,
    }
}

/// A catalog of one yes/no tag per name (grouped under the next name), and a static audience named by the last.
fn catalog(names: &[String]) -> Catalog {
    let mut c = Catalog::new();
    for (i, n) in names.iter().enumerate() {
        let group = &names[(i + 1) % names.len()];
        c.definitions.push(entry(DefKind::Tag, n, group, &format!("frequency >= {}", 1 + i % 3)));
    }
    let mut list = entry(DefKind::Audience, "x\ntag 注入 = count(orders) >= 0\n#", "", "");
    list.members = Some(MemberList::new(vec!["M1".into()]));
    list.snapshot_of = Some(names[0].clone());
    list.at = Some("2025-01-01\ntag 注入2 = 1 == 1".into());
    c.definitions.push(list);
    c
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any string, quoted, lexes back as one name equal to it, on one line.
    #[test]
    fn a_quoted_name_lexes_back_as_itself(name in any::<String>()) {
        let quoted = quote_name(&name);
        prop_assert!(!quoted.contains(['\n', '\r', '\u{2028}', '\u{2029}']), "{quoted:?}");
        let (tokens, diags) = lex(&quoted);
        prop_assert!(diags.is_empty(), "{quoted:?}: {diags:?}");
        prop_assert_eq!(tokens.len(), 2, "{:?}", tokens);
        match &tokens[0].tok {
            Tok::Ident(s) | Tok::Quoted(s) => prop_assert_eq!(s, &name),
            other => prop_assert!(false, "{other:?}"),
        }
    }
}

#[test]
fn names_written_before_escapes_still_read_as_they_did() {
    // A backslash that escapes nothing is itself, as it always was.
    let (tokens, _) = lex("`a\\b` `c:\\x`");
    assert_eq!(tokens[0].tok, Tok::Quoted("a\\b".into()));
    assert_eq!(tokens[1].tok, Tok::Quoted("c:\\x".into()));
}

#[test]
fn rule_text_never_gains_a_definition_from_a_name() {
    for seed in 1..=20 {
        let names = random_names(seed, 12);
        let c = catalog(&names);
        let text = c.to_text();
        let (program, diags) = parse_program(&text);
        let errors: Vec<_> = diags.iter().filter(|d| d.severity == huaxiang::rules::Severity::Error).collect();
        assert!(errors.is_empty(), "seed {seed}: {errors:?}\n{text}");
        let got: Vec<(&str, Option<&str>)> = program.defs.iter().map(|d| (d.name.as_str(), d.group.as_deref())).collect();
        let want: Vec<(&str, Option<&str>)> =
            names.iter().enumerate().map(|(i, n)| (n.as_str(), Some(names[(i + 1) % names.len()].as_str()))).collect();
        assert_eq!(got, want, "seed {seed}:\n{text}");
        // Reading the text back gives the same tags, groups, rules and descriptions.
        let mut back = Catalog::new();
        let (saved, _) = back.import_text(&text, "t", "t");
        // Names with control characters cannot be saved by hand (`bad_name`); every other one comes back.
        let savable: Vec<&String> = names.iter().filter(|n| !n.chars().any(char::is_control)).collect();
        assert_eq!(saved, savable.len(), "seed {seed}");
        for n in savable {
            let (a, b) = (c.get(n).unwrap(), back.get(n).unwrap_or_else(|| panic!("seed {seed}: {n:?} is lost")));
            assert_eq!((&a.rule, &a.group, &a.description), (&b.rule, &b.group, &b.description), "seed {seed}");
        }
    }
}

#[test]
fn tag_packs_round_trip_every_name() {
    for seed in 21..=40 {
        let c = catalog(&random_names(seed, 12));
        assert_eq!(Catalog::from_json(&c.to_json()).unwrap(), c, "seed {seed}");
    }
}

/// The header row of a CSV export.
fn csv_header(bytes: &[u8]) -> Vec<String> {
    let mut reader = RecordReader::new(Some(b','));
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut on = |r: &Record<'_>| rows.push(r.fields().map(str::to_string).collect());
    reader.push(bytes, &mut on);
    reader.finish(&mut on);
    rows.swap_remove(0)
}

#[test]
fn csv_headers_and_sql_carry_every_name() {
    let names = random_names(41, 40);
    let mut ws = Workspace::new();
    for (file, kind) in [("rules/members.csv", None), ("rules/orders.csv", None)] {
        ws.load_bytes(file, kind, &std::fs::read(fixture(file)).unwrap(), 4096).unwrap();
    }
    ws.compute(None).unwrap();
    let mut pack = catalog(&names);
    pack.definitions.pop();
    ws.import_pack(&pack.to_json(), false).unwrap();
    // CSV: each tag column's header is the name (neutralised against formulas when it starts like one).
    let columns: Vec<ExportColumn> = names.iter().map(|n| ExportColumn::new(format!("tag:{n}"))).collect();
    let options = ExportOptions { mask: false, encoding: CsvEncoding::Utf8, ..ExportOptions::default() };
    let export = ws.export_member_set(0..3, &columns, &options).unwrap();
    let header = csv_header(&export.bytes);
    let want: Vec<String> = names.iter().map(|n| huaxiang::export::activation::neutralise(n).into_owned()).collect();
    assert_eq!(header, want);
    // SQL: every definition is a column named by its quoted identifier, and no comment line is broken by a name.
    for dialect in [Dialect::DuckDb, Dialect::ClickHouse, Dialect::Spark] {
        let sql = ws.export_sql(&SqlOptions::new(dialect)).unwrap().sql;
        for n in names.iter().filter(|n| !n.contains('\0')) {
            assert!(sql.contains(&dialect.ident(n)), "{dialect:?}: {n:?}");
            assert_eq!(unquote(dialect, &dialect.ident(n)), *n, "{dialect:?}");
        }
    }
    // A definition that cannot be exported is named in a `--` comment: on one line, whatever its name.
    let hostile = "x\ntag 注入 = count(orders) >= 0\nDROP TABLE members; --";
    ws.save_tag(&huaxiang::tags::Edit { name: "ok".into(), rule: "frequency >= 1".into(), ..Default::default() }, "t", "t").unwrap();
    let mut pack: Catalog = Catalog::from_json(&ws.export_pack()).unwrap();
    pack.definitions.push(entry(DefKind::Tag, hostile, "", "count(nonsense) > 1"));
    ws.import_pack(&pack.to_json(), false).unwrap();
    for dialect in [Dialect::DuckDb, Dialect::ClickHouse, Dialect::Spark] {
        let sql = ws.export_sql(&SqlOptions::new(dialect)).unwrap().sql;
        assert!(sql.contains(&format!("-- {}: not exported", quote_name(hostile))), "{dialect:?}");
        assert!(!sql.lines().any(|l| l.starts_with("DROP")), "{dialect:?}: {sql}");
    }
}

/// Reads a quoted identifier back as the dialect does.
fn unquote(dialect: Dialect, quoted: &str) -> String {
    let inner: Vec<char> = quoted.chars().collect();
    let inner = &inner[1..inner.len() - 1];
    let mut out = String::new();
    let mut i = 0;
    while i < inner.len() {
        match (dialect, inner[i]) {
            (Dialect::DuckDb, '"') | (Dialect::Spark, '`') => i += 1,
            (Dialect::ClickHouse, '\\') => i += 1,
            _ => {}
        }
        out.push(inner[i]);
        i += 1;
    }
    out
}

#[test]
fn duckdb_reads_every_quoted_name_back() {
    // Columns named by random names, created and listed by DuckDB itself.
    let names: Vec<String> = random_names(42, 60).into_iter().filter(|n| !n.contains('\0')).collect();
    let cols: Vec<String> = names.iter().map(|n| format!("{} INTEGER", Dialect::DuckDb.ident(n))).collect();
    let script = "import duckdb, json, sys\ncon = duckdb.connect()\ncon.execute(sys.stdin.read())\nprint(json.dumps([r[0] for r in con.execute(\"SELECT column_name FROM information_schema.columns WHERE table_name = 't' ORDER BY ordinal_position\").fetchall()]))\n";
    let python = crate::sql::python();
    let mut child = std::process::Command::new(&python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e} (make duckdb installs it)", python.display()));
    use std::io::Write;
    child.stdin.take().unwrap().write_all(format!("CREATE TABLE t ({});", cols.join(", ")).as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got, names);
}

#[test]
fn a_name_defined_twice_is_an_error_naming_both_lines_and_look_alikes_are_warned() {
    let text = "tag 重复 = frequency >= 1\ntag vip = frequency >= 2\n\ntag 重复 = frequency >= 5\ntag vір = frequency >= 3\n";
    let mut ws = Workspace::new();
    let (saved, diags) = ws.import_rules(text, "t", "t");
    assert_eq!(saved, 3);
    assert_eq!(ws.catalog().get("重复").unwrap().rule, "frequency >= 1", "the first definition is kept");
    let dup = diags.iter().find(|d| d.code == "duplicate_definition").expect("the duplicate is reported");
    assert_eq!((dup.severity, dup.at.line), (huaxiang::rules::Severity::Error, 4));
    assert!(dup.zh.contains("第 1 行") && dup.zh.contains("第 4 行") && dup.en.contains("line 1") && dup.en.contains("line 4"), "{dup:?}");
    let look = diags.iter().find(|d| d.code == "look_alike_name").expect("the look-alike is reported");
    assert_eq!((look.severity, look.at.line), (huaxiang::rules::Severity::Warning, 5));
    assert!(look.en.contains("“vip”"), "{look:?}");
    // The CLI reports both and fails on the duplicate.
    let dir = std::env::temp_dir().join(format!("hx-names-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("pack.rules");
    std::fs::write(&rules, text).unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_huaxiang"))
        .args(["profile", "--orders", fixture("rfm_small.csv").to_str().unwrap(), "--rules", rules.to_str().unwrap(), "--out"])
        .arg(dir.join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "{stderr}");
    assert!(stderr.contains("pack.rules:4:5: error:") && stderr.contains("pack.rules:5:5: warning:"), "{stderr}");
    std::fs::remove_dir_all(dir).ok();
}
