//! Cleaning: the rules an analyst applies to a messy export, run over a file's typed rows once it is read.
//!
//! The pass works on the staged [`Batch`] (dictionaries, codes and number columns), never on bytes, so it runs
//! after parsing and before identifiers are linked (OneID), and a loader that parses ranges of a file in parallel
//! can run it once over the merged batch. Each rule is described in `docs/ingest.md` ("Cleaning"); rules that
//! change data have a switch in [`Cleaning`], rules that only flag are always reported. What a rule found goes into
//! the file's report as a [`crate::ingest::report::Finding`] (count and first examples with line and column).
//!
//! The only per-row work left in the parser is what needs the raw row: converting instants into the data's time
//! zone (the [`Stamp`](crate::base::values::Stamp) of each time) and, when duplicates are dropped, a hash of the
//! whole row (columns without a role included, so two order lines that differ only in an unmapped column stay).

use super::report::{FileReport, Problem};
use super::Table;
use crate::base::date::{Day, Zone};
use crate::base::dict::{Dict, NONE};
use crate::base::ids::{integer_form, is_integer_text, is_placeholder_id, IdKind};
use crate::base::roles::Role;
use crate::base::values::{fold_width, parse_timestamp};
use crate::error::Error;
use crate::model::batch::BatchRows;
use serde::{Deserialize, Serialize};

/// The cleaning settings: the data's time zone and a switch per rule that changes data. Every default can be
/// turned off; a change applies to files loaded after it (the app reloads the files it keeps).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Cleaning {
    /// The zone instants (`Z`, offsets, Unix times) are converted into; wall-clock times are taken as written.
    pub time_zone: Zone,
    /// Ids a spreadsheet wrote as numbers (`123.0`, `1.23E+5`) read as integer text, in integer id columns.
    pub id_number_form: bool,
    /// Placeholder ids (`guest`, `匿名`, `0` …, and one id owning an implausible share of orders) left out.
    pub placeholder_id: bool,
    /// Exact duplicate rows of a file dropped.
    pub duplicate_row: bool,
    /// Times before `earliest` or after `as_of` (epoch zero in any zone among them) left out.
    pub implausible_date: bool,
    /// Implausible birthdays left blank (so age is blank).
    pub implausible_birthday: bool,
    /// Event types and channels that differ only by case, width or spaces folded into their commonest spelling.
    pub value_variant: bool,
    /// The earliest plausible date, `YYYY-MM-DD`.
    pub earliest: String,
    /// The analysis date, `YYYY-MM-DD`, when known before loading: later times are implausible.
    pub as_of: Option<String>,
}

impl Default for Cleaning {
    fn default() -> Cleaning {
        Cleaning {
            time_zone: Zone::utc(),
            id_number_form: true,
            placeholder_id: true,
            duplicate_row: true,
            implausible_date: true,
            implausible_birthday: true,
            value_variant: true,
            earliest: "2000-01-01".to_string(),
            as_of: None,
        }
    }
}

impl Cleaning {
    /// Every rule that changes data turned off (the time zone stays).
    pub fn off(time_zone: Zone) -> Cleaning {
        Cleaning {
            time_zone,
            id_number_form: false,
            placeholder_id: false,
            duplicate_row: false,
            implausible_date: false,
            implausible_birthday: false,
            value_variant: false,
            ..Cleaning::default()
        }
    }

    /// Turns the switch of `rule` on or off; `false` when there is no such switch.
    pub fn set(&mut self, rule: &str, on: bool) -> bool {
        let switch = match rule {
            "id_number_form" => &mut self.id_number_form,
            "placeholder_id" => &mut self.placeholder_id,
            "duplicate_row" => &mut self.duplicate_row,
            "implausible_date" => &mut self.implausible_date,
            "implausible_birthday" => &mut self.implausible_birthday,
            "value_variant" => &mut self.value_variant,
            _ => return false,
        };
        *switch = on;
        true
    }

    /// The rules that have a switch, in the order reports list them.
    pub const SWITCHES: [&'static str; 6] =
        ["id_number_form", "placeholder_id", "duplicate_row", "implausible_date", "implausible_birthday", "value_variant"];

    /// The rules that only report.
    pub const FLAGS: [&'static str; 4] = ["conflicting_order", "amount_outlier", "amount_sign", "time_zone"];

    fn earliest_day(&self) -> Day {
        Day::parse_iso(&self.earliest).unwrap_or(Day(10_957))
    }

    fn as_of_day(&self) -> Option<Day> {
        self.as_of.as_deref().and_then(Day::parse_iso)
    }
}

/// An id owns an implausible share of a file's orders when it has at least this many rows …
const DOMINANT_MIN_ROWS: u64 = 50;
/// … at least this share of the rows …
const DOMINANT_SHARE: f64 = 0.02;
/// … and at least this many times the 90th percentile of rows per id.
const DOMINANT_TIMES_P90: u64 = 25;
/// Times before this year are implausible whatever a file's own history.
const HISTORY_FLOOR_YEAR: i32 = 1990;
/// Birthdays before this year are implausible.
const EARLIEST_BIRTH_YEAR: i32 = 1910;
/// An amount is an outlier beyond this many robust standard deviations (1.4826 MAD) of log amounts …
const OUTLIER_SIGMAS: f64 = 6.0;
/// … and at least this many times the median.
const OUTLIER_TIMES: f64 = 100.0;
/// A member's own amounts are judged once they have this many positive orders.
const OUTLIER_MEMBER_ORDERS: usize = 4;

impl Table {
    /// Runs every rule over the finished batch and writes the findings into `report`.
    pub(super) fn clean(&mut self, report: &mut FileReport) {
        let settings = self.cleaning.clone();
        let rows = self.batch.len();
        let mut keep = vec![true; rows];
        self.id_number_form(&settings, report);
        self.placeholders(&settings, report, &mut keep);
        self.duplicates(&settings, report, &mut keep);
        self.dates(&settings, report, &mut keep);
        self.birthdays(&settings, report);
        self.variants(&settings, report);
        self.conflicting_orders(report, &keep);
        self.amounts(report, &keep);
        let dropped = keep.iter().filter(|k| !**k).count();
        if dropped > 0 {
            self.retain(&keep);
            report.rows_dropped += dropped as u64;
            report.rows_loaded -= dropped as u64;
        }
        if report.findings.iter().any(|f| f.applied && matches!(f.rule, "placeholder_id" | "id_number_form")) {
            self.compact_ids();
        }
        self.hashes = Vec::new();
        if !self.batch.keeps_lines() {
            self.batch.lines = Vec::new();
        }
        report.findings.sort_by_key(|f| Cleaning::SWITCHES.iter().chain(&Cleaning::FLAGS).position(|r| *r == f.rule));
    }

    /// An example at row `row` of column `col` with value `value`.
    fn example(&self, row: usize, col: usize, value: &str, error: Error) -> Problem {
        Problem {
            line: self.batch.lines.get(row).map_or(0, |&l| u64::from(l)),
            column: col + 1,
            header: self.headers.get(col).cloned().unwrap_or_default(),
            value: value.chars().take(100).collect(),
            ..Problem::of(error)
        }
    }

    fn id_number_form(&mut self, settings: &Cleaning, report: &mut FileReport) {
        for c in 0..self.batch.ids.len() {
            let id = &self.batch.ids[c];
            if id.kind != IdKind::Member {
                continue;
            }
            let mut forms: Vec<(u32, String)> = Vec::new();
            let mut integer_column = true;
            for (code, v) in id.values.values().enumerate() {
                if is_integer_text(v) || is_placeholder_id(v) {
                    continue;
                }
                match integer_form(v) {
                    Some(f) => forms.push((code as u32, f)),
                    None => {
                        integer_column = false;
                        break;
                    }
                }
            }
            if !integer_column || forms.is_empty() {
                continue;
            }
            let mut is_form = vec![false; id.values.len()];
            forms.iter().for_each(|(code, _)| is_form[*code as usize] = true);
            let col = self.cols.ids[c].0;
            for (row, &code) in id.codes.iter().enumerate() {
                if code != NONE && is_form[code as usize] {
                    let e = self.example(row, col, id.values.get(code), Error::clean_id_number_form());
                    report.found("id_number_form", settings.id_number_form, 1, Some(e));
                }
            }
            if settings.id_number_form {
                let id = &mut self.batch.ids[c];
                let mut fixed = Dict::with_capacity(id.values.len(), id.values.text_len());
                let mut form = forms.into_iter().peekable();
                let table: Vec<u32> = (0..id.values.len() as u32)
                    .map(|code| match form.next_if(|(c, _)| *c == code) {
                        Some((_, f)) => fixed.intern(&f),
                        None => fixed.intern(id.values.get(code)),
                    })
                    .collect();
                id.values = fixed;
                crate::base::dict::remap_all(&mut id.codes, Some(&table));
                self.last_ids[c] = (String::new(), NONE);
            }
        }
    }

    fn placeholders(&mut self, settings: &Cleaning, report: &mut FileReport, keep: &mut [bool]) {
        let rows = self.batch.len();
        let mut placeholder: Vec<Vec<bool>> = self.batch.ids.iter().map(|id| id.values.values().map(is_placeholder_id).collect()).collect();
        // One id owning an implausible share of an orders file (a shop's default "walk-in" card).
        if matches!(self.batch.rows, BatchRows::Orders(_)) && rows > 0 {
            for (c, id) in self.batch.ids.iter().enumerate() {
                let mut counts = vec![0u64; id.values.len()];
                id.codes.iter().filter(|&&k| k != NONE).for_each(|&k| counts[k as usize] += 1);
                let mut sorted: Vec<u64> = counts.iter().copied().filter(|&n| n > 0).collect();
                sorted.sort_unstable();
                let p90 = sorted.get(sorted.len() * 9 / 10).copied().unwrap_or(1).max(1);
                for (code, &n) in counts.iter().enumerate() {
                    if n >= DOMINANT_MIN_ROWS && n as f64 >= DOMINANT_SHARE * rows as f64 && n >= DOMINANT_TIMES_P90 * p90 {
                        placeholder[c][code] = true;
                    }
                }
            }
        }
        if placeholder.iter().all(|p| !p.contains(&true)) {
            return;
        }
        for (row, kept) in keep.iter_mut().enumerate() {
            let mut left = 0;
            let mut hit = None;
            for (c, id) in self.batch.ids.iter().enumerate() {
                let code = id.codes[row];
                if code == NONE {
                    continue;
                }
                if placeholder[c][code as usize] {
                    hit.get_or_insert(c);
                } else {
                    left += 1;
                }
            }
            if let Some(c) = hit {
                let id = &self.batch.ids[c];
                let e = self.example(row, self.cols.ids[c].0, id.values.get(id.codes[row]), Error::clean_placeholder_id());
                report.found("placeholder_id", settings.placeholder_id, 1, Some(e));
                if settings.placeholder_id && left == 0 {
                    *kept = false;
                }
            }
        }
        if settings.placeholder_id {
            for (id, p) in self.batch.ids.iter_mut().zip(&placeholder) {
                id.codes.iter_mut().filter(|k| **k != NONE && p[**k as usize]).for_each(|k| *k = NONE);
            }
        }
    }

    fn duplicates(&mut self, settings: &Cleaning, report: &mut FileReport, keep: &mut [bool]) {
        if self.hashes.is_empty() {
            self.hash_typed_rows();
        }
        if self.hashes.len() != keep.len() {
            return;
        }
        // Clean data has no copies: the hashes alone are sorted to see whether there is any, and only then (hash,
        // row) pairs, to name the rows.
        let mut plain = self.hashes.clone();
        plain.sort_unstable();
        if !plain.windows(2).any(|w| w[0] == w[1]) {
            return;
        }
        drop(plain);
        let mut order: Vec<(u64, u32)> = (0..keep.len()).filter(|&r| keep[r]).map(|r| (self.hashes[r], r as u32)).collect();
        order.sort_unstable();
        let col = self.cols.order_id.or(self.cols.time).unwrap_or(self.cols.ids[0].0);
        for w in order.windows(2) {
            let (first, dup) = (w[0].1 as usize, w[1].1 as usize);
            if w[0].0 == w[1].0 {
                let first_line = self.batch.lines.get(first).copied().unwrap_or(0);
                let e = self.example(dup, col, &format!("= {first_line}"), Error::clean_duplicate_row());
                report.found("duplicate_row", settings.duplicate_row, 1, Some(e));
                if settings.duplicate_row {
                    keep[dup] = false;
                }
            }
        }
    }

    fn dates(&mut self, settings: &Cleaning, report: &mut FileReport, keep: &mut [bool]) {
        let ts = match &self.batch.rows {
            BatchRows::Orders(o) => &o.ts,
            BatchRows::Events(e) => &e.ts,
            _ => return,
        };
        // The window's start is the earliest plausible date, moved back to a year before the file's first
        // percentile of times when the file's own history starts earlier (a log of 1997 is not implausible), but
        // never before 1990 (epoch zero in every zone, and 1900 placeholders, stay out).
        let mut sorted: Vec<i64> = ts.iter().zip(keep.iter()).filter(|(_, k)| **k).map(|(t, _)| *t).collect();
        if sorted.is_empty() {
            return;
        }
        let at = sorted.len() / 100;
        let p1 = *sorted.select_nth_unstable(at).1;
        let floor = Day::from_ymd(HISTORY_FLOOR_YEAR, 1, 1).map_or(0, Day::start);
        let lo = settings.earliest_day().start().min(p1 - 365 * crate::base::date::SECS_PER_DAY).max(floor);
        let hi = settings.as_of_day().map_or(i64::MAX, Day::end);
        let col = self.cols.time.unwrap_or(0);
        let mut found = Vec::new();
        for (row, &t) in ts.iter().enumerate() {
            if keep[row] && (t < lo || t >= hi) {
                found.push((row, t));
            }
        }
        for (row, t) in found {
            let e = self.example(row, col, &super::format_ts(t), Error::clean_implausible_date());
            report.found("implausible_date", settings.implausible_date, 1, Some(e));
            if settings.implausible_date {
                keep[row] = false;
            }
        }
    }

    fn birthdays(&mut self, settings: &Cleaning, report: &mut FileReport) {
        let as_of = settings.as_of_day();
        let BatchRows::Members(attrs) = &mut self.batch.rows else { return };
        let Some(a) = attrs.iter().position(|a| a.role == Some(Role::Birthday)) else { return };
        let bad: Vec<bool> = attrs[a]
            .values
            .values()
            .map(|v| match parse_timestamp(v) {
                Some(t) => {
                    let day = Day::of_timestamp(t);
                    day.ymd().0 < EARLIEST_BIRTH_YEAR || as_of.is_some_and(|d| day > d)
                }
                None => false,
            })
            .collect();
        if !bad.contains(&true) {
            return;
        }
        let col = self.cols.attrs[a];
        let mut examples = Vec::new();
        let BatchRows::Members(attrs) = &self.batch.rows else { return };
        for (row, &code) in attrs[a].codes.iter().enumerate() {
            if code != NONE && bad[code as usize] {
                examples.push(self.example(row, col, attrs[a].values.get(code), Error::clean_implausible_birthday()));
            }
        }
        for e in examples {
            report.found("implausible_birthday", settings.implausible_birthday, 1, Some(e));
        }
        if settings.implausible_birthday {
            if let BatchRows::Members(attrs) = &mut self.batch.rows {
                attrs[a].codes.iter_mut().filter(|k| **k != NONE && bad[**k as usize]).for_each(|k| *k = NONE);
            }
        }
    }

    fn variants(&mut self, settings: &Cleaning, report: &mut FileReport) {
        let (cols, fold): (Vec<Option<usize>>, [bool; 2]) = match &self.batch.rows {
            BatchRows::Orders(_) => (vec![self.cols.channel, self.cols.category], [true, false]),
            BatchRows::Events(_) => (vec![self.cols.event_type], [true, false]),
            _ => return,
        };
        for (i, col) in cols.into_iter().enumerate() {
            let Some(col) = col else { continue };
            let apply = settings.value_variant && fold[i];
            let (dict, codes) = match &mut self.batch.rows {
                BatchRows::Orders(o) if i == 0 => (&mut o.channels, &mut o.channel),
                BatchRows::Orders(o) => (&mut o.categories, &mut o.category),
                BatchRows::Events(e) => (&mut e.types, &mut e.event_type),
                _ => return,
            };
            let Some(table) = variant_table(dict, codes) else { continue };
            let mut examples = Vec::new();
            for (row, &code) in codes.iter().enumerate() {
                if code != NONE && table[code as usize] != code {
                    examples.push((row, dict.get(code).to_string()));
                }
            }
            if apply {
                codes.iter_mut().filter(|k| **k != NONE).for_each(|k| *k = table[*k as usize]);
            }
            for (row, value) in examples {
                let e = self.example(row, col, &value, Error::clean_value_variant());
                report.found("value_variant", apply, 1, Some(e));
            }
        }
    }

    fn conflicting_orders(&self, report: &mut FileReport, keep: &[bool]) {
        let BatchRows::Orders(o) = &self.batch.rows else { return };
        let Some(col) = self.cols.order_id else { return };
        let key = |row: usize| self.batch.ids.iter().map(|id| id.codes[row]).find(|&c| c != NONE).unwrap_or(NONE);
        let mut pairs: Vec<(u64, u32)> =
            (0..o.order_id.len()).filter(|&r| keep[r] && o.order_id[r] != 0).map(|r| (o.order_id[r], r as u32)).collect();
        pairs.sort_unstable();
        let rows: Vec<u32> = pairs.into_iter().map(|(_, r)| r).collect();
        let mut start = 0;
        while start < rows.len() {
            let id = o.order_id[rows[start] as usize];
            let end = start + rows[start..].iter().take_while(|&&r| o.order_id[r as usize] == id).count();
            // A refund under the order's number comes later by nature: only purchase rows are compared by time.
            let first = rows[start] as usize;
            let bought = rows[start..end].iter().map(|&r| r as usize).find(|&r| o.amount[r] >= 0);
            let differs = |r: usize| key(r) != key(first) || (o.amount[r] >= 0 && bought.is_some_and(|b| o.ts[r] != o.ts[b]));
            if let Some(&other) = rows[start + 1..end].iter().find(|&&r| differs(r as usize)) {
                let value = format!("= {}", self.batch.lines.get(first).copied().unwrap_or(0));
                report.found(
                    "conflicting_order",
                    false,
                    1,
                    Some(self.example(other as usize, col, &value, Error::clean_conflicting_order())),
                );
            }
            start = end;
        }
    }

    fn amounts(&self, report: &mut FileReport, keep: &[bool]) {
        let BatchRows::Orders(o) = &self.batch.rows else { return };
        let col = self.cols.amount.or(self.cols.unit_price).unwrap_or(0);
        let key = |row: usize| self.batch.ids.iter().map(|id| id.codes[row]).find(|&c| c != NONE).unwrap_or(NONE);
        let positive: Vec<f64> = (0..o.amount.len()).filter(|&r| keep[r] && o.amount[r] > 0).map(|r| (o.amount[r] as f64).ln()).collect();
        let overall = Threshold::of(positive);
        // Per member: rows sorted by key, then each member's positive amounts and what they bought in all.
        let mut pairs: Vec<(u32, u32)> =
            (0..o.amount.len()).filter(|&r| keep[r]).map(|r| (key(r), r as u32)).filter(|&(k, _)| k != NONE).collect();
        pairs.sort_unstable();
        let keys: Vec<u32> = pairs.iter().map(|&(k, _)| k).collect();
        let rows: Vec<u32> = pairs.into_iter().map(|(_, r)| r).collect();
        let mut outliers = vec![false; o.amount.len()];
        let mut start = 0;
        while start < rows.len() {
            let k = keys[start];
            let end = start + keys[start..].iter().take_while(|&&x| x == k).count();
            let member = &rows[start..end];
            let logs: Vec<f64> = member.iter().map(|&r| o.amount[r as usize]).filter(|&a| a > 0).map(|a| (a as f64).ln()).collect();
            let bought: i64 = member.iter().fold(0i64, |s, &r| s.saturating_add(o.amount[r as usize].max(0)));
            let own = if logs.len() >= OUTLIER_MEMBER_ORDERS { Threshold::of(logs) } else { None };
            for &r in member {
                let a = o.amount[r as usize];
                if a > 0 && own.as_ref().is_some_and(|t| t.exceeds((a as f64).ln())) {
                    outliers[r as usize] = true;
                }
                if a < 0 && -a > bought {
                    let e = self.example(r as usize, col, &crate::base::values::format_amount(a), Error::clean_amount_sign());
                    report.found("amount_sign", false, 1, Some(e));
                }
            }
            start = end;
        }
        for r in 0..o.amount.len() {
            let a = o.amount[r];
            if keep[r] && a > 0 && (outliers[r] || overall.as_ref().is_some_and(|t| t.exceeds((a as f64).ln()))) {
                let e = self.example(r, col, &crate::base::values::format_amount(a), Error::clean_amount_outlier());
                report.found("amount_outlier", false, 1, Some(e));
            }
        }
    }

    /// Hashes event and member rows from their typed columns (order rows are hashed as read).
    fn hash_typed_rows(&mut self) {
        let mix = |h: &mut u64, v: u64| *h = (h.rotate_left(5) ^ v).wrapping_mul(0x0100_0000_01B3);
        let rows = self.batch.len();
        let mut hashes = vec![0x9E37_79B9_7F4A_7C15u64; rows];
        for id in &self.batch.ids {
            hashes.iter_mut().zip(&id.codes).for_each(|(h, &c)| mix(h, u64::from(c)));
        }
        match &self.batch.rows {
            BatchRows::Events(e) => {
                for (i, h) in hashes.iter_mut().enumerate() {
                    mix(h, e.ts[i] as u64);
                    mix(h, u64::from(e.event_type[i]) << 32 | u64::from(e.target[i]));
                }
            }
            BatchRows::Members(attrs) => {
                for a in attrs {
                    hashes.iter_mut().zip(&a.codes).for_each(|(h, &c)| mix(h, u64::from(c)));
                }
            }
            _ => return,
        }
        self.hashes = hashes;
    }

    /// Drops identifier values no row uses any more (placeholders, spreadsheet forms), so they never become people.
    fn compact_ids(&mut self) {
        for id in &mut self.batch.ids {
            let mut used = vec![false; id.values.len()];
            id.codes.iter().filter(|&&k| k != NONE).for_each(|&k| used[k as usize] = true);
            if !used.contains(&false) {
                continue;
            }
            let mut kept = Dict::with_capacity(id.values.len(), id.values.text_len());
            let table: Vec<u32> = (0..id.values.len()).map(|c| if used[c] { kept.intern(id.values.get(c as u32)) } else { NONE }).collect();
            id.values = kept;
            id.codes.iter_mut().filter(|k| **k != NONE).for_each(|k| *k = table[*k as usize]);
        }
    }

    /// Keeps the rows marked in `keep`, in every column of the batch.
    fn retain(&mut self, keep: &[bool]) {
        fn filter<T: Copy>(v: &mut Vec<T>, keep: &[bool]) {
            if v.len() == keep.len() {
                let mut i = 0;
                v.retain(|_| {
                    i += 1;
                    keep[i - 1]
                });
            }
        }
        let b = &mut self.batch;
        filter(&mut b.lines, keep);
        b.ids.iter_mut().for_each(|c| filter(&mut c.codes, keep));
        match &mut b.rows {
            BatchRows::Members(attrs) => attrs.iter_mut().for_each(|a| filter(&mut a.codes, keep)),
            BatchRows::Orders(o) => {
                filter(&mut o.ts, keep);
                filter(&mut o.amount, keep);
                filter(&mut o.discount, keep);
                filter(&mut o.order_id, keep);
                filter(&mut o.category, keep);
                filter(&mut o.channel, keep);
            }
            BatchRows::Events(e) => {
                filter(&mut e.ts, keep);
                filter(&mut e.event_type, keep);
                filter(&mut e.target, keep);
            }
            BatchRows::Identity => {}
        }
    }
}

/// A robust upper bound on log amounts: the median plus the larger of [`OUTLIER_SIGMAS`] robust deviations and
/// `ln(OUTLIER_TIMES)`.
struct Threshold(f64);

impl Threshold {
    fn of(mut logs: Vec<f64>) -> Option<Threshold> {
        if logs.is_empty() {
            return None;
        }
        let median = median(&mut logs);
        let mut dev: Vec<f64> = logs.iter().map(|x| (x - median).abs()).collect();
        let mad = median_of(&mut dev);
        Some(Threshold(median + (OUTLIER_SIGMAS * 1.4826 * mad).max(OUTLIER_TIMES.ln())))
    }

    fn exceeds(&self, log: f64) -> bool {
        log > self.0
    }
}

fn median(v: &mut [f64]) -> f64 {
    median_of(v)
}

fn median_of(v: &mut [f64]) -> f64 {
    v.sort_unstable_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The folding key of an enumerated value: full width to half width, trimmed, lower case.
pub fn fold_key(value: &str) -> String {
    fold_width(value).trim().to_lowercase()
}

/// For a dictionary with values that fold to the same key, the code each value folds into (the commonest spelling
/// of its key, the first seen on a tie); `None` when no two values fold together.
fn variant_table(dict: &Dict, codes: &[u32]) -> Option<Vec<u32>> {
    let keys: Vec<String> = dict.values().map(fold_key).collect();
    let mut by_key: std::collections::HashMap<&str, Vec<u32>> = std::collections::HashMap::new();
    for (code, k) in keys.iter().enumerate() {
        by_key.entry(k.as_str()).or_default().push(code as u32);
    }
    if by_key.values().all(|v| v.len() == 1) {
        return None;
    }
    let mut counts = vec![0u64; dict.len()];
    codes.iter().filter(|&&c| c != NONE).for_each(|&c| counts[c as usize] += 1);
    let mut table: Vec<u32> = (0..dict.len() as u32).collect();
    for group in by_key.values().filter(|g| g.len() > 1) {
        let best = *group.iter().max_by_key(|&&c| (counts[c as usize], std::cmp::Reverse(c))).unwrap_or(&group[0]);
        group.iter().for_each(|&c| table[c as usize] = best);
    }
    Some(table)
}
