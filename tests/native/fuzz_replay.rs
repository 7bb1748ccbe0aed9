//! The stable half of `make fuzz` (issue 16): every input the fuzzers found a crash with (kept in
//! `tests/fixtures/fuzz/TARGET/`) is replayed through the same entry points, and a bounded run of random inputs
//! goes through them on every `cargo test`, so a fixed crash stays fixed without the nightly toolchain.

use huaxiang::base::roles::FileKind;
use huaxiang::engine::Workspace;
use proptest::prelude::*;

/// What the `csv_file` and `jsonl_file` targets do with one input.
fn load_file(name: &str, data: &[u8]) {
    let Some((&chunk, bytes)) = data.split_first() else { return };
    let mut ws = Workspace::new();
    let _ = ws.preview(name, bytes, true, &Default::default());
    for kind in [Some(FileKind::Orders), Some(FileKind::Members), None] {
        let _ = ws.load_bytes(name, kind, bytes, usize::from(chunk).max(1));
    }
    let _ = ws.compute(None);
}

/// What the `rules` and `tag_pack` targets do with one input.
fn rules(data: &[u8], pack: bool) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut ws = Workspace::new();
    let orders = b"member_id,order_time,amount,category\nM1,2025-05-01,10.50,A\nM2,2025-05-02,3,B\nM1,2025-06-01,-2,A\n";
    let _ = ws.load_bytes("o.csv", None, orders, 64);
    let _ = ws.compute(None);
    if pack {
        let _ = ws.import_pack(text, false);
    } else {
        ws.import_rules(text, "", "fuzz");
        let _ = ws.audience_count(text);
    }
    let _ = ws.tags();
}

#[test]
fn every_crash_the_fuzzers_found_stays_fixed() {
    let root = crate::fixture("fuzz");
    let mut replayed = 0;
    for target in ["csv_file", "jsonl_file", "xlsx_file", "values", "rules", "tag_pack"] {
        let Ok(dir) = std::fs::read_dir(root.join(target)) else { continue };
        for entry in dir {
            let data = std::fs::read(entry.unwrap().path()).unwrap();
            match target {
                "csv_file" => load_file("f.csv", &data),
                "jsonl_file" => load_file("f.jsonl", &data),
                "xlsx_file" => drop(huaxiang::ingest::xlsx::read_sheet_within(&data, None, 32 << 20)),
                "values" => {
                    let text = String::from_utf8_lossy(&data);
                    let _ = huaxiang::base::values::parse_timestamp(&text);
                    let _ = huaxiang::base::values::parse_amount(&text);
                }
                "rules" => rules(&data, false),
                _ => rules(&data, true),
            }
            replayed += 1;
        }
    }
    eprintln!("fuzz: {replayed} saved inputs replayed");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_files_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600), csv_like in "[a-z0-9,\"\n\r\t ;|=+-]{0,300}") {
        load_file("f.csv", &data);
        load_file("f.jsonl", &data);
        let mut text = vec![7u8];
        text.extend_from_slice(format!("member_id,order_time,amount\n{csv_like}").as_bytes());
        load_file("f.csv", &text);
    }

    #[test]
    fn random_rules_and_packs_never_panic(text in "[a-z0-9 ()\\[\\]\"=<>!,.#{}:`\n]{0,200}") {
        rules(text.as_bytes(), false);
        rules(text.as_bytes(), true);
    }
}
