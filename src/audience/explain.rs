//! Why one member is in or out of a tag or an audience: the expression tree with, for every condition, whether it
//! held for the member and the values it compared (`monetary > 500` → monetary = 812.40, held). A condition that
//! names another yes/no definition opens that definition's own tree, so the answer goes down to the metrics and
//! attributes every tag is built from.

use super::scope::{chain, Scope};
use crate::base::date::Day;
use crate::metrics::NO_TIME;
use crate::rules::ast::{BinOp, Expr, ExprKind};
use crate::rules::eval::{Lit, Outcome, Val};
use serde::Serialize;

/// How many definitions deep an explanation opens tags built on tags.
pub const MAX_DEPTH: usize = 8;

/// A value a condition read, for the member explained.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExplainValue {
    /// What was read, as written (`monetary`, `count(orders, last 30d)`).
    pub name: String,
    /// Its value for the member (`None` when missing).
    pub value: Option<String>,
}

/// One node of an explanation.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExplainNode {
    /// The expression as written.
    pub text: String,
    /// `and`, `or`, `not`, `condition`, `tag` (a definition by name), `list` (a static audience or snapshot),
    /// `case`, or `value` (a value that is not yes/no).
    pub kind: &'static str,
    /// Whether it held for the member (`None` for a value).
    pub held: Option<bool>,
    /// The values it read.
    pub values: Vec<ExplainValue>,
    /// The definition a `tag` or `list` node names.
    pub definition: Option<String>,
    /// Its parts (a definition's own rule under a `tag` node).
    pub children: Vec<ExplainNode>,
}

/// The explanation of one member against one definition or expression.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    /// The definition's name, or the expression.
    pub target: String,
    /// `tag`, `audience`, `metric` or `expression`.
    pub kind: &'static str,
    /// The member's key.
    pub member: String,
    /// The member's name from a member file, or `""`.
    pub name: String,
    /// For yes/no definitions and expressions: whether the member is in.
    pub held: Option<bool>,
    /// For enumerated tags and metrics: the member's value.
    pub value: Option<String>,
    /// The expression tree.
    pub tree: ExplainNode,
}

/// A time as `YYYY-MM-DD` (midnight) or `YYYY-MM-DD HH:MM:SS`.
pub fn format_time(ts: i64) -> String {
    let day = Day::of_timestamp(ts);
    let secs = ts - day.start();
    if secs == 0 {
        day.to_string()
    } else {
        format!("{day} {:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    }
}

/// One member's value of an evaluated column.
pub(crate) fn value_at(v: &Val, p: usize) -> Option<String> {
    match v {
        Val::Num(x) => x.get(p).filter(|x| !x.is_nan()).map(|&x| crate::base::values::format_number(x)),
        Val::Time(t) => t.get(p).filter(|&&t| t != NO_TIME).map(|&t| format_time(t)),
        Val::Text(t) | Val::Attr(t) => Some(t.get(p)).filter(|s| !s.is_empty()).map(str::to_string),
        Val::Bool(b) => Some(b.contains(p as u32).to_string()),
        Val::Const(Lit::Num(x)) => (!x.is_nan()).then(|| crate::base::values::format_number(*x)),
        Val::Const(Lit::Text(s)) => Some(s.clone()),
        Val::Const(Lit::Bool(b)) => Some(b.to_string()),
        Val::Const(Lit::Time(t)) => (*t != NO_TIME).then(|| format_time(*t)),
        Val::List(_) => None,
    }
}

/// Whether an expression is a literal (its value is in the text already).
fn literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Num(_) | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::List(_) | ExprKind::Duration(_) => true,
        ExprKind::Neg(x) => literal(x),
        ExprKind::Call { name, args, .. } => name.eq_ignore_ascii_case("date") && args.iter().all(literal),
        _ => false,
    }
}

/// Explains expressions for one member.
pub struct Explainer<'s, 'a> {
    scope: &'s Scope<'a>,
    member: u32,
}

impl<'s, 'a> Explainer<'s, 'a> {
    /// An explainer for member `member`.
    pub fn new(scope: &'s Scope<'a>, member: u32) -> Explainer<'s, 'a> {
        Explainer { scope, member }
    }

    /// The member's value of an expression.
    pub fn value(&self, e: &Expr) -> Option<String> {
        value_at(&self.scope.eval(e), self.member as usize)
    }

    fn operands(&self, e: &Expr, text: &str) -> Vec<ExplainValue> {
        let parts: Vec<&Expr> = match &e.kind {
            ExprKind::Binary(_, a, b) => vec![a, b],
            ExprKind::In { value, .. } => vec![value],
            ExprKind::Between { value, low, high } => vec![value, low, high],
            ExprKind::Call { args, .. } => args.iter().take(1).collect(),
            _ => Vec::new(),
        };
        parts
            .into_iter()
            .filter(|x| !literal(x))
            .map(|x| ExplainValue { name: super::preview::written(x, text), value: self.value(x) })
            .collect()
    }

    /// The tree of a yes/no expression written in `text` (spans are within it).
    pub fn node(&self, e: &Expr, text: &str, depth: usize) -> ExplainNode {
        let mut node = ExplainNode {
            text: super::preview::written(e, text),
            kind: "condition",
            held: None,
            values: Vec::new(),
            definition: None,
            children: Vec::new(),
        };
        match &e.kind {
            ExprKind::Binary(op @ (BinOp::And | BinOp::Or), _, _) => {
                node.kind = if *op == BinOp::And { "and" } else { "or" };
                node.children = chain(e, *op).into_iter().map(|x| self.node(x, text, depth)).collect();
                let mut held = node.children.iter().map(|c| c.held.unwrap_or(false));
                node.held = Some(if *op == BinOp::And { held.all(|b| b) } else { held.any(|b| b) });
            }
            ExprKind::Not(x) => {
                node.kind = "not";
                let child = self.node(x, text, depth);
                node.held = Some(!child.held.unwrap_or(false));
                node.children.push(child);
            }
            ExprKind::Name(_) if self.scope.def_of(e).is_some() => {
                let j = self.scope.def_of(e).unwrap_or(0);
                self.definition(&mut node, j, depth);
            }
            _ => {
                node.held = Some(self.scope.bits(e).contains(self.member));
                node.values = self.operands(e, text);
            }
        }
        node
    }

    /// Fills a node that names definition `j`: whether it held and, when it has a rule, that rule's tree.
    fn definition(&self, node: &mut ExplainNode, j: usize, depth: usize) {
        let compiled = self.scope.compiled();
        let def = &compiled.program.defs[j];
        node.definition = Some(def.name.clone());
        match self.scope.outcome(j) {
            Some(Outcome::Bool(b)) => {
                node.kind = "tag";
                node.held = Some(b.contains(self.member));
                if compiled.lists[j].is_some() {
                    node.kind = "list";
                } else if let (Some(expr), true) = (&def.expr, depth < MAX_DEPTH) {
                    node.children.push(self.node(expr, &compiled.texts[j], depth + 1));
                }
            }
            _ => {
                node.kind = "value";
                node.values = vec![ExplainValue { name: def.name.clone(), value: def.expr.as_ref().and_then(|x| self.value(x)) }];
            }
        }
    }

    /// The tree of any definition's or expression's value: a yes/no tree, or for an enumerated tag or a metric the
    /// value with, for a `case`, each arm's condition in order (the first that held chose the value).
    pub fn root(&self, e: &Expr, text: &str, boolean: bool) -> ExplainNode {
        if boolean {
            return self.node(e, text, 0);
        }
        let mut node = ExplainNode {
            text: super::preview::written(e, text),
            kind: "value",
            held: None,
            values: vec![ExplainValue { name: super::preview::written(e, text), value: self.value(e) }],
            definition: None,
            children: Vec::new(),
        };
        if let ExprKind::Case { arms, .. } = &e.kind {
            node.kind = "case";
            node.children = arms.iter().map(|(cond, _)| self.node(cond, text, 1)).collect();
        }
        node
    }
}
