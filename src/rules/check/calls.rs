//! Checking calls: functions, aggregates over tables, sequences, and the literal arguments of banding functions.

use super::*;
use crate::rules::names::FUNCTIONS;

impl Checker<'_> {
    fn arity(&mut self, name: &str, span: Span, args: &[Expr], min: usize, max: usize) -> bool {
        if args.len() < min || args.len() > max {
            let want = if min == max { format!("{min}") } else { format!("{min}–{max}") };
            self.error(
                "arity",
                span,
                format!("{name}(…) 需要 {want} 个参数，这里有 {} 个", args.len()),
                format!("{name}(…) takes {want} argument{}, but has {} here.", if max == 1 { "" } else { "s" }, args.len()),
            );
            return false;
        }
        true
    }

    pub(super) fn call(&mut self, name: &str, name_span: Span, args: &[Expr], span: Span, scope: Scope) -> Ty {
        let lower = name.to_lowercase();
        let num = |c: &mut Self, x: &Expr| {
            c.expect(x, scope, Ty::Num, &format!("{lower} 的参数"), &format!("{lower}'s argument"));
        };
        let member_only = |c: &mut Self| {
            if let Scope::Row(t) = scope {
                c.error(
                    "member_function_in_row",
                    name_span,
                    format!("{lower}(…) 作用于会员，不能用在 {} 的 where 条件里", t.key()),
                    format!("{lower}(…) works on members and cannot be used in a where condition on {}.", t.key()),
                );
            }
        };
        match lower.as_str() {
            "days_since" => {
                if self.arity(&lower, span, args, 1, 1) {
                    self.expect(&args[0], scope, Ty::Time, "days_since 的参数", "days_since's argument");
                }
                Ty::Num
            }
            "date" => {
                if self.arity(&lower, span, args, 1, 1) {
                    match &args[0].kind {
                        ExprKind::Str(s) if crate::base::values::parse_timestamp(s).is_some() => {}
                        _ => self.error(
                            "bad_date",
                            args[0].span,
                            "date(…) 里要写一个日期，例如 date(\"2025-01-01\")".into(),
                            "date(…) needs a date, as in date(\"2025-01-01\").".into(),
                        ),
                    }
                }
                Ty::Time
            }
            "abs" | "round" => {
                if self.arity(&lower, span, args, 1, 1) {
                    num(self, &args[0]);
                }
                Ty::Num
            }
            "coalesce" => {
                if self.arity(&lower, span, args, 2, 2) {
                    num(self, &args[0]);
                    num(self, &args[1]);
                }
                Ty::Num
            }
            "contains" => {
                if self.arity(&lower, span, args, 2, 2) {
                    self.expect(&args[0], scope, Ty::Text, "contains 的第一个参数", "contains' first argument");
                    if !matches!(args[1].kind, ExprKind::Str(_)) {
                        let got = literal_ty(&args[1]);
                        self.mismatch(args[1].span, "contains 的第二个参数", "contains' second argument", Ty::Text, got);
                    }
                }
                Ty::Bool
            }
            "cut" | "quantiles" | "top_percent" => {
                member_only(self);
                let (min, max) = if lower == "top_percent" { (2, 2) } else { (2, 3) };
                if !self.arity(&lower, span, args, min, max) {
                    return if lower == "top_percent" { Ty::Bool } else { Ty::Text };
                }
                num(self, &args[0]);
                self.band_arguments(&lower, args);
                if lower == "top_percent" {
                    Ty::Bool
                } else {
                    Ty::Text
                }
            }
            _ => {
                let mut names: Vec<&str> = FUNCTIONS.iter().map(|f| f.0).collect();
                names.extend(AggFn::ALL.iter().map(|a| a.1));
                names.push("did");
                let hint = did_you_mean(&lower, names.iter().copied());
                let (hz, he) = match hint {
                    Some(h) => (format!("您是不是想写 {h}(…)？"), format!("Did you mean {h}(…)?")),
                    None => (format!("可用的函数：{}", names.join("、")), format!("The functions are: {}.", names.join(", "))),
                };
                self.error(
                    "unknown_function",
                    name_span,
                    format!("没有叫 {name} 的函数。{hz}"),
                    format!("There is no function called {name}. {he}"),
                );
                for a in args {
                    self.infer(a, scope);
                }
                Ty::Unknown
            }
        }
    }

    /// Checks the literal arguments of `cut`, `quantiles` and `top_percent`.
    fn band_arguments(&mut self, f: &str, args: &[Expr]) {
        let bad = |c: &mut Self, span: Span, zh: &str, en: &str| c.error("bad_band", span, zh.to_string(), en.to_string());
        match f {
            "top_percent" => match args[1].kind {
                ExprKind::Num(p) if p > 0.0 && p <= 100.0 => {}
                _ => bad(
                    self,
                    args[1].span,
                    "top_percent 的第二个参数是 0 到 100 之间的百分数，例如 20",
                    "top_percent's second argument is a percentage between 0 and 100, such as 20.",
                ),
            },
            "quantiles" => match args[1].kind {
                ExprKind::Num(k) if (2.0..=100.0).contains(&k) && k.fract() == 0.0 => {}
                _ => bad(
                    self,
                    args[1].span,
                    "quantiles 的第二个参数是分成几份（2 到 100 的整数）",
                    "quantiles' second argument is the number of bands (a whole number from 2 to 100).",
                ),
            },
            _ => {
                let edges: Option<Vec<f64>> = match &args[1].kind {
                    ExprKind::List(items) => items.iter().map(|x| if let ExprKind::Num(n) = x.kind { Some(n) } else { None }).collect(),
                    _ => None,
                };
                match edges {
                    Some(e) if !e.is_empty() && e.windows(2).all(|w| w[0] < w[1]) => {}
                    _ => bad(
                        self,
                        args[1].span,
                        "cut 的第二个参数是从小到大的边界列表，例如 [500, 2000]",
                        "cut's second argument is a list of increasing edges, such as [500, 2000].",
                    ),
                }
            }
        }
        if let Some(labels) = args.get(2) {
            let want = match (f, &args[1].kind) {
                ("cut", ExprKind::List(items)) => Some(items.len() + 1),
                ("quantiles", ExprKind::Num(k)) => Some(*k as usize),
                _ => None,
            };
            match &labels.kind {
                ExprKind::List(items) if items.iter().all(|x| matches!(x.kind, ExprKind::Str(_))) => {
                    if let Some(w) = want {
                        if items.len() != w {
                            self.error(
                                "bad_band",
                                labels.span,
                                format!("{f} 需要 {w} 个名称（分档数），这里有 {} 个", items.len()),
                                format!("{f} needs {w} labels (one per band), but has {} here.", items.len()),
                            );
                        }
                    }
                }
                _ => bad(
                    self,
                    labels.span,
                    "第三个参数是各档的名称列表，例如 [\"低\", \"中\", \"高\"]",
                    "The third argument is a list of band labels, such as [\"低\", \"中\", \"高\"].",
                ),
            }
        }
    }

    fn table(&mut self, source: &Source, window: Option<Window>, scope: Scope) -> Option<Table> {
        if let Scope::Row(t) = scope {
            self.error(
                "nested_aggregate",
                source.table_span,
                format!("聚合不能写在 {} 的 where 条件里", t.key()),
                format!("An aggregate cannot be nested inside a where condition on {}.", t.key()),
            );
            return None;
        }
        match Table::parse(&source.table) {
            Some(t) => {
                if let Some(w) = window {
                    if self.schema.untimed.contains(&t) {
                        self.error(
                            "window_without_time",
                            w.span,
                            format!("{} 表没有时间列，不能用时间窗口 last …", t.key()),
                            format!("{} has no time column, so a window (last …) cannot apply to it.", t.key()),
                        );
                    } else if w.seconds <= 0.0 || w.seconds % 86_400.0 != 0.0 {
                        self.error(
                            "bad_window",
                            w.span,
                            "时间窗口按整天计算，例如 last 30d".into(),
                            "A window counts whole days, as in last 30d.".into(),
                        );
                    }
                }
                Some(t)
            }
            None => {
                let name = &source.table;
                let member_level = resolve(&[(name.clone(), source.table_span)], &self.index, self.schema).is_some();
                if let (true, Some(w)) = (member_level, window) {
                    self.error(
                        "window_without_time",
                        w.span,
                        format!("“{name}”没有时间列，不能加时间窗口。时间窗口只用于 orders（订单）和 events（行为）"),
                        format!("“{name}” has no time column, so it cannot take a window. Windows apply to orders and events."),
                    );
                } else if member_level {
                    self.error(
                        "not_a_table",
                        source.table_span,
                        format!("“{name}”不是数据表：聚合统计 orders（订单）或 events（行为）的行"),
                        format!("“{name}” is not a table: aggregates read the rows of orders or events."),
                    );
                } else {
                    let hint = did_you_mean(name, ["orders", "events", "订单", "行为"]);
                    let (hz, he) = match hint {
                        Some(h) => (format!("您是不是想写“{h}”？"), format!("Did you mean “{h}”?")),
                        None => ("可以用 orders（订单）或 events（行为）".into(), "Use orders or events.".into()),
                    };
                    self.error(
                        "unknown_table",
                        source.table_span,
                        format!("没有叫“{name}”的数据表。{hz}"),
                        format!("There is no table called “{name}”. {he}"),
                    );
                }
                None
            }
        }
    }

    pub(super) fn did(&mut self, did: &Did, scope: Scope) {
        if let Some(t) = self.table(&did.source, did.window, scope) {
            if let Some((c, span)) = &did.source.column {
                self.error(
                    "did_column",
                    *span,
                    format!("did(…) 只看有没有发生，不需要写列 .{c}"),
                    format!("did(…) only asks whether something happened; drop the column .{c}."),
                );
            }
            self.dep(Dep::Column(format!("{}.time", t.key())));
            if let Some(f) = &did.source.filter {
                self.expect(f, Scope::Row(t), Ty::Bool, "where 后面", "where");
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn aggregate(
        &mut self,
        func: AggFn,
        name_span: Span,
        source: &Source,
        arg: Option<&Expr>,
        window: Option<Window>,
        span: Span,
        scope: Scope,
    ) -> Ty {
        let Some(table) = self.table(source, window, scope) else {
            if let Some(a) = arg {
                let _ = a;
            }
            return if matches!(func, AggFn::Count | AggFn::Sum | AggFn::Avg | AggFn::Distinct | AggFn::Share) {
                Ty::Num
            } else {
                Ty::Unknown
            };
        };
        let row = Scope::Row(table);
        if window.is_some() {
            self.dep(Dep::Column(format!("{}.time", table.key())));
        }
        if let Some(f) = &source.filter {
            self.expect(f, row, Ty::Bool, "where 后面", "where");
        }
        let column_ty = match &source.column {
            Some((c, cspan)) => match table.column(c) {
                Some(info) => {
                    self.dep(Dep::Column(format!("{}.{}", table.key(), info.key)));
                    Some(info.ty)
                }
                None => {
                    let names: Vec<&str> =
                        table.columns().iter().flat_map(|c| std::iter::once(c.key).chain(c.aliases.iter().copied())).collect();
                    let hint = did_you_mean(c, names.iter().copied());
                    let cols: Vec<&str> = table.columns().iter().map(|c| c.key).collect();
                    let (hz, he) = match hint {
                        Some(h) => (format!("您是不是想写“{h}”？"), format!("Did you mean “{h}”?")),
                        None => (format!("可用的列：{}", cols.join("、")), format!("Its columns are: {}.", cols.join(", "))),
                    };
                    self.error(
                        "unknown_column",
                        *cspan,
                        format!("{} 表没有“{c}”这一列。{hz}", table.key()),
                        format!("{} has no column “{c}”. {he}", table.key()),
                    );
                    Some(Ty::Unknown)
                }
            },
            None => None,
        };
        let fname = func.name();
        let arg_ty = arg.map(|a| self.infer(a, row));
        if column_ty.is_some() && arg.is_some() {
            self.error(
                "agg_arguments",
                arg.map_or(span, |a| a.span),
                format!("{fname}(…) 已经写了列，不需要第二个参数"),
                format!("{fname}(…) already names a column, so it takes no second argument."),
            );
            return Ty::Unknown;
        }
        let value_ty = column_ty.or(arg_ty);
        let need_value = |c: &mut Self, want_zh: &str, want_en: &str| {
            c.error(
                "agg_arguments",
                name_span,
                format!("{fname}(…) 需要指明统计哪一列，例如 {fname}({}.{want_zh})", table.key()),
                format!("{fname}(…) needs a column to work on, as in {fname}({}.{want_en}).", table.key()),
            );
        };
        let example = if table == Table::Orders { "amount" } else { "type" };
        match func {
            AggFn::Count => {
                if let Some(a) = arg {
                    if arg_ty != Some(Ty::Unknown) {
                        self.error(
                            "agg_arguments",
                            a.span,
                            "count(…) 数行数；要加条件请写 where，例如 count(orders where amount > 100)".into(),
                            "count(…) counts rows; put a condition after where, as in count(orders where amount > 100).".into(),
                        );
                    }
                }
                Ty::Num
            }
            AggFn::Sum | AggFn::Avg => match value_ty {
                None => {
                    need_value(self, "amount", "amount");
                    Ty::Num
                }
                Some(t) if t.numeric() => Ty::Num,
                Some(t) => {
                    self.mismatch(source.column.as_ref().map_or(span, |c| c.1), &format!("{fname}(…)"), &format!("{fname}(…)"), Ty::Num, t);
                    Ty::Num
                }
            },
            AggFn::Min | AggFn::Max | AggFn::First | AggFn::Last => match value_ty {
                None => {
                    need_value(self, example, example);
                    Ty::Unknown
                }
                Some(Ty::Id) => {
                    self.error(
                        "agg_arguments",
                        name_span,
                        "订单号只能计数：distinct(orders.order_id)".into(),
                        "Order numbers can only be counted: distinct(orders.order_id).".into(),
                    );
                    Ty::Unknown
                }
                Some(Ty::Text) if matches!(func, AggFn::Min | AggFn::Max) => {
                    self.mismatch(span, &format!("{fname}(…)"), &format!("{fname}(…)"), Ty::Num, Ty::Text);
                    Ty::Unknown
                }
                Some(Ty::Bool) => {
                    self.mismatch(span, &format!("{fname}(…)"), &format!("{fname}(…)"), Ty::Num, Ty::Bool);
                    Ty::Unknown
                }
                Some(t) => t,
            },
            AggFn::Distinct => {
                if value_ty.is_none() {
                    need_value(self, example, example);
                }
                Ty::Num
            }
            AggFn::Share => match value_ty {
                None => {
                    self.error(
                        "agg_arguments",
                        name_span,
                        "share(…) 需要一个条件，例如 share(orders, discount > 0)".into(),
                        "share(…) needs a condition, as in share(orders, discount > 0).".into(),
                    );
                    Ty::Num
                }
                Some(Ty::Bool | Ty::Num | Ty::Unknown) => Ty::Num,
                Some(t) => {
                    self.mismatch(arg.map_or(span, |a| a.span), "share(…) 的第二个参数", "share(…)'s second argument", Ty::Bool, t);
                    Ty::Num
                }
            },
            AggFn::Top => match value_ty {
                None => {
                    need_value(self, "category", "category");
                    Ty::Text
                }
                Some(Ty::Text | Ty::Unknown) => Ty::Text,
                Some(t) => {
                    self.mismatch(span, "top(…)", "top(…)", Ty::Text, t);
                    Ty::Text
                }
            },
        }
    }
}

/// The column of a table a row-scope name refers to, if any.
pub fn row_column(parts: &[(String, Span)], table: Table) -> Option<Column> {
    match parts {
        [(name, _)] => table.column(name).map(|c| c.column),
        [(t, _), (name, _)] if Table::parse(t) == Some(table) => table.column(name).map(|c| c.column),
        _ => None,
    }
}

/// The type of a literal, `Unknown` for anything else.
pub(super) fn literal_ty(e: &Expr) -> Ty {
    match &e.kind {
        ExprKind::Num(_) => Ty::Num,
        ExprKind::Str(_) => Ty::Text,
        ExprKind::Bool(_) => Ty::Bool,
        _ => Ty::Unknown,
    }
}
