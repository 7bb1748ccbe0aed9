//! Rule text of any shape through the lexer, parser, checker and evaluator over a small dataset: compiling never
//! panics and every diagnostic has a span inside the text.
#![no_main]
use huaxiang::engine::Workspace;
use libfuzzer_sys::fuzz_target;

const ORDERS: &[u8] = b"member_id,order_time,amount,category\nM1,2025-05-01,10.50,A\nM2,2025-05-02,3,B\nM1,2025-06-01,-2,A\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (_, diagnostics) = huaxiang::rules::parser::parse_program(text);
    for d in &diagnostics {
        assert!(d.span.end as usize <= text.len(), "{d:?}");
    }
    let mut ws = Workspace::new();
    let _ = ws.load_bytes("o.csv", None, ORDERS, 64);
    let _ = ws.compute(None);
    ws.import_rules(text, "", "fuzz");
    let _ = ws.tags();
    let _ = ws.audience_count(text);
});
