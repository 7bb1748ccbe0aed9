//! Hostile workbooks (issue 16): a sheet that declares the largest dimension Excel allows, and a zip bomb, are
//! answered with a clear message before memory is allocated, and leave what was loaded before intact.

use huaxiang::engine::Workspace;
use huaxiang::ingest::xlsx::{read_sheet, read_sheet_within};
use std::io::{Read, Write};

/// The parts of a workbook, by name.
fn parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().to_string(), data)
        })
        .collect()
}

/// A workbook from its parts.
fn workbook(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in parts {
        out.start_file(name.as_str(), options).unwrap();
        out.write_all(data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The fixture workbook with its first sheet's XML changed by `f`.
fn with_sheet(f: impl Fn(&str) -> String) -> Vec<u8> {
    let bytes = std::fs::read(crate::fixture("formats/orders.xlsx")).unwrap();
    let mut p = parts(&bytes);
    let sheet = p.iter_mut().find(|(n, _)| n.starts_with("xl/worksheets/") && n.ends_with(".xml")).expect("a sheet");
    sheet.1 = f(&String::from_utf8(sheet.1.clone()).unwrap()).into_bytes();
    workbook(&p)
}

#[test]
fn a_declared_huge_dimension_allocates_nothing() {
    let plain = read_sheet(&std::fs::read(crate::fixture("formats/orders.xlsx")).unwrap(), None).unwrap();
    let huge = with_sheet(|xml| match xml.find("<dimension") {
        Some(i) => {
            let end = i + xml[i..].find("/>").unwrap() + 2;
            format!("{}<dimension ref=\"A1:XFD1048576\"/>{}", &xml[..i], &xml[end..])
        }
        None => xml.replacen("<sheetData", "<dimension ref=\"A1:XFD1048576\"/><sheetData", 1),
    });
    assert!(huge.len() < 64 << 10, "a small file");
    let read = read_sheet(&huge, None).unwrap();
    assert_eq!(read.1, plain.1, "the same rows as without the dimension");
}

#[test]
fn a_zip_bomb_is_refused_by_its_declared_size_and_earlier_data_stays() {
    // 64 MB of white space inside the sheet compresses to about 64 KB.
    let bomb = with_sheet(|xml| xml.replacen("<sheetData", &format!("{}<sheetData", " ".repeat(64 << 20)), 1));
    assert!(bomb.len() < 1 << 20, "{} bytes", bomb.len());
    let e = read_sheet_within(&bomb, None, 16 << 20).unwrap_err();
    assert_eq!(e.code, "xlsx_too_large");
    assert!(e.zh.contains("MB") && e.en.contains("MB"), "{e}");
    assert!(e.en.len() < 500 && e.zh.chars().count() < 500);

    // In the workspace: the budget follows the tab's memory limit; orders loaded before stay.
    let mut ws = Workspace::new();
    let orders = std::fs::read(crate::fixture("rfm_small.csv")).unwrap();
    ws.load_bytes("rfm_small.csv", None, &orders, 4096).unwrap();
    let before = ws.data().orders.len();
    ws.set_memory_limit(48 << 20);
    let e = ws.load_workbook("bomb.xlsx", &bomb, Default::default()).unwrap_err();
    assert_eq!(e.code, "xlsx_too_large");
    assert_eq!(ws.data().orders.len(), before);
    assert!(ws.compute(None).is_ok());
}
