//! A reference interpreter of the rule language: deliberately simple, member by member and row by row, written
//! from the semantics `docs/rules.md` states ("Exact semantics") and sharing nothing with the engine's column
//! evaluator but the syntax tree (`huaxiang::rules::ast`). Its data are plain rows held here (the property test in
//! `rules_reference_props.rs` writes the same rows as CSV for the engine). It covers what that test generates:
//! member attributes (`city`, `积分`, `注册日期`), `monetary`, aggregates over orders and events with `where` and
//! windows, sequences, `case`, `in`, `between`, `contains`, `days_since`, `date`, `abs`, `round`, `coalesce`.
//!
//! Numbers are exact where the documentation says so: decimals (amounts, discounts, `monetary`, numbers written
//! with at most two decimals, and sums and differences of them) are held here as whole hundredths in an `i64`;
//! everything else is an `f64`.

use huaxiang::rules::ast::{AggFn, BinOp, Did, Expr, ExprKind, Source, Then, Window};

/// The days from 1970-01-01 to a civil date (proleptic Gregorian).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` (the only shapes the generator writes) as seconds; whether it has a time.
pub fn parse_time(s: &str) -> Option<(i64, bool)> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| s.get(r).filter(|x| x.bytes().all(|c| c.is_ascii_digit())).and_then(|x| x.parse::<i64>().ok());
    if (b.len() != 10 && b.len() != 19) || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let day = days_from_civil(y, m, d) * 86_400;
    if b.len() == 10 {
        return Some((day, false));
    }
    Some((day + num(11..13)? * 3600 + num(14..16)? * 60 + num(17..19)?, true))
}

/// One member's row of the member file ("" = a blank cell).
#[derive(Clone, Debug)]
pub struct Member {
    pub key: String,
    pub city: String,
    pub points: String,
    pub registered: String,
}

/// An order row: amount and discount in fen.
#[derive(Clone, Debug)]
pub struct Order {
    pub member: usize,
    pub ts: i64,
    pub amount: i64,
    pub discount: i64,
    pub category: String,
    pub channel: String,
    pub order_id: String,
}

/// An event row.
#[derive(Clone, Debug)]
pub struct Event {
    pub member: usize,
    pub ts: i64,
    pub kind: String,
    pub target: String,
}

/// The data, and the analysis date (a day number).
#[derive(Clone, Debug)]
pub struct Data {
    pub members: Vec<Member>,
    pub orders: Vec<Order>,
    pub events: Vec<Event>,
    pub as_of: i64,
}

/// A number: whole hundredths (a decimal) or a binary float.
#[derive(Clone, Copy, Debug)]
pub enum Num {
    Exact(i64),
    Float(f64),
}

impl Num {
    pub fn f(self) -> f64 {
        match self {
            Num::Exact(h) => h as f64 / 100.0,
            Num::Float(x) => x,
        }
    }
}

/// A value; `None` inside is a missing value.
#[derive(Clone, Debug)]
pub enum Val {
    Bool(bool),
    Num(Option<Num>),
    Text(Option<String>),
    Time(Option<i64>),
    /// A member-file cell: text, read as a number or a time where one is needed.
    Attr(Option<String>),
    /// An order number.
    Id(Option<String>),
    /// A literal list.
    List(Vec<Val>),
    /// A `case` with no arm taken and no `else`.
    Missing,
}

/// The type an expression gives, as far as a `case` needs to know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Num,
    Time,
    Other,
}

fn kind(e: &Expr) -> Kind {
    match &e.kind {
        ExprKind::Num(_) | ExprKind::Neg(_) => Kind::Num,
        ExprKind::Binary(BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div, _, _) => Kind::Num,
        ExprKind::Name(parts) if column_name(parts) == "monetary" => Kind::Num,
        ExprKind::Call { name, .. } => match name.as_str() {
            "date" => Kind::Time,
            "days_since" | "abs" | "round" | "coalesce" => Kind::Num,
            _ => Kind::Other,
        },
        ExprKind::Agg { func, source, arg, .. } => match func {
            AggFn::Count | AggFn::Sum | AggFn::Avg | AggFn::Distinct | AggFn::Share => Kind::Num,
            AggFn::Top => Kind::Other,
            _ => match (&source.column, arg) {
                (Some((c, _)), _) if c == "time" => Kind::Time,
                (Some((c, _)), _) if c == "amount" || c == "discount" => Kind::Num,
                (Some(_), _) => Kind::Other,
                (None, Some(a)) if matches!(&a.kind, ExprKind::Name(p) if column_name(p) == "time") => Kind::Time,
                (None, Some(_)) => Kind::Num,
                (None, None) => Kind::Other,
            },
        },
        ExprKind::Case { arms, default } => {
            let kinds: Vec<Kind> = arms.iter().map(|(_, v)| v).chain(default.as_deref()).map(kind).collect();
            [Kind::Num, Kind::Time].into_iter().find(|k| kinds.contains(k)).unwrap_or(Kind::Other)
        }
        _ => Kind::Other,
    }
}

/// How exactly a number is held (docs/rules.md, "Numbers and money").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Cls {
    Plain,
    Cents,
    Money,
}

fn cents_literal(x: f64) -> bool {
    x.is_finite() && (x * 100.0).round() / 100.0 == x
}

/// Decimals when every part is; money when one of them is money.
fn join(parts: Vec<Cls>) -> Cls {
    if parts.is_empty() || parts.contains(&Cls::Plain) {
        Cls::Plain
    } else if parts.contains(&Cls::Money) {
        Cls::Money
    } else {
        Cls::Cents
    }
}

fn table_of(s: &Source) -> &'static str {
    match s.table.to_lowercase().as_str() {
        "orders" | "订单" => "orders",
        _ => "events",
    }
}

fn column_name(parts: &[(String, huaxiang::rules::Span)]) -> String {
    parts.last().map(|p| p.0.to_lowercase()).unwrap_or_default()
}

/// The class of an expression; `row` inside `where` and aggregate arguments.
fn class(e: &Expr, row: bool) -> Cls {
    match &e.kind {
        ExprKind::Num(x) if cents_literal(*x) => Cls::Cents,
        ExprKind::Name(parts) if row => match column_name(parts).as_str() {
            "amount" | "discount" => Cls::Money,
            _ => Cls::Plain,
        },
        ExprKind::Name(parts) => {
            if column_name(parts) == "monetary" {
                Cls::Money
            } else {
                Cls::Plain
            }
        }
        ExprKind::Neg(x) => class(x, row),
        ExprKind::Binary(BinOp::Add | BinOp::Sub, a, b) => join(vec![class(a, row), class(b, row)]),
        ExprKind::Call { name, args, .. } => match name.as_str() {
            "abs" | "round" => class(&args[0], row),
            "coalesce" => join(args.iter().map(|a| class(a, row)).collect()),
            _ => Cls::Plain,
        },
        ExprKind::Case { arms, default } => join(arms.iter().map(|(_, v)| v).chain(default.as_deref()).map(|v| class(v, row)).collect()),
        ExprKind::Agg { func, source, arg, .. } => {
            let folded = match (&source.column, arg) {
                (Some((c, _)), _) if c == "amount" || c == "discount" => Cls::Money,
                (Some(_), _) => Cls::Plain,
                (None, Some(a)) => class(a, true),
                (None, None) => Cls::Plain,
            };
            match func {
                AggFn::Sum | AggFn::Min | AggFn::Max | AggFn::First | AggFn::Last => folded,
                AggFn::Avg if folded == Cls::Money => Cls::Money,
                _ => Cls::Plain,
            }
        }
        _ => Cls::Plain,
    }
}

/// The day of a date literal: a text or `date(…)` written without a time of day.
fn day_literal(e: &Expr) -> Option<i64> {
    let s = match &e.kind {
        ExprKind::Str(s) => s,
        ExprKind::Call { name, args, .. } if name == "date" => match &args[0].kind {
            ExprKind::Str(s) => s,
            _ => return None,
        },
        _ => return None,
    };
    match parse_time(s)? {
        (t, false) => Some(t.div_euclid(86_400)),
        _ => None,
    }
}

fn order_ok(op: BinOp, o: std::cmp::Ordering) -> bool {
    match op {
        BinOp::Eq => o.is_eq(),
        BinOp::Ne => o.is_ne(),
        BinOp::Lt => o.is_lt(),
        BinOp::Le => o.is_le(),
        BinOp::Gt => o.is_gt(),
        BinOp::Ge => o.is_ge(),
        _ => false,
    }
}

fn attr_num(s: &str) -> Option<Num> {
    s.trim().parse::<f64>().ok().filter(|x| x.is_finite()).map(Num::Float)
}

fn as_time(v: &Val) -> Option<i64> {
    match v {
        Val::Time(t) => *t,
        Val::Text(Some(s)) | Val::Attr(Some(s)) => parse_time(s).map(|p| p.0),
        _ => None,
    }
}

fn as_num(v: &Val) -> Option<Num> {
    match v {
        Val::Num(n) => *n,
        Val::Attr(Some(s)) => attr_num(s),
        Val::Bool(b) => Some(Num::Float(f64::from(u8::from(*b)))),
        _ => None,
    }
}

fn as_text(v: &Val) -> Option<String> {
    match v {
        Val::Text(t) | Val::Attr(t) => t.clone(),
        _ => None,
    }
}

fn truth(v: &Val) -> bool {
    match v {
        Val::Bool(b) => *b,
        Val::Num(Some(n)) => n.f() > 0.0,
        _ => false,
    }
}

/// `a op b` by the documented rules: a time against a date literal compares calendar days; a missing value
/// makes every comparison false.
fn compare(op: BinOp, a: &Val, b: &Val, days: [Option<i64>; 2]) -> bool {
    let is_time = |v: &Val| matches!(v, Val::Time(_));
    if is_time(a) || is_time(b) {
        let (Some(x), Some(y)) = (as_time(a), as_time(b)) else { return false };
        let (x, y) = if days[0].is_some() || days[1].is_some() {
            (days[0].unwrap_or(x.div_euclid(86_400)), days[1].unwrap_or(y.div_euclid(86_400)))
        } else {
            (x, y)
        };
        return order_ok(op, x.cmp(&y));
    }
    if matches!(a, Val::Num(_)) || matches!(b, Val::Num(_)) {
        let (Some(x), Some(y)) = (as_num(a), as_num(b)) else { return false };
        return match (x, y) {
            (Num::Exact(p), Num::Exact(q)) => order_ok(op, p.cmp(&q)),
            _ => x.f().partial_cmp(&y.f()).is_some_and(|o| order_ok(op, o)),
        };
    }
    if let (Val::Bool(x), Val::Bool(y)) = (a, b) {
        return (x == y) == (op == BinOp::Eq);
    }
    if let (Val::Id(id), other) | (other, Val::Id(id)) = (a, b) {
        let (Some(id), Some(s)) = (id, as_text(other)) else { return false };
        return (id.trim() == s.trim()) == (op == BinOp::Eq);
    }
    let (Some(x), Some(y)) = (as_text(a), as_text(b)) else { return false };
    order_ok(op, x.as_str().cmp(y.as_str()))
}

fn member_in(v: &Val, items: &[Val]) -> Option<bool> {
    match v {
        Val::Id(id) => {
            let id = id.as_ref()?;
            Some(items.iter().any(|i| matches!(i, Val::Text(Some(s)) if s.trim() == id.trim())))
        }
        _ if items.iter().any(|i| matches!(i, Val::Text(_))) || matches!(v, Val::Text(_)) => {
            let t = as_text(v)?;
            Some(items.iter().any(|i| matches!(i, Val::Text(Some(s)) if *s == t)))
        }
        _ => {
            let x = as_num(v)?.f();
            Some(items.iter().any(|i| matches!(i, Val::Num(Some(n)) if n.f() == x)))
        }
    }
}

/// `a op b` for `+ - * /`, in hundredths when the expression is a decimal.
fn arith(op: BinOp, exact: bool, a: Option<Num>, b: Option<Num>) -> Option<Num> {
    let (a, b) = (a?, b?);
    if exact {
        if let (Num::Exact(p), Num::Exact(q)) = (a, b) {
            return Some(Num::Exact(if op == BinOp::Add { p + q } else { p - q }));
        }
    }
    let (x, y) = (a.f(), b.f());
    let r = match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        _ if y == 0.0 => return None,
        _ => x / y,
    };
    (!r.is_nan()).then_some(Num::Float(r))
}

/// One row of a table.
#[derive(Clone, Copy, Debug)]
enum Row<'a> {
    Order(&'a Order),
    Event(&'a Event),
}

impl Row<'_> {
    fn ts(&self) -> i64 {
        match self {
            Row::Order(o) => o.ts,
            Row::Event(e) => e.ts,
        }
    }
}

fn text_cell(s: &str) -> Val {
    Val::Text((!s.is_empty()).then(|| s.to_string()))
}

/// The interpreter over one dataset.
pub struct Reference<'a> {
    pub data: &'a Data,
}

impl Reference<'_> {
    /// The end of the analysis date: rows at or after it are left out of everything.
    fn limit(&self) -> i64 {
        (self.data.as_of + 1) * 86_400
    }

    fn rows(&self, member: usize, table: &str) -> Vec<Row<'_>> {
        let limit = self.limit();
        if table == "orders" {
            self.data.orders.iter().filter(|o| o.member == member && o.ts < limit).map(Row::Order).collect()
        } else {
            self.data.events.iter().filter(|e| e.member == member && e.ts < limit).map(Row::Event).collect()
        }
    }

    /// The rows of a source for a member: in range, in the window, passing `where`, in file order.
    fn source_rows(&self, member: usize, source: &Source, window: Option<Window>) -> Vec<Row<'_>> {
        let first_day = window.map(|w| self.data.as_of - (w.seconds / 86_400.0).round() as i64);
        self.rows(member, table_of(source))
            .into_iter()
            .filter(|r| first_day.map_or(true, |d| r.ts().div_euclid(86_400) >= d))
            .filter(|r| source.filter.as_deref().map_or(true, |f| truth(&self.row(f, *r))))
            .collect()
    }

    /// The value of a row expression on one row.
    fn row(&self, e: &Expr, r: Row<'_>) -> Val {
        match &e.kind {
            ExprKind::Name(parts) => match (column_name(parts).as_str(), r) {
                ("time", _) => Val::Time(Some(r.ts())),
                ("amount", Row::Order(o)) => Val::Num(Some(Num::Exact(o.amount))),
                ("discount", Row::Order(o)) => Val::Num(Some(Num::Exact(o.discount))),
                ("category", Row::Order(o)) => text_cell(&o.category),
                ("channel", Row::Order(o)) => text_cell(&o.channel),
                ("order_id", Row::Order(o)) => Val::Id((!o.order_id.is_empty()).then(|| o.order_id.clone())),
                ("type", Row::Event(v)) => text_cell(&v.kind),
                ("target", Row::Event(v)) => text_cell(&v.target),
                other => panic!("the reference knows no row column {other:?}"),
            },
            _ => self.common(e, &mut |x| self.row(x, r), true),
        }
    }

    /// What member- and row-level expressions share; `sub` evaluates a sub-expression at the same level.
    fn common(&self, e: &Expr, sub: &mut dyn FnMut(&Expr) -> Val, row: bool) -> Val {
        match &e.kind {
            ExprKind::Num(x) => Val::Num(Some(if cents_literal(*x) { Num::Exact((x * 100.0).round() as i64) } else { Num::Float(*x) })),
            ExprKind::Str(s) => Val::Text(Some(s.clone())),
            ExprKind::Bool(b) => Val::Bool(*b),
            ExprKind::List(items) => Val::List(items.iter().map(&mut *sub).collect()),
            ExprKind::Not(x) => Val::Bool(!truth(&sub(x))),
            ExprKind::Neg(x) => Val::Num(as_num(&sub(x)).map(|n| match n {
                Num::Exact(h) => Num::Exact(-h),
                Num::Float(f) => Num::Float(-f),
            })),
            ExprKind::Binary(BinOp::And, a, b) => Val::Bool(truth(&sub(a)) && truth(&sub(b))),
            ExprKind::Binary(BinOp::Or, a, b) => Val::Bool(truth(&sub(a)) || truth(&sub(b))),
            ExprKind::Binary(op @ (BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div), a, b) => {
                let exact = matches!(op, BinOp::Add | BinOp::Sub) && class(e, row) >= Cls::Cents;
                Val::Num(arith(*op, exact, as_num(&sub(a)), as_num(&sub(b))))
            }
            ExprKind::Binary(op, a, b) => Val::Bool(compare(*op, &sub(a), &sub(b), [day_literal(a), day_literal(b)])),
            ExprKind::In { value, list, negated } => {
                let Val::List(items) = sub(list) else { panic!("in without a list") };
                Val::Bool(member_in(&sub(value), &items).is_some_and(|hit| hit != *negated))
            }
            ExprKind::Between { value, low, high } => {
                let v = sub(value);
                let days = |x: &Expr| [day_literal(value), day_literal(x)];
                Val::Bool(compare(BinOp::Ge, &v, &sub(low), days(low)) && compare(BinOp::Le, &v, &sub(high), days(high)))
            }
            ExprKind::Case { arms, default } => {
                // A case has one type: a member-file cell among number (or time) results is read as one.
                let results: Vec<&Expr> = arms.iter().map(|(_, v)| v).chain(default.as_deref()).collect();
                let kinds: Vec<Kind> = results.iter().map(|v| kind(v)).collect();
                let picked = arms.iter().find(|(c, _)| truth(&sub(c))).map(|(_, v)| v).or(default.as_deref());
                match picked.map(&mut *sub) {
                    None => Val::Missing,
                    Some(v @ Val::Attr(_)) if kinds.contains(&Kind::Num) => Val::Num(as_num(&v)),
                    Some(v @ Val::Attr(_)) if kinds.contains(&Kind::Time) => Val::Time(as_time(&v)),
                    Some(v) => v,
                }
            }
            ExprKind::Call { name, args, .. } => match name.as_str() {
                "date" => match &args[0].kind {
                    ExprKind::Str(s) => Val::Time(parse_time(s).map(|p| p.0)),
                    _ => Val::Time(None),
                },
                "days_since" => Val::Num(as_time(&sub(&args[0])).map(|t| Num::Float((self.data.as_of - t.div_euclid(86_400)) as f64))),
                "abs" => Val::Num(as_num(&sub(&args[0])).map(|n| match n {
                    Num::Exact(h) => Num::Exact(h.abs()),
                    Num::Float(f) => Num::Float(f.abs()),
                })),
                "round" => Val::Num(as_num(&sub(&args[0])).map(|n| match n {
                    // Half away from zero, to whole yuan.
                    Num::Exact(h) => Num::Exact((h.abs() + 50) / 100 * 100 * h.signum()),
                    Num::Float(f) => Num::Float(f.round()),
                })),
                "coalesce" => {
                    let a = as_num(&sub(&args[0]));
                    Val::Num(a.or_else(|| as_num(&sub(&args[1]))))
                }
                "contains" => {
                    let ExprKind::Str(part) = &args[1].kind else { panic!("contains needs a literal") };
                    Val::Bool(as_text(&sub(&args[0])).is_some_and(|t| t.contains(part.as_str())))
                }
                other => panic!("the reference knows no function {other}"),
            },
            other => panic!("the reference does not interpret {other:?}"),
        }
    }

    /// The value of a member-level expression for one member.
    pub fn member(&self, e: &Expr, m: usize) -> Val {
        let row = &self.data.members[m];
        let cell = |s: &str| Val::Attr((!s.is_empty()).then(|| s.to_string()));
        match &e.kind {
            ExprKind::Name(parts) => match column_name(parts).as_str() {
                "city" | "城市" => cell(&row.city),
                "积分" => cell(&row.points),
                "register_date" | "注册日期" => cell(&row.registered),
                "monetary" => {
                    let fen: i64 = self.rows(m, "orders").iter().map(|r| if let Row::Order(o) = r { o.amount } else { 0 }).sum();
                    Val::Num(Some(Num::Exact(fen)))
                }
                other => panic!("the reference knows no name {other}"),
            },
            ExprKind::Agg { func, source, arg, window, .. } => self.aggregate(*func, source, arg.as_deref(), *window, m),
            ExprKind::Seq { first, then } => Val::Bool(self.sequence(first, then.as_deref(), m)),
            _ => self.common(e, &mut |x| self.member(x, m), false),
        }
    }

    fn aggregate(&self, func: AggFn, source: &Source, arg: Option<&Expr>, window: Option<Window>, m: usize) -> Val {
        let rows = self.source_rows(m, source, window);
        let column = source.column.as_ref().map(|(c, span)| Expr::new(ExprKind::Name(vec![(c.clone(), *span)]), *span));
        let value_expr = column.as_ref().or(arg);
        // (time, value) of the rows that hold a value, in file order.
        let values: Vec<(i64, Val)> = match value_expr {
            Some(x) => rows
                .iter()
                .map(|r| (r.ts(), self.row(x, *r)))
                .filter(|(_, v)| !matches!(v, Val::Num(None) | Val::Text(None) | Val::Time(None) | Val::Id(None) | Val::Missing))
                .collect(),
            None => Vec::new(),
        };
        let folded = match value_expr {
            Some(x) => class(x, true),
            None => Cls::Plain,
        };
        let nums: Vec<Num> = values.iter().filter_map(|(_, v)| as_num(v)).collect();
        match func {
            AggFn::Count => Val::Num(Some(Num::Float(if value_expr.is_some() { values.len() } else { rows.len() } as f64))),
            AggFn::Share => {
                if rows.is_empty() {
                    return Val::Num(None);
                }
                let hits = values.iter().filter(|(_, v)| truth(v)).count();
                Val::Num(Some(Num::Float(hits as f64 / rows.len() as f64)))
            }
            AggFn::Sum | AggFn::Avg => {
                if func == AggFn::Avg && nums.is_empty() {
                    return Val::Num(None);
                }
                let n = nums.len() as i64;
                if folded >= Cls::Cents {
                    let total: i64 = nums.iter().map(|x| if let Num::Exact(h) = x { *h } else { panic!("a decimal is exact") }).sum();
                    return Val::Num(Some(match (func, folded) {
                        (AggFn::Sum, _) => Num::Exact(total),
                        (_, Cls::Money) => {
                            // Rounded half to even to the fen.
                            let (q, r) = (total.div_euclid(n), total.rem_euclid(n));
                            Num::Exact(match (2 * r).cmp(&n) {
                                std::cmp::Ordering::Less => q,
                                std::cmp::Ordering::Greater => q + 1,
                                std::cmp::Ordering::Equal => q + q.rem_euclid(2),
                            })
                        }
                        _ => Num::Float(total as f64 / 100.0 / n as f64),
                    }));
                }
                let mut total = 0.0;
                for x in &nums {
                    total += x.f();
                }
                Val::Num(Some(Num::Float(if func == AggFn::Sum { total } else { total / n as f64 })))
            }
            AggFn::Min | AggFn::Max => {
                let better = |a: &Val, b: &Val| compare(if func == AggFn::Min { BinOp::Lt } else { BinOp::Gt }, a, b, [None, None]);
                let mut best: Option<Val> = None;
                for (_, v) in &values {
                    if best.as_ref().map_or(true, |b| better(v, b)) {
                        best = Some(v.clone());
                    }
                }
                best.unwrap_or(Val::Missing)
            }
            AggFn::First | AggFn::Last => {
                let mut best: Option<&(i64, Val)> = None;
                for x in &values {
                    let take = match best {
                        None => true,
                        Some(b) if func == AggFn::First => x.0 < b.0,
                        Some(b) => x.0 >= b.0,
                    };
                    if take {
                        best = Some(x);
                    }
                }
                best.map_or(Val::Missing, |b| b.1.clone())
            }
            AggFn::Distinct => {
                let mut keys: Vec<String> = values
                    .iter()
                    .map(|(_, v)| match v {
                        Val::Num(Some(n)) => format!("n{}", n.f() + 0.0),
                        Val::Time(Some(t)) => format!("t{t}"),
                        Val::Id(Some(s)) => format!("i{}", s.trim()),
                        other => format!("s{:?}", as_text(other)),
                    })
                    .collect();
                keys.sort();
                keys.dedup();
                Val::Num(Some(Num::Float(keys.len() as f64)))
            }
            AggFn::Top => {
                let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
                for (_, v) in &values {
                    *counts.entry(as_text(v).unwrap_or_default()).or_default() += 1;
                }
                // The most rows; on a tie the text that sorts first (a BTreeMap iterates in that order).
                let mut best: Option<(&String, usize)> = None;
                for (t, &c) in &counts {
                    if best.map_or(true, |b| c > b.1) {
                        best = Some((t, c));
                    }
                }
                Val::Text(best.map(|b| b.0.clone()))
            }
        }
    }

    fn sequence(&self, first: &Did, then: Option<&Then>, m: usize) -> bool {
        let times = |d: &Did| self.source_rows(m, &d.source, d.window).iter().map(Row::ts).collect::<Vec<_>>();
        let a = times(first);
        let Some(then) = then else { return !a.is_empty() };
        let b = times(&then.did);
        let same = table_of(&first.source) == table_of(&then.did.source);
        let w = then.within.round() as i64;
        let followed = |t: i64| b.iter().any(|&u| (if same { u > t } else { u >= t }) && u <= t + w);
        if then.negated {
            a.iter().any(|&t| t + w <= self.limit() && !followed(t))
        } else {
            a.iter().any(|&t| followed(t))
        }
    }
}
