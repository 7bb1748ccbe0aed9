//! A text file of any bytes, in any chunking, through the encoding sniffer, the CSV reader and typed staging as
//! an orders file and as a members file; then RFM. Nothing may panic, and a file that loads computes.
#![no_main]
use huaxiang::base::roles::FileKind;
use huaxiang::engine::Workspace;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, bytes)) = data.split_first() else { return };
    let chunk = usize::from(chunk).max(1);
    let mut ws = Workspace::new();
    let _ = ws.preview("f.csv", bytes, true, &Default::default());
    for kind in [Some(FileKind::Orders), Some(FileKind::Members), None] {
        let _ = ws.load_bytes("f.csv", kind, bytes, chunk);
    }
    let _ = ws.compute(None);
});
