//! Activation exports: masking, hashed identifiers (known MD5/SHA-256 vectors), formula-injection neutralisation
//! in CSV and XLSX (read back with calamine), BOM, quoting, GBK and Chinese text round trips.

use calamine::{Data, Reader, Xlsx};
use huaxiang::base::mask::{mask_email, mask_name, mask_phone};
use huaxiang::export::activation::{
    export_rows, Column, ColumnKind, CsvEncoding, Export, ExportLogEntry, ExportOptions, ExportSpec, FileFormat, HashAlgo, PhoneForm,
};
use std::io::{Cursor, Read};

// Digests of normalised phones and ids, computed independently with Python's hashlib while writing this test:
// `hashlib.md5(s.encode()).hexdigest()` and `hashlib.sha256(s.encode()).hexdigest()`.
const MD5_13800138000: &str = "7945bd83237335e5376ff44d62e4f0ae";
const SHA256_13800138000: &str = "a6942f9771d67f34034d2f1926988ed3fad3bf1b4e7cedb9a31f31398dea43bc";
const MD5_13912345678: &str = "535381ec9d5ab7a390db0a30860600f2";
const SHA256_13912345678: &str = "ba6c167e885ea4be8252fb01c61fc55439089f389ee1b0592fc8c4f417196403";
const SHA256_PLUS_8613800138000: &str = "ec61f3c620a98bdead8c1f1f0ae747abd1b62a0c2dba4fd4bc22cf0d1d8653e5";
const MD5_PLUS_8613800138000: &str = "709559e9597fadc042d59c664fe27e7e";
const SHA256_PLUS_14155550100: &str = "40d3f4e02db27d66cf4cfdda506c2c945f115a7955cc8491dda98ce5beabcda0";
const SHA256_LI_NA_EXAMPLE_COM: &str = "2df6ace21e6b4e887bed4927c50aa7860c82d52706644899c684a89e2a932159";
const MD5_M0001: &str = "c666b86a055203ec9531e6dfa52079bd";

/// Every prefix a spreadsheet may run as a formula, in ASCII and full width.
const DANGEROUS: [&str; 12] = [
    "=HYPERLINK(\"http://x\",\"点我\")",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "＋1",
    "－1",
    "＠A1",
    "  =1+1",
    "=cmd|' /C calc'!A0",
];

fn spec(columns: &[(&str, ColumnKind)], options: ExportOptions) -> ExportSpec {
    ExportSpec { columns: columns.iter().map(|(h, k)| Column::new(*h, *k)).collect(), options }
}

fn csv_text(export: &Export) -> String {
    let body = export.bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).expect("a UTF-8 BOM");
    String::from_utf8(body.to_vec()).expect("UTF-8")
}

/// The CSV's records, parsed with the csv crate (RFC 4180).
fn csv_records(export: &Export) -> Vec<Vec<String>> {
    let text = csv_text(export);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("valid CSV").iter().map(str::to_string).collect())
        .collect()
}

fn xlsx_sheet(bytes: &[u8]) -> (Vec<Vec<Data>>, usize) {
    let mut book = Xlsx::new(Cursor::new(bytes.to_vec())).expect("calamine opens the workbook");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("the sheet reads");
    let formulas = book.worksheet_formula(&name).expect("formulas read");
    let formula_count = formulas.used_cells().filter(|(_, _, f)| !f.is_empty()).count();
    (range.rows().map(<[Data]>::to_vec).collect(), formula_count)
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("expected text, got {other:?}"),
    }
}

fn sheet_xml(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("a zip");
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml").expect("the sheet part").read_to_string(&mut xml).unwrap();
    xml
}

#[test]
fn phones_are_masked_to_first_three_and_last_four() {
    for (raw, masked) in [
        ("13800138000", "138****8000"),
        ("+86 138-0013-8000", "138****8000"),
        ("0086 13800138000", "138****8000"),
        ("86-138 0013 8000", "138****8000"),
        ("138 0013 8000", "138****8000"),
        ("１３８００１３８０００", "138****8000"),
        ("13800138000.0", "138****8000"),
        ("021-6888-1234", "021****1234"),
        ("+1 (415) 555-0100", "+141****0100"),
        ("68881234", "688*1234"),
        ("5550100", "*****00"),
        ("12345", "***45"),
        ("1234", "****"),
        ("n/a", "****"),
        ("138-0013-8000 转 12", "****"),
        ("", ""),
        ("   ", ""),
    ] {
        assert_eq!(mask_phone(raw), masked, "{raw:?}");
    }
}

#[test]
fn names_keep_the_surname_or_the_first_letter() {
    for (raw, masked) in [
        ("张伟", "张*"),
        ("王小明", "王**"),
        (" 李娜 ", "李*"),
        ("欧阳娜娜", "欧阳**"),
        ("司马光", "司马*"),
        ("诸葛孔明", "诸葛**"),
        ("欧阳", "欧*"),
        ("张", "*"),
        ("迪丽热巴·迪力木拉提", "迪***·*****"),
        ("Zhang Wei", "Z***"),
        ("li", "l***"),
        ("Ösel", "Ö***"),
        ("", ""),
    ] {
        assert_eq!(mask_name(raw), masked, "{raw:?}");
    }
}

#[test]
fn emails_keep_the_first_letter_and_the_domain() {
    for (raw, masked) in [
        ("zhang.wei@example.com", "z***@example.com"),
        (" Li.Na@Example.COM ", "L***@Example.COM"),
        ("a@b.cn", "a***@b.cn"),
        ("nobody", "****"),
        ("@example.com", "****"),
        ("x@", "****"),
        ("", ""),
    ] {
        assert_eq!(mask_email(raw), masked, "{raw:?}");
    }
}

#[test]
fn masking_is_on_by_default_and_spares_ids_and_plain_text() {
    let spec: ExportSpec = serde_json::from_str(
        r#"{"columns": [{"header": "会员ID", "kind": "id"}, {"header": "姓名", "kind": "name"},
            {"header": "手机号", "kind": "phone"}, {"header": "邮箱", "kind": "email"}, {"header": "城市"}]}"#,
    )
    .unwrap();
    assert!(spec.options.mask);
    assert_eq!(spec.options.format, FileFormat::Csv);
    let export = export_rows(&spec, [["M0001", "张伟", "13800138000", "zhang.wei@example.com", "上海"]]).unwrap();
    assert_eq!(csv_text(&export), "会员ID,姓名,手机号,邮箱,城市\r\nM0001,张*,138****8000,z***@example.com,上海\r\n");
    let mut unmasked = spec.clone();
    unmasked.options.mask = false;
    let export = export_rows(&unmasked, [["M0001", "张伟", "13800138000", "zhang.wei@example.com", "上海"]]).unwrap();
    assert_eq!(csv_records(&export)[1], ["M0001", "张伟", "13800138000", "zhang.wei@example.com", "上海"]);
}

#[test]
fn phones_hash_as_bare_11_digits_for_chinese_platforms() {
    for (algo, a, b) in [(HashAlgo::Md5, MD5_13800138000, MD5_13912345678), (HashAlgo::Sha256, SHA256_13800138000, SHA256_13912345678)] {
        let options = ExportOptions { hash: algo, ..ExportOptions::default() };
        let spec = spec(&[("会员ID", ColumnKind::Id), ("手机号", ColumnKind::Phone)], options);
        let rows = [
            ["M1", "13800138000"],
            ["M2", "+86 138-0013-8000"],
            ["M3", "0086 139 1234 5678"],
            ["M4", "８６１３９１２３４５６７８"],
            ["M5", "+1 415 555 0100"],
            ["M6", "021-6888-1234"],
            ["M7", ""],
        ];
        let export = export_rows(&spec, rows).unwrap();
        let records = csv_records(&export);
        let hashed = format!("手机号_{}", algo.key());
        assert_eq!(records[0], ["会员ID", hashed.as_str()]);
        let column: Vec<&str> = records[1..].iter().map(|r| r[1].as_str()).collect();
        assert_eq!(column, [a, a, b, b, "", "", ""], "{algo:?}");
        assert_eq!(export.report.unhashable, 3);
        assert_eq!(export.report.hashed, [hashed]);
        assert_eq!(export.report.rows, 7);
    }
}

#[test]
fn phones_hash_in_e164_for_google_customer_match() {
    let options = ExportOptions { hash: HashAlgo::Sha256, phone_form: PhoneForm::E164, ..ExportOptions::default() };
    let spec = spec(&[("phone", ColumnKind::Phone)], options);
    let export = export_rows(&spec, [["13800138000"], ["+86 138 0013 8000"], ["+1 (415) 555-0100"], ["021-6888-1234"]]).unwrap();
    let column: Vec<String> = csv_records(&export)[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(column, [SHA256_PLUS_8613800138000, SHA256_PLUS_8613800138000, SHA256_PLUS_14155550100, ""]);
    assert!(csv_text(&export).ends_with("\r\n\"\"\r\n"), "a lone empty field is quoted, not a blank line");

    let options = ExportOptions { hash: HashAlgo::Md5, phone_form: PhoneForm::E164, ..ExportOptions::default() };
    let export = export_rows(&self::spec(&[("phone", ColumnKind::Phone)], options), [["13800138000"]]).unwrap();
    assert_eq!(csv_records(&export)[1], [MD5_PLUS_8613800138000]);
}

#[test]
fn a_chosen_id_or_email_column_is_hashed_and_unhashable_rows_can_be_dropped() {
    let mut spec = spec(
        &[("会员ID", ColumnKind::Id), ("手机号", ColumnKind::Phone), ("email", ColumnKind::Email)],
        ExportOptions { hash: HashAlgo::Sha256, phone_form: PhoneForm::E164, ..ExportOptions::default() },
    );
    spec.columns[1].hash = true;
    spec.columns[2].hash = true;
    let rows = [
        vec!["M1", "13800138000", " Li.Na@Example.COM "],
        vec!["M2", "", "li.na@example.com"],
        vec!["M3", "n/a", "nobody"],
        vec!["M4", "+1 415 555 0100", ""],
    ];
    let export = export_rows(&spec, rows.clone()).unwrap();
    let records = csv_records(&export);
    assert_eq!(records[0], ["会员ID", "手机号_sha256", "email_sha256"]);
    assert_eq!(records[1], ["M1", SHA256_PLUS_8613800138000, SHA256_LI_NA_EXAMPLE_COM]);
    assert_eq!(records[2], ["M2", "", SHA256_LI_NA_EXAMPLE_COM]);
    assert_eq!(records[3], ["M3", "", ""]);
    assert_eq!(records[4], ["M4", SHA256_PLUS_14155550100, ""]);
    assert_eq!(export.report.unhashable, 4);

    spec.options.drop_unhashable = true;
    let export = export_rows(&spec, rows.clone()).unwrap();
    assert_eq!(export.report.rows, 3);
    assert_eq!(export.report.dropped, 1);
    assert_eq!(export.report.unhashable, 2);
    assert!(csv_records(&export).iter().all(|r| r[0] != "M3"));

    // Only the id column, chosen explicitly: the phone column is then masked, not hashed.
    let mut spec = self::spec(
        &[("会员ID", ColumnKind::Id), ("手机号", ColumnKind::Phone)],
        ExportOptions { hash: HashAlgo::Md5, ..ExportOptions::default() },
    );
    spec.columns[0].hash = true;
    let export = export_rows(&spec, [[" M0001 ", "13800138000"]]).unwrap();
    assert_eq!(csv_records(&export), [vec!["会员ID_md5", "手机号"], vec![MD5_M0001, "138****8000"]]);
}

#[test]
fn hashing_without_a_hash_column_and_rows_of_the_wrong_width_are_errors() {
    let options = ExportOptions { hash: HashAlgo::Md5, ..ExportOptions::default() };
    let err = export_rows(&spec(&[("会员ID", ColumnKind::Id)], options), [["M1"]]).unwrap_err();
    assert_eq!(err.code, "export_no_hash_column");
    let err = export_rows(&spec(&[("a", ColumnKind::Plain), ("b", ColumnKind::Plain)], ExportOptions::default()), [vec!["1"]]).unwrap_err();
    assert_eq!(err.code, "export_row_width");
    let err = export_rows(&spec(&[], ExportOptions::default()), Vec::<Vec<String>>::new()).unwrap_err();
    assert_eq!(err.code, "export_no_columns");
}

#[test]
fn csv_neutralises_every_dangerous_prefix() {
    let spec = spec(&[("备注", ColumnKind::Plain), ("=header", ColumnKind::Id)], ExportOptions::default());
    let rows: Vec<Vec<String>> = DANGEROUS.iter().map(|d| vec![d.to_string(), d.to_string()]).collect();
    let export = export_rows(&spec, rows).unwrap();
    let records = csv_records(&export);
    assert_eq!(records[0], ["备注", "'=header"]);
    for (record, raw) in records[1..].iter().zip(DANGEROUS) {
        for cell in record {
            assert_eq!(cell, &format!("'{raw}"), "{raw:?}");
        }
    }
    assert_eq!(export.report.neutralised, 1 + 2 * DANGEROUS.len() as u64);
    // Safe text is untouched.
    let export = export_rows(&spec, [["a=1", "1-2"]]).unwrap();
    assert_eq!(csv_records(&export)[1], ["a=1", "1-2"]);
}

#[test]
fn xlsx_neutralises_every_dangerous_prefix_and_writes_no_formula() {
    let options = ExportOptions { format: FileFormat::Xlsx, ..ExportOptions::default() };
    let spec = spec(&[("备注", ColumnKind::Plain), ("=header", ColumnKind::Id), ("phone", ColumnKind::Phone)], options);
    let rows: Vec<Vec<String>> = DANGEROUS.iter().map(|d| vec![d.to_string(), d.to_string(), "+1 415 555 0100".into()]).collect();
    let export = export_rows(&spec, rows).unwrap();
    assert_eq!(export.report.extension, "xlsx");
    assert!(export.bytes.starts_with(b"PK"));
    let (sheet, formulas) = xlsx_sheet(&export.bytes);
    assert_eq!(formulas, 0, "no cell is a formula");
    let xml = sheet_xml(&export.bytes);
    assert!(!xml.contains("<f>") && !xml.contains("<f "), "no formula element");
    assert_eq!(text(&sheet[0][1]), "'=header");
    for (row, raw) in sheet[1..].iter().zip(DANGEROUS) {
        assert_eq!(text(&row[0]), format!("'{raw}"), "{raw:?}");
        assert_eq!(text(&row[1]), format!("'{raw}"), "{raw:?}");
        assert!(text(&row[0]).starts_with('\''));
        // A masked foreign phone starts with `+` and is neutralised too.
        assert_eq!(text(&row[2]), "'+141****0100");
    }
    assert_eq!(sheet.len(), DANGEROUS.len() + 1);
}

#[test]
fn numeric_columns_stay_numbers_and_everything_else_is_text() {
    let options = ExportOptions { format: FileFormat::Xlsx, ..ExportOptions::default() };
    let spec = spec(&[("会员ID", ColumnKind::Id), ("消费金额", ColumnKind::Number)], options);
    let rows = [["00123", "-12.5"], ["13800138000", "1200"], ["M3", "-1+2"], ["M4", "1e5"], ["M5", ""], ["M6", "007"]];
    let export = export_rows(&spec, rows).unwrap();
    let (sheet, formulas) = xlsx_sheet(&export.bytes);
    assert_eq!(formulas, 0);
    assert_eq!(sheet[1][0], Data::String("00123".into()), "ids keep their leading zeros");
    assert_eq!(sheet[1][1], Data::Float(-12.5));
    assert_eq!(sheet[2][0], Data::String("13800138000".into()), "long ids stay text");
    assert_eq!(sheet[2][1], Data::Float(1200.0));
    assert_eq!(sheet[3][1], Data::String("'-1+2".into()));
    assert_eq!(sheet[4][1], Data::String("1e5".into()));
    assert_eq!(sheet[5][1], Data::Empty);
    assert_eq!(sheet[6][1], Data::String("007".into()));

    let csv_spec = ExportSpec { options: ExportOptions::default(), ..spec };
    let export = export_rows(&csv_spec, rows).unwrap();
    let records = csv_records(&export);
    assert_eq!(records[1], ["00123", "-12.5"], "a plain negative number is not neutralised");
    assert_eq!(records[3], ["M3", "'-1+2"]);
}

#[test]
fn csv_has_a_bom_crlf_and_rfc_4180_quoting() {
    let spec = spec(&[("name, full", ColumnKind::Plain), ("note", ColumnKind::Plain)], ExportOptions::default());
    let export = export_rows(&spec, [["a,b", "say \"hi\""], ["line\nbreak", "cr\rhere"], ["", " spaced "]]).unwrap();
    assert!(export.bytes.starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(export.report.extension, "csv");
    assert_eq!(export.report.mime, "text/csv");
    assert_eq!(
        csv_text(&export),
        "\"name, full\",note\r\n\"a,b\",\"say \"\"hi\"\"\"\r\n\"line\nbreak\",\"cr\rhere\"\r\n,\" spaced \"\r\n",
        "edge spaces are quoted so trimming readers keep them"
    );
    assert_eq!(csv_records(&export)[2], ["line\nbreak", "cr\rhere"]);
}

#[test]
fn chinese_text_round_trips_through_utf8_gbk_and_xlsx() {
    let columns = [("姓名", ColumnKind::Plain), ("城市", ColumnKind::Plain), ("标签", ColumnKind::Plain)];
    let rows = [["张伟", "上海市", "高价值会员,沉默会员"], ["欧阳娜娜", "乌鲁木齐", "“Z世代”"], ["𠀋", "😀", "_x000D_ and \r"]];

    let export = export_rows(&spec(&columns, ExportOptions::default()), rows).unwrap();
    let records = csv_records(&export);
    for (record, row) in records[1..].iter().zip(rows) {
        assert_eq!(record, &row);
    }

    let gbk = ExportOptions { encoding: CsvEncoding::Gbk, ..ExportOptions::default() };
    let export = export_rows(&spec(&columns, gbk), &rows[..2]).unwrap();
    assert!(!export.bytes.starts_with(b"\xEF\xBB\xBF"), "no BOM in GBK");
    assert!(export.bytes.starts_with(b"\xD0\xD5\xC3\xFB"), "姓名 in GBK");
    let (decoded, _, errors) = encoding_rs::GBK.decode(&export.bytes);
    assert!(!errors);
    assert_eq!(decoded, "姓名,城市,标签\r\n张伟,上海市,\"高价值会员,沉默会员\"\r\n欧阳娜娜,乌鲁木齐,“Z世代”\r\n");
    assert_eq!(export.report.unencodable, 0);
    let gbk = ExportOptions { encoding: CsvEncoding::Gbk, ..ExportOptions::default() };
    let export = export_rows(&spec(&[("x", ColumnKind::Plain)], gbk), [["张😀"]]).unwrap();
    assert_eq!(export.report.unencodable, 1);
    assert_eq!(encoding_rs::GBK.decode(&export.bytes).0, "x\r\n张?\r\n");

    let xlsx = ExportOptions { format: FileFormat::Xlsx, sheet: "唤醒对象".into(), ..ExportOptions::default() };
    let export = export_rows(&spec(&columns, xlsx), rows).unwrap();
    let book = Xlsx::new(Cursor::new(export.bytes.clone())).unwrap();
    assert_eq!(book.sheet_names(), ["唤醒对象"]);
    let (sheet, _) = xlsx_sheet(&export.bytes);
    assert_eq!(sheet[0].iter().map(text).collect::<Vec<_>>(), ["姓名", "城市", "标签"]);
    for (cells, row) in sheet[1..].iter().zip(rows) {
        assert_eq!(cells.iter().map(text).collect::<Vec<_>>(), row);
    }
}

#[test]
fn xlsx_is_deterministic_and_checks_excel_limits() {
    let options = ExportOptions { format: FileFormat::Xlsx, ..ExportOptions::default() };
    let spec = spec(&[("会员ID", ColumnKind::Id), ("备注", ColumnKind::Plain)], options);
    let rows = [["M1", "a"], ["M2", "b"]];
    assert_eq!(export_rows(&spec, rows).unwrap().bytes, export_rows(&spec, rows).unwrap().bytes);

    let long = "长".repeat(40_000);
    let export = export_rows(&spec, [["M1", long.as_str()]]).unwrap();
    assert_eq!(export.report.truncated, 1);
    let (sheet, _) = xlsx_sheet(&export.bytes);
    assert_eq!(text(&sheet[1][1]).chars().count(), 32_767);

    let one = ExportSpec { columns: vec![Column::new("id", ColumnKind::Id)], options: spec.options.clone() };
    let err = export_rows(&one, (0..1_048_576).map(|_| ["1"])).unwrap_err();
    assert_eq!(err.code, "xlsx_too_many_rows");
    let export = export_rows(&one, (0..1_048_575).map(|_| ["1"])).unwrap();
    assert_eq!(export.report.rows, 1_048_575);
}

#[test]
fn the_export_log_entry_records_when_what_and_how() {
    let mut spec = spec(
        &[("会员ID", ColumnKind::Id), ("手机号", ColumnKind::Phone), ("姓名", ColumnKind::Name)],
        ExportOptions { hash: HashAlgo::Sha256, drop_unhashable: true, ..ExportOptions::default() },
    );
    spec.columns[1].hash = true;
    let export = export_rows(&spec, [["M1", "13800138000", "张伟"], ["M2", "", "李娜"]]).unwrap();
    let entry = ExportLogEntry::new("2025-05-24T14:35:19+08:00", "唤醒对象", &spec.options, &export.report);
    let json = serde_json::to_value(&entry).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "at": "2025-05-24T14:35:19+08:00",
            "audience": "唤醒对象",
            "version": null,
            "rows": 1,
            "columns": ["会员ID", "手机号_sha256", "姓名"],
            "mask": true,
            "hash": "sha256",
            "phoneForm": "national",
            "hashed": ["手机号_sha256"],
            "dropped": 1,
            "format": "csv",
            "encoding": "utf8_bom"
        })
    );
    let back: ExportLogEntry = serde_json::from_value(json).unwrap();
    assert_eq!(back, entry);
    let report = serde_json::to_value(&export.report).unwrap();
    assert_eq!(report["rows"], 1);
    assert_eq!(report["mime"], "text/csv");
}
