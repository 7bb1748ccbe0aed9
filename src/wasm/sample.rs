//! The built-in sample files, as bytes for the same loading path as an upload.

use wasm_bindgen::prelude::*;

/// The sample member file: a UTF-8 CSV with Chinese headers, identical for the same seed and size.
///
/// ```js
/// const bytes = sampleMembersCsv(20250601, 2000); // Uint8Array
/// const file = new File([bytes], 'sample_members.csv');
/// ```
#[wasm_bindgen(js_name = sampleMembersCsv)]
pub fn sample_members_csv(seed: u32, members: u32) -> Vec<u8> {
    crate::sample::members_csv(u64::from(seed), u64::from(members))
}

/// The sample order file for the same members.
///
/// ```js
/// const bytes = sampleOrdersCsv(20250601, 2000);
/// ```
#[wasm_bindgen(js_name = sampleOrdersCsv)]
pub fn sample_orders_csv(seed: u32, members: u32) -> Vec<u8> {
    crate::sample::orders_csv(u64::from(seed), u64::from(members))
}

/// The sample behaviour events for the same members (views, add-to-cart, favourites, shares).
///
/// ```js
/// const bytes = sampleEventsCsv(20250601, 2000);
/// ```
#[wasm_bindgen(js_name = sampleEventsCsv)]
pub fn sample_events_csv(seed: u32, members: u32) -> Vec<u8> {
    crate::sample::events_csv(u64::from(seed), u64::from(members))
}
