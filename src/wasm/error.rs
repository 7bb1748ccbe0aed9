//! Conversion of core results into JS values: the one place where a core [`Error`] becomes a JS `Error` (by
//! `From`, so every binding method ends in `?`), and where request objects are read.

use crate::error::Error;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// A core error as a JS `Error` with `code`, `zh` and `en` properties (`message` is the English text).
impl From<Error> for JsValue {
    fn from(e: Error) -> JsValue {
        let err = js_sys::Error::new(&e.en);
        let obj: &JsValue = err.as_ref();
        // Setting a property on a fresh Error object cannot fail.
        let _ = js_sys::Reflect::set(obj, &"code".into(), &e.code.into());
        let _ = js_sys::Reflect::set(obj, &"zh".into(), &e.zh.as_str().into());
        let _ = js_sys::Reflect::set(obj, &"en".into(), &e.en.as_str().into());
        err.into()
    }
}

/// A DTO as a plain JS object (maps become objects, 64-bit integers become numbers).
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))
}

/// Reads a request object, or fails with `bad_request` and a message naming it (`what_zh` / `what_en`).
pub fn request<T: DeserializeOwned>(value: JsValue, what_zh: &str, what_en: &str) -> Result<T, Error> {
    serde_wasm_bindgen::from_value(value).map_err(|e| Error::bad_request(what_zh, what_en, &e.to_string()))
}
