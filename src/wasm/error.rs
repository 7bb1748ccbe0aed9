//! Conversion of core results into JS values: one place where errors become JS `Error`s.

use serde::Serialize;
use wasm_bindgen::JsValue;

/// A core error as a JS `Error` with `code`, `zh` and `en` properties (`message` is the English text).
pub fn to_js_error(e: crate::error::Error) -> JsValue {
    let err = js_sys::Error::new(&e.en);
    let obj: &JsValue = err.as_ref();
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(obj, &"code".into(), &e.code.into());
    let _ = js_sys::Reflect::set(obj, &"zh".into(), &e.zh.as_str().into());
    let _ = js_sys::Reflect::set(obj, &"en".into(), &e.en.as_str().into());
    err.into()
}

/// A DTO as a plain JS object (maps become objects, 64-bit integers become numbers).
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))
}

/// A user-facing error raised in the binding itself (a bad argument).
pub fn bad_argument(code: &'static str, zh: String, en: String) -> JsValue {
    to_js_error(crate::error::Error::new(code, zh, en))
}
