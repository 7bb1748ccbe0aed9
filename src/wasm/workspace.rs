//! `Workspace`: files in by chunks, RFM results out as small objects.

use super::error::{request, to_js};
use crate::base::date::Day;
use crate::base::roles::FileKind;
use crate::engine::{SortKey, Workspace};
use crate::error::Error;
use crate::identity::IdentityRule;
use crate::ingest::LoadOptions;
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
pub struct JsWorkspace(pub(super) Workspace);

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

    /// Starts reading a text file (CSV/TSV or JSON Lines). The second argument is either a kind (`"orders"`,
    /// `"members"`, `"events"`, `"identity"`), or an options object — every field optional:
    /// `{ kind, format, encoding, delimiter, hasHeader, roles, dateOrder }` where `roles` gives each column's role
    /// (`"member_id"`, `"order_time"`, … or `null`), or nothing to detect everything. Throws if another file is open.
    ///
    /// ```js
    /// ws.beginFile('会员.csv', 'members');
    /// ws.beginFile('export.txt', { encoding: 'gbk', delimiter: '\t', roles: ['member_id', null, 'phone'] });
    /// ```
    #[wasm_bindgen(js_name = beginFile)]
    pub fn begin_file(&mut self, name: &str, options: JsValue) -> Result<(), JsValue> {
        let options = load_options(options)?;
        Ok(self.0.begin_file(name, options)?)
    }

    /// Looks at a file before loading it: pass its first bytes (say 1 MiB; the whole file for a workbook) and
    /// whether that is all of it. Returns `{ report, rows, sheets, error }`: the detected format, encoding,
    /// delimiter, header, kind and proposed column roles (in `report`), the first rows, a workbook's sheet names,
    /// and why the file could not load with this mapping, if so. Options as for `beginFile` override detection.
    ///
    /// ```js
    /// const head = new Uint8Array(await file.slice(0, 1 << 20).arrayBuffer());
    /// const p = ws.preview(file.name, head, file.size <= head.length);
    /// p.report.columns.forEach(c => console.log(c.header, c.role, c.source));
    /// ```
    pub fn preview(&self, name: &str, bytes: &[u8], complete: bool, options: JsValue) -> Result<JsValue, JsValue> {
        let options = load_options(options)?;
        let preview = self.0.preview(name, bytes, complete, &options)?;
        to_js(&preview)
    }

    /// Loads a sheet of an XLSX workbook in one call (`options.sheet`, default the first sheet); returns its report.
    ///
    /// ```js
    /// const bytes = new Uint8Array(await file.arrayBuffer());
    /// const report = ws.loadWorkbook(file.name, bytes, { sheet: '会员', kind: 'members' });
    /// ```
    #[wasm_bindgen(js_name = loadWorkbook)]
    pub fn load_workbook(&mut self, name: &str, bytes: &[u8], options: JsValue) -> Result<JsValue, JsValue> {
        let options = load_options(options)?;
        let report = self.0.load_workbook(name, bytes, options)?;
        to_js(&report)
    }

    /// The cleaning settings and the data's time zone (docs/ingest.md, "Cleaning"): `{ timeZone: { name, offsets },
    /// idNumberForm, placeholderId, duplicateRow, implausibleDate, implausibleBirthday, valueVariant, earliest,
    /// asOf }`.
    ///
    /// ```js
    /// const c = ws.cleaning(); // { timeZone: { name: 'UTC', offsets: [] }, placeholderId: true, … }
    /// ```
    pub fn cleaning(&self) -> Result<JsValue, JsValue> {
        to_js(self.0.cleaning())
    }

    /// Sets the cleaning settings for files loaded from now on (every field optional: a missing one takes its
    /// default). The page reloads the files it keeps so that a change applies to them.
    ///
    /// ```js
    /// ws.setCleaning({ timeZone: { name: 'Asia/Shanghai', offsets: [[-9007199254740991, 28800]] }, placeholderId: false });
    /// ```
    #[wasm_bindgen(js_name = setCleaning)]
    pub fn set_cleaning(&mut self, settings: JsValue) -> Result<(), JsValue> {
        let settings: crate::ingest::clean::Cleaning = request(settings, "清洗设置", "cleaning settings")?;
        self.0.set_cleaning(settings);
        Ok(())
    }

    /// The identity rule: `{ link: [...], unique: [...] }` with kinds `member`, `phone`, `union_id`, `open_id`,
    /// `device`, `email`.
    ///
    /// ```js
    /// const rule = ws.identityRule(); // { link: ['member','phone',…], unique: ['member'] }
    /// ```
    #[wasm_bindgen(js_name = identityRule)]
    pub fn identity_rule(&self) -> Result<JsValue, JsValue> {
        to_js(self.0.identity_rule())
    }

    /// Sets which identifiers link people and which may appear once per person; re-links what is loaded.
    ///
    /// ```js
    /// ws.setIdentityRule({ link: ['member', 'device'], unique: ['member'] }); // phones no longer join people
    /// ```
    #[wasm_bindgen(js_name = setIdentityRule)]
    pub fn set_identity_rule(&mut self, rule: JsValue) -> Result<(), JsValue> {
        let rule: IdentityRule = request(rule, "身份规则", "identity rule")?;
        self.0.set_identity_rule(rule);
        Ok(())
    }

    /// Sets the memory budget in bytes (default 3 GiB). A file whose projected size would exceed it is stopped
    /// early with a `file_too_large` error that names it and suggests the command line or splitting; pass the
    /// file's `size` in the `beginFile` options so the projection can be made.
    ///
    /// ```js
    /// ws.setMemoryLimit(2 * 1024 ** 3);
    /// ws.beginFile(file.name, { size: file.size });
    /// ```
    #[wasm_bindgen(js_name = setMemoryLimit)]
    pub fn set_memory_limit(&mut self, bytes: f64) {
        self.0.set_memory_limit(bytes.max(0.0) as u64);
    }

    /// Memory held by the loaded data: `{ bytes, parts, perMember, perOrder, perEvent }`.
    ///
    /// ```js
    /// console.log(ws.memory().perOrder.toFixed(1), 'bytes per order');
    /// ```
    pub fn memory(&self) -> Result<JsValue, JsValue> {
        to_js(&self.0.memory())
    }

    /// Feeds the next chunk of the open file; returns the number of data rows parsed so far.
    /// Throws (and closes the file) when the header shows the file cannot be used.
    ///
    /// ```js
    /// const reader = file.stream().getReader();
    /// for (let r = await reader.read(); !r.done; r = await reader.read()) ws.push(r.value);
    /// ```
    pub fn push(&mut self, chunk: &[u8]) -> Result<f64, JsValue> {
        Ok(self.0.push(chunk)? as f64)
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
        let report = self.0.finish_file()?;
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
            Some(text) => Some(Day::parse_iso(text).ok_or_else(|| Error::bad_date("分析日期", "analysis date", text))?),
        };
        let summary = self.0.compute(day)?;
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
            Some(s) => SortKey::parse(s).ok_or_else(|| Error::bad_sort(s))?,
        };
        let page = self.0.member_page(offset as usize, limit as usize, key, descending.unwrap_or(true))?;
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

    /// The loaded data as one versioned binary snapshot (`docs/embedding.md`; the layout is in the core's
    /// `engine::snapshot`): the page may keep it, and `restoreSnapshot` brings the data back without the files.
    ///
    /// ```js
    /// const bytes = ws.dataSnapshot();            // Uint8Array
    /// ```
    #[wasm_bindgen(js_name = dataSnapshot)]
    pub fn data_snapshot(&self) -> Vec<u8> {
        self.0.data_snapshot()
    }

    /// Replaces the loaded data by a snapshot's (rules and settings stay); throws `snapshot_damaged` or
    /// `snapshot_version` and changes nothing when the bytes cannot be read. Compute again afterwards.
    ///
    /// ```js
    /// ws.restoreSnapshot(bytes);
    /// const summary = ws.compute();
    /// ```
    #[wasm_bindgen(js_name = restoreSnapshot)]
    pub fn restore_snapshot(&mut self, bytes: &[u8]) -> Result<(), JsValue> {
        Ok(self.0.restore_snapshot(bytes)?)
    }
}

/// Reads the options argument: nothing, a kind string, or an options object.
fn load_options(options: JsValue) -> Result<LoadOptions, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(LoadOptions::default());
    }
    if let Some(kind) = options.as_string() {
        if kind.is_empty() {
            return Ok(LoadOptions::default());
        }
        let kind = FileKind::parse(&kind).ok_or_else(|| Error::bad_kind(&kind))?;
        return Ok(LoadOptions { kind: Some(kind), ..LoadOptions::default() });
    }
    Ok(request(options, "导入选项", "load options")?)
}
