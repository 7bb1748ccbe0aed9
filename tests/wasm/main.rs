//! Boundary tests of the JS binding, run in headless Chromium by wasm-bindgen-test.
#![cfg(target_arch = "wasm32")]

use huaxiang::wasm::{sample_orders_csv, JsWorkspace};
use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const GBK_ORDERS: &[u8] = include_bytes!("../fixtures/rfm_small_gbk.csv");

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap()
}

fn num(v: &JsValue, key: &str) -> f64 {
    get(v, key).as_f64().unwrap_or_else(|| panic!("{key} is a number"))
}

#[wasm_bindgen_test]
fn chunks_in_plain_objects_out() {
    let mut ws = JsWorkspace::new();
    ws.begin_file("orders.csv", JsValue::UNDEFINED).unwrap();
    for chunk in GBK_ORDERS.chunks(50) {
        ws.push(chunk).unwrap();
    }
    let report = ws.finish_file().unwrap();
    assert_eq!(get(&report, "encoding").as_string().unwrap(), "GBK");
    assert_eq!((num(&report, "rowsRead"), num(&report, "rowsSkipped")), (29.0, 2.0));
    let problems: js_sys::Array = get(&report, "problems").dyn_into().unwrap();
    assert_eq!(num(&problems.get(0), "line"), 29.0);
    let summary = ws.compute(None).unwrap();
    assert_eq!(get(&summary, "asOf").as_string().unwrap(), "2025-07-01");
    let segments: js_sys::Array = get(&summary, "segments").dyn_into().unwrap();
    let counts: Vec<f64> = segments.iter().map(|s| num(&s, "count")).collect();
    assert_eq!(counts, vec![1.0, 1.0, 1.0, 1.0, 2.0, 0.0, 2.0, 2.0]);
    let grid = get(&get(&summary, "grid"), "counts");
    assert!(js_sys::Array::is_array(&grid));
    let page = ws.member_page(0, 3, Some("id".into()), Some(false)).unwrap();
    let rows: js_sys::Array = get(&page, "rows").dyn_into().unwrap();
    assert_eq!(rows.length(), 3);
    assert_eq!(get(&rows.get(0), "id").as_string().unwrap(), "00101");
    assert_eq!(get(&rows.get(0), "segmentZh").as_string().unwrap(), "重要价值客户");
}

#[wasm_bindgen_test]
fn errors_are_js_errors_with_code_and_both_languages() {
    let mut ws = JsWorkspace::new();
    let err = ws.compute(None).unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(get(&err, "code").as_string().unwrap(), "no_orders");
    assert!(get(&err, "zh").as_string().unwrap().contains("订单"));
    ws.begin_file("orders.csv", JsValue::from_str("orders")).unwrap();
    ws.push(GBK_ORDERS).unwrap();
    ws.finish_file().unwrap();
    let bad = ws.compute(Some("2025-13-01".into())).unwrap_err();
    assert_eq!(get(&bad, "code").as_string().unwrap(), "bad_date");
    ws.begin_file("bad.csv", JsValue::from_str("orders")).unwrap();
    // The delimiter is sniffed from the first 50 lines, so a short file's header is judged at the end.
    ws.push(b"foo,bar\n1,2\n").unwrap();
    let header = ws.finish_file().unwrap_err();
    assert_eq!(get(&header, "code").as_string().unwrap(), "missing_column");
    // The failed file is closed and the earlier one is intact.
    assert_eq!(js_sys::Array::from(&ws.files().unwrap()).length(), 1);
    assert!(ws.begin_file("again.csv", JsValue::from_str("weird")).is_err());
}

#[wasm_bindgen_test]
fn the_sample_is_deterministic_bytes() {
    let a = sample_orders_csv(1, 200);
    assert_eq!(a, sample_orders_csv(1, 200));
    assert!(std::str::from_utf8(&a).unwrap().starts_with("订单号,会员编号"));
}
