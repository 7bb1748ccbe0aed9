//! `Workspace`: files in by chunks, RFM results out as small objects.

use super::error::{bad_argument, to_js, to_js_error};
use crate::engine::{SortKey, Workspace};
use crate::ingest::mapping::FileKind;
use crate::ingest::LoadOptions;
use crate::model::date::Day;
use wasm_bindgen::prelude::*;

/// A workspace holding loaded files and computed results inside wasm memory.
///
/// ```js
/// import init, { Workspace } from './pkg/huaxiang.js';
/// await init();
/// const ws = new Workspace();
/// ws.beginFile('orders.csv');                 // kind detected from the header
/// for await (const chunk of file.stream()) ws.push(chunk);
/// const report = ws.finishFile();             // { rowsRead, rowsSkipped, columns, problems, … }
/// const summary = ws.compute();               // { asOf, buyers, segments, grid, … }
/// const page = ws.memberPage(0, 50, 'monetary', true);
/// ```
#[wasm_bindgen(js_name = Workspace)]
#[repr(transparent)]
pub struct JsWorkspace(Workspace);

#[wasm_bindgen(js_class = Workspace)]
impl JsWorkspace {
    /// An empty workspace.
    ///
    /// ```js
    /// const ws = new Workspace();
    /// ```
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> JsWorkspace {
        JsWorkspace(Workspace::new())
    }

    /// Starts reading a file. `kind` is `"orders"`, `"members"` or omitted to detect it from the header.
    /// Throws if another file is still open.
    ///
    /// ```js
    /// ws.beginFile('会员.csv', 'members');
    /// ```
    #[wasm_bindgen(js_name = beginFile)]
    pub fn begin_file(&mut self, name: &str, kind: Option<String>) -> Result<(), JsValue> {
        let kind = match kind.as_deref() {
            None | Some("") => None,
            Some(k) => Some(FileKind::parse(k).ok_or_else(|| {
                bad_argument("bad_kind", format!("未知的文件类型“{k}”。"), format!("Unknown file kind “{k}”; use orders or members."))
            })?),
        };
        self.0.begin_file(name, LoadOptions { kind, ..LoadOptions::default() }).map_err(to_js_error)
    }

    /// Feeds the next chunk of the open file; returns the number of data rows parsed so far.
    /// Throws (and closes the file) when the header shows the file cannot be used.
    ///
    /// ```js
    /// const reader = file.stream().getReader();
    /// for (let r = await reader.read(); !r.done; r = await reader.read()) ws.push(r.value);
    /// ```
    pub fn push(&mut self, chunk: &[u8]) -> Result<f64, JsValue> {
        self.0.push(chunk).map(|n| n as f64).map_err(to_js_error)
    }

    /// The open file's report so far (its detected columns once the header is read), or `null`.
    ///
    /// ```js
    /// const partial = ws.openReport(); // { columns: [{ header, role }], rowsRead, … }
    /// ```
    #[wasm_bindgen(js_name = openReport)]
    pub fn open_report(&self) -> Result<JsValue, JsValue> {
        match self.0.open_report() {
            Some(r) => to_js(r),
            None => Ok(JsValue::NULL),
        }
    }

    /// Finishes the open file and merges it; returns its report. On error nothing loaded before is lost.
    ///
    /// ```js
    /// const { rowsRead, rowsLoaded, rowsSkipped, problems } = ws.finishFile();
    /// ```
    #[wasm_bindgen(js_name = finishFile)]
    pub fn finish_file(&mut self) -> Result<JsValue, JsValue> {
        let report = self.0.finish_file().map_err(to_js_error)?;
        to_js(&report)
    }

    /// Drops the open file; everything loaded before stays.
    ///
    /// ```js
    /// ws.cancelFile();
    /// ```
    #[wasm_bindgen(js_name = cancelFile)]
    pub fn cancel_file(&mut self) {
        self.0.cancel_file();
    }

    /// The reports of every loaded file.
    ///
    /// ```js
    /// for (const f of ws.files()) console.log(f.name, f.rowsLoaded);
    /// ```
    pub fn files(&self) -> Result<JsValue, JsValue> {
        to_js(&self.0.files())
    }

    /// Computes RFM as of `asOf` (`"YYYY-MM-DD"`; default: the day after the latest order) and returns the summary.
    ///
    /// ```js
    /// const s = ws.compute('2025-07-01');
    /// s.segments.forEach(seg => console.log(seg.zh, seg.count));
    /// ```
    pub fn compute(&mut self, as_of: Option<String>) -> Result<JsValue, JsValue> {
        let day = match as_of.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(Day::parse_iso(text).ok_or_else(|| {
                bad_argument(
                    "bad_date",
                    format!("分析日期“{text}”无效，请用 YYYY-MM-DD。"),
                    format!("The analysis date “{text}” is not valid; use YYYY-MM-DD."),
                )
            })?),
        };
        let summary = self.0.compute(day).map_err(to_js_error)?;
        to_js(&summary)
    }

    /// One page of the member table of the last computation.
    /// `sort` is `"id"`, `"recency"`, `"frequency"`, `"monetary"` (default) or `"segment"`.
    ///
    /// ```js
    /// const { total, rows } = ws.memberPage(0, 50, 'monetary', true);
    /// ```
    #[wasm_bindgen(js_name = memberPage)]
    pub fn member_page(&self, offset: u32, limit: u32, sort: Option<String>, descending: Option<bool>) -> Result<JsValue, JsValue> {
        let key = match sort.as_deref() {
            None | Some("") => SortKey::Monetary,
            Some(s) => {
                SortKey::parse(s).ok_or_else(|| bad_argument("bad_sort", format!("不能按“{s}”排序。"), format!("Cannot sort by “{s}”.")))?
            }
        };
        let page = self.0.member_page(offset as usize, limit as usize, key, descending.unwrap_or(true)).map_err(to_js_error)?;
        to_js(&page)
    }

    /// Forgets every file and result.
    ///
    /// ```js
    /// ws.reset();
    /// ```
    pub fn reset(&mut self) {
        self.0.reset();
    }
}
