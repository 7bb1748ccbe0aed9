//! `Workspace` tag methods: the catalog with versions, the rule check the editor runs as the user types,
//! tag packs and rule text, settings, lineage, completions and the members of a tag.
//!
//! Times and authors come from the page (`at` is an ISO date-time string): the core never reads a clock.

use super::error::{request, to_js};
use super::workspace::JsWorkspace;
use crate::error::Error;
use crate::metrics::Settings;
use crate::tags::{DiagnosticInfo, Edit};
use wasm_bindgen::prelude::*;

/// What `importRules` returns.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct RulesImport {
    /// Definitions added or changed.
    saved: usize,
    /// Problems of the definitions that did not parse, located in the imported text.
    diagnostics: Vec<DiagnosticInfo>,
}

/// Reads an `Edit` object: `{ kind, name, previousName, group, description, owner, rule }`.
fn edit_of(edit: JsValue) -> Result<Edit, JsValue> {
    Ok(request(edit, "标签内容", "tag edit")?)
}

#[wasm_bindgen(js_class = Workspace)]
impl JsWorkspace {
    /// Every definition (built-in tags first, in group 系统) with its coverage, values, flags, lineage edges and
    /// diagnostics: `{ members, computed, asOf, tags: [{ name, kind, group, description, owner, created, updated,
    /// versions, builtin, rule, valueType, count, share, values, flags: { empty, nearEmpty, duplicates, unused },
    /// deps, usedBy, diagnostics, evaluated }], evaluated, settings, thresholds }`. Only what changed is evaluated.
    ///
    /// ```js
    /// const report = ws.tags();
    /// for (const t of report.tags) console.log(t.name, t.count, (100 * t.share).toFixed(1) + '%');
    /// ```
    pub fn tags(&mut self) -> Result<JsValue, JsValue> {
        let report = self.0.tags()?;
        to_js(&report)
    }

    /// Saves a definition: creates it, or appends a version when something changed (rename with
    /// `previousName`). The rule is kept even when it has errors. `at` is the time (ISO), `author` who saved it.
    /// Returns the report as `tags()` does. Built-in tags cannot be saved over.
    ///
    /// ```js
    /// ws.saveTag({ kind: 'tag', name: '美妆达人', group: '兴趣', description: '', owner: '王',
    ///              rule: 'count(orders where category in ["美妆", "护肤"], last 180d) >= 3' },
    ///            new Date().toISOString(), '王');
    /// ```
    #[wasm_bindgen(js_name = saveTag)]
    pub fn save_tag(&mut self, edit: JsValue, at: &str, author: &str) -> Result<JsValue, JsValue> {
        let edit = edit_of(edit)?;
        let report = self.0.save_tag(&edit, at, author)?;
        to_js(&report)
    }

    /// Checks a rule as it is typed, in place of the definition it edits: `{ diagnostics: [{ code, severity, zh,
    /// en, line, col, endLine, endCol, start16, end16 }], valueType, deps, count, share, values }`. The offsets
    /// `start16`/`end16` are UTF-16 offsets within `edit.rule`, as a `<textarea>` counts. `count` is the
    /// number of members the rule would cover (when data is computed and the rule has no error).
    ///
    /// ```js
    /// const c = ws.checkRule({ name: '高消费', rule: 'monetery > 500' });
    /// c.diagnostics[0].en;          // mentions “monetary”
    /// textarea.setSelectionRange(c.diagnostics[0].start16, c.diagnostics[0].end16);
    /// ```
    #[wasm_bindgen(js_name = checkRule)]
    pub fn check_rule(&mut self, edit: JsValue) -> Result<JsValue, JsValue> {
        let edit = edit_of(edit)?;
        let check = self.0.check_rule(&edit)?;
        to_js(&check)
    }

    /// Removes a definition; returns the report.
    ///
    /// ```js
    /// ws.removeTag('美妆达人');
    /// ```
    #[wasm_bindgen(js_name = removeTag)]
    pub fn remove_tag(&mut self, name: &str) -> Result<JsValue, JsValue> {
        let report = self.0.remove_tag(name)?;
        to_js(&report)
    }

    /// Makes an old version current again, as a new version; returns the report.
    ///
    /// ```js
    /// ws.revertTag('美妆达人', 1, new Date().toISOString(), '王');
    /// ```
    #[wasm_bindgen(js_name = revertTag)]
    pub fn revert_tag(&mut self, name: &str, version: u32, at: &str, author: &str) -> Result<JsValue, JsValue> {
        let report = self.0.revert_tag(name, version, at, author)?;
        to_js(&report)
    }

    /// The word diff of a definition's rule between two versions: `[{ op: 'equal'|'insert'|'delete', text }]`.
    ///
    /// ```js
    /// for (const part of ws.tagDiff('美妆达人', 1, 2)) console.log(part.op, part.text);
    /// ```
    #[wasm_bindgen(js_name = tagDiff)]
    pub fn tag_diff(&self, name: &str, from: u32, to: u32) -> Result<JsValue, JsValue> {
        let diff = self.0.tag_diff(name, from, to)?;
        to_js(&diff)
    }

    /// The catalog as a tag pack: JSON text with every definition, its history and the settings.
    ///
    /// ```js
    /// localStorage.setItem('hx.tagPack', ws.exportPack());
    /// ```
    #[wasm_bindgen(js_name = exportPack)]
    pub fn export_pack(&self) -> String {
        self.0.export_pack()
    }

    /// Reads a tag pack: replaces the catalog, or with `merge` adds and replaces definitions by name. Returns how
    /// many definitions were added or changed. A file that is not a pack throws `bad_pack` and changes nothing.
    ///
    /// ```js
    /// const n = ws.importPack(await file.text(), true);
    /// ```
    #[wasm_bindgen(js_name = importPack)]
    pub fn import_pack(&mut self, json: &str, merge: bool) -> Result<f64, JsValue> {
        Ok(self.0.import_pack(json, merge)? as f64)
    }

    /// Reads rule text (`tag 名称 in 分组 = …` lines, `set` lines, `#` comments) into the catalog:
    /// `{ saved, diagnostics }` where the diagnostics are located in `text`. Definitions that parse are saved.
    ///
    /// ```js
    /// const { saved, diagnostics } = ws.importRules('tag 高消费 = monetary > 500\n', new Date().toISOString(), '王');
    /// ```
    #[wasm_bindgen(js_name = importRules)]
    pub fn import_rules(&mut self, text: &str, at: &str, author: &str) -> Result<JsValue, JsValue> {
        let (saved, diagnostics) = self.0.import_rules(text, at, author);
        to_js(&RulesImport { saved, diagnostics })
    }

    /// The catalog as SQL for a warehouse: `dialect` is `duckdb`, `clickhouse` or `spark`; `asOf` (`YYYY-MM-DD`)
    /// fixes the analysis date (omitted: the one in force). Returns `{ dialect, sql, defs }` where each of `defs`
    /// says which column holds a definition or, in `skippedZh`/`skippedEn`, why it could not be exported.
    ///
    /// ```js
    /// const { sql, defs } = ws.exportSql('duckdb');
    /// ```
    #[wasm_bindgen(js_name = exportSql)]
    pub fn export_sql(&self, dialect: &str, as_of: Option<String>) -> Result<JsValue, JsValue> {
        let dialect = crate::export::sql::Dialect::parse(dialect).ok_or_else(|| Error::bad_dialect(dialect))?;
        let options = crate::export::sql::SqlOptions { as_of, ..crate::export::sql::SqlOptions::new(dialect) };
        let export = self.0.export_sql(&options)?;
        to_js(&export)
    }

    /// The catalog as rule text (what `importRules` reads back).
    ///
    /// ```js
    /// const text = ws.rulesText(); // "tag 高消费 = monetary > 500\n"
    /// ```
    #[wasm_bindgen(js_name = rulesText)]
    pub fn rules_text(&self) -> String {
        self.0.rules_text()
    }

    /// Replaces the settings: `{ rfmMonetary: 'total'|'average', lifecycle: { newDays, activeDays, dormantDays,
    /// atRiskDays } }` (each lifecycle value a number of days or `null` for the default from the data).
    /// Returns the report.
    ///
    /// ```js
    /// ws.setSettings({ rfmMonetary: 'average', lifecycle: { activeDays: 60 } });
    /// ```
    #[wasm_bindgen(js_name = setSettings)]
    pub fn set_settings(&mut self, settings: JsValue) -> Result<JsValue, JsValue> {
        let settings: Settings = request(settings, "设置", "settings")?;
        let report = self.0.set_settings(settings)?;
        to_js(&report)
    }

    /// The lineage graph of a definition: `{ root, nodes: [{ id, kind, label }], edges: [{ from, to }] }` —
    /// what it reads, down to columns, and what reads it. Node kinds: `tag`, `audience`, `metric`, `builtin`,
    /// `measure`, `attribute`, `column`.
    ///
    /// ```js
    /// const g = ws.lineage('美妆达人');
    /// g.edges.forEach(e => console.log(e.from, '→', e.to));
    /// ```
    pub fn lineage(&self, name: &str) -> Result<JsValue, JsValue> {
        let lineage = self.0.lineage(name)?;
        to_js(&lineage)
    }

    /// What the rule editor can complete: `[{ label, kind, zh, en }]` with kinds `tag`, `audience`, `metric`,
    /// `attribute`, `table`, `column`, `function`, `keyword` and `value` (known categories, channels, event types).
    ///
    /// ```js
    /// const columns = ws.completions().filter(c => c.kind === 'column').map(c => c.label); // ['orders.time', …]
    /// ```
    pub fn completions(&self) -> Result<JsValue, JsValue> {
        to_js(&self.0.completions())
    }

    /// The members of a tag as dense member indices (ascending): those it holds for, or those with `value` for an
    /// enumerated tag (any value when `value` is omitted). Needs computed data.
    ///
    /// ```js
    /// const members = ws.tagMembers('价值分层', '高价值'); // Uint32Array
    /// ```
    #[wasm_bindgen(js_name = tagMembers)]
    pub fn tag_members(&mut self, name: &str, value: Option<String>) -> Result<Vec<u32>, JsValue> {
        let bits = self.0.tag_members(name, value.as_deref())?;
        Ok(bits.iter().collect())
    }

    /// How many members a tag (or one value of an enumerated tag) covers, without copying them out.
    ///
    /// ```js
    /// const n = ws.tagCount('美妆达人');
    /// ```
    #[wasm_bindgen(js_name = tagCount)]
    pub fn tag_count(&mut self, name: &str, value: Option<String>) -> Result<f64, JsValue> {
        let bits = self.0.tag_members(name, value.as_deref())?;
        Ok(bits.len() as f64)
    }
}
