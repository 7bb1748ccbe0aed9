//! One export path: `huaxiang audience` and the engine's request API (what the app's download calls) give the same
//! bytes, on a fixture of hostile cells (every formula prefix, ASCII and full-width, after spaces and tabs), phones
//! in several national shapes, members keyed by an e-mail or a phone, and fractional metrics.

use huaxiang::engine::{AudienceExportRequest, Workspace};
use huaxiang::export::activation::{CsvEncoding, ExportOptions, FileFormat, HashAlgo, PhoneForm};
use huaxiang::export::members::ExportColumn;
use std::process::Command;

fn fixture(name: &str) -> std::path::PathBuf {
    crate::fixture(&format!("export/{name}"))
}

/// The fixture loaded and computed as the command line loads it, with its rules.
fn workspace() -> Workspace {
    let mut ws = Workspace::new();
    for name in ["members.csv", "orders.csv"] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        ws.load_bytes(name, None, &bytes, 1 << 20).unwrap();
    }
    let (_, problems) = ws.import_rules(&std::fs::read_to_string(fixture("pack.rules")).unwrap(), "", "cli");
    assert!(problems.is_empty(), "{problems:?}");
    ws.compute(None).unwrap();
    ws
}

/// Runs `huaxiang audience` over the fixture and returns the file it wrote.
fn cli(expr: &str, extra: &[&str]) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("hx-export-paths-{}-{}", std::process::id(), extra.join("").len()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join(format!("out-{}", extra.join("_").replace(['/', ',', ':'], "-")));
    let (members, orders, rules) = (fixture("members.csv"), fixture("orders.csv"), fixture("pack.rules"));
    let o = Command::new(env!("CARGO_BIN_EXE_huaxiang"))
        .args(["audience", "--members", members.to_str().unwrap(), "--orders", orders.to_str().unwrap()])
        .args(["--rules", rules.to_str().unwrap(), "--expr", expr, "--out", out.to_str().unwrap()])
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read(&out).unwrap()
}

fn columns(keys: &[(&str, bool)]) -> Vec<ExportColumn> {
    keys.iter().map(|&(k, hash)| ExportColumn { hash, ..ExportColumn::new(k) }).collect()
}

const ALL: &str = "monetary > -1 or not 老客";

/// One case: the command line's flags, the request's columns (key, hashed) and options.
type Case<'a> = (Vec<&'a str>, Vec<(&'a str, bool)>, ExportOptions);

#[test]
fn the_command_line_and_the_request_api_write_the_same_bytes() {
    let mut ws = workspace();
    let keys = "member_id,name,phone,email,attr:city,attr:note,monetary,tag:均价,tag:天均,tag:城市,tag:老客";
    let chosen: Vec<(&str, bool)> = keys.split(',').map(|k| (k, false)).collect();
    let cases: Vec<Case> = vec![
        // Masked, phones as their SHA-256 (mainland mobiles only, as 巨量引擎 and 腾讯广告 take them).
        (
            vec!["--mask", "--hash", "sha256", "--columns", keys],
            chosen.clone(),
            ExportOptions { hash: HashAlgo::Sha256, ..ExportOptions::default() },
        ),
        // Not masked, MD5 of E.164 phones, GBK.
        (
            vec!["--hash", "md5", "--phone-form", "e164", "--encoding", "gbk", "--columns", keys],
            chosen.clone(),
            ExportOptions {
                mask: false,
                hash: HashAlgo::Md5,
                phone_form: PhoneForm::E164,
                encoding: CsvEncoding::Gbk,
                ..ExportOptions::default()
            },
        ),
        // A workbook.
        (
            vec!["--mask", "--format", "xlsx", "--columns", keys],
            chosen.clone(),
            ExportOptions { format: FileFormat::Xlsx, ..ExportOptions::default() },
        ),
    ];
    for (flags, cols, options) in cases {
        let request = AudienceExportRequest { audience: ALL.into(), columns: columns(&cols), options, ..AudienceExportRequest::default() };
        let api = ws.export_audience(&request, "2025-06-01T00:00:00+08:00").unwrap();
        let file = cli(ALL, &flags);
        assert_eq!(file, api.export.bytes, "{flags:?}: the command line and the request API differ");
        assert_eq!(
            api.export.report.rows, 9,
            "every person (seven members, one known by an e-mail, one by a phone), including those keyed by an e-mail or a phone"
        );
    }
}

/// A CSV export's header and rows.
fn read(file: Vec<u8>) -> (Vec<String>, Vec<Vec<String>>) {
    let text = String::from_utf8(file).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("UTF-8 with a byte-order mark");
    let mut csv = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    (headers, csv.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect())
}

#[test]
fn the_shared_export_neutralises_masks_hashes_and_formats_alike() {
    let mut ws = workspace();
    let keys = "member_id,name,phone,attr:city,attr:note,monetary,tag:均价,tag:天均,tag:城市";
    let (headers, rows) = read(cli(ALL, &["--mask", "--columns", keys]));
    assert_eq!(headers, "member_id,name,phone,city,note,monetary,均价,天均,城市".split(',').collect::<Vec<_>>());
    let cell = |id: &str, col: &str| -> String {
        let c = headers.iter().position(|h| h == col).unwrap();
        rows.iter().find(|r| r[0] == id).unwrap_or_else(|| panic!("{id} in {rows:?}"))[c].clone()
    };
    // Every formula prefix gets a quote: ASCII and full-width, after spaces and tabs, in names, attributes and
    // tag values.
    for (id, col) in [("M02", "city"), ("M02", "note"), ("M03", "city"), ("M03", "note"), ("M04", "city"), ("M04", "note")] {
        assert!(cell(id, col).starts_with('\''), "{id} {col}: {:?}", cell(id, col));
    }
    for (id, col) in [("M05", "city"), ("M05", "note"), ("M06", "city"), ("M06", "note"), ("M02", "城市")] {
        assert!(cell(id, col).starts_with('\''), "{id} {col}: {:?}", cell(id, col));
    }
    assert_eq!(cell("M07", "note"), "007", "a leading zero is not a formula");
    // Masked names and phones of every shape.
    assert_eq!(cell("M07", "name"), "欧阳**");
    assert_eq!(cell("M01", "phone"), "138****8000");
    assert_eq!(cell("M02", "phone"), "138****8001");
    assert_eq!(cell("M03", "phone"), "021****1234");
    assert_eq!(cell("M04", "phone"), "'+141****0100", "a masked phone that starts with + is neutralised too");
    // Members keyed by an e-mail or a phone are masked as what they are.
    assert!(rows.iter().any(|r| r[0] == "z***@example.com"), "{rows:?}");
    assert!(rows.iter().any(|r| r[0] == "139****9000"), "{rows:?}");
    // One number formatter: money with its cents, other numbers without trailing zeros.
    assert_eq!(cell("M01", "monetary"), "10.70");
    assert_eq!(cell("M02", "均价"), format_expected(1.0 / 3.0));
    assert_eq!(cell("M01", "均价"), format_expected(10.7 / 3.0));
    // The engine agrees on who is in the audience.
    assert_eq!(rows.len() as u64, ws.audience_count(ALL).unwrap().count.unwrap());

    // The suggested columns with `--hash`: the phone, then its digest; only mainland mobiles are hashed in the
    // national form (landlines and foreign numbers stay empty, as the ad platforms want).
    let (headers, rows) = read(cli(ALL, &["--mask", "--hash", "sha256"]));
    assert_eq!(&headers[..4], ["member_id", "name", "phone", "phone_sha256"]);
    let digest = |id: &str| rows.iter().find(|r| r[0] == id).unwrap()[3].clone();
    assert_eq!(digest("M01").len(), 64);
    assert_eq!(digest("M05").len(), 64, "0086 prefix");
    for id in ["M03", "M04", "M06", "M07"] {
        assert_eq!(digest(id), "", "{id}: not a mainland mobile");
    }
}

/// A number as the export writes it: at most six decimals, no trailing zeros.
fn format_expected(x: f64) -> String {
    let s = format!("{x:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
