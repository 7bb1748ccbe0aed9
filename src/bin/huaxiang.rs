//! The command-line tool: the same core as the browser, for batch jobs, checks and benchmarks.
//!
//! ```text
//! huaxiang profile --orders FILE [--members FILE] [--as-of YYYY-MM-DD] --out DIR
//! huaxiang sample --out DIR [--members N] [--seed S]
//! ```

use huaxiang::engine::Workspace;
use huaxiang::export::safe_cell;
use huaxiang::ingest::mapping::{FileKind, Role};
use huaxiang::ingest::values::format_amount;
use huaxiang::ingest::LoadOptions;
use huaxiang::model::date::Day;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage:
  huaxiang profile --orders FILE [--orders FILE ...] [--members FILE ...] [--as-of YYYY-MM-DD] --out DIR
      writes DIR/members.csv (one row per buyer) and DIR/summary.json (counts, skipped rows, segment sizes)
  huaxiang sample --out DIR [--members N] [--seed S]
      writes the built-in sample dataset: DIR/sample_members.csv and DIR/sample_orders.csv";

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

fn load(ws: &mut Workspace, path: &Path, kind: FileKind) -> Result<(), String> {
    let mut file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    ws.begin_file(&name, LoadOptions { kind: Some(kind), ..LoadOptions::default() }).map_err(|e| e.to_string())?;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = file.read(&mut buf).map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        ws.push(&buf[..n]).map_err(|e| format!("{name}: {e}"))?;
    }
    let report = ws.finish_file().map_err(|e| format!("{name}: {e}"))?;
    eprintln!(
        "{name}: {} rows read, {} loaded, {} skipped ({}, delimiter {:?})",
        report.rows_read, report.rows_loaded, report.rows_skipped, report.encoding, report.delimiter
    );
    for p in &report.problems {
        eprintln!("  {name}:{}:{} [{}] {:?}: {}", p.line, p.column, p.header, p.value, p.en);
    }
    Ok(())
}

fn profile(args: &[String]) -> Result<(), String> {
    let flags = Flags::parse(args, &["orders", "members", "as-of", "out"])?;
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
    for path in flags.all("members") {
        load(&mut ws, Path::new(path), FileKind::Members)?;
    }
    for path in orders {
        load(&mut ws, Path::new(path), FileKind::Orders)?;
    }
    let summary = ws.compute(as_of).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    write_members(&ws, &out.join("members.csv"))?;
    let json = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
    std::fs::write(out.join("summary.json"), json + "\n").map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("as of {}: {} members, {} buyers, {} orders", summary.as_of, summary.members, summary.buyers, summary.orders);
    for s in &summary.segments {
        eprintln!("  {:<8} {:<24} {:>8}", s.zh, s.en, s.count);
    }
    Ok(())
}

fn write_members(ws: &Workspace, path: &Path) -> Result<(), String> {
    let err = |e: csv::Error| format!("{}: {e}", path.display());
    let rfm = ws.rfm().ok_or("RFM was not computed")?;
    let members = &ws.data().members;
    let names = members.attr(Role::Name);
    let mut w = csv::Writer::from_path(path).map_err(err)?;
    let mut header = vec!["member_id"];
    if names.is_some() {
        header.push("name");
    }
    header.extend(["recency", "frequency", "monetary", "r_score", "f_score", "m_score", "segment", "segment_en"]);
    w.write_record(&header).map_err(err)?;
    for row in &rfm.rows {
        let mut rec: Vec<String> = vec![safe_cell(members.key(row.member)).into_owned()];
        if let Some(n) = names {
            rec.push(safe_cell(n.get(row.member)).into_owned());
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
    let flags = Flags::parse(args, &["out", "members", "seed"])?;
    let out = PathBuf::from(flags.one("out").ok_or_else(|| format!("`--out DIR` is required\n{USAGE}"))?);
    let members: u64 = flags.one("members").unwrap_or("2000").parse().map_err(|_| "`--members` must be a number")?;
    let seed: u64 = flags.one("seed").unwrap_or("20250601").parse().map_err(|_| "`--seed` must be a number")?;
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    std::fs::write(out.join("sample_members.csv"), huaxiang::sample::members_csv(seed, members)).map_err(|e| e.to_string())?;
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
