//! The command-line tool: the same core as the browser, for batch jobs, checks and benchmarks.
//!
//! ```text
//! huaxiang profile --orders FILE [--members FILE] [--events FILE] [--identity FILE] [--as-of YYYY-MM-DD] --out DIR
//! huaxiang sample --out DIR [--members N] [--seed S] [--only members|orders]
//! ```

use huaxiang::engine::Workspace;
use huaxiang::export::safe_cell;
use huaxiang::ingest::mapping::{FileKind, Role};
use huaxiang::ingest::values::format_amount;
use huaxiang::ingest::{Format, LoadOptions};
use huaxiang::model::date::Day;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage:
  huaxiang profile --orders FILE [--members FILE] [--events FILE] [--identity FILE] [--as-of YYYY-MM-DD] --out DIR
      each file flag may repeat; files are CSV/TSV (UTF-8, GBK, UTF-16), XLSX (--sheet NAME for all workbooks) or JSON Lines.
      writes DIR/members.csv (one row per buyer), DIR/summary.json (counts, segment sizes, identity, quality)
      and DIR/quality.json (the data quality report: per file and overall)
  huaxiang sample --out DIR [--members N] [--seed S] [--only members|orders]
      writes the built-in sample dataset: DIR/sample_members.csv and DIR/sample_orders.csv (or one of them)";

/// Reading chunk size: the same push path as the browser's worker.
const CHUNK: usize = 1 << 20;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("profile") => profile(&args[1..]),
        Some("sample") => sample(&args[1..]),
        Some("-h" | "--help" | "help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
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
            let name =
                flag.strip_prefix("--").filter(|n| known.contains(n)).ok_or_else(|| format!("unexpected argument `{flag}`\n{USAGE}"))?;
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
    let mut file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let mut buf = vec![0u8; CHUNK];
    let n = file.read(&mut buf).map_err(|e| format!("{}: {e}", path.display()))?;
    let format = Format::detect(&name, &buf[..n]);
    let options = LoadOptions { kind: Some(kind), format: Some(format), sheet: sheet.map(str::to_string), ..LoadOptions::default() };
    let report = if format == Format::Xlsx {
        let mut bytes = buf[..n].to_vec();
        file.read_to_end(&mut bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        ws.load_workbook(&name, &bytes, options).map_err(|e| format!("{name}: {e}"))?
    } else {
        ws.begin_file(&name, options).map_err(|e| e.to_string())?;
        let mut n = n;
        while n > 0 {
            ws.push(&buf[..n]).map_err(|e| format!("{name}: {e}"))?;
            n = file.read(&mut buf).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        ws.finish_file().map_err(|e| format!("{name}: {e}"))?
    };
    eprintln!(
        "{name}: {} rows read, {} loaded, {} skipped ({}{}{})",
        report.rows_read,
        report.rows_loaded,
        report.rows_skipped,
        report.format,
        if report.encoding.is_empty() { String::new() } else { format!(" {}", report.encoding) },
        if report.delimiter.is_empty() { String::new() } else { format!(", delimiter {:?}", report.delimiter) }
    );
    for p in &report.problems {
        eprintln!("  {name}:{}:{} [{}] {:?}: {}", p.line, p.column, p.header, p.value, p.en);
    }
    Ok(())
}

fn profile(args: &[String]) -> Result<(), String> {
    let flags = Flags::parse(args, &["orders", "members", "events", "identity", "as-of", "out", "sheet"])?;
    let orders = flags.all("orders");
    if orders.is_empty() {
        return Err(format!("`--orders FILE` is required\n{USAGE}"));
    }
    let out = PathBuf::from(flags.one("out").ok_or_else(|| format!("`--out DIR` is required\n{USAGE}"))?);
    let as_of = match flags.one("as-of") {
        Some(text) => Some(Day::parse_iso(text).ok_or_else(|| format!("`--as-of {text}` is not a YYYY-MM-DD date"))?),
        None => None,
    };
    let mut ws = Workspace::new();
    let sheet = flags.one("sheet");
    for (flag, kind) in
        [("members", FileKind::Members), ("identity", FileKind::Identity), ("orders", FileKind::Orders), ("events", FileKind::Events)]
    {
        for path in flags.all(flag) {
            load(&mut ws, Path::new(path), kind, sheet)?;
        }
    }
    let summary = ws.compute(as_of).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    write_members(&ws, &out.join("members.csv"))?;
    let json = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
    std::fs::write(out.join("summary.json"), json + "\n").map_err(|e| format!("{}: {e}", out.display()))?;
    let quality = serde_json::json!({ "files": summary.files, "quality": summary.quality, "identity": summary.identity });
    let quality = serde_json::to_string_pretty(&quality).map_err(|e| e.to_string())?;
    std::fs::write(out.join("quality.json"), quality + "\n").map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("as of {}: {} members, {} buyers, {} orders", summary.as_of, summary.members, summary.buyers, summary.orders);
    let id = &summary.identity;
    eprintln!("identity: {} identifiers -> {} people, {} conflicts", id.identifiers, id.people, id.conflicts);
    for s in &summary.segments {
        eprintln!("  {:<8} {:<24} {:>8}", s.zh, s.en, s.count);
    }
    Ok(())
}

fn write_members(ws: &Workspace, path: &Path) -> Result<(), String> {
    let err = |e: csv::Error| format!("{}: {e}", path.display());
    let rfm = ws.rfm().ok_or("RFM was not computed")?;
    let people = ws.people().ok_or("RFM was not computed")?;
    let member_rows = &ws.data().members;
    let names = member_rows.attr(Role::Name);
    let mut w = csv::Writer::from_path(path).map_err(err)?;
    let mut header = vec!["member_id"];
    if names.is_some() {
        header.push("name");
    }
    header.extend(["recency", "frequency", "monetary", "r_score", "f_score", "m_score", "segment", "segment_en"]);
    w.write_record(&header).map_err(err)?;
    for row in &rfm.rows {
        let mut rec: Vec<String> = vec![safe_cell(ws.person_key(row.member)).into_owned()];
        if let Some(n) = names {
            let r = people.member_row[row.member as usize];
            rec.push(if r == u32::MAX { String::new() } else { safe_cell(n.get(r)).into_owned() });
        }
        rec.extend([
            row.recency.to_string(),
            row.frequency.to_string(),
            format_amount(row.monetary),
            row.r.to_string(),
            row.f.to_string(),
            row.m.to_string(),
            row.segment.zh().to_string(),
            row.segment.en().to_string(),
        ]);
        w.write_record(&rec).map_err(err)?;
    }
    w.flush().map_err(|e| format!("{}: {e}", path.display()))
}

fn sample(args: &[String]) -> Result<(), String> {
    let flags = Flags::parse(args, &["out", "members", "seed", "only"])?;
    let out = PathBuf::from(flags.one("out").ok_or_else(|| format!("`--out DIR` is required\n{USAGE}"))?);
    let members: u64 = flags.one("members").unwrap_or("2000").parse().map_err(|_| "`--members` must be a number")?;
    let seed: u64 = flags.one("seed").unwrap_or("20250601").parse().map_err(|_| "`--seed` must be a number")?;
    let only = flags.one("only");
    if !matches!(only, None | Some("members" | "orders")) {
        return Err(format!("`--only` takes `members` or `orders`\n{USAGE}"));
    }
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    if only != Some("orders") {
        std::fs::write(out.join("sample_members.csv"), huaxiang::sample::members_csv(seed, members)).map_err(|e| e.to_string())?;
    }
    if only == Some("members") {
        return Ok(());
    }
    let file = std::fs::File::create(out.join("sample_orders.csv")).map_err(|e| e.to_string())?;
    let mut w = std::io::BufWriter::new(file);
    let mut failed = None;
    huaxiang::sample::write_orders(seed, members, &mut |chunk| {
        if failed.is_none() {
            failed = w.write_all(chunk.as_bytes()).err();
        }
    });
    if let Some(e) = failed {
        return Err(e.to_string());
    }
    w.flush().map_err(|e| e.to_string())
}
