//! The command-line tool: the same core as the browser, for batch jobs, checks and benchmarks.
//!
//! ```text
//! huaxiang profile --orders FILE [--members FILE] [--events FILE] [--identity FILE] [--as-of YYYY-MM-DD]
//!                  [--rules FILE [--sql duckdb|clickhouse|spark] [--count FILE]] [--timings] [--strict] --out DIR
//! huaxiang sample --out DIR [--members N] [--seed S] [--only members|orders|events|pack] [--orders-per-member R] [--events-per-member R]
//!                 [--tags N] [--audiences N]
//! huaxiang audience --orders FILE [--members FILE] [--events FILE] --rules FILE --expr "…" --out FILE
//!                   [--mask] [--hash sha256|md5] [--phone-form national|e164] [--columns KEY[=HEADER],…]
//!                   [--format csv|xlsx] [--encoding utf8_bom|utf8|gbk]
//! huaxiang model clv --orders FILE [--as-of YYYY-MM-DD] [--horizon-days 365] [--discount-monthly 0.01] [--penalizer 0] --out DIR
//! huaxiang model cluster --orders FILE [--as-of YYYY-MM-DD] --k K [--features recency,frequency,monetary] [--seed S] [--n-init 10] --out DIR
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use huaxiang::base::date::Day;
use huaxiang::base::roles::FileKind;
use huaxiang::engine::AudienceExportRequest;
use huaxiang::engine::Workspace;
use huaxiang::export::activation::{CsvEncoding, ExportOptions, HashAlgo};
use huaxiang::export::members::{ColumnInfo, ExportColumn};
use huaxiang::ingest::clean::Cleaning;
use huaxiang::ingest::{Format, LoadOptions};
use huaxiang::models::affinity::AffinityRequest;
use huaxiang::models::clv::ClvRequest;
use huaxiang::models::kmeans::ClusterRequest;
use huaxiang::models::lookalike::LookalikeRequest;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use timings::Steps;
use zone::{machine_zone, zone_named};

mod timings;
mod zone;

const USAGE: &str = "usage:
  huaxiang profile --orders FILE [--members FILE] [--events FILE] [--identity FILE] [--as-of YYYY-MM-DD]
                   [--rules FILE [--sql duckdb|clickhouse|spark] [--count FILE]] [--timings] [--strict] --out DIR
      each file flag may repeat; a file that cannot be read is listed and left out, the others' results are
      written, and the exit status is 1 (--strict: stop at the first such file, writing nothing); files are CSV/TSV (UTF-8, GBK, UTF-16), XLSX (--sheet NAME for all workbooks) or JSON Lines.
      writes DIR/members.csv (one row per buyer), DIR/summary.json (counts, segment sizes, identity, quality)
      and DIR/quality.json (the data quality report: per file and overall, with what each cleaning rule found)
      every command that loads files also takes --tz ZONE (the data's time zone: UTC, +08:00 or an IANA name such
      as Asia/Shanghai; default the machine's) and --clean RULE=off (repeatable; all=off, or one of
      id_number_form, placeholder_id, duplicate_row, implausible_date, implausible_birthday, value_variant);
      docs/ingest.md describes the rules
      --rules FILE (rule text, or a tag pack .json exported by the app): evaluates every tag; members.csv then
      has one row per member with a column per tag (1/0 for yes/no tags, the value for enumerated tags), and
      DIR/tags.csv lists each tag's size (and each value's). A rule with an error is reported with its line and
      column and nothing is written.
      --sql DIALECT (with --rules): also writes DIR/tags.DIALECT.sql, the same tags as SQL for a warehouse, and
      DIR/tables/{members,orders,events}.csv, the loaded data after OneID and value parsing (DIR/tables/load.sql
      loads them into DuckDB), so the warehouse computes the same member sets from the same rows.
      --count FILE (with --rules): counts the audience of every line of FILE (one expression per line; empty lines
      and lines starting with # are skipped) and writes DIR/counts.csv (expression, members).
      --timings: writes DIR/timings.json, the seconds of each step (load, rules, rfm, tags, counts, write) and the
      process's peak memory, for benchmarks (make bench-scale).
  huaxiang sample --out DIR [--members N] [--seed S] [--only members|orders|events|pack] [--orders-per-member R] [--events-per-member R]
                  [--tags N] [--audiences N]
      writes the built-in sample dataset: DIR/sample_members.csv, DIR/sample_orders.csv and DIR/sample_events.csv
      (about 1.5 orders and 5.4 events per member unless the rates are given; the benchmark uses 10 and 30)
      (or one of them); --only pack writes the benchmark's generated rule pack instead: DIR/pack.rules (--tags N
      tags, default 100) and DIR/audiences.txt (--audiences N expressions over them, default 1000)
  huaxiang audience --orders FILE [--members FILE] [--events FILE] [--identity FILE] [--as-of YYYY-MM-DD]
                    --rules FILE --expr EXPRESSION --out FILE [--mask] [--hash sha256|md5] [--phone-form national|e164]
                    [--columns KEY[=HEADER],...] [--format csv|xlsx] [--encoding utf8_bom|utf8|gbk]
      writes FILE exactly as the app's export of the same audience (the same bytes for the same request): one
      row per member of the audience the expression selects (any tag, audience or metric of the rules can be
      named). Columns: member_id, name and phone when loaded, recency, frequency, monetary, segment and a column
      per definition the expression names, or those of --columns (keys: member_id, name, phone, email,
      attr:HEADER, recency, frequency, monetary, r_score, f_score, m_score, segment, segment_en, tag:NAME; a
      header after `=`). --mask masks names (张*), phones (138****8000) and e-mail addresses; --hash adds the
      phone's lower-case hex digest (phone_sha256), of the 11-digit mainland mobile (--phone-form national, the
      default) or of +E.164 (e164); with --columns every phone column is hashed in place. CSV is UTF-8 with a
      byte-order mark unless --encoding says otherwise; text a spreadsheet would run as a formula gets a `'`.
  huaxiang model clv --orders FILE [--members FILE] [--events FILE] [--identity FILE] [--as-of YYYY-MM-DD]
                     [--horizon-days 365] [--discount-monthly 0.01] [--penalizer 0] --out DIR
      fits BG/NBD and Gamma-Gamma (as the Python package lifetimes does) on each buyer's purchase days before the
      analysis date; writes DIR/model.json (bgnbd {r, alpha, a, b}, gamma_gamma {p, q, v}, converged,
      log_likelihood, …) and DIR/members.csv (member_id, p_alive, expected_purchases_<N>d, clv; one row per buyer)
  huaxiang model cluster --orders FILE [--members FILE] [--events FILE] [--identity FILE] [--as-of YYYY-MM-DD]
                         --k K [--features recency,frequency,monetary] [--seed S] [--n-init 10] --out DIR
      k-means over the features (log1p for money and counts, standardised, k-means++ from the seed); writes
      DIR/model.json (k, inertia, centers, sizes, silhouette, descriptions, …) and DIR/members.csv
      (member_id, cluster 1…k, largest first).
  huaxiang model lookalike --orders FILE [--members FILE] [--events FILE] --rules FILE --seed-audience EXPRESSION
                           [--features recency,frequency,monetary,avg_spend,event_count] [--top-n 1000] [--seed S] --out DIR
      regularised logistic regression of the seed audience against everyone else, with a holdout AUC; writes
      DIR/model.json and DIR/members.csv (member_id, lookalike_score)
  huaxiang model affinity --orders FILE [--min-members 2] [--min-support 0.001] [--max-rules 500] --out DIR
      category association rules (support, confidence, lift) and each member's next-best category; writes
      DIR/model.json and DIR/members.csv (member_id, next_category, next_category_confidence).
      docs/models.md has every definition.";

/// Prints a line to stderr with the control characters of the text it carries shown escaped (`\u{1b}`), so a
/// header, value or name from a file can never drive the terminal (retitle the window, clear the screen).
macro_rules! note {
    ($($t:tt)*) => { eprintln!("{}", terminal_safe(&format!($($t)*))) };
}

/// `text` with every control character but line feed and tab, and the bidirectional overrides, written as
/// `\u{…}`.
fn terminal_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if (c.is_control() && c != '\n' && c != '\t') || bidi {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Reading chunk size: the same push path as the browser's worker.
const CHUNK: usize = 1 << 20;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("profile") => profile(&args[1..]),
        Some("sample") => sample(&args[1..]),
        Some("audience") => audience(&args[1..]),
        Some("model") => model(&args[1..]),
        Some("-h" | "--help" | "help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            note!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Parsed `--flag value` pairs; flags may repeat.
struct Flags(Vec<(String, String)>);

impl Flags {
    fn parse(args: &[String], known: &[&str]) -> Result<Flags, String> {
        let mut out = Vec::new();
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            // Every command that loads files takes the cleaning flags (`--tz`, `--clean`).
            let loads = known.contains(&"orders");
            let name = flag
                .strip_prefix("--")
                .filter(|n| known.contains(n) || loads && matches!(*n, "tz" | "clean"))
                .ok_or_else(|| format!("unexpected argument `{flag}`\n{USAGE}"))?;
            let value = it.next().ok_or_else(|| format!("`{flag}` needs a value"))?;
            out.push((name.to_string(), value.clone()));
        }
        Ok(Flags(out))
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect()
    }

    fn one(&self, name: &str) -> Option<&str> {
        self.all(name).last().copied()
    }
}

fn load(ws: &mut Workspace, path: &Path, kind: FileKind, sheet: Option<&str>) -> Result<(), String> {
    let mut file =
        std::fs::File::open(path).map_err(|e| format!("{}: the file cannot be read / 无法读取这个文件 ({e})", path.display()))?;
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let mut buf = vec![0u8; CHUNK];
    let n = file.read(&mut buf).map_err(|e| format!("{}: the file cannot be read / 无法读取这个文件 ({e})", path.display()))?;
    let format = Format::detect(&name, &buf[..n]);
    // The size lets the loader reserve its columns for the whole file; the CLI is not bound by a tab's memory.
    let size = file.metadata().map(|m| m.len()).ok();
    ws.set_memory_limit(u64::MAX);
    let options = LoadOptions { kind: Some(kind), format: Some(format), sheet: sheet.map(str::to_string), size, ..LoadOptions::default() };
    let report = if format == Format::Xlsx {
        let mut bytes = buf[..n].to_vec();
        file.read_to_end(&mut bytes).map_err(|e| format!("{}: the file cannot be read / 无法读取这个文件 ({e})", path.display()))?;
        ws.load_workbook(&name, &bytes, options).map_err(|e| format!("{name}: {e}"))?
    } else {
        ws.begin_file(&name, options).map_err(|e| e.to_string())?;
        let mut n = n;
        while n > 0 {
            ws.push(&buf[..n]).map_err(|e| format!("{name}: {e}"))?;
            n = file.read(&mut buf).map_err(|e| format!("{}: the file cannot be read / 无法读取这个文件 ({e})", path.display()))?;
        }
        ws.finish_file().map_err(|e| format!("{name}: {e}"))?
    };
    note!(
        "{name}: {} rows read, {} loaded, {} skipped ({}{}{})",
        report.rows_read,
        report.rows_loaded,
        report.rows_skipped,
        report.format,
        if report.encoding.is_empty() { String::new() } else { format!(" {}", report.encoding) },
        if report.delimiter.is_empty() { String::new() } else { format!(", delimiter {:?}", report.delimiter) }
    );
    for p in &report.problems {
        note!("  {name}:{}:{} [{}] {:?}: {} / {}", p.line, p.column, p.header, p.value, p.en, p.zh);
    }
    for (code, count) in report.skipped_by_reason.iter().map(|r| (r.code, r.count)) {
        let listed = report.problems.iter().filter(|p| p.code == code).count() as u64;
        if count > listed {
            note!("  {name}: {} more skipped [{code}] / 另有 {} 行因同样原因被跳过", count - listed, count - listed);
        }
    }
    for p in &report.warnings {
        let place = if p.column > 0 { format!("{}:{}", p.line, p.column) } else { p.line.to_string() };
        note!("  {name}:{place}: warning: {} / {}", p.en, p.zh);
    }
    Ok(())
}

/// Loads every file given by the file flags (members, identity, orders, events). A file that cannot be read is
/// reported and left out, and the others are kept; with `strict` the first such file stops the run. Returns the
/// files left out, each with its error.
fn load_all(ws: &mut Workspace, flags: &Flags, strict: bool) -> Result<Vec<(String, String)>, String> {
    let cleaning = cleaning(flags)?;
    note!("time zone / 数据时区: {}", cleaning.time_zone.name);
    ws.set_cleaning(cleaning);
    let mut failed = Vec::new();
    for (flag, kind) in
        [("members", FileKind::Members), ("identity", FileKind::Identity), ("orders", FileKind::Orders), ("events", FileKind::Events)]
    {
        for path in flags.all(flag) {
            if let Err(e) = load(ws, Path::new(path), kind, flags.one("sheet")) {
                if strict {
                    return Err(format!("{e}\n(--strict: stopped at the first file that cannot be read / 遇到第一个无法读取的文件即停止)"));
                }
                note!("error: {e}");
                note!("  {path}: left out; the other files are still read / 这个文件被跳过，其余文件照常读取");
                failed.push((path.to_string(), e));
            }
        }
    }
    Ok(failed)
}

/// The cleaning settings of `--tz ZONE` and `--clean RULE=off` (repeatable; `all=off` turns every switch off),
/// with the analysis date of `--as-of` (later times are implausible). docs/ingest.md describes each rule.
fn cleaning(flags: &Flags) -> Result<Cleaning, String> {
    let time_zone = match flags.one("tz") {
        Some(name) => zone_named(name)?,
        None => machine_zone(),
    };
    let mut c = Cleaning { time_zone, as_of: flags.one("as-of").map(str::to_string), ..Cleaning::default() };
    for spec in flags.all("clean") {
        let (rule, value) = spec.split_once('=').unwrap_or((spec, "on"));
        let on = match value {
            "on" | "true" | "1" => true,
            "off" | "false" | "0" => false,
            _ => return Err(format!("`--clean {spec}`: use RULE=on or RULE=off")),
        };
        if rule == "all" {
            Cleaning::SWITCHES.iter().for_each(|r| {
                c.set(r, on);
            });
        } else if !c.set(rule, on) {
            return Err(format!("`--clean {spec}`: the rules with a switch are all, {}", Cleaning::SWITCHES.join(", ")));
        }
    }
    Ok(c)
}

/// The error of a run that wrote its results without the files that could not be read.
fn partial(failed: &[(String, String)], total: usize, wrote: &str) -> Result<(), String> {
    if failed.is_empty() {
        return Ok(());
    }
    let list: Vec<&str> = failed.iter().map(|(p, _)| p.as_str()).collect();
    Err(format!(
        "{} of {total} file(s) could not be read and were left out: {}; {wrote} from the others.\n{} 个文件无法读取，已跳过：{}；其余文件的结果已写出。",
        failed.len(),
        list.join(", "),
        failed.len(),
        list.join("、"),
    ))
}

/// The analysis date of `--as-of`, when given.
fn as_of(flags: &Flags) -> Result<Option<Day>, String> {
    flags.one("as-of").map(|text| Day::parse_iso(text).ok_or_else(|| format!("`--as-of {text}` is not a YYYY-MM-DD date"))).transpose()
}

/// How many input files the file flags name.
fn file_count(flags: &Flags) -> usize {
    ["members", "identity", "orders", "events"].iter().map(|f| flags.all(f).len()).sum()
}

fn profile(args: &[String]) -> Result<(), String> {
    let strict = args.iter().any(|a| a == "--strict");
    let args: Vec<String> = args.iter().filter(|a| *a != "--strict").cloned().collect();
    let timings = args.iter().any(|a| a == "--timings");
    let args: Vec<String> = args.into_iter().filter(|a| a != "--timings").collect();
    let flags = Flags::parse(&args, &["orders", "members", "events", "identity", "as-of", "out", "sheet", "rules", "sql", "count"])?;
    let dialect = match flags.one("sql") {
        Some(d) => Some((
            huaxiang::export::sql::Dialect::parse(d).ok_or_else(|| format!("`--sql {d}`: use duckdb, clickhouse or spark"))?,
            d.to_lowercase(),
        )),
        None => None,
    };
    if dialect.is_some() && flags.one("rules").is_none() {
        return Err(format!("`--sql` needs `--rules FILE`\n{USAGE}"));
    }
    if flags.one("count").is_some() && flags.one("rules").is_none() {
        return Err(format!("`--count` needs `--rules FILE`\n{USAGE}"));
    }
    let expressions = match flags.one("count") {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("{path}: {e}"))?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect(),
        None => Vec::new(),
    };
    let orders = flags.all("orders");
    if orders.is_empty() {
        return Err(format!("`--orders FILE` is required\n{USAGE}"));
    }
    let out = PathBuf::from(flags.one("out").ok_or_else(|| format!("`--out DIR` is required\n{USAGE}"))?);
    let as_of = as_of(&flags)?;
    let mut clock = Steps::new();
    let mut ws = Workspace::new();
    let failed = load_all(&mut ws, &flags, strict)?;
    clock.step("load");
    let unparsed = match flags.one("rules") {
        Some(rules) => read_rules(&mut ws, Path::new(rules))?,
        None => 0,
    };
    clock.step("rules");
    let summary = ws.compute(as_of).map_err(|e| e.to_string())?;
    clock.step("rfm");
    let tags = match flags.one("rules") {
        Some(rules) => Some(check_and_evaluate(&mut ws, rules, unparsed)?),
        None => None,
    };
    clock.step("tags");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    if flags.one("count").is_some() {
        let counts = count_audiences(&mut ws, &expressions, &mut clock)?;
        write_counts(&expressions, &counts, &out.join("counts.csv"))?;
        clock.step("counts");
    }
    match &tags {
        Some(report) => {
            write_members_with_tags(&mut ws, &out.join("members.csv"))?;
            write_tag_sizes(report, &out.join("tags.csv"))?;
        }
        None => write_members(&mut ws, &out.join("members.csv"))?,
    }
    if let Some((dialect, key)) = dialect {
        write_sql(&ws, dialect, &key, &out)?;
    }
    let json = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
    std::fs::write(out.join("summary.json"), json + "\n").map_err(|e| format!("{}: {e}", out.display()))?;
    let quality = serde_json::json!({ "files": summary.files, "quality": summary.quality, "identity": summary.identity });
    let quality = serde_json::to_string_pretty(&quality).map_err(|e| e.to_string())?;
    std::fs::write(out.join("quality.json"), quality + "\n").map_err(|e| format!("{}: {e}", out.display()))?;
    clock.step("write");
    if timings {
        let file = out.join("timings.json");
        std::fs::write(&file, clock.json() + "\n").map_err(|e| format!("{}: {e}", file.display()))?;
    }
    note!("as of {}: {} members, {} buyers, {} orders", summary.as_of, summary.members, summary.buyers, summary.orders);
    let id = &summary.identity;
    note!("identity: {} identifiers -> {} people, {} conflicts", id.identifiers, id.people, id.conflicts);
    if let Some(w) = &summary.as_of_warning {
        note!("warning: {} / {}", w.en, w.zh);
    }
    for s in &summary.segments {
        note!("  {:<8} {:<24} {:>8}", s.zh, s.en, s.count);
    }
    partial(&failed, file_count(&flags), &format!("the results in {} are", out.display()))
}

/// The size of the audience of each expression; an expression with an error stops the run with its diagnostics.
fn count_audiences(ws: &mut Workspace, expressions: &[String], clock: &mut Steps) -> Result<Vec<u64>, String> {
    let mut counts = Vec::with_capacity(expressions.len());
    for (i, e) in expressions.iter().enumerate() {
        let t = std::time::Instant::now();
        let c = ws.audience_count(e).map_err(|e| e.to_string())?;
        clock.count_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        match c.count {
            Some(n) => counts.push(n),
            None => {
                let problems: Vec<String> =
                    c.diagnostics.iter().map(|d| format!("{}:{}: {} / {}", d.at.line, d.at.col, d.en, d.zh)).collect();
                return Err(format!("--count expression {} `{e}` cannot be counted: {}", i + 1, problems.join("; ")));
            }
        }
    }
    Ok(counts)
}

/// counts.csv: each expression and its audience's size.
fn write_counts(expressions: &[String], counts: &[u64], path: &Path) -> Result<(), String> {
    use huaxiang::export::activation::{export_rows, Column, ColumnKind, ExportSpec};
    let columns = vec![Column::new("expression", ColumnKind::Plain), Column::new("members", ColumnKind::Number)];
    let rows: Vec<Vec<String>> = expressions.iter().zip(counts).map(|(e, n)| vec![e.clone(), n.to_string()]).collect();
    let export = export_rows(&ExportSpec { columns, options: plain_csv() }, rows).map_err(|e| e.to_string())?;
    std::fs::write(path, export.bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads a rules file (rule text, or a tag pack JSON) into the workspace's catalog; prints the statements that
/// do not parse (by line and column) and returns how many there were.
fn read_rules(ws: &mut Workspace, path: &Path) -> Result<usize, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if text.trim_start_matches('\u{feff}').trim_start().starts_with('{') {
        ws.import_pack(&text, false).map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok(0);
    }
    let (_, problems) = ws.import_rules(&text, "", "cli");
    // Problems inside a statement that was imported anyway are reported again when the catalog is checked.
    let (program, _) = huaxiang::rules::parser::parse_program(&text);
    // UTF-16 offsets counted on from the last one (statements come in text order), so thousands of statements are
    // placed in one pass over the text.
    let (mut at_byte, mut at16) = (0usize, 0u32);
    let mut utf16 = |byte: u32| {
        let byte = (byte as usize).min(text.len());
        if byte < at_byte {
            (at_byte, at16) = (0, 0);
        }
        at16 += text.get(at_byte..byte).map_or(0, |t| t.encode_utf16().count() as u32);
        at_byte = byte;
        at16
    };
    let imported: Vec<(u32, u32)> = program
        .defs
        .iter()
        .filter(|d| d.expr.is_some())
        .map(|d| {
            let start = utf16(d.span.start);
            (start, utf16(d.span.end))
        })
        .collect();
    // Problems of the text as a whole (a name defined twice, a look-alike name) are never reported again.
    const OF_THE_TEXT: [&str; 3] = ["duplicate_definition", "look_alike_name", "mixed_script_name"];
    let problems: Vec<_> = problems
        .into_iter()
        .filter(|d| OF_THE_TEXT.contains(&d.code) || !imported.iter().any(|&(a, b)| d.at.start16 >= a && d.at.start16 < b))
        .collect();
    let mut errors = 0;
    for d in &problems {
        let error = d.severity == huaxiang::rules::Severity::Error;
        let kind = if error { "error" } else { "warning" };
        note!("{}:{}:{}: {kind}: {} / {}", path.display(), d.at.line, d.at.col, d.en, d.zh);
        errors += usize::from(error);
    }
    Ok(errors)
}

/// Evaluates the catalog; any rule error stops the run with every problem listed by file, line and column.
fn check_and_evaluate(ws: &mut Workspace, rules: &str, unparsed: usize) -> Result<huaxiang::engine::TagsReport, String> {
    let report = ws.tags().map_err(|e| e.to_string())?;
    let text = std::fs::read_to_string(rules).unwrap_or_default();
    let (program, _) = huaxiang::rules::parser::parse_program(&text);
    let mut errors = unparsed;
    // Definitions by name and the starts of lines, so thousands of problems are placed without rereading the text.
    let mut by_name = std::collections::HashMap::new();
    for def in &program.defs {
        by_name.entry(def.name.as_str()).or_insert(def);
    }
    let line_starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    for t in &report.tags {
        for d in t.diagnostics.iter().filter(|d| d.severity == huaxiang::rules::Severity::Error || !t.builtin) {
            // Place the problem in the file: the rule starts where its statement's expression starts.
            let (line, col) = match by_name.get(t.name.as_str()).and_then(|def| def.expr.as_ref()) {
                Some(expr) => {
                    let at = (expr.span.start as usize).min(text.len());
                    let index = line_starts.partition_point(|&s| s <= at).saturating_sub(1);
                    let line_start = line_starts.get(index).copied().unwrap_or(0);
                    let line = index as u32 + 1;
                    let col = text.get(line_start..at).map_or(0, |l| l.chars().count()) as u32 + 1;
                    if d.at.line == 1 {
                        (line, col + d.at.col - 1)
                    } else {
                        (line + d.at.line - 1, d.at.col)
                    }
                }
                None => (d.at.line, d.at.col),
            };
            let kind = if d.severity == huaxiang::rules::Severity::Error { "error" } else { "warning" };
            note!("{rules}:{line}:{col}: {kind} in {}: {} / {}", t.name, d.en, d.zh);
            errors += usize::from(d.severity == huaxiang::rules::Severity::Error);
        }
    }
    if errors > 0 {
        return Err(format!("{rules}: {errors} error(s) in the rules; nothing was written"));
    }
    note!("{} tags evaluated over {} members", report.tags.len(), report.members);
    Ok(report)
}

/// The options of the command line's own member files (`profile`): plain UTF-8 without a byte-order mark, not
/// masked (the files stay on the machine that made them), text neutralised against formulas as every export is.
fn plain_csv() -> ExportOptions {
    ExportOptions { mask: false, encoding: CsvEncoding::Utf8, ..ExportOptions::default() }
}

/// members.csv with tags: one row per member (buyers or not), RFM columns (empty without purchases), then a
/// column per tag, audience and metric.
fn write_members_with_tags(ws: &mut Workspace, path: &Path) -> Result<(), String> {
    let available = ws.export_columns(None).map_err(|e| e.to_string())?;
    let mut columns = base_columns(&available);
    columns.extend(available.iter().filter(|c| c.group == "tag").map(|c| ExportColumn::new(c.key.clone())));
    let people = ws.people().map_or(0, |p| p.len() as u32);
    let export = ws.export_member_set(0..people, &columns, &plain_csv()).map_err(|e| e.to_string())?;
    std::fs::write(path, export.bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// The member id, the name when loaded, and the RFM figures and scores.
fn base_columns(available: &[ColumnInfo]) -> Vec<ExportColumn> {
    let mut keys = vec!["member_id"];
    if available.iter().any(|c| c.key == "name") {
        keys.push("name");
    }
    keys.extend(["recency", "frequency", "monetary", "r_score", "f_score", "m_score"]);
    keys.into_iter().map(ExportColumn::new).collect()
}

/// The tags as SQL and the normalised tables they read.
fn write_sql(ws: &Workspace, dialect: huaxiang::export::sql::Dialect, key: &str, out: &Path) -> Result<(), String> {
    use huaxiang::export::sql;
    let export = ws.export_sql(&sql::SqlOptions::new(dialect)).map_err(|e| e.to_string())?;
    let io = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    let file = out.join(format!("tags.{key}.sql"));
    std::fs::write(&file, &export.sql).map_err(|e| io(&file, e))?;
    for d in export.skipped() {
        note!("not exported to SQL: {}: {} / {}", d.name, d.skipped_en.as_deref().unwrap_or(""), d.skipped_zh.as_deref().unwrap_or(""));
    }
    let dir = out.join("tables");
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    let t = ws.normalised_tables().map_err(|e| e.to_string())?;
    for (name, text) in [("members.csv", &t.members), ("orders.csv", &t.orders), ("events.csv", &t.events)] {
        std::fs::write(dir.join(name), text).map_err(|e| io(&dir.join(name), e))?;
    }
    std::fs::write(dir.join("load.sql"), sql::duckdb_load_sql("tables")).map_err(|e| io(&dir.join("load.sql"), e))?;
    note!("wrote {} and {}", file.display(), dir.display());
    Ok(())
}

/// tags.csv: each tag's size, and each value's for enumerated tags.
fn write_tag_sizes(report: &huaxiang::engine::TagsReport, path: &Path) -> Result<(), String> {
    use huaxiang::export::activation::{export_rows, Column, ColumnKind, ExportSpec};
    let text = |h: &str| Column::new(h, ColumnKind::Plain);
    let number = |h: &str| Column::new(h, ColumnKind::Number);
    let columns = vec![text("name"), text("group"), text("kind"), text("type"), text("value"), number("members"), number("share")];
    let mut rows: Vec<Vec<String>> = Vec::new();
    for t in &report.tags {
        let base = [t.name.clone(), t.group.clone(), t.kind.to_string(), t.value_type.to_string()];
        if t.value_type == "enum" {
            for v in &t.values {
                rows.push(base.iter().cloned().chain([v.value.clone(), v.count.to_string(), format!("{:.6}", v.share)]).collect());
            }
        } else {
            rows.push(base.iter().cloned().chain([String::new(), t.count.to_string(), format!("{:.6}", t.share)]).collect());
        }
    }
    let export = export_rows(&ExportSpec { columns, options: plain_csv() }, rows).map_err(|e| e.to_string())?;
    std::fs::write(path, export.bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// members.csv without rules: one row per buyer with the RFM figures, scores and segment.
fn write_members(ws: &mut Workspace, path: &Path) -> Result<(), String> {
    let available = ws.export_columns(None).map_err(|e| e.to_string())?;
    let mut columns = base_columns(&available);
    columns.extend(["segment", "segment_en"].map(ExportColumn::new));
    let buyers: Vec<u32> = ws.rfm().ok_or("RFM was not computed")?.rows.iter().map(|r| r.member).collect();
    let export = ws.export_member_set(buyers, &columns, &plain_csv()).map_err(|e| e.to_string())?;
    std::fs::write(path, export.bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn sample(args: &[String]) -> Result<(), String> {
    let flags = Flags::parse(args, &["out", "members", "seed", "only", "orders-per-member", "events-per-member", "tags", "audiences"])?;
    let out = PathBuf::from(flags.one("out").ok_or_else(|| format!("`--out DIR` is required\n{USAGE}"))?);
    let members: u64 = flags.one("members").unwrap_or("2000").parse().map_err(|_| "`--members` must be a number")?;
    let seed: u64 = flags.one("seed").unwrap_or("20250601").parse().map_err(|_| "`--seed` must be a number")?;
    let only = flags.one("only");
    if !matches!(only, None | Some("members" | "orders" | "events" | "pack")) {
        return Err(format!("`--only` takes `members`, `orders`, `events` or `pack`\n{USAGE}"));
    }
    if only == Some("pack") {
        let count = |name: &str, default: usize| -> Result<usize, String> {
            match flags.one(name) {
                None => Ok(default),
                Some(text) => text
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=100_000).contains(n))
                    .ok_or(format!("`--{name}` must be a number from 1 to 100000")),
            }
        };
        let (tags, audiences) = (count("tags", 100)?, count("audiences", 1000)?);
        std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
        std::fs::write(out.join("pack.rules"), huaxiang::sample::pack::rules(seed, tags)).map_err(|e| e.to_string())?;
        let lines: String = huaxiang::sample::pack::audiences(seed, tags, audiences).into_iter().map(|e| e + "\n").collect();
        return std::fs::write(out.join("audiences.txt"), lines).map_err(|e| e.to_string());
    }
    let rate = |name: &str, default: f64| -> Result<f64, String> {
        match flags.one(name) {
            None => Ok(1.0),
            Some(text) => match text.parse::<f64>() {
                Ok(r) if r > 0.0 && r <= 1000.0 => Ok(r / default),
                _ => Err(format!("`--{name}` must be a number above 0 (at most 1000)")),
            },
        }
    };
    let rates = huaxiang::sample::Rates {
        orders: rate("orders-per-member", huaxiang::sample::ORDERS_PER_MEMBER)?,
        events: rate("events-per-member", huaxiang::sample::EVENTS_PER_MEMBER)?,
    };
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    if matches!(only, None | Some("members")) {
        std::fs::write(out.join("sample_members.csv"), huaxiang::sample::members_csv(seed, members)).map_err(|e| e.to_string())?;
    }
    if matches!(only, None | Some("events")) {
        write_streamed(&out.join("sample_events.csv"), &mut |sink| huaxiang::sample::write_events_at(seed, members, rates.events, sink))?;
    }
    if matches!(only, None | Some("orders")) {
        write_streamed(&out.join("sample_orders.csv"), &mut |sink| huaxiang::sample::write_orders_at(seed, members, rates.orders, sink))?;
    }
    Ok(())
}

/// Where a generator streams its text.
type Sink<'a> = dyn FnMut(&str) + 'a;

/// Writes what `generate` streams to its sink into the file at `path`.
fn write_streamed(path: &std::path::Path, generate: &mut dyn FnMut(&mut Sink)) -> Result<(), String> {
    let err = |e: std::io::Error| format!("{}: {e}", path.display());
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).map_err(err)?);
    let mut failed = None;
    generate(&mut |chunk| {
        if failed.is_none() {
            failed = w.write_all(chunk.as_bytes()).err();
        }
    });
    if let Some(e) = failed {
        return Err(err(e));
    }
    w.flush().map_err(err)
}

/// `huaxiang audience`: the members of one audience expression as a CSV or XLSX file, built by the same request
/// as the app's download (`Workspace::export_audience`), so both give the same bytes.
fn audience(args: &[String]) -> Result<(), String> {
    let mask = args.iter().any(|a| a == "--mask");
    let strict = args.iter().any(|a| a == "--strict");
    let args: Vec<String> = args.iter().filter(|a| *a != "--mask" && *a != "--strict").cloned().collect();
    let flags = Flags::parse(
        &args,
        &[
            "orders",
            "members",
            "events",
            "identity",
            "as-of",
            "out",
            "sheet",
            "rules",
            "expr",
            "hash",
            "phone-form",
            "columns",
            "format",
            "encoding",
        ],
    )?;
    if flags.all("orders").is_empty() {
        return Err(format!("`--orders FILE` is required\n{USAGE}"));
    }
    let rules = flags.one("rules").ok_or_else(|| format!("`--rules FILE` is required\n{USAGE}"))?;
    let expr = flags.one("expr").ok_or_else(|| format!("`--expr \"EXPRESSION\"` is required\n{USAGE}"))?;
    let out = PathBuf::from(flags.one("out").ok_or_else(|| format!("`--out FILE` is required\n{USAGE}"))?);
    let mut options = serde_json::json!({ "mask": mask });
    for (flag, key) in [("hash", "hash"), ("phone-form", "phoneForm"), ("format", "format"), ("encoding", "encoding")] {
        if let Some(value) = flags.one(flag) {
            options[key] = serde_json::Value::String(value.to_lowercase().replace('-', "_"));
        }
    }
    let options: ExportOptions = serde_json::from_value(options.clone())
        .map_err(|e| format!("{e}: use --hash sha256|md5, --phone-form national|e164, --format csv|xlsx, --encoding utf8_bom|utf8|gbk"))?;
    let as_of = as_of(&flags)?;
    let mut ws = Workspace::new();
    let failed = load_all(&mut ws, &flags, strict)?;
    let unparsed = read_rules(&mut ws, Path::new(rules))?;
    ws.compute(as_of).map_err(|e| e.to_string())?;
    check_and_evaluate(&mut ws, rules, unparsed)?;
    let check = ws.audience_count(expr).map_err(|e| e.to_string())?;
    let errors: Vec<_> = check.diagnostics.iter().filter(|d| d.severity == huaxiang::rules::Severity::Error).collect();
    for d in &check.diagnostics {
        let kind = if d.severity == huaxiang::rules::Severity::Error { "error" } else { "warning" };
        note!("--expr:{}:{}: {kind}: {} / {}", d.at.line, d.at.col, d.en, d.zh);
    }
    if !errors.is_empty() {
        return Err(format!("--expr: {} error(s) in the expression; nothing was written", errors.len()));
    }
    let request = audience_request(&mut ws, expr, flags.one("columns"), options)?;
    let done = ws.export_audience(&request, "").map_err(|e| e.to_string())?;
    std::fs::write(&out, &done.export.bytes).map_err(|e| format!("{}: {e}", out.display()))?;
    let people = ws.people().map_or(0, |p| p.len());
    note!("{} of {people} members in the audience; written to {}", done.export.report.rows, out.display());
    partial(&failed, file_count(&flags), &format!("{} was written", out.display()))
}

/// The export request of `huaxiang audience`. With `--columns KEY[=HEADER],…` exactly those columns, as the app's
/// column picker sends them (with `--hash`, every phone column is hashed in place, as in the app). Without it, the
/// columns the app suggests for the expression (member id, name, phone, recency, frequency, monetary, segment and
/// the definitions it names), with the phone's digest after the phone when `--hash` is given.
fn audience_request(
    ws: &mut Workspace,
    expr: &str,
    columns: Option<&str>,
    options: ExportOptions,
) -> Result<AudienceExportRequest, String> {
    let chosen: Vec<ExportColumn> = match columns {
        Some(list) => list
            .split(',')
            .map(|c| match c.split_once('=') {
                Some((key, header)) => ExportColumn { header: header.to_string(), ..ExportColumn::new(key.trim()) },
                None => ExportColumn::new(c.trim()),
            })
            .collect(),
        None => {
            let available = ws.export_columns(Some(expr)).map_err(|e| e.to_string())?;
            let mut chosen: Vec<ExportColumn> =
                available.iter().filter(|c| c.suggested).map(|c| ExportColumn::new(c.key.clone())).collect();
            // The phone as loaded (masked with `--mask`), then its digest beside it.
            if let Some(i) = chosen.iter().position(|c| c.key == "phone").filter(|_| options.hash != HashAlgo::None) {
                chosen.insert(i + 1, ExportColumn { hash: true, ..ExportColumn::new("phone") });
            }
            chosen
        }
    };
    Ok(AudienceExportRequest { audience: expr.to_string(), columns: chosen, options, ..AudienceExportRequest::default() })
}

/// `huaxiang model clv|cluster`: fits a model over the loaded files and writes its report (`model.json`) and its
/// member columns (`members.csv`, through the same export path as every member file).
fn model(args: &[String]) -> Result<(), String> {
    let (which, rest) = match args.split_first() {
        Some((w, rest)) if ["clv", "cluster", "lookalike", "affinity"].contains(&w.as_str()) => (w.as_str(), rest),
        _ => return Err(format!("`huaxiang model` takes `clv`, `cluster`, `lookalike` or `affinity`\n{USAGE}")),
    };
    let common = ["orders", "members", "events", "identity", "as-of", "out", "sheet"];
    let own: &[&str] = match which {
        "clv" => &["horizon-days", "discount-monthly", "penalizer"],
        "cluster" => &["k", "features", "seed", "n-init"],
        "lookalike" => &["rules", "seed-audience", "features", "seed", "top-n", "holdout"],
        _ => &["min-members", "min-support", "max-rules"],
    };
    let known: Vec<&str> = common.iter().chain(own).copied().collect();
    let flags = Flags::parse(rest, &known)?;
    if flags.all("orders").is_empty() {
        return Err(format!("`--orders FILE` is required\n{USAGE}"));
    }
    let out = PathBuf::from(flags.one("out").ok_or_else(|| format!("`--out DIR` is required\n{USAGE}"))?);
    let as_of = as_of(&flags)?;
    fn number<T: std::str::FromStr>(flags: &Flags, name: &str, default: T) -> Result<T, String> {
        match flags.one(name) {
            Some(text) => text.trim().parse().map_err(|_| format!("`--{name} {text}` is not a number")),
            None => Ok(default),
        }
    }
    let mut ws = Workspace::new();
    // A model over part of the data would be a different model: every file must load.
    load_all(&mut ws, &flags, true)?;
    let unparsed = match flags.one("rules") {
        Some(rules) => read_rules(&mut ws, Path::new(rules))?,
        None => 0,
    };
    ws.compute(as_of).map_err(|e| e.to_string())?;
    if let Some(rules) = flags.one("rules") {
        check_and_evaluate(&mut ws, rules, unparsed)?;
    }
    let (json, keys) = if which == "lookalike" {
        let d = LookalikeRequest::default();
        let seed_audience =
            flags.one("seed-audience").ok_or_else(|| format!("`--seed-audience EXPRESSION` is required\n{USAGE}"))?.to_string();
        let features = match flags.one("features") {
            Some(list) => list.split(',').map(|f| f.trim().to_string()).filter(|f| !f.is_empty()).collect(),
            None => d.features.clone(),
        };
        let request = LookalikeRequest {
            seed_audience,
            features,
            seed: number(&flags, "seed", d.seed)?,
            top_n: number(&flags, "top-n", d.top_n)?,
            holdout: number(&flags, "holdout", d.holdout)?,
            ..d
        };
        let report = ws.fit_lookalike(&request).map_err(|e| e.to_string())?;
        note!("lookalike: {} seed members, {} scored, holdout AUC {:.3}", report.seed_members, report.members, report.holdout_auc);
        (serde_json::to_string_pretty(&report), vec!["model:lookalike_score".to_string()])
    } else if which == "affinity" {
        let d = AffinityRequest::default();
        let request = AffinityRequest {
            min_members: number(&flags, "min-members", d.min_members)?,
            min_support: number(&flags, "min-support", d.min_support)?,
            max_rules: number(&flags, "max-rules", d.max_rules)?,
        };
        let report = ws.fit_affinity(&request).map_err(|e| e.to_string())?;
        note!("affinity: {} categories, {} rules", report.categories, report.rules.len());
        (serde_json::to_string_pretty(&report), vec!["model:next_category".to_string(), "model:next_category_confidence".to_string()])
    } else if which == "clv" {
        let d = ClvRequest::default();
        let request = ClvRequest {
            horizon_days: number(&flags, "horizon-days", d.horizon_days)?,
            discount_monthly: number(&flags, "discount-monthly", d.discount_monthly)?,
            penalizer: number(&flags, "penalizer", d.penalizer)?,
        };
        let report = ws.fit_clv(&request).map_err(|e| e.to_string())?;
        for w in &report.warnings {
            eprintln!("warning: {w}");
        }
        eprintln!(
            "BG/NBD r={:.4} alpha={:.4} a={:.4} b={:.4}; Gamma-Gamma p={:.4} q={:.4} v={:.4}; {} buyers, {} repeat; converged: {}",
            report.bgnbd.r,
            report.bgnbd.alpha,
            report.bgnbd.a,
            report.bgnbd.b,
            report.gamma_gamma.p,
            report.gamma_gamma.q,
            report.gamma_gamma.v,
            report.buyers,
            report.repeat_buyers,
            report.converged
        );
        let horizon = format!("model:expected_purchases_{}d", request.horizon_days);
        (serde_json::to_string_pretty(&report), vec!["model:p_alive".to_string(), horizon, "model:clv".to_string()])
    } else {
        let d = ClusterRequest::default();
        let k: usize =
            flags.one("k").ok_or_else(|| format!("`--k K` is required\n{USAGE}"))?.trim().parse().map_err(|_| "`--k` must be a number")?;
        let features = match flags.one("features") {
            Some(list) => list.split(',').map(|f| f.trim().to_string()).filter(|f| !f.is_empty()).collect(),
            None => d.features.clone(),
        };
        let request =
            ClusterRequest { k, features, seed: number(&flags, "seed", d.seed)?, n_init: number(&flags, "n-init", d.n_init)?, ..d };
        let report = ws.fit_clusters(&request).map_err(|e| e.to_string())?;
        eprintln!("{} members in {k} clusters; inertia {:.3}, silhouette {:.3}", report.rows, report.inertia, report.silhouette);
        for (i, (size, desc)) in report.sizes.iter().zip(&report.descriptions).enumerate() {
            eprintln!("  {:>2} {size:>8}  {} / {}", i + 1, desc.zh, desc.en);
        }
        (serde_json::to_string_pretty(&report), vec!["model:cluster".to_string()])
    };
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let json = json.map_err(|e| e.to_string())?;
    std::fs::write(out.join("model.json"), json + "\n").map_err(|e| format!("{}: {e}", out.display()))?;
    // One row per member the model scored (the first column each model writes is present for exactly those).
    let first = keys[0].trim_start_matches("model:");
    let scored: Vec<u32> = ws
        .model_columns()
        .iter()
        .find(|c| c.key == first)
        .map(|c| (0..ws.people().map_or(0, |p| p.len())).filter(|&p| c.has_value(p)).map(|p| p as u32).collect())
        .unwrap_or_default();
    let mut columns = vec![ExportColumn::new("member_id")];
    columns.extend(keys.into_iter().map(ExportColumn::new));
    let export = ws.export_member_set(scored, &columns, &plain_csv()).map_err(|e| e.to_string())?;
    let path = out.join("members.csv");
    std::fs::write(&path, export.bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("wrote {} and {}", out.join("model.json").display(), path.display());
    Ok(())
}
