//! Tag packs (JSON) of any shape through the importer: refused with a message or imported, never a panic.
#![no_main]
use huaxiang::engine::Workspace;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut ws = Workspace::new();
    if ws.import_pack(text, false).is_ok() {
        let _ = ws.tags();
        let _ = ws.export_pack();
    }
});
