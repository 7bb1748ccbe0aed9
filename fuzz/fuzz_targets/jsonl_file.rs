//! A JSON Lines file of any bytes through the JSON Lines reader as orders.
#![no_main]
use huaxiang::base::roles::FileKind;
use huaxiang::engine::Workspace;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut ws = Workspace::new();
    let _ = ws.preview("f.jsonl", data, true, &Default::default());
    let _ = ws.load_bytes("f.jsonl", Some(FileKind::Orders), data, 4096);
    let _ = ws.compute(None);
});
