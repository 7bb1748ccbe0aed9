//! A workbook of any bytes (the corpus starts from real ones) through the zip directory check, calamine and the
//! cell-by-cell sheet reader, within a small memory budget.
#![no_main]
use huaxiang::ingest::xlsx::read_sheet_within;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read_sheet_within(data, None, 32 << 20);
});
