//! The syntax tree of rule text, and its canonical printed form (used to fingerprint a rule and by the builder).

use super::diagnostic::Span;
use std::fmt;

/// What a definition defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefKind {
    /// `tag NAME [in GROUP] = expr`: a yes/no tag or, when the expression gives text, an enumerated tag.
    Tag,
    /// `audience NAME = expr`: a saved audience (a yes/no expression).
    Audience,
    /// `metric NAME = expr`: a number per member that other rules can use.
    Metric,
}

impl DefKind {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            DefKind::Tag => "tag",
            DefKind::Audience => "audience",
            DefKind::Metric => "metric",
        }
    }
}

/// One definition.
#[derive(Clone, Debug, PartialEq)]
pub struct Def {
    /// Tag, audience or metric.
    pub kind: DefKind,
    /// Its name.
    pub name: String,
    /// Where the name is.
    pub name_span: Span,
    /// The group (`in GROUP`), if given.
    pub group: Option<String>,
    /// The expression, if it parsed.
    pub expr: Option<Expr>,
    /// The whole statement.
    pub span: Span,
}

/// A setting: `set lifecycle.active_days = 60`.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// The dotted key.
    pub key: String,
    /// The value (a number or text).
    pub value: Literal,
    /// The whole statement.
    pub span: Span,
    /// Where the key is.
    pub key_span: Span,
}

/// A literal value.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// A number.
    Num(f64),
    /// Text.
    Text(String),
}

/// A parsed rule file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Program {
    /// Definitions in text order.
    pub defs: Vec<Def>,
    /// Settings in text order.
    pub settings: Vec<Setting>,
}

/// An expression with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is.
    pub span: Span,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `and`
    And,
    /// `or`
    Or,
    /// `==` (or `=`)
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinOp {
    /// The operator as written in canonical form.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }

    /// Whether this compares two values.
    pub fn is_comparison(self) -> bool {
        matches!(self, BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
    }

    fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 4,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Mul | BinOp::Div => 6,
        }
    }
}

/// Aggregate functions over the rows of a related table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AggFn {
    /// Number of rows.
    Count,
    /// Sum of a number column.
    Sum,
    /// Mean of a number column.
    Avg,
    /// Smallest value.
    Min,
    /// Largest value.
    Max,
    /// Number of distinct values.
    Distinct,
    /// Share of rows meeting a condition.
    Share,
    /// The value in the earliest row.
    First,
    /// The value in the latest row.
    Last,
    /// The most frequent value.
    Top,
}

impl AggFn {
    /// Every aggregate with its name.
    pub const ALL: [(AggFn, &'static str); 10] = [
        (AggFn::Count, "count"),
        (AggFn::Sum, "sum"),
        (AggFn::Avg, "avg"),
        (AggFn::Min, "min"),
        (AggFn::Max, "max"),
        (AggFn::Distinct, "distinct"),
        (AggFn::Share, "share"),
        (AggFn::First, "first"),
        (AggFn::Last, "last"),
        (AggFn::Top, "top"),
    ];

    /// The aggregate a name spells (case-insensitive).
    pub fn parse(name: &str) -> Option<AggFn> {
        let lower = name.to_lowercase();
        Self::ALL.iter().find(|(_, n)| *n == lower).map(|(f, _)| *f)
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(f, _)| *f == self).map_or("", |(_, n)| n)
    }
}

/// `orders`, `orders.amount`, `events where type == "view"`: the rows an aggregate reads.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// The table name as written.
    pub table: String,
    /// Where the table name is.
    pub table_span: Span,
    /// A column written as `table.column`, if any.
    pub column: Option<(String, Span)>,
    /// The `where` condition, if any.
    pub filter: Option<Box<Expr>>,
}

/// `last N d`: rows dated within N days before the analysis date.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// The length in seconds as written (the checker requires whole days).
    pub seconds: f64,
    /// Where it is.
    pub span: Span,
}

/// One side of a sequence: `did(events where type == "add_cart" [, last 30d])`.
#[derive(Clone, Debug, PartialEq)]
pub struct Did {
    /// The rows.
    pub source: Source,
    /// An optional window.
    pub window: Option<Window>,
    /// Where it is.
    pub span: Span,
}

/// The second step of a sequence.
#[derive(Clone, Debug, PartialEq)]
pub struct Then {
    /// `then not did(…)`: the second step did *not* happen.
    pub negated: bool,
    /// The second step.
    pub did: Did,
    /// `within N d` in seconds.
    pub within: f64,
    /// Where the `within` duration is.
    pub within_span: Span,
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A number.
    Num(f64),
    /// Text.
    Str(String),
    /// `true` or `false`.
    Bool(bool),
    /// A duration in seconds (only meaningful where a window or `within` is expected).
    Duration(f64),
    /// `[a, b, …]`
    List(Vec<Expr>),
    /// A name or a dotted path (`rfm.segment`), each part with its span.
    Name(Vec<(String, Span)>),
    /// `not x`
    Not(Box<Expr>),
    /// `-x`
    Neg(Box<Expr>),
    /// `a op b`
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `x [not] in [..]`
    In {
        /// The value.
        value: Box<Expr>,
        /// The list.
        list: Box<Expr>,
        /// `not in`.
        negated: bool,
    },
    /// `x between a and b` (both ends included).
    Between {
        /// The value.
        value: Box<Expr>,
        /// Lower end.
        low: Box<Expr>,
        /// Upper end.
        high: Box<Expr>,
    },
    /// A function call such as `days_since(x)` or `cut(monetary, [500, 2000])`.
    Call {
        /// The function name as written.
        name: String,
        /// Where the name is.
        name_span: Span,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// An aggregate over a related table.
    Agg {
        /// Which aggregate.
        func: AggFn,
        /// Where the function name is.
        name_span: Span,
        /// The rows.
        source: Source,
        /// The second argument: a column or condition (`share(orders, discount > 0)`, `sum(orders, amount)`).
        arg: Option<Box<Expr>>,
        /// `last N d`.
        window: Option<Window>,
    },
    /// `case when c then v … [else v] end`
    Case {
        /// `(condition, value)` arms in order.
        arms: Vec<(Expr, Expr)>,
        /// The `else` value.
        default: Option<Box<Expr>>,
    },
    /// `did(A) [then [not] did(B) within N d]`
    Seq {
        /// The first step.
        first: Did,
        /// The second step, if any.
        then: Option<Box<Then>>,
    },
}

impl Expr {
    /// An expression.
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    fn precedence(&self) -> u8 {
        match &self.kind {
            ExprKind::Binary(op, _, _) => op.precedence(),
            ExprKind::Not(_) => 3,
            ExprKind::In { .. } | ExprKind::Between { .. } => 4,
            ExprKind::Seq { then: Some(_), .. } => 3,
            _ => 9,
        }
    }

    /// The numbers of a literal list (or the number itself): the edges of `cut`, the `k` of `quantiles`.
    pub fn literal_numbers(&self) -> Vec<f64> {
        match &self.kind {
            ExprKind::List(items) => items.iter().filter_map(|x| if let ExprKind::Num(v) = x.kind { Some(v) } else { None }).collect(),
            ExprKind::Num(v) => vec![*v],
            _ => Vec::new(),
        }
    }

    /// The texts of a literal list: the labels of `cut` and `quantiles`.
    pub fn literal_texts(&self) -> Option<Vec<String>> {
        match &self.kind {
            ExprKind::List(items) => {
                Some(items.iter().filter_map(|x| if let ExprKind::Str(s) = &x.kind { Some(s.clone()) } else { None }).collect())
            }
            _ => None,
        }
    }

    /// The sub-expressions directly under this one.
    pub fn children(&self) -> Vec<&Expr> {
        fn filter(s: &Source) -> Option<&Expr> {
            s.filter.as_deref()
        }
        match &self.kind {
            ExprKind::List(items) | ExprKind::Call { args: items, .. } => items.iter().collect(),
            ExprKind::Not(x) | ExprKind::Neg(x) => vec![x],
            ExprKind::Binary(_, a, b) => vec![a, b],
            ExprKind::In { value, list, .. } => vec![value, list],
            ExprKind::Between { value, low, high } => vec![value, low, high],
            ExprKind::Agg { source, arg, .. } => filter(source).into_iter().chain(arg.as_deref()).collect(),
            ExprKind::Case { arms, default } => arms.iter().flat_map(|(c, v)| [c, v]).chain(default.as_deref()).collect(),
            ExprKind::Seq { first, then } => {
                filter(&first.source).into_iter().chain(then.as_ref().and_then(|t| filter(&t.did.source))).collect()
            }
            ExprKind::Num(_) | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::Duration(_) | ExprKind::Name(_) => Vec::new(),
        }
    }

    /// The height of the tree (a leaf is 1). Recursive: meant for trees the parser built, whose height it caps.
    pub fn height(&self) -> u32 {
        1 + self.children().into_iter().map(Expr::height).max().unwrap_or(0)
    }

    /// Visits this expression and every sub-expression, parents first.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        f(self);
        let source = |s: &'a Source, f: &mut dyn FnMut(&'a Expr)| {
            if let Some(x) = &s.filter {
                x.walk(f);
            }
        };
        match &self.kind {
            ExprKind::List(items) => items.iter().for_each(|x| x.walk(f)),
            ExprKind::Not(x) | ExprKind::Neg(x) => x.walk(f),
            ExprKind::Binary(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            ExprKind::In { value, list, .. } => {
                value.walk(f);
                list.walk(f);
            }
            ExprKind::Between { value, low, high } => {
                value.walk(f);
                low.walk(f);
                high.walk(f);
            }
            ExprKind::Call { args, .. } => args.iter().for_each(|x| x.walk(f)),
            ExprKind::Agg { source: s, arg, .. } => {
                source(s, f);
                if let Some(a) = arg {
                    a.walk(f);
                }
            }
            ExprKind::Case { arms, default } => {
                for (c, v) in arms {
                    c.walk(f);
                    v.walk(f);
                }
                if let Some(d) = default {
                    d.walk(f);
                }
            }
            ExprKind::Seq { first, then } => {
                source(&first.source, f);
                if let Some(t) = then {
                    source(&t.did.source, f);
                }
            }
            ExprKind::Num(_) | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::Duration(_) | ExprKind::Name(_) => {}
        }
    }
}

/// Writes a name as [`super::lexer::quote_name`] quotes it.
pub fn write_name(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    f.write_str(&super::lexer::quote_name(name))
}

fn write_duration(f: &mut fmt::Formatter<'_>, seconds: f64) -> fmt::Result {
    if seconds % 86_400.0 == 0.0 {
        write!(f, "{}d", seconds / 86_400.0)
    } else {
        write!(f, "{}h", seconds / 3_600.0)
    }
}

fn write_str(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        // `”` closes a text opened with `"` too (the lexer accepts curly quotes), so it is escaped as well.
        if c == '"' || c == '\\' || c == '”' {
            f.write_str("\\")?;
        }
        write!(f, "{c}")?;
    }
    f.write_str("\"")
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_name(f, &self.table)?;
        if let Some((c, _)) = &self.column {
            f.write_str(".")?;
            write_name(f, c)?;
        }
        if let Some(x) = &self.filter {
            write!(f, " where {x}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Did {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "did({}", self.source)?;
        if let Some(w) = &self.window {
            f.write_str(", last ")?;
            write_duration(f, w.seconds)?;
        }
        f.write_str(")")
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let child = |f: &mut fmt::Formatter<'_>, x: &Expr, min: u8| {
            if x.precedence() < min {
                write!(f, "({x})")
            } else {
                write!(f, "{x}")
            }
        };
        match &self.kind {
            ExprKind::Num(n) => write!(f, "{n}"),
            ExprKind::Str(s) => write_str(f, s),
            ExprKind::Bool(b) => write!(f, "{b}"),
            ExprKind::Duration(s) => write_duration(f, *s),
            ExprKind::List(items) => {
                f.write_str("[")?;
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{x}")?;
                }
                f.write_str("]")
            }
            ExprKind::Name(parts) => {
                for (i, (p, _)) in parts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    write_name(f, p)?;
                }
                Ok(())
            }
            ExprKind::Not(x) => {
                f.write_str("not ")?;
                child(f, x, 3)
            }
            ExprKind::Neg(x) => {
                f.write_str("-")?;
                child(f, x, 9)
            }
            ExprKind::Binary(op, a, b) => {
                let p = op.precedence();
                // Comparisons do not chain (`a == b == c` does not parse), so a comparison on the left is bracketed.
                child(f, a, if op.is_comparison() { p + 1 } else { p })?;
                write!(f, " {} ", op.symbol())?;
                child(f, b, p + 1)
            }
            ExprKind::In { value, list, negated } => {
                child(f, value, 5)?;
                f.write_str(if *negated { " not in " } else { " in " })?;
                child(f, list, 5)
            }
            ExprKind::Between { value, low, high } => {
                child(f, value, 5)?;
                f.write_str(" between ")?;
                child(f, low, 5)?;
                f.write_str(" and ")?;
                child(f, high, 5)
            }
            ExprKind::Call { name, args, .. } => {
                write!(f, "{name}(")?;
                for (i, x) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{x}")?;
                }
                f.write_str(")")
            }
            ExprKind::Agg { func, source, arg, window, .. } => {
                write!(f, "{}({source}", func.name())?;
                if let Some(a) = arg {
                    write!(f, ", {a}")?;
                }
                if let Some(w) = window {
                    f.write_str(", last ")?;
                    write_duration(f, w.seconds)?;
                }
                f.write_str(")")
            }
            ExprKind::Case { arms, default } => {
                f.write_str("case")?;
                for (c, v) in arms {
                    // `… did(x) then did(…` would read as a sequence: a value starting with did( gets its condition bracketed.
                    let v = v.to_string();
                    if v.starts_with("did(") {
                        write!(f, " when ({c}) then {v}")?;
                    } else {
                        write!(f, " when {c} then {v}")?;
                    }
                }
                if let Some(d) = default {
                    write!(f, " else {d}")?;
                }
                f.write_str(" end")
            }
            ExprKind::Seq { first, then } => {
                write!(f, "{first}")?;
                if let Some(t) = then {
                    f.write_str(if t.negated { " then not " } else { " then " })?;
                    write!(f, "{} within ", t.did)?;
                    write_duration(f, t.within)?;
                }
                Ok(())
            }
        }
    }
}
