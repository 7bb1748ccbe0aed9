//! The tag pack as SQL: the same member sets, computed by a warehouse from the same tables, for a member base
//! that outgrows a browser tab. DuckDB is tested against the engine by every test run; ClickHouse by `make
//! clickhouse-check` (an embedded ClickHouse, too large a download for every run); Spark SQL comes from the same
//! generator through [`Dialect`] and is untested.
//!
//! # The tables the SQL reads
//! Three normalised tables keyed by the resolved member (OneID already applied), as
//! [`crate::export::tables::normalised_tables`] writes them from a loaded workspace:
//! - `members(member_id, name, gender, birthday, register_date, level, city, phone, <other columns>)`: one row per
//!   member; attribute columns are text exactly as loaded (a rule that reads one as a date or a number parses it
//!   as the engine does). Every member should have a row; members that appear only in `orders` or `events` are
//!   members too.
//! - `orders(member_id, time TIMESTAMP, amount, discount (yuan; negative amount = refund), category, channel,
//!   order_id, row_no)`: `row_no` is the file order (it breaks ties in `first`/`last` and orders sums).
//! - `events(member_id, time TIMESTAMP, type, target, row_no)`.
//!
//! Times are naive local timestamps. Rows dated after the analysis date are ignored everywhere.
//!
//! # The result
//! One statement creates `member_tags`: one row per member, `member_id` and one column per definition, named
//! after it: BOOLEAN for yes/no tags and audiences, text for enumerated tags (NULL = no value), DOUBLE for
//! metrics (NULL = missing). A definition that cannot be exported gets no column, a comment in the SQL and a
//! reason in [`SqlExport::defs`]; so does everything that reads it.
//!
//! # How it is built
//! The analysis date and its limit (`hx_p`), the member universe, the rows on or before the analysis date,
//! purchase statistics and RFM, then one common table expression per aggregate and per sequence, joined into
//! one row per member (`hx_base`). Definitions are columns added in layers: a column is computed one layer
//! after everything it reads, and window functions (`quantiles`, `top_percent`) get helper columns of their own.
//! Every construct mirrors the evaluator (`crate::rules::eval`): missing values are NULL, comparisons are wrapped
//! so that a missing value gives false, and `not` is the complement.
//!
//! The SQL follows the documented meaning of every construct (`docs/rules.md`, "Exact semantics"), as the engine
//! does: literals read as themselves everywhere; money and other decimals are summed in whole fen (`sum`), their
//! mean rounded half to even to the fen (`avg` of money), and their sums and differences kept to the hundredth; a
//! time compared with a date literal is compared by its calendar day; order numbers compare as the engine's hash.
//!
//! # Where the warehouse may differ
//! - Sums of plain floats (`sum`, `avg` over `amount * 0.9` and the like) add in file order in DuckDB (`sum(…
//!   ORDER BY row_no)`), as the engine does, so the last bit agrees; ClickHouse and Spark add in their own order.
//! - A member attribute read as a date with a year past 9999 is missing here (the engine reads it).
//! - An attribute read as a number that is `inf` gives infinity in both; arithmetic that makes NaN from it (`inf -
//!   inf`) is missing in the engine and NaN in SQL.

mod base;
mod dialect;
mod expr;
mod parse;
mod rows;

pub use dialect::Dialect;

use crate::base::date::Day;
use crate::error::{Error, Result};
use crate::metrics::Settings;
use crate::rules::ast::DefKind;
use crate::rules::check::Schema;
use crate::rules::lexer::quote_name;
use crate::tags::{compile, Catalog, Compiled};
use serde::Serialize;
use std::collections::HashMap;

/// What to export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SqlOptions {
    /// The SQL dialect.
    pub dialect: Dialect,
    /// The analysis date; `None` computes the default in SQL (the latest order day + 1), as the engine does.
    pub as_of: Option<String>,
    /// The name of the result table or view.
    pub table: String,
}

impl SqlOptions {
    /// DuckDB, the default analysis date, `member_tags`.
    pub fn new(dialect: Dialect) -> SqlOptions {
        SqlOptions { dialect, as_of: None, table: "member_tags".into() }
    }
}

/// The value a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    /// Yes or no (BOOLEAN, never NULL).
    Bool,
    /// Text (NULL = no value).
    Text,
    /// A number (DOUBLE, NULL = missing).
    Number,
}

/// One definition in the export.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedDef {
    /// The definition's name.
    pub name: String,
    /// Tag, audience or metric.
    pub kind: DefKind,
    /// Its column in the result (`None` when it was not exported).
    pub column: Option<String>,
    /// What the column holds.
    pub value: Option<ValueType>,
    /// Why it was not exported, in Chinese.
    pub skipped_zh: Option<String>,
    /// Why it was not exported, in English.
    pub skipped_en: Option<String>,
}

/// The SQL of a tag pack.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SqlExport {
    /// The dialect.
    pub dialect: Dialect,
    /// The script: a commented header and one statement.
    pub sql: String,
    /// Every definition (built-in tags first), exported or not.
    pub defs: Vec<ExportedDef>,
}

impl SqlExport {
    /// The definitions that were not exported.
    pub fn skipped(&self) -> impl Iterator<Item = &ExportedDef> {
        self.defs.iter().filter(|d| d.column.is_none())
    }
}

/// Why a definition cannot be exported: `(zh, en)`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Unsupported {
    zh: String,
    en: String,
}

pub(crate) type R<T> = std::result::Result<T, Unsupported>;

fn unsupported<T>(zh: impl Into<String>, en: impl Into<String>) -> R<T> {
    Err(Unsupported { zh: zh.into(), en: en.into() })
}

/// A literal list item.
#[derive(Clone, Debug, PartialEq)]
enum Item {
    Num(f64),
    Text(String),
}

/// What a definition became.
#[derive(Clone, Debug)]
enum DefState {
    /// Not reached yet (or not runnable).
    Pending,
    /// A column at a layer.
    Column { col: String, value: ValueType, layer: u32 },
    /// Evaluated to nothing the engine keeps (reads as an empty yes/no set).
    NoResult,
    /// Not exported.
    Skipped(Unsupported),
}

/// A member-level column computed in a layer.
struct Computed {
    name: String,
    sql: String,
    layer: u32,
}

/// A member attribute a rule reads.
struct AttrUse {
    /// The members column.
    source: String,
    /// Read as a number.
    num: bool,
    /// Read as a time.
    time: bool,
}

/// A common table expression that yields `(member_id, v)` or `(member_id)` rows, joined into the base.
struct Joined {
    cte: String,
    /// The base column and its expression over the join alias.
    column: String,
    value: String,
}

/// The generator's state for one export.
pub(crate) struct Gen<'a> {
    d: Dialect,
    compiled: &'a Compiled,
    schema: &'a Schema,
    settings: &'a Settings,
    index: HashMap<String, usize>,
    header_columns: Vec<String>,
    defs: Vec<DefState>,
    columns: Vec<Computed>,
    joined: Vec<Joined>,
    joined_keys: HashMap<String, usize>,
    metrics: Vec<crate::metrics::names::Metric>,
    attrs: Vec<AttrUse>,
}

/// Compiles a catalog against a schema and exports it. Fails only on an analysis date that is not `YYYY-MM-DD`.
pub fn tag_pack_sql(catalog: &Catalog, schema: &Schema, options: &SqlOptions) -> Result<SqlExport> {
    let compiled = compile(catalog, schema);
    compiled_sql(&compiled, schema, &catalog.settings, options)
}

/// DuckDB statements that load the three CSV files written by [`crate::export::tables::normalised_tables`] from `dir` into tables with
/// the types the SQL expects (other engines load CSV their own way).
pub fn duckdb_load_sql(dir: &str) -> String {
    let d = Dialect::DuckDb;
    let path = |f: &str| d.string(&format!("{}/{f}", dir.trim_end_matches('/')));
    format!(
        "CREATE OR REPLACE TABLE members AS SELECT * FROM read_csv({}, header = true, all_varchar = true);\n\
         CREATE OR REPLACE TABLE orders AS SELECT * FROM read_csv({}, header = true, columns = {{'member_id': 'VARCHAR', 'time': 'TIMESTAMP', \
         'amount': 'DOUBLE', 'discount': 'DOUBLE', 'category': 'VARCHAR', 'channel': 'VARCHAR', 'order_id': 'VARCHAR', 'row_no': 'BIGINT'}});\n\
         CREATE OR REPLACE TABLE events AS SELECT * FROM read_csv({}, header = true, columns = {{'member_id': 'VARCHAR', 'time': 'TIMESTAMP', \
         'type': 'VARCHAR', 'target': 'VARCHAR', 'row_no': 'BIGINT'}});\n",
        path("members.csv"),
        path("orders.csv"),
        path("events.csv")
    )
}

/// Exports an already compiled catalog (`settings` are the catalog's).
pub fn compiled_sql(compiled: &Compiled, schema: &Schema, settings: &Settings, options: &SqlOptions) -> Result<SqlExport> {
    let as_of = match options.as_of.as_deref() {
        None => None,
        Some(text) => Some(Day::parse_iso(text).ok_or_else(|| Error::bad_as_of(text))?),
    };
    let mut index = HashMap::new();
    for (i, d) in compiled.program.defs.iter().enumerate() {
        index.entry(d.name.clone()).or_insert(i);
    }
    let mut g = Gen {
        d: options.dialect,
        compiled,
        schema,
        settings,
        index,
        header_columns: crate::export::tables::header_columns(&schema.headers),
        defs: vec![DefState::Pending; compiled.program.defs.len()],
        columns: Vec::new(),
        joined: Vec::new(),
        joined_keys: HashMap::new(),
        metrics: Vec::new(),
        attrs: Vec::new(),
    };
    for &i in &compiled.checked.order {
        let def = &compiled.program.defs[i];
        if !compiled.runnable(i) {
            g.defs[i] = DefState::Skipped(Unsupported {
                zh: "规则有错误（或引用了有错误的定义），没有导出".into(),
                en: "the rule has errors (or reads a definition that has), so it was not exported".into(),
            });
            continue;
        }
        if compiled.lists.get(i).is_some_and(Option::is_some) {
            // A static audience or a snapshot is a list of members, not a rule: there is nothing to translate.
            g.defs[i] = DefState::Skipped(Unsupported {
                zh: "这是名单人群（上传的名单或快照），不是规则：请导出它的成员名单，在数仓里作为表使用".into(),
                en: "this is a list audience (an uploaded list or a snapshot), not a rule: export its members and use them as a table in the warehouse".into(),
            });
            continue;
        }
        let Some(expr) = &def.expr else { continue };
        let mark = (g.columns.len(),);
        match g.definition(def.kind, expr) {
            Ok(Some((sql, value, depth))) => {
                let col = format!("d{i}");
                let layer = depth + 1;
                g.columns.push(Computed { name: col.clone(), sql, layer });
                g.defs[i] = DefState::Column { col, value, layer };
            }
            Ok(None) => g.defs[i] = DefState::NoResult,
            Err(u) => {
                // Drop what the failed translation added (its helper columns would reference nothing useful).
                g.columns.truncate(mark.0);
                g.defs[i] = DefState::Skipped(u);
            }
        }
    }
    Ok(g.assemble(options, as_of))
}

impl Gen<'_> {
    /// A new computed column at `layer`, returning its name.
    fn helper(&mut self, sql: String, layer: u32) -> String {
        let name = format!("h{}", self.columns.len());
        self.columns.push(Computed { name: name.clone(), sql, layer });
        name
    }

    /// A joined table (deduplicated by `key`), returning its base column.
    fn join(&mut self, key: String, make: impl FnOnce(&str, &str) -> (String, String)) -> String {
        if let Some(&i) = self.joined_keys.get(&key) {
            return self.joined[i].column.clone();
        }
        let n = self.joined.len();
        let (cte_name, column) = (format!("hx_j{n}"), format!("j{n}"));
        let (cte, value) = make(&cte_name, &column);
        self.joined.push(Joined { cte: format!("{cte_name} AS (\n{cte}\n)"), column: column.clone(), value });
        self.joined_keys.insert(key, n);
        column
    }

    fn use_metric(&mut self, m: crate::metrics::names::Metric) {
        if !self.metrics.contains(&m) {
            self.metrics.push(m);
        }
    }

    /// The index of an attribute column (by its members column), recording how it is read.
    fn use_attr(&mut self, source: &str, num: bool, time: bool) -> usize {
        let i = match self.attrs.iter().position(|a| a.source == source) {
            Some(i) => i,
            None => {
                self.attrs.push(AttrUse { source: source.to_string(), num: false, time: false });
                self.attrs.len() - 1
            }
        };
        self.attrs[i].num |= num;
        self.attrs[i].time |= time;
        i
    }

    /// The analysis date given in the options, checked.
    fn header(&self, options: &SqlOptions, as_of: Option<Day>) -> String {
        let d = self.d;
        let mut out = String::new();
        out.push_str(&format!("-- huaxiang (画像) tag pack as SQL, {} dialect.\n", d.name()));
        match d {
            Dialect::DuckDb => {}
            Dialect::ClickHouse => out.push_str(
                "-- ClickHouse output is checked against the engine by `make clickhouse-check` (embedded ClickHouse, chdb), not by\n\
                 -- every test run; DuckDB output is checked by every run.\n",
            ),
            Dialect::Spark => out.push_str(
                "-- Spark SQL output is checked against the engine by `make spark-check` (a local Spark session, PySpark), not by\n\
                 -- every test run; DuckDB output is checked by every run.\n",
            ),
        }
        match as_of {
            Some(day) => out.push_str(&format!("-- Analysis date: {day} (rows dated after it are ignored).\n")),
            None => {
                out.push_str("-- Analysis date: the day after the latest order (the engine's default); rows dated after it are ignored.\n")
            }
        }
        out.push_str("--\n-- Reads three tables keyed by the resolved member (huaxiang's normalised export writes them):\n");
        out.push_str("--   members(member_id, name, gender, birthday, register_date, level, city, phone");
        for h in &self.header_columns {
            out.push_str(&format!(", {h}"));
        }
        out.push_str(")  -- attributes as text, one row per member\n");
        out.push_str(
            "--   orders(member_id, time TIMESTAMP, amount, discount, category, channel, order_id, row_no)  -- yuan; amount < 0 = refund\n",
        );
        out.push_str("--   events(member_id, time TIMESTAMP, type, target, row_no)\n");
        out.push_str("-- Times are naive local timestamps; row_no is the file order (ties in first/last, order of sums).\n");
        match d {
            Dialect::Spark => out.push_str("-- Spark: time columns are expected as TIMESTAMP_NTZ (Spark 3.4+).\n"),
            Dialect::ClickHouse => out.push_str(
                "-- ClickHouse: time columns as DateTime64 (or DateTime), text columns Nullable(String); the query sets join_use_nulls = 1.\n",
            ),
            Dialect::DuckDb => {}
        }
        out.push_str(&format!(
            "--\n-- Creates {}: one row per member, member_id and one column per definition (BOOLEAN yes/no, text for\n\
             -- enumerated tags, DOUBLE for metrics; NULL = no value).\n",
            options.table
        ));
        out
    }

    fn assemble(mut self, options: &SqlOptions, as_of: Option<Day>) -> SqlExport {
        let d = self.d;
        let mut sql = self.header(options, as_of);
        // Output column names, unique without regard to case.
        let mut taken: Vec<String> = vec!["member_id".into()];
        let mut defs = Vec::new();
        let mut select = Vec::new();
        let mut notes = Vec::new();
        for (i, def) in self.compiled.program.defs.iter().enumerate() {
            let mut out =
                ExportedDef { name: def.name.clone(), kind: def.kind, column: None, value: None, skipped_zh: None, skipped_en: None };
            match &self.defs[i] {
                DefState::Column { col, value, .. } => {
                    let mut name = def.name.clone();
                    let mut k = 2;
                    while taken.iter().any(|t| t.to_lowercase() == name.to_lowercase()) {
                        name = format!("{}_{k}", def.name);
                        k += 1;
                    }
                    taken.push(name.clone());
                    select.push(format!("  {col} AS {}", d.ident(&name)));
                    out.column = Some(name);
                    out.value = Some(*value);
                }
                DefState::NoResult => {
                    let (zh, en) = ("规则没有可保存的结果（时间或列表）", "the rule gives no value that can be kept (a time or a list)");
                    notes.push(format!("-- {}: not exported: {}.", quote_name(&def.name), one_line(en)));
                    out.skipped_zh = Some(zh.into());
                    out.skipped_en = Some(en.into());
                }
                DefState::Skipped(_) | DefState::Pending => {}
            }
            if let DefState::Skipped(u) = &self.defs[i] {
                notes.push(format!("-- {}: not exported: {}.", quote_name(&def.name), one_line(&u.en)));
                out.skipped_zh = Some(u.zh.clone());
                out.skipped_en = Some(u.en.clone());
            }
            if matches!(self.defs[i], DefState::Pending) {
                let en = "the rule has errors, so it was not exported";
                notes.push(format!("-- {}: not exported: {}.", quote_name(&def.name), one_line(en)));
                out.skipped_zh = Some("规则有错误，没有导出".into());
                out.skipped_en = Some(en.into());
            }
            defs.push(out);
        }
        if !notes.is_empty() {
            sql.push_str("--\n");
            for n in &notes {
                sql.push_str(n);
                sql.push('\n');
            }
        }
        sql.push('\n');
        let ctes = self.ctes(as_of);
        sql.push_str(&d.create(&options.table));
        sql.push_str("\nWITH\n");
        sql.push_str(&ctes.join(",\n"));
        sql.push_str("\nSELECT\n  member_id");
        for s in &select {
            sql.push_str(",\n");
            sql.push_str(s);
        }
        let last = self.columns.iter().map(|c| c.layer).max().unwrap_or(0);
        sql.push_str(&format!("\nFROM hx_l{last}\nORDER BY member_id{}", d.statement_end()));
        SqlExport { dialect: d, sql, defs }
    }

    /// Every common table expression, in order.
    fn ctes(&mut self, as_of: Option<Day>) -> Vec<String> {
        let mut out = self.base_ctes(as_of);
        let last = self.columns.iter().map(|c| c.layer).max().unwrap_or(0);
        for layer in 1..=last {
            let cols: Vec<String> =
                self.columns.iter().filter(|c| c.layer == layer).map(|c| format!("    {} AS {}", c.sql, c.name)).collect();
            if cols.is_empty() {
                out.push(format!("hx_l{layer} AS (SELECT * FROM hx_l{})", layer - 1));
            } else {
                out.push(format!("hx_l{layer} AS (\n  SELECT *,\n{}\n  FROM hx_l{}\n)", cols.join(",\n"), layer - 1));
            }
        }
        out
    }
}

/// Text for a `--` comment: control characters (a line break would end the comment) become spaces.
fn one_line(text: &str) -> String {
    text.replace(|c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'), " ")
}
