//! SQL dialects: how DuckDB, ClickHouse and Spark SQL spell quoting, literals, dates, integer division, regular
//! expressions and the statement that creates the result. The generator writes every engine-specific piece
//! through these methods, so a new dialect is one more arm in each.
//!
//! DuckDB is the tested dialect (a differential test runs the export against the engine on every run). ClickHouse
//! runs through the same comparison in an embedded ClickHouse with `make clickhouse-check`. Spark SQL is written
//! from its documentation and has not been run here; the export's header says so.

use crate::base::date::Day;
use serde::Serialize;

/// A warehouse SQL dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    /// DuckDB (tested).
    DuckDb,
    /// ClickHouse (checked by `make clickhouse-check`).
    ClickHouse,
    /// Spark SQL 3.4+ (best effort, untested).
    Spark,
}

impl Dialect {
    /// Every dialect.
    pub const ALL: [Dialect; 3] = [Dialect::DuckDb, Dialect::ClickHouse, Dialect::Spark];

    /// Parses `duckdb`, `clickhouse` or `spark` (case-insensitive; `sparksql` and `spark_sql` too).
    pub fn parse(text: &str) -> Option<Dialect> {
        match text.trim().to_ascii_lowercase().replace(['-', '_', ' '], "").as_str() {
            "duckdb" => Some(Dialect::DuckDb),
            "clickhouse" => Some(Dialect::ClickHouse),
            "spark" | "sparksql" => Some(Dialect::Spark),
            _ => None,
        }
    }

    /// The dialect's name.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::DuckDb => "DuckDB",
            Dialect::ClickHouse => "ClickHouse",
            Dialect::Spark => "Spark SQL",
        }
    }

    /// Whether the export in this dialect is checked against the engine by every test run (ClickHouse is checked
    /// on demand by `make clickhouse-check`).
    pub fn tested(self) -> bool {
        self == Dialect::DuckDb
    }

    /// A quoted identifier.
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::DuckDb => format!("\"{}\"", name.replace('"', "\"\"")),
            Dialect::ClickHouse => format!("`{}`", name.replace('\\', "\\\\").replace('`', "\\`")),
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
        }
    }

    /// A string literal.
    pub fn string(self, text: &str) -> String {
        match self {
            Dialect::DuckDb => format!("'{}'", text.replace('\'', "''")),
            // Both read backslash escapes inside string literals.
            Dialect::ClickHouse | Dialect::Spark => format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'")),
        }
    }

    /// The type of text values.
    pub fn text_type(self) -> &'static str {
        match self {
            Dialect::DuckDb => "VARCHAR",
            Dialect::ClickHouse | Dialect::Spark => "String",
        }
    }

    /// The type of 64-bit floating-point values.
    pub fn double_type(self) -> &'static str {
        match self {
            Dialect::DuckDb | Dialect::Spark => "DOUBLE",
            Dialect::ClickHouse => "Float64",
        }
    }

    /// The type of 64-bit integers.
    pub fn bigint_type(self) -> &'static str {
        match self {
            Dialect::DuckDb | Dialect::Spark => "BIGINT",
            Dialect::ClickHouse => "Int64",
        }
    }

    /// `x` as a 64-bit float (NULL stays NULL).
    pub fn double(self, x: &str) -> String {
        match self {
            Dialect::ClickHouse => format!("toFloat64({x})"),
            _ => format!("CAST({x} AS {})", self.double_type()),
        }
    }

    /// A missing number.
    pub fn null_double(self) -> String {
        match self {
            Dialect::ClickHouse => "CAST(NULL AS Nullable(Float64))".into(),
            _ => self.double("NULL"),
        }
    }

    /// A missing text.
    pub fn null_text(self) -> String {
        match self {
            Dialect::ClickHouse => "CAST(NULL AS Nullable(String))".into(),
            _ => format!("CAST(NULL AS {})", self.text_type()),
        }
    }

    /// A missing time.
    pub fn null_time(self) -> String {
        match self {
            Dialect::DuckDb => "CAST(NULL AS TIMESTAMP)".into(),
            Dialect::ClickHouse => "CAST(NULL AS Nullable(DateTime64(0)))".into(),
            Dialect::Spark => "CAST(NULL AS TIMESTAMP_NTZ)".into(),
        }
    }

    /// A number literal typed as a 64-bit float (the engine computes in `f64`; a DuckDB literal such as `0.6`
    /// would be a DECIMAL). `NaN` is a missing number.
    pub fn number(self, v: f64) -> String {
        if v.is_nan() {
            return self.null_double();
        }
        if v.is_infinite() {
            let inf = match self {
                Dialect::DuckDb | Dialect::Spark => self.double("'Infinity'"),
                Dialect::ClickHouse => "inf".to_string(),
            };
            return if v > 0.0 { inf } else { format!("(-{inf})") };
        }
        let text = if v == v.trunc() && v.abs() < 1e15 {
            format!("{}", v as i64)
        } else {
            let s = format!("{v:?}");
            if s.contains('e') {
                s
            } else {
                format!("{s}e0")
            }
        };
        let typed = if text.contains('e') { text } else { format!("{text}e0") };
        if v < 0.0 || (v == 0.0 && v.is_sign_negative()) {
            format!("({typed})")
        } else {
            typed
        }
    }

    /// A number literal for comparing with a float column: plain when whole (`3`), typed otherwise.
    pub fn number_operand(self, v: f64) -> String {
        if !v.is_nan() && v == v.trunc() && v.abs() < 1e15 && !(v == 0.0 && v.is_sign_negative()) {
            if v < 0.0 {
                format!("({})", v as i64)
            } else {
                format!("{}", v as i64)
            }
        } else {
            self.number(v)
        }
    }

    /// A date literal.
    pub fn date(self, day: Day) -> String {
        match self {
            Dialect::DuckDb | Dialect::Spark => format!("DATE '{day}'"),
            Dialect::ClickHouse => format!("toDate32('{day}')"),
        }
    }

    /// A timestamp literal (naive local time, as the engine keeps it).
    pub fn timestamp(self, ts: i64) -> String {
        let text = crate::base::date::format_timestamp(ts);
        match self {
            Dialect::DuckDb => format!("TIMESTAMP '{text}'"),
            Dialect::ClickHouse => format!("toDateTime64('{text}', 0)"),
            Dialect::Spark => format!("TIMESTAMP_NTZ '{text}'"),
        }
    }

    /// The day of a timestamp.
    pub fn day_of(self, ts: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Spark => format!("CAST({ts} AS DATE)"),
            Dialect::ClickHouse => format!("toDate32({ts})"),
        }
    }

    /// Midnight at the start of a day, as a timestamp.
    pub fn start_of(self, day: &str) -> String {
        match self {
            Dialect::DuckDb => format!("CAST({day} AS TIMESTAMP)"),
            Dialect::ClickHouse => format!("toDateTime64({day}, 0)"),
            Dialect::Spark => format!("CAST({day} AS TIMESTAMP_NTZ)"),
        }
    }

    /// `day + n` days (`n` may be an expression).
    pub fn add_days(self, day: &str, n: &str) -> String {
        match self {
            Dialect::DuckDb => format!("({day} + {n})"),
            Dialect::ClickHouse => format!("addDays({day}, {n})"),
            Dialect::Spark => format!("date_add({day}, {n})"),
        }
    }

    /// Whole days from `from` to `to` (both dates).
    pub fn days_between(self, from: &str, to: &str) -> String {
        match self {
            Dialect::DuckDb => format!("date_diff('day', {from}, {to})"),
            Dialect::ClickHouse => format!("dateDiff('day', {from}, {to})"),
            Dialect::Spark => format!("datediff({to}, {from})"),
        }
    }

    /// A timestamp plus a number of seconds (an expression).
    pub fn add_seconds(self, ts: &str, seconds: &str) -> String {
        match self {
            Dialect::DuckDb => format!("({ts} + to_seconds({seconds}))"),
            Dialect::ClickHouse => format!("addSeconds({ts}, {seconds})"),
            Dialect::Spark => format!("timestampadd(SECOND, {seconds}, {ts})"),
        }
    }

    /// The timestamp `seconds` after 1970-01-01 00:00:00 (naive).
    pub fn epoch_plus(self, seconds: &str) -> String {
        self.add_seconds(&self.timestamp(0), seconds)
    }

    /// A date from year, month and day (all known to be valid).
    pub fn make_date(self, y: &str, m: &str, d: &str) -> String {
        match self {
            Dialect::DuckDb => format!("make_date(CAST({y} AS BIGINT), CAST({m} AS BIGINT), CAST({d} AS BIGINT))"),
            Dialect::ClickHouse => format!("makeDate32({y}, {m}, {d})"),
            Dialect::Spark => format!("make_date(CAST({y} AS INT), CAST({m} AS INT), CAST({d} AS INT))"),
        }
    }

    /// Year, month and day of a date.
    pub fn ymd(self, day: &str) -> [String; 3] {
        match self {
            Dialect::DuckDb | Dialect::Spark => [format!("year({day})"), format!("month({day})"), format!("day({day})")],
            Dialect::ClickHouse => [format!("toYear({day})"), format!("toMonth({day})"), format!("toDayOfMonth({day})")],
        }
    }

    /// Integer division of non-negative integers.
    pub fn int_div(self, a: &str, b: &str) -> String {
        match self {
            Dialect::DuckDb => format!("(({a}) // ({b}))"),
            Dialect::ClickHouse => format!("intDiv({a}, nullIf({b}, 0))"),
            Dialect::Spark => format!("(({a}) div ({b}))"),
        }
    }

    /// Rounding half away from zero (as Rust's `f64::round`).
    pub fn round(self, x: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Spark => format!("round({x})"),
            // ClickHouse rounds floats half to even; spell out half away from zero.
            Dialect::ClickHouse => format!("(trunc({x}) + sign({x}) * if(abs({x} - trunc({x})) >= 0.5, 1, 0))"),
        }
    }

    /// A number rounded to the nearest hundredth (a sum or difference of decimals, as the engine keeps it).
    pub fn cents(self, x: &str) -> String {
        format!("({} / 100)", self.round(&format!("({x}) * 100")))
    }

    /// The whole fen of a decimal row value (as a 64-bit integer).
    pub fn fen(self, x: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Spark => format!("CAST({} AS BIGINT)", self.round(&format!("({x}) * 100"))),
            Dialect::ClickHouse => format!("toInt64({})", self.round(&format!("({x}) * 100"))),
        }
    }

    /// `a / b` of integers (`b > 0`) rounded half to even, as a 64-bit float.
    pub fn half_even_div(self, a: &str, b: &str) -> String {
        match self {
            Dialect::DuckDb => format!("round_even(CAST({a} AS DOUBLE) / ({b}), 0)"),
            Dialect::ClickHouse => format!("roundBankers(toFloat64({a}) / ({b}))"),
            Dialect::Spark => format!("bround(CAST({a} AS DOUBLE) / ({b}), 0)"),
        }
    }

    /// A sum that adds the values in row order, as the engine does (only DuckDB can say so; elsewhere the
    /// order is the engine's choice, which may differ in the last bits of a float).
    pub fn ordered_sum(self, value: &str, order: &str) -> String {
        match self {
            Dialect::DuckDb => format!("sum({value} ORDER BY {order})"),
            Dialect::ClickHouse | Dialect::Spark => format!("sum({value})"),
        }
    }

    /// Whether `text` contains `needle` (a literal).
    pub fn contains(self, text: &str, needle: &str) -> String {
        let lit = self.string(needle);
        match self {
            Dialect::DuckDb => format!("contains({text}, {lit})"),
            Dialect::ClickHouse => format!("(position({text}, {lit}) > 0)"),
            Dialect::Spark => format!("(instr({text}, {lit}) > 0)"),
        }
    }

    /// Whether the whole of `text` matches an RE2 pattern.
    pub fn full_match(self, text: &str, pattern: &str) -> String {
        let p = self.string(&format!("^(?:{pattern})$"));
        match self {
            Dialect::DuckDb => format!("regexp_matches({text}, {p})"),
            Dialect::ClickHouse => format!("match({text}, {p})"),
            Dialect::Spark => format!("({text} RLIKE {p})"),
        }
    }

    /// Whether some part of `text` matches a pattern.
    pub fn partial_match(self, text: &str, pattern: &str) -> String {
        let p = self.string(pattern);
        match self {
            Dialect::DuckDb => format!("regexp_matches({text}, {p})"),
            Dialect::ClickHouse => format!("match({text}, {p})"),
            Dialect::Spark => format!("({text} RLIKE {p})"),
        }
    }

    /// `text` with every match of a pattern removed.
    pub fn remove_all(self, text: &str, pattern: &str) -> String {
        let p = self.string(pattern);
        match self {
            Dialect::DuckDb => format!("regexp_replace({text}, {p}, '', 'g')"),
            Dialect::ClickHouse => format!("replaceRegexpAll({text}, {p}, '')"),
            Dialect::Spark => format!("regexp_replace({text}, {p}, '')"),
        }
    }

    /// Every run of ASCII digits in `text`, as an array of texts.
    pub fn digit_runs(self, text: &str) -> String {
        match self {
            Dialect::DuckDb => format!("regexp_extract_all({text}, '[0-9]+')"),
            Dialect::ClickHouse => format!("extractAll({text}, '[0-9]+')"),
            Dialect::Spark => format!("regexp_extract_all({text}, '([0-9]+)', 1)"),
        }
    }

    /// Element `i` (1-based) of an array, missing past the end.
    pub fn element(self, array: &str, i: usize) -> String {
        match self {
            Dialect::DuckDb => format!("{array}[{i}]"),
            Dialect::ClickHouse => format!("if(length({array}) >= {i}, {array}[{i}], NULL)"),
            Dialect::Spark => format!("try_element_at({array}, {i})"),
        }
    }

    /// The length of an array.
    pub fn array_len(self, array: &str) -> String {
        match self {
            Dialect::DuckDb => format!("len({array})"),
            Dialect::ClickHouse => format!("length({array})"),
            Dialect::Spark => format!("size({array})"),
        }
    }

    /// The number of characters of a text.
    pub fn text_len(self, text: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Spark => format!("length({text})"),
            Dialect::ClickHouse => format!("lengthUTF8({text})"),
        }
    }

    /// Characters of `text` replaced one for one (`from` and `to` have the same number of characters).
    pub fn translate(self, text: &str, from: &str, to: &str) -> String {
        let (f, t) = (self.string(from), self.string(to));
        match self {
            Dialect::DuckDb | Dialect::Spark => format!("translate({text}, {f}, {t})"),
            Dialect::ClickHouse => format!("translateUTF8({text}, {f}, {t})"),
        }
    }

    /// A text read as a 64-bit integer, missing when it is not one.
    pub fn try_bigint(self, text: &str) -> String {
        match self {
            Dialect::DuckDb => format!("TRY_CAST({text} AS BIGINT)"),
            Dialect::ClickHouse => format!("toInt64OrNull({text})"),
            Dialect::Spark => format!("try_cast({text} AS BIGINT)"),
        }
    }

    /// A text read as a float, missing when it is not one.
    pub fn try_double(self, text: &str) -> String {
        match self {
            Dialect::DuckDb => format!("TRY_CAST({text} AS DOUBLE)"),
            Dialect::ClickHouse => format!("toFloat64OrNull({text})"),
            Dialect::Spark => format!("try_cast({text} AS DOUBLE)"),
        }
    }

    /// `x` as a 64-bit integer (NULL stays NULL).
    pub fn bigint(self, x: &str) -> String {
        match self {
            Dialect::ClickHouse => format!("toInt64({x})"),
            _ => format!("CAST({x} AS {})", self.bigint_type()),
        }
    }

    /// A value as text.
    pub fn to_text(self, x: &str) -> String {
        match self {
            Dialect::ClickHouse => format!("toString({x})"),
            _ => format!("CAST({x} AS {})", self.text_type()),
        }
    }

    /// What ends the statement (ClickHouse must give NULL, not a default value, for a row a LEFT JOIN misses).
    pub fn statement_end(self) -> &'static str {
        match self {
            Dialect::ClickHouse => "\nSETTINGS join_use_nulls = 1;\n",
            _ => ";\n",
        }
    }

    /// `a UNION b` without duplicates.
    pub fn union_distinct(self) -> &'static str {
        "UNION DISTINCT"
    }

    /// The statement that makes the result, before `AS`.
    pub fn create(self, name: &str) -> String {
        match self {
            Dialect::DuckDb => format!("CREATE OR REPLACE TABLE {} AS", self.ident(name)),
            Dialect::ClickHouse => format!("CREATE OR REPLACE VIEW {} AS", self.ident(name)),
            Dialect::Spark => format!("CREATE OR REPLACE TEMPORARY VIEW {} AS", self.ident(name)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals() {
        let d = Dialect::DuckDb;
        assert_eq!(d.number(3.0), "3e0");
        assert_eq!(d.number(0.6), "0.6e0");
        assert_eq!(d.number(-2.5), "(-2.5e0)");
        assert_eq!(d.number(1e-7), "1e-7");
        assert_eq!(d.number_operand(90.0), "90");
        assert_eq!(d.number_operand(-3.0), "(-3)");
        assert_eq!(d.string("it's"), "'it''s'");
        assert_eq!(Dialect::Spark.string("a\\b'"), "'a\\\\b\\''");
        assert_eq!(d.ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(crate::base::date::format_timestamp(1_748_097_319), "2025-05-24 14:35:19");
        assert_eq!(crate::base::date::format_timestamp(-1), "1969-12-31 23:59:59");
        assert_eq!(Dialect::parse("Spark_SQL"), Some(Dialect::Spark));
    }
}
