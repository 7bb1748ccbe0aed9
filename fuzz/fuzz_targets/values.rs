//! Date and amount parsing, and identifier normalisation, on any text: no panic, and what parses formats back.
#![no_main]
use huaxiang::base::ids::IdKind;
use huaxiang::base::values::{format_amount, parse_amount, parse_timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = parse_timestamp(text);
    if let Some(units) = parse_amount(text) {
        assert_eq!(parse_amount(&format_amount(units)), Some(units), "{text:?}");
    }
    for kind in IdKind::ALL {
        let _ = kind.normalise(text);
    }
});
