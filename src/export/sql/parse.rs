//! Reading member attributes as numbers and times in SQL, exactly as the engine reads them: member files keep
//! their columns as text, and a rule that compares `birthday` with a date or `积分` with a number parses the
//! text the way `crate::base::values::parse_timestamp` and the evaluator's number reading do.
//!
//! Each parse is a few stages of derived columns (a stage may only read columns of earlier stages), so the
//! expressions stay readable and each text is scanned once. The generator puts stage `i` of every attribute
//! in the same common table expression.

use super::dialect::Dialect;

/// Columns to add, stage by stage: `stages[i]` reads only the source columns and earlier stages.
#[derive(Debug, Default)]
pub struct Stages {
    /// `(column name, expression)` per stage.
    pub stages: Vec<Vec<(String, String)>>,
}

impl Stages {
    fn push(&mut self, stage: usize, name: String, expr: String) {
        while self.stages.len() <= stage {
            self.stages.push(Vec::new());
        }
        self.stages[stage].push((name, expr));
    }

    /// Adds another parse's stages alongside these.
    pub fn merge(&mut self, other: Stages) {
        for (i, stage) in other.stages.into_iter().enumerate() {
            for (name, expr) in stage {
                self.push(i, name, expr);
            }
        }
    }
}

/// What Rust's `str::trim` removes: Unicode white space.
const WHITE: &str = r"[\t\n\x{0B}\f\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]";

/// A number as Rust's `f64::from_str` reads it (finite forms; infinities separately, NaN is missing).
const NUMBER: &str = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?";

fn trim(d: Dialect, x: &str) -> String {
    d.remove_all(x, &format!("^{WHITE}+|{WHITE}+$"))
}

/// `f64::from_str` of a text: a number, an infinity, or missing (NaN and anything else).
fn rust_float(d: Dialect, x: &str) -> String {
    let inf = d.number(f64::INFINITY);
    format!(
        "CASE WHEN {} THEN {} WHEN {} THEN {inf} WHEN {} THEN (-{inf}) ELSE {} END",
        d.full_match(x, NUMBER),
        d.try_double(x),
        d.full_match(x, "[+]?(?i:inf|infinity)"),
        d.full_match(x, "-(?i:inf|infinity)"),
        d.null_double()
    )
}

/// A number from text as rules read a member attribute: trailing 岁/元/分 and thousands separators are
/// dropped, `%` divides by 100, anything else is missing.
pub fn number(d: Dialect, src: &str, prefix: &str) -> (Stages, String) {
    let mut s = Stages::default();
    let t = format!("{prefix}_nt");
    s.push(0, t.clone(), format!("replace({}, ',', '')", d.remove_all(&trim(d, src), "[岁元分]+$")));
    let percent = trim(d, &d.remove_all(&t, "%$"));
    let n = format!("{prefix}_n");
    s.push(
        1,
        n.clone(),
        format!("CASE WHEN {} THEN {} / 100 ELSE {} END", d.partial_match(&t, "%$"), rust_float(d, &percent), rust_float(d, &t)),
    );
    (s, n)
}

/// The age column's reading: trailing 岁 dropped, then a plain number.
pub fn age_number(d: Dialect, src: &str) -> String {
    rust_float(d, &d.remove_all(&trim(d, src), "岁+$"))
}

/// Full-width ASCII variants and the ideographic space, with their ASCII forms (as `fold_width`).
fn width_tables() -> (String, String) {
    let mut from = String::new();
    let mut to = String::new();
    for c in 0xFF01u32..=0xFF5E {
        from.push(char::from_u32(c).unwrap_or(' '));
        to.push(char::from_u32(c - 0xFEE0).unwrap_or(' '));
    }
    from.push('\u{3000}');
    to.push(' ');
    (from, to)
}

fn valid_date(d: Dialect, y: &str, m: &str, day: &str) -> String {
    let _ = d;
    format!(
        "({y} IS NOT NULL AND {y} <= 9999 AND {m} BETWEEN 1 AND 12 AND {day} >= 1 AND {day} <= CASE WHEN {m} IN (4, 6, 9, 11) THEN 30 \
         WHEN {m} = 2 THEN CASE WHEN ({y} % 4 = 0 AND {y} % 100 <> 0) OR {y} % 400 = 0 THEN 29 ELSE 28 END ELSE 31 END)"
    )
}

fn safe_date(d: Dialect, ok: &str, y: &str, m: &str, day: &str) -> String {
    d.make_date(
        &format!("CASE WHEN {ok} THEN {y} ELSE 1970 END"),
        &format!("CASE WHEN {ok} THEN {m} ELSE 1 END"),
        &format!("CASE WHEN {ok} THEN {day} ELSE 1 END"),
    )
}

/// A timestamp from text, as `parse_timestamp` (month first for `a/b/yyyy`): `2025-05-24`, `2025/5/24 14:35:19`,
/// `2025年5月24日`, `20250524`, `5/24/2025`, Excel serial days, Unix seconds and milliseconds. Years past 9999
/// are missing here (the engine would read them).
pub fn timestamp(d: Dialect, src: &str, prefix: &str) -> (Stages, String) {
    let mut s = Stages::default();
    let c = |name: &str| format!("{prefix}_{name}");
    let (from, to) = width_tables();
    s.push(0, c("t"), d.translate(&trim(d, src), &from, &to));
    let t = c("t");
    // Stage 1: the shape of the text.
    s.push(1, c("isnum"), format!("({} AND NOT {})", d.full_match(&t, "[0-9.]+"), d.partial_match(&t, r"\..*\.")));
    s.push(1, c("ok"), d.full_match(&t, "[0-9/. :T年月日号时分秒点-]*Z?"));
    s.push(1, c("r"), d.digit_runs(&t));
    // A '.' after the sixth number starts a fraction of a second: the rest is ignored.
    s.push(1, c("fr"), d.partial_match(&t, r"^[^0-9]*([0-9]+[^0-9]+){5}[0-9]+[^0-9]*\."));
    s.push(1, c("ip"), d.remove_all(&t, r"\..*$"));
    s.push(1, c("dot"), d.partial_match(&t, r"\."));
    // Stage 2: the numbers (at most 7 are read; each must fit in 32 bits).
    let r = c("r");
    s.push(2, c("k"), format!("CASE WHEN {} THEN 6 ELSE {} END", c("fr"), d.array_len(&r)));
    for i in 1..=7 {
        let run = d.element(&r, i);
        s.push(
            2,
            c(&format!("n{i}")),
            format!("CASE WHEN {} <= 10 THEN {} END", d.text_len(&d.remove_all(&run, "^0+")), d.try_bigint(&run)),
        );
    }
    s.push(2, c("d1"), d.text_len(&d.element(&r, 1)));
    let ip = c("ip");
    s.push(2, c("il"), d.text_len(&ip));
    s.push(2, c("ny"), d.try_bigint(&format!("substring({t}, 1, 4)")));
    s.push(2, c("nm"), d.try_bigint(&format!("substring({t}, 5, 2)")));
    s.push(2, c("nd"), d.try_bigint(&format!("substring({t}, 7, 2)")));
    s.push(2, c("serial"), d.try_double(&t));
    // Stage 3: year, month, day, seconds of the day, and whether the numbers were read.
    let k = c("k");
    let n = |i: usize| c(&format!("n{i}"));
    let fits: Vec<String> = (1..=7).map(|i| format!("({k} < {i} OR ({} IS NOT NULL AND {} <= 4294967295))", n(i), n(i))).collect();
    s.push(3, c("read"), format!("({} AND {k} BETWEEN 3 AND 7 AND {})", c("ok"), fits.join(" AND ")));
    let pick = |a: &str, b: &str, e: &str| {
        format!("CASE WHEN {} = 4 THEN {a} WHEN {} >= 1000 THEN CASE WHEN {} > 12 THEN {b} ELSE {e} END END", c("d1"), n(3), n(1))
    };
    s.push(3, c("y"), pick(&n(1), &n(3), &n(3)));
    s.push(3, c("m"), pick(&n(2), &n(2), &n(1)));
    s.push(3, c("d"), pick(&n(3), &n(1), &n(2)));
    let (h, mi, sec) = (format!("coalesce({}, 0)", n(4)), format!("coalesce({}, 0)", n(5)), format!("coalesce({}, 0)", n(6)));
    s.push(3, c("hms"), format!("{h} * 3600 + {mi} * 60 + {sec}"));
    s.push(3, c("tok"), format!("({h} <= 23 AND {mi} <= 59 AND {sec} <= 60)"));
    // Stage 4: the timestamp.
    let (y, m, dd) = (c("y"), c("m"), c("d"));
    let general_ok = format!("({} AND {} AND {})", c("read"), valid_date(d, &y, &m, &dd), c("tok"));
    let general = d.add_seconds(&d.start_of(&safe_date(d, &general_ok, &y, &m, &dd)), &c("hms"));
    let (ny, nm, nd) = (c("ny"), c("nm"), c("nd"));
    let eight_ok = valid_date(d, &ny, &nm, &nd);
    let eight = d.start_of(&safe_date(d, &eight_ok, &ny, &nm, &nd));
    let serial = c("serial");
    let whole = format!("floor({serial})");
    let excel = d.epoch_plus(&format!("({whole} - 25569) * 86400 + {}", d.round(&format!("({serial} - {whole}) * 86400"))));
    let (il, dot) = (c("il"), c("dot"));
    let numeric = format!(
        "CASE WHEN NOT {dot} AND {il} = 8 AND {eight_ok} THEN {eight} \
         WHEN NOT {dot} AND {il} = 10 THEN {} \
         WHEN NOT {dot} AND {il} = 13 THEN {} \
         WHEN {il} = 5 AND {serial} BETWEEN 20000 AND 80000 THEN {excel} END",
        d.epoch_plus(&d.try_bigint(&t)),
        d.epoch_plus(&d.int_div(&d.try_bigint(&t), "1000")),
    );
    let out = c("ts");
    s.push(
        4,
        out.clone(),
        format!(
            "CASE WHEN {t} IS NULL OR {t} = '' THEN {} WHEN {} THEN {numeric} WHEN {general_ok} THEN {general} END",
            d.null_time(),
            c("isnum")
        ),
    );
    (s, out)
}
