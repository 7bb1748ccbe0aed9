//! The engine against the reference interpreter (`rules_reference.rs`): random well-typed rules over random small
//! datasets, member by member. Each case is a dataset of a few members (orders with money that does not add up in
//! binary floats, order lines, refunds, rows after the analysis date, blank cells; events; member attributes that
//! are numbers, dates or neither) and [`RULES`] rules over it: literals, money, dates and date literals, windows,
//! `where`, sequences, `case`, `in`, `between` and missing values, at the top level and inside aggregates.
//!
//! `cargo test` runs a few hundred rule/dataset pairs (a few seconds). `HUAXIANG_REFERENCE_CASES=100000` runs that
//! many pairs; the seed of a failing case is in its message, and the message holds the data and the rule.

use crate::rules_reference::{days_from_civil, Data, Event, Member, Num, Order, Reference, Val};
use huaxiang::base::date::Day;
use huaxiang::base::roles::FileKind;
use huaxiang::engine::Workspace;
use huaxiang::rules::eval::Outcome;
use proptest::prelude::*;

/// Rules per dataset.
const RULES: usize = 5;

/// SplitMix64: the generator's randomness, from proptest's seed.
struct G(huaxiang::base::random::SplitMix64);

impl G {
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const DAYS: [(i64, i64, i64); 9] =
    [(2024, 12, 31), (2025, 1, 1), (2025, 1, 2), (2025, 6, 1), (2025, 6, 28), (2025, 6, 30), (2025, 7, 1), (2025, 7, 2), (2025, 3, 15)];
const SECONDS: [i64; 5] = [0, 34_200, 57_600, 86_399, 43_200];
const DATE_TEXTS: [&str; 5] = ["2025-01-01", "2025-06-30", "2025-07-01", "2024-12-31", "2025-06-01"];
const TIME_TEXTS: [&str; 3] = ["2025-01-01 16:00:00", "2025-06-30 23:59:59", "2025-01-01 09:30:00"];
const NUMBERS: [&str; 14] = ["0", "1", "2", "10.3", "10.1", "0.2", "0.25", "5.15", "0.3", "100", "0.125", "3.33", "0.1", "1.5"];
const CATEGORIES: [&str; 5] = ["美妆", "护肤", "", "Beauty", "beauty"];
const TARGETS: [&str; 3] = ["口红", "", "面霜"];

fn random_data(g: &mut G) -> Data {
    let n = 1 + g.below(5);
    let members = (0..n)
        .map(|i| Member {
            key: format!("M{i}"),
            city: g.pick(&["上海", "北京", "", "Shanghai", "shanghai", "ＳＨ"]).to_string(),
            points: g.pick(&["12", "3.5", "", "abc", "-4", "10.3", "0"]).to_string(),
            registered: g.pick(&["2025-01-01", "2024-06-30 10:00:00", "", "x", "2025-06-30"]).to_string(),
        })
        .collect();
    let ts = |g: &mut G| {
        let (y, m, d) = g.pick(&DAYS);
        days_from_civil(y, m, d) * 86_400 + g.pick(&SECONDS)
    };
    let mut orders: Vec<Order> = Vec::new();
    // At least one order: the workspace computes nothing without orders.
    for _ in 0..=g.below(4 * n) {
        // Some rows are lines of the order before them (same number, same time, same member).
        let line_of = orders.last().filter(|_| g.chance(20)).cloned();
        let (member, time, order_id) = match line_of {
            Some(o) => (o.member, o.ts, o.order_id),
            None => (g.below(n), ts(g), if g.chance(15) { String::new() } else { format!("A{}", orders.len()) }),
        };
        orders.push(Order {
            member,
            ts: time,
            amount: g.pick(&[1010, 20, 5, 0, -500, 333, 10_000, 25, 1]),
            discount: g.pick(&[0, 20, 150]),
            category: g.pick(&CATEGORIES).to_string(),
            channel: g.pick(&["天猫", "门店"]).to_string(),
            order_id,
        });
    }
    // And a purchase on or before the analysis date: RFM needs one.
    let limit = (days_from_civil(2025, 7, 1) + 1) * 86_400;
    if !orders.iter().any(|o| o.amount > 0 && o.ts < limit) {
        let ts = days_from_civil(2025, 1, 1) * 86_400 + 34_200;
        let (category, channel) = ("美妆".to_string(), "天猫".to_string());
        orders.push(Order { member: 0, ts, amount: 1010, discount: 0, category, channel, order_id: "Z".into() });
    }
    let events = (0..g.below(3 * n + 1))
        .map(|_| Event {
            member: g.below(n),
            ts: ts(g),
            kind: g.pick(&["view", "add_cart", "share"]).to_string(),
            target: g.pick(&TARGETS).to_string(),
        })
        .collect();
    Data { members, orders, events, as_of: days_from_civil(2025, 7, 1) }
}

fn stamp(ts: i64) -> String {
    let (y, m, d) = Day(ts.div_euclid(86_400) as i32).ymd();
    let s = ts.rem_euclid(86_400);
    format!("{y}-{m:02}-{d:02} {:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

fn yuan(fen: i64) -> String {
    format!("{}{}.{:02}", if fen < 0 { "-" } else { "" }, fen.abs() / 100, fen.abs() % 100)
}

/// The data as the three CSV files the engine loads.
fn csv(data: &Data) -> [String; 3] {
    let mut m = String::from("会员编号,城市,积分,注册日期\n");
    for x in &data.members {
        m.push_str(&format!("{},{},{},{}\n", x.key, x.city, x.points, x.registered));
    }
    let mut o = String::from("订单号,会员编号,下单时间,实付金额,优惠金额,品类,渠道\n");
    for x in &data.orders {
        let key = &data.members[x.member].key;
        o.push_str(&format!("{},{key},{},{},{},{},{}\n", x.order_id, stamp(x.ts), yuan(x.amount), yuan(x.discount), x.category, x.channel));
    }
    let mut e = String::from("会员编号,发生时间,行为类型,行为对象\n");
    for x in &data.events {
        e.push_str(&format!("{},{},{},{}\n", data.members[x.member].key, stamp(x.ts), x.kind, x.target));
    }
    [m, o, e]
}

/// Random well-typed rule text.
struct Rules<'a>(&'a mut G);

impl Rules<'_> {
    fn op(&mut self) -> &'static str {
        self.0.pick(&["==", "!=", "<", "<=", ">", ">="])
    }

    fn window(&mut self) -> String {
        if self.0.chance(40) {
            format!(", last {}d", self.0.pick(&[1, 2, 30, 200]))
        } else {
            String::new()
        }
    }

    fn table(&mut self) -> &'static str {
        self.0.pick(&["orders", "events"])
    }

    fn source(&mut self, table: &str) -> String {
        if self.0.chance(45) {
            format!("{table} where {}", self.rbool(table, 2))
        } else {
            table.to_string()
        }
    }

    fn literal(&mut self) -> String {
        self.0.pick(&NUMBERS).to_string()
    }

    fn rtext(&mut self, table: &str) -> &'static str {
        if table == "orders" {
            self.0.pick(&["category", "channel"])
        } else {
            self.0.pick(&["type", "target"])
        }
    }

    fn rnum(&mut self, table: &str, d: u32) -> String {
        let r = self.0.below(if d == 0 { 4 } else { 9 });
        // Events have no amounts: their rows take a literal or a day count there.
        let r = if table == "events" && (r == 2 || r == 3) { r - 2 } else { r };
        match r {
            0 => self.literal(),
            1 => "days_since(time)".into(),
            2 => "amount".into(),
            3 => "discount".into(),
            4 | 5 => format!("({} {} {})", self.rnum(table, d - 1), self.0.pick(&["+", "-", "*", "/", "+", "-"]), self.rnum(table, d - 1)),
            6 => format!("{}({})", self.0.pick(&["abs", "round", "-"]), self.rnum(table, d - 1)),
            7 => format!("coalesce({}, {})", self.rnum(table, d - 1), self.rnum(table, d - 1)),
            _ => {
                let other = if self.0.chance(50) { format!(" else {}", self.rnum(table, d - 1)) } else { String::new() };
                format!("case when {} then {}{other} end", self.rbool(table, d - 1), self.rnum(table, d - 1))
            }
        }
    }

    fn rbool(&mut self, table: &str, d: u32) -> String {
        match self.0.below(if d == 0 { 9 } else { 13 }) {
            0 => format!("{} {} {}", self.rnum(table, d.min(1)), self.op(), self.rnum(table, d.min(1))),
            1 => {
                let c = self.rtext(table);
                format!("{c} {} \"{}\"", self.0.pick(&["==", "!=", "<"]), self.0.pick(&["美妆", "Beauty", "天猫", "view", "口红"]))
            }
            2 => {
                format!("{} {}in [\"美妆\", \"share\", \"口红\", \"门店\"]", self.rtext(table), if self.0.chance(30) { "not " } else { "" })
            }
            3 => format!("contains({}, \"{}\")", self.rtext(table), self.0.pick(&["妆", "a", "红"])),
            4 => {
                let lit = if self.0.chance(60) { self.0.pick(&DATE_TEXTS) } else { self.0.pick(&TIME_TEXTS) };
                if self.0.chance(30) {
                    format!("time {} date(\"{lit}\")", self.op())
                } else {
                    format!("time {} \"{lit}\"", self.op())
                }
            }
            5 => format!("time between \"{}\" and \"{}\"", self.0.pick(&DATE_TEXTS), self.0.pick(&DATE_TEXTS)),
            6 if table == "orders" => match self.0.below(3) {
                0 => format!("order_id {} \"A{}\"", self.0.pick(&["==", "!="]), self.0.below(6)),
                1 => format!("order_id {}in [\"A1\", \" A2 \", \"A3\"]", if self.0.chance(40) { "not " } else { "" }),
                _ => format!("amount + discount == {}", self.0.pick(&["10.3", "0.4", "1.7", "10.1"])),
            },
            6 | 7 => self
                .0
                .pick(&["\"a\" == \"a\"", "\"a\" in [\"a\", \"b\"]", "\"a\" != \"a\"", "true", "false", "\"b\" < \"a\"", "true == true"])
                .into(),
            8 => format!("{} between {} and {}", self.rnum(table, 0), self.literal(), self.literal()),
            9 => format!("not ({})", self.rbool(table, d - 1)),
            10 | 11 => format!("({} {} {})", self.rbool(table, d - 1), self.0.pick(&["and", "or"]), self.rbool(table, d - 1)),
            _ => format!("case when {} then {} else {} end", self.rbool(table, d - 1), self.rbool(table, d - 1), self.rbool(table, d - 1)),
        }
    }

    /// A number aggregate.
    fn aggregate(&mut self) -> String {
        let t = self.table();
        let w = self.window();
        match self.0.below(7) {
            0 => format!("count({}{w})", self.source(t)),
            1 | 2 => {
                let f = self.0.pick(&["sum", "avg", "min", "max", "first", "last"]);
                if t == "orders" && self.0.chance(50) {
                    let col = self.0.pick(&["amount", "discount"]);
                    let filter = if self.0.chance(40) { format!(" where {}", self.rbool(t, 1)) } else { String::new() };
                    format!("{f}(orders.{col}{filter}{w})")
                } else {
                    let src = self.source(t);
                    format!("{f}({src}, {}{w})", self.rnum(t, 2))
                }
            }
            3 => {
                let col = if t == "orders" { self.0.pick(&["category", "order_id", "channel"]) } else { self.0.pick(&["type", "target"]) };
                format!("distinct({t}.{col}{w})")
            }
            4 => format!("distinct({}, {}{w})", self.source(t), self.rnum(t, 1)),
            _ => {
                let src = self.source(t);
                format!("share({src}, {}{w})", self.rbool(t, 2))
            }
        }
    }

    fn num(&mut self, d: u32) -> String {
        match self.0.below(if d == 0 { 5 } else { 11 }) {
            0 => self.literal(),
            1 => "积分".into(),
            2 => "monetary".into(),
            3 | 4 => self.aggregate(),
            5 | 6 => format!("({} {} {})", self.num(d - 1), self.0.pick(&["+", "-", "*", "/", "+", "-"]), self.num(d - 1)),
            7 => format!("{}({})", self.0.pick(&["abs", "round", "-"]), self.num(d - 1)),
            8 => format!("coalesce({}, {})", self.num(d - 1), self.num(d - 1)),
            9 => format!("days_since({})", self.time(d - 1)),
            _ => {
                let other = if self.0.chance(60) { format!(" else {}", self.num(d - 1)) } else { String::new() };
                format!("case when {} then {}{other} end", self.boolean(d - 1), self.num(d - 1))
            }
        }
    }

    fn time(&mut self, d: u32) -> String {
        match self.0.below(if d == 0 { 4 } else { 5 }) {
            0 => {
                let col = self.0.pick(&["orders.time", "events.time"]);
                let f = self.0.pick(&["first", "last", "min", "max"]);
                format!("{f}({col}{})", self.window())
            }
            1 => format!("last(orders.time where {})", self.rbool("orders", 1)),
            2 => format!("date(\"{}\")", self.0.pick(&DATE_TEXTS)),
            3 => format!("date(\"{}\")", self.0.pick(&TIME_TEXTS)),
            _ => format!("case when {} then {} else {} end", self.boolean(d - 1), self.time(d - 1), self.time(d - 1)),
        }
    }

    fn text(&mut self, d: u32) -> String {
        match self.0.below(if d == 0 { 4 } else { 5 }) {
            0 => "city".into(),
            1 => format!("top({}{})", self.0.pick(&["orders.category", "events.target", "events.type"]), self.window()),
            2 => format!("{}({})", self.0.pick(&["first", "last"]), self.0.pick(&["orders.category", "orders.channel", "events.target"])),
            3 => format!("\"{}\"", self.0.pick(&["上海", "美妆", "Beauty"])),
            _ => {
                let other = if self.0.chance(60) { format!(" else {}", self.text(d - 1)) } else { String::new() };
                format!("case when {} then {}{other} end", self.boolean(d - 1), self.text(d - 1))
            }
        }
    }

    fn did(&mut self) -> String {
        let t = self.table();
        format!("did({}{})", self.source(t), self.window())
    }

    fn boolean(&mut self, d: u32) -> String {
        match self.0.below(if d == 0 { 10 } else { 15 }) {
            0 => format!("{} {} {}", self.num(d.min(1)), self.op(), self.num(d.min(1))),
            1 => format!(
                "{} {} \"{}\"",
                self.text(d.min(1)),
                self.0.pick(&["==", "!="]),
                self.0.pick(&["上海", "美妆", "Beauty", "SH", "口红"])
            ),
            2 => format!(
                "{} {}in [\"上海\", \"美妆\", \"口红\", \"beauty\"]",
                self.text(d.min(1)),
                if self.0.chance(30) { "not " } else { "" }
            ),
            3 => {
                let lit = if self.0.chance(60) { self.0.pick(&DATE_TEXTS) } else { self.0.pick(&TIME_TEXTS) };
                let lit = if self.0.chance(30) { format!("date(\"{lit}\")") } else { format!("\"{lit}\"") };
                if self.0.chance(20) {
                    format!("{lit} {} {}", self.op(), self.time(d.min(1)))
                } else {
                    format!("{} {} {lit}", self.time(d.min(1)), self.op())
                }
            }
            4 => format!("{} {} {}", self.time(0), self.op(), self.time(0)),
            5 => match self.0.below(4) {
                0 => format!("注册日期 {} date(\"{}\")", self.op(), self.0.pick(&DATE_TEXTS)),
                1 => format!("注册日期 {} \"{}\"", self.op(), self.0.pick(&DATE_TEXTS)),
                2 => format!("积分 {} {}", self.op(), self.literal()),
                _ => "积分 in [12, 3.5, 10.3]".into(),
            },
            6 => self.did(),
            7 => {
                let first = self.did();
                let not = if self.0.chance(40) { "not " } else { "" };
                let within = self.0.pick(&["1d", "2d", "12h", "30d"]);
                format!("({first} then {not}{} within {within})", self.did())
            }
            8 => self
                .0
                .pick(&["\"a\" in [\"a\"]", "\"a\" == \"a\"", "1 in [1, 2]", "0.1 + 0.2 == 0.3", "true", "false", "\"a\" in [\"b\"]"])
                .into(),
            9 => format!("contains({}, \"{}\")", self.text(0), self.0.pick(&["海", "妆", "a"])),
            10 => format!("{} between {} and {}", self.num(d - 1), self.literal(), self.literal()),
            11 => format!("{} between \"{}\" and date(\"{}\")", self.time(d - 1), self.0.pick(&DATE_TEXTS), self.0.pick(&DATE_TEXTS)),
            12 => format!("not ({})", self.boolean(d - 1)),
            _ => format!("({} {} {})", self.boolean(d - 1), self.0.pick(&["and", "or"]), self.boolean(d - 1)),
        }
    }

    fn definition(&mut self, i: usize) -> String {
        match self.0.below(5) {
            0 | 1 => format!("tag t{i} = {}", self.boolean(2)),
            2 => format!("tag t{i} = {}", self.text(2)),
            _ => format!("metric t{i} = {}", self.num(2)),
        }
    }
}

/// A member's value of a definition, as both sides give it.
#[derive(Debug, PartialEq)]
enum Answer {
    Yes(bool),
    Text(Option<String>),
    Number(Option<f64>),
}

fn reference_answer(v: Val, kind: &Outcome) -> Answer {
    match kind {
        Outcome::Bool(_) => Answer::Yes(matches!(v, Val::Bool(true))),
        Outcome::Text(_) => Answer::Text(match v {
            Val::Text(t) | Val::Attr(t) => t,
            _ => None,
        }),
        Outcome::Num(_) => Answer::Number(match v {
            Val::Num(n) => n.map(Num::f),
            Val::Attr(Some(s)) => s.trim().parse::<f64>().ok(),
            Val::Bool(b) => Some(f64::from(u8::from(b))),
            _ => None,
        }),
    }
}

fn engine_answer(o: &Outcome, p: usize) -> Answer {
    match o {
        Outcome::Bool(b) => Answer::Yes(b.contains(p as u32)),
        Outcome::Text(t) => Answer::Text(Some(t.get(p).to_string()).filter(|s| !s.is_empty())),
        Outcome::Num(v) => Answer::Number(Some(v[p]).filter(|x| !x.is_nan())),
    }
}

/// Runs one case; `Err` describes every difference.
fn run_case(seed: u64) -> Result<(), String> {
    let mut g = G(huaxiang::base::random::SplitMix64::new(seed));
    let data = random_data(&mut g);
    let text: String = (0..RULES).map(|i| Rules(&mut g).definition(i) + "\n").collect();
    let files = csv(&data);
    let mut ws = Workspace::new();
    // The reference reads the rows as written: no cleaning rule may drop or change one (the random data has exact
    // duplicate rows and ids a cleaning rule would fold; docs/ingest.md tests those on their own).
    let zone = ws.cleaning().time_zone.clone();
    ws.set_cleaning(huaxiang::ingest::clean::Cleaning::off(zone));
    for (i, kind) in [FileKind::Members, FileKind::Orders, FileKind::Events].into_iter().enumerate() {
        let report = ws.load_bytes(&format!("f{i}.csv"), Some(kind), files[i].as_bytes(), 1 << 16).map_err(|e| e.en)?;
        if report.rows_skipped != 0 {
            return Err(format!("file {i} skipped rows: {report:?}\n{}", files[i]));
        }
    }
    ws.compute(Some(Day(data.as_of as i32))).map_err(|e| e.en)?;
    let context = || format!("seed {seed}\n--- members\n{}--- orders\n{}--- events\n{}--- rules\n{text}", files[0], files[1], files[2]);
    let (_, problems) = ws.import_rules(&text, "2025-07-01T09:00:00", "reference");
    if !problems.is_empty() {
        return Err(format!("{problems:?}\n{}", context()));
    }
    let report = ws.tags().map_err(|e| e.en)?;
    let errors: Vec<String> = report
        .tags
        .iter()
        .flat_map(|t| {
            t.diagnostics.iter().filter(|d| d.severity == huaxiang::rules::Severity::Error).map(move |d| format!("{}: {}", t.name, d.en))
        })
        .collect();
    if !errors.is_empty() {
        return Err(format!("the checker refused a generated rule: {errors:?}\n{}", context()));
    }
    let (program, _) = huaxiang::rules::parser::parse_program(&text);
    let (compiled, evaluation) = ws.evaluate_tags().map_err(|e| e.en)?;
    let evaluation = evaluation.ok_or("not computed")?;
    let reference = Reference { data: &data };
    let mut differences = Vec::new();
    for def in &program.defs {
        let i = compiled.find(&def.name).ok_or("defined")?;
        let outcome = evaluation.outcomes[i].as_ref().ok_or_else(|| format!("{} was not evaluated\n{}", def.name, context()))?;
        let expr = def.expr.as_ref().ok_or("parsed")?;
        for p in 0..data.members.len() {
            let key = ws.person_key(p as u32).to_string();
            let m = data.members.iter().position(|x| x.key == key).ok_or("a known member")?;
            let (engine, expected) = (engine_answer(outcome, p), reference_answer(reference.member(expr, m), outcome));
            if engine != expected {
                differences.push(format!("{} for {key}: engine {engine:?}, reference {expected:?}", def.name));
            }
        }
    }
    if differences.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\n{}", differences.join("\n"), context()))
    }
}

/// Rule/dataset pairs to run: `HUAXIANG_REFERENCE_CASES`, or 250 (a few seconds).
fn pairs() -> u32 {
    std::env::var("HUAXIANG_REFERENCE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(250)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: pairs().div_ceil(RULES as u32),
        failure_persistence: None,
        max_shrink_iters: 0,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_engine_gives_the_reference_interpreters_answers(seed in any::<u64>()) {
        let result = run_case(seed);
        prop_assert!(result.is_ok(), "{}", result.err().unwrap_or_default());
    }
}

#[test]
fn the_reference_is_itself_checked_on_hand_worked_cases() {
    // 10.10 + 0.20 in fen; a date literal against 16:00 that day; a case with no arm taken is missing.
    let data = Data {
        members: vec![Member { key: "M0".into(), city: "上海".into(), points: "12".into(), registered: "2025-01-01".into() }],
        orders: vec![
            Order {
                member: 0,
                ts: days_from_civil(2024, 12, 20) * 86_400,
                amount: 1010,
                discount: 0,
                category: "美妆".into(),
                channel: "天猫".into(),
                order_id: "A1".into(),
            },
            Order {
                member: 0,
                ts: days_from_civil(2025, 1, 1) * 86_400 + 57_600,
                amount: 20,
                discount: 0,
                category: String::new(),
                channel: "门店".into(),
                order_id: String::new(),
            },
        ],
        events: Vec::new(),
        as_of: days_from_civil(2025, 7, 1),
    };
    let r = Reference { data: &data };
    let eval = |text: &str| {
        let (p, d) = huaxiang::rules::parser::parse_program(&format!("tag x = {text}"));
        assert!(d.is_empty(), "{d:?}");
        r.member(p.defs[0].expr.as_ref().unwrap(), 0)
    };
    let yes = |text: &str| matches!(eval(text), Val::Bool(true));
    assert!(yes("sum(orders.amount) == 10.3"));
    assert!(yes("last(orders.time) == \"2025-01-01\"") && yes("last(orders.time) <= date(\"2025-01-01\")"));
    assert!(!yes("last(orders.time) <= \"2025-01-01 12:00:00\""));
    assert!(yes("\"a\" in [\"a\"]") && yes("share(orders, true) > 0") && yes("0.1 + 0.2 == 0.3"));
    assert!(yes("count(orders where order_id == \"A1\") == 1") && yes("distinct(orders.category) == 1"));
    assert!(matches!(eval("avg(orders.amount)"), Val::Num(Some(Num::Exact(515)))));
    assert!(matches!(eval("case when false then 1 end"), Val::Missing));
    assert!(!yes("not (城市 == \"北京\") and 积分 < 3"));
}
