//! The parser: tokens to a [`Program`] or a single [`Expr`]. It never fails and never panics: a statement that
//! does not parse becomes one diagnostic, and parsing resumes at the next line that starts a statement, so one
//! typo does not hide the problems after it.
//!
//! ```text
//! program := { stmt }
//! stmt    := ("tag" | "audience" | "metric") name ["in" name] "=" expr | "set" key "=" literal
//! expr    := and { "or" and }            and := not { "and" not }          not := "not" not | cmp
//! cmp     := sum [ ("=="|"="|"!="|"<"|"<="|">"|">=") sum | ["not"] "in" sum | "between" sum "and" sum ]
//! sum     := prod { ("+"|"-") prod }     prod := unary { ("*"|"/") unary } unary := "-" unary | primary
//! primary := number | duration | text | "true" | "false" | "[" items "]" | "(" expr ")" | case | seq
//!          | agg "(" source { "," (expr | "last" duration) } ")" | name "(" args ")" | name { "." name }
//! source  := table ["." column] ["where" expr]
//! seq     := "did" "(" source ["," "last" duration] ")" ["then" ["not"] "did" "(" … ")" "within" duration]
//! case    := "case" { "when" expr "then" expr } ["else" expr] "end"
//! ```

use super::ast::*;
use super::diagnostic::{Diagnostic, Span};
use super::lexer::{is_reserved, lex, Tok, Token};

const STATEMENT_STARTS: &[&str] = &["tag", "audience", "metric", "set"];

/// Deepest nesting accepted, so hostile input cannot overflow the stack.
const MAX_DEPTH: u32 = 64;

/// Tallest expression tree accepted. Nesting is one way to a tall tree, the terms chained by one operator
/// (`a or b or …`, `1 + 2 + …`, each a level) are another; everything that walks a rule (checker, evaluator,
/// printer, drop) recurses over the tree, so its height is what bounds their stack. A chain stops growing at the
/// cap, so no taller tree is ever built; 256 levels stay well inside a 1 MiB stack.
pub const MAX_HEIGHT: u32 = 256;

type Parsed<T> = Result<T, ()>;

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    diags: Vec<Diagnostic>,
    depth: u32,
}

/// Parses a whole rule file.
pub fn parse_program(text: &str) -> (Program, Vec<Diagnostic>) {
    let (tokens, diags) = lex(text);
    let mut p = Parser { tokens, pos: 0, diags, depth: 0 };
    let mut program = Program::default();
    while !p.at_eof() {
        let start = p.pos;
        p.depth = 0;
        let failed = p.statement(&mut program).is_err();
        if p.pos == start || (failed && !p.at_statement_start()) {
            p.recover();
        }
    }
    (program, p.diags)
}

/// Parses one expression (the body of a single rule, as a rule editor holds it).
pub fn parse_expr(text: &str) -> (Option<Expr>, Vec<Diagnostic>) {
    let (tokens, diags) = lex(text);
    let mut p = Parser { tokens, pos: 0, diags, depth: 0 };
    if p.at_eof() {
        let span = p.peek().span;
        p.diags.push(Diagnostic::error(
            "empty_rule",
            span,
            "规则是空的：请写一个条件，例如 monetary > 500",
            "The rule is empty: write a condition such as monetary > 500.",
        ));
        return (None, p.diags);
    }
    let expr = p.expr().ok();
    if expr.is_some() && !p.at_eof() {
        let t = p.peek().clone();
        let _: Parsed<()> = p.unexpected(
            &t,
            "规则的结尾（条件已经完整：多余的部分请删去，或用 and / or 连接）",
            "the end of the rule (the condition is complete: remove the rest or join it with and / or)",
        );
        return (None, p.diags);
    }
    (expr, p.diags)
}

/// How a token reads in a message: `(zh, en)`.
fn describe(t: &Token) -> (String, String) {
    match &t.tok {
        Tok::Eof => ("文本末尾".into(), "the end of the text".into()),
        Tok::Ident(s) if is_reserved(s) => (format!("关键字“{s}”"), format!("the keyword “{s}”")),
        Tok::Ident(s) | Tok::Quoted(s) => (format!("“{s}”"), format!("“{s}”")),
        Tok::Str(s) => (format!("文字 \"{s}\""), format!("the text \"{s}\"")),
        Tok::Num(n) => (format!("数字 {n}"), format!("the number {n}")),
        Tok::Duration(_) => ("时长".into(), "a duration".into()),
        other => {
            let s = match other {
                Tok::LParen => "(",
                Tok::RParen => ")",
                Tok::LBracket => "[",
                Tok::RBracket => "]",
                Tok::Comma => ",",
                Tok::Dot => ".",
                Tok::Assign => "=",
                Tok::Eq => "==",
                Tok::Ne => "!=",
                Tok::Lt => "<",
                Tok::Le => "<=",
                Tok::Gt => ">",
                Tok::Ge => ">=",
                Tok::Plus => "+",
                Tok::Minus => "-",
                Tok::Star => "*",
                _ => "/",
            };
            (format!("“{s}”"), format!("“{s}”"))
        }
    }
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        &self.tokens[(self.pos + ahead).min(self.tokens.len() - 1)]
    }

    fn at_eof(&self) -> bool {
        self.peek().tok == Tok::Eof
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if t.tok != Tok::Eof {
            self.pos += 1;
        }
        t
    }

    fn prev_end(&self) -> u32 {
        if self.pos == 0 {
            0
        } else {
            self.tokens[self.pos - 1].span.end
        }
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        if &self.peek().tok == tok {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.peek().is(kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Records "expected X, found Y" at `t` and fails.
    fn unexpected<T>(&mut self, t: &Token, want_zh: &str, want_en: &str) -> Parsed<T> {
        let (fz, fe) = describe(t);
        self.diags.push(Diagnostic::error(
            "syntax",
            t.span,
            format!("这里应该是{want_zh}，却看到{fz}"),
            format!("Expected {want_en} here, but found {fe}."),
        ));
        Err(())
    }

    fn expect(&mut self, tok: Tok, zh: &str, en: &str) -> Parsed<Span> {
        if self.peek().tok == tok {
            Ok(self.bump().span)
        } else {
            let t = self.peek().clone();
            self.unexpected(&t, zh, en)
        }
    }

    /// Whether the next token starts a statement on a new line.
    fn at_statement_start(&self) -> bool {
        let t = self.peek();
        t.tok == Tok::Eof || (t.line_start && STATEMENT_STARTS.iter().any(|k| t.is(k)))
    }

    /// Skips to the next line that starts a statement.
    fn recover(&mut self) {
        self.bump();
        while !self.at_statement_start() {
            self.pos += 1;
        }
    }

    fn name(&mut self, what_zh: &str, what_en: &str) -> Parsed<(String, Span)> {
        let t = self.peek().clone();
        match &t.tok {
            Tok::Ident(s) if !is_reserved(s) => {
                self.bump();
                Ok((s.clone(), t.span))
            }
            Tok::Quoted(s) | Tok::Str(s) if !s.trim().is_empty() => {
                self.bump();
                Ok((s.trim().to_string(), t.span))
            }
            _ => self.unexpected(&t, what_zh, what_en),
        }
    }

    fn statement(&mut self, program: &mut Program) -> Parsed<()> {
        let t = self.peek().clone();
        let kind = match t.keyword().as_deref() {
            Some("tag") => DefKind::Tag,
            Some("audience") => DefKind::Audience,
            Some("metric") => DefKind::Metric,
            Some("set") => return self.setting(program),
            _ => {
                return self.unexpected(
                    &t,
                    "一条定义（tag、audience、metric 或 set 开头）",
                    "a definition (starting with tag, audience, metric or set)",
                )
            }
        };
        self.bump();
        let (name, name_span) = self.name("名称", "a name")?;
        let group = if self.eat_kw("in") { Some(self.name("分组名称", "a group name")?.0) } else { None };
        if !self.eat(&Tok::Assign) && !self.eat(&Tok::Eq) {
            let t = self.peek().clone();
            return self.unexpected(&t, "等号 =（名称后面写 = 再写条件）", "“=” (write = and then the condition after the name)");
        }
        if self.at_eof() || (self.peek().line_start && STATEMENT_STARTS.iter().any(|k| self.peek().is(k))) {
            let t = self.peek().clone();
            return self.unexpected(&t, "一个条件", "a condition");
        }
        let expr = self.expr()?;
        let next = self.peek().clone();
        if !(next.tok == Tok::Eof || (next.line_start && STATEMENT_STARTS.iter().any(|k| next.is(k)))) {
            program.defs.push(Def { kind, name, name_span, group, expr: None, span: t.span.to(expr.span) });
            return self.unexpected(&next, "新的一行定义（条件已经完整）", "a new definition on its own line (the condition is complete)");
        }
        program.defs.push(Def { kind, name, name_span, group, span: t.span.to(expr.span), expr: Some(expr) });
        Ok(())
    }

    fn setting(&mut self, program: &mut Program) -> Parsed<()> {
        let start = self.bump().span;
        let (mut key, mut key_span) = self.name("设置项，例如 lifecycle.active_days", "a setting such as lifecycle.active_days")?;
        while self.eat(&Tok::Dot) {
            let (part, span) = self.name("设置项名称", "a setting name")?;
            key.push('.');
            key.push_str(&part);
            key_span = key_span.to(span);
        }
        if !self.eat(&Tok::Assign) && !self.eat(&Tok::Eq) {
            let t = self.peek().clone();
            return self.unexpected(&t, "等号 =", "“=”");
        }
        let t = self.bump();
        let value = match t.tok {
            Tok::Num(n) => Literal::Num(n),
            Tok::Duration(s) => Literal::Num(s / 86_400.0),
            Tok::Str(s) => Literal::Text(s),
            Tok::Ident(s) if !is_reserved(&s) => Literal::Text(s),
            _ => return self.unexpected(&t, "一个数字或文字", "a number or a text"),
        };
        program.settings.push(Setting { key, value, span: start.to(t.span), key_span });
        Ok(())
    }

    fn deeper(&mut self) -> Parsed<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let span = self.peek().span;
            self.diags.push(Diagnostic::error(
                "too_deep",
                span,
                "条件嵌套太深（超过 64 层括号）",
                "The condition is nested too deeply (over 64 levels).",
            ));
            return Err(());
        }
        Ok(())
    }

    fn expr(&mut self) -> Parsed<Expr> {
        self.deeper()?;
        let result = self.or();
        self.depth -= 1;
        let result = result?;
        self.within_height(result.height())?;
        Ok(result)
    }

    /// Refuses a tree taller than [`MAX_HEIGHT`].
    fn within_height(&mut self, height: u32) -> Parsed<()> {
        if height <= MAX_HEIGHT {
            return Ok(());
        }
        let span = self.tokens.get(self.pos.saturating_sub(1)).map_or(self.peek().span, |t| t.span);
        self.diags.push(Diagnostic::error(
            "too_long",
            span,
            format!("条件太长：连在一起的 and/or/+ 等运算加上括号嵌套超过 {MAX_HEIGHT} 层。请拆成几个标签再组合（tag 甲 = …，tag 乙 = …，tag 合 = 甲 or 乙），或用 in [ … ] 列出多个值"),
            format!("The condition is too long: the terms chained by and/or/+ and the like, with its nesting, come to more than {MAX_HEIGHT} levels. Split it into a few tags and combine them (tag a = …, tag b = …, tag both = a or b), or list values with in [ … ]."),
        ));
        Err(())
    }

    /// One more term on a chain whose tree is `height` tall: the new height, within [`MAX_HEIGHT`].
    fn link(&mut self, height: u32, right: &Expr) -> Parsed<u32> {
        let height = height.max(right.height()) + 1;
        self.within_height(height)?;
        Ok(height)
    }

    fn or(&mut self) -> Parsed<Expr> {
        let mut left = self.and()?;
        let mut height = left.height();
        while self.eat_kw("or") {
            let right = self.and()?;
            height = self.link(height, &right)?;
            let span = left.span.to(right.span);
            left = Expr::new(ExprKind::Binary(BinOp::Or, Box::new(left), Box::new(right)), span);
        }
        Ok(left)
    }

    fn and(&mut self) -> Parsed<Expr> {
        let mut left = self.not()?;
        let mut height = left.height();
        while self.eat_kw("and") {
            let right = self.not()?;
            height = self.link(height, &right)?;
            let span = left.span.to(right.span);
            left = Expr::new(ExprKind::Binary(BinOp::And, Box::new(left), Box::new(right)), span);
        }
        Ok(left)
    }

    fn not(&mut self) -> Parsed<Expr> {
        if self.peek().is("not") {
            let start = self.bump().span;
            self.deeper()?;
            let inner = self.not();
            self.depth -= 1;
            let inner = inner?;
            let span = start.to(inner.span);
            return Ok(Expr::new(ExprKind::Not(Box::new(inner)), span));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Parsed<Expr> {
        let left = self.sum()?;
        let op = match self.peek().tok {
            Tok::Eq | Tok::Assign => Some(BinOp::Eq),
            Tok::Ne => Some(BinOp::Ne),
            Tok::Lt => Some(BinOp::Lt),
            Tok::Le => Some(BinOp::Le),
            Tok::Gt => Some(BinOp::Gt),
            Tok::Ge => Some(BinOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            self.bump();
            let right = self.sum()?;
            let span = left.span.to(right.span);
            return Ok(Expr::new(ExprKind::Binary(op, Box::new(left), Box::new(right)), span));
        }
        let negated = self.peek().is("not") && self.peek_at(1).is("in");
        if negated {
            self.bump();
        }
        if self.eat_kw("in") {
            let list = self.sum()?;
            let span = left.span.to(list.span);
            return Ok(Expr::new(ExprKind::In { value: Box::new(left), list: Box::new(list), negated }, span));
        }
        if self.eat_kw("between") {
            let low = self.sum()?;
            if !self.eat_kw("and") {
                let t = self.peek().clone();
                return self.unexpected(
                    &t,
                    "between 后面的 and（例如 age between 25 and 35）",
                    "“and” after between (as in age between 25 and 35)",
                );
            }
            let high = self.sum()?;
            let span = left.span.to(high.span);
            return Ok(Expr::new(ExprKind::Between { value: Box::new(left), low: Box::new(low), high: Box::new(high) }, span));
        }
        Ok(left)
    }

    fn sum(&mut self) -> Parsed<Expr> {
        let mut left = self.product()?;
        let mut height = left.height();
        loop {
            let op = match self.peek().tok {
                Tok::Plus => BinOp::Add,
                Tok::Minus => BinOp::Sub,
                _ => return Ok(left),
            };
            self.bump();
            let right = self.product()?;
            height = self.link(height, &right)?;
            let span = left.span.to(right.span);
            left = Expr::new(ExprKind::Binary(op, Box::new(left), Box::new(right)), span);
        }
    }

    fn product(&mut self) -> Parsed<Expr> {
        let mut left = self.unary()?;
        let mut height = left.height();
        loop {
            let op = match self.peek().tok {
                Tok::Star => BinOp::Mul,
                Tok::Slash => BinOp::Div,
                _ => return Ok(left),
            };
            self.bump();
            let right = self.unary()?;
            height = self.link(height, &right)?;
            let span = left.span.to(right.span);
            left = Expr::new(ExprKind::Binary(op, Box::new(left), Box::new(right)), span);
        }
    }

    fn unary(&mut self) -> Parsed<Expr> {
        if self.peek().tok == Tok::Minus {
            let start = self.bump().span;
            self.deeper()?;
            let inner = self.unary();
            self.depth -= 1;
            let inner = inner?;
            let span = start.to(inner.span);
            return Ok(match inner.kind {
                ExprKind::Num(n) => Expr::new(ExprKind::Num(-n), span),
                _ => Expr::new(ExprKind::Neg(Box::new(inner)), span),
            });
        }
        self.primary()
    }

    fn primary(&mut self) -> Parsed<Expr> {
        let t = self.peek().clone();
        match &t.tok {
            Tok::Num(n) => {
                self.bump();
                // `30 d` with a space is a duration too.
                if let Some(unit) = self.peek().keyword() {
                    let secs = match unit.as_str() {
                        "d" | "day" | "days" | "天" => Some(86_400.0),
                        "h" | "hour" | "hours" | "小时" => Some(3_600.0),
                        _ => None,
                    };
                    if let Some(s) = secs {
                        let u = self.bump().span;
                        return Ok(Expr::new(ExprKind::Duration(n * s), t.span.to(u)));
                    }
                }
                Ok(Expr::new(ExprKind::Num(*n), t.span))
            }
            Tok::Duration(s) => {
                self.bump();
                Ok(Expr::new(ExprKind::Duration(*s), t.span))
            }
            Tok::Str(s) => {
                self.bump();
                Ok(Expr::new(ExprKind::Str(s.clone()), t.span))
            }
            Tok::LBracket => self.list(),
            Tok::LParen => {
                self.bump();
                let inner = self.expr()?;
                let end = self.expect(Tok::RParen, "右括号 )", "a closing “)”")?;
                Ok(Expr::new(inner.kind, t.span.to(end)))
            }
            Tok::Ident(s) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {
                self.bump();
                Ok(Expr::new(ExprKind::Bool(s.eq_ignore_ascii_case("true")), t.span))
            }
            Tok::Ident(s) if s.eq_ignore_ascii_case("case") => self.case(),
            Tok::Ident(s) if s.eq_ignore_ascii_case("did") && self.peek_at(1).tok == Tok::LParen => self.seq(),
            Tok::Ident(s) if self.peek_at(1).tok == Tok::LParen && AggFn::parse(s).is_some() => self.aggregate(),
            Tok::Ident(s) if !is_reserved(s) && self.peek_at(1).tok == Tok::LParen => self.call(),
            Tok::Ident(s) if !is_reserved(s) => self.path(),
            Tok::Quoted(_) => self.path(),
            _ => self.unexpected(&t, "一个值（名称、数字或文字）", "a value (a name, a number or a text)"),
        }
    }

    fn list(&mut self) -> Parsed<Expr> {
        let start = self.bump().span;
        let mut items = Vec::new();
        if !self.eat(&Tok::RBracket) {
            loop {
                items.push(self.expr()?);
                if self.eat(&Tok::Comma) {
                    continue;
                }
                self.expect(Tok::RBracket, "逗号或右方括号 ]", "a comma or a closing “]”")?;
                break;
            }
        }
        Ok(Expr::new(ExprKind::List(items), start.to(Span { start: self.prev_end(), end: self.prev_end() })))
    }

    fn path(&mut self) -> Parsed<Expr> {
        let first = self.name("名称", "a name")?;
        let mut span = first.1;
        let mut parts = vec![first];
        while self.eat(&Tok::Dot) {
            let part = self.name("点号后面的名称", "a name after the dot")?;
            span = span.to(part.1);
            parts.push(part);
        }
        Ok(Expr::new(ExprKind::Name(parts), span))
    }

    fn call(&mut self) -> Parsed<Expr> {
        let name = self.bump();
        let Tok::Ident(text) = name.tok else { return Err(()) };
        self.bump();
        let mut args = Vec::new();
        if !self.eat(&Tok::RParen) {
            loop {
                args.push(self.expr()?);
                if self.eat(&Tok::Comma) {
                    continue;
                }
                self.expect(Tok::RParen, "逗号或右括号 )", "a comma or a closing “)”")?;
                break;
            }
        }
        let span = name.span.to(Span { start: self.prev_end(), end: self.prev_end() });
        Ok(Expr::new(ExprKind::Call { name: text, name_span: name.span, args }, span))
    }

    fn source(&mut self) -> Parsed<Source> {
        let (table, table_span) = self.name("数据表名称（orders 或 events）", "a table name (orders or events)")?;
        let column = if self.eat(&Tok::Dot) { Some(self.name("列名", "a column name")?) } else { None };
        let filter = if self.eat_kw("where") { Some(Box::new(self.expr()?)) } else { None };
        Ok(Source { table, table_span, column, filter })
    }

    /// After `last`: a duration (`30d`, `30 d`, or a bare number of days).
    fn window(&mut self) -> Parsed<Window> {
        let start = self.prev_end();
        let t = self.bump();
        let seconds = match t.tok {
            Tok::Duration(s) => s,
            Tok::Num(n) => {
                if self.peek().keyword().is_some_and(|u| matches!(u.as_str(), "d" | "day" | "days" | "天")) {
                    self.bump();
                }
                n * 86_400.0
            }
            _ => return self.unexpected(&t, "天数，例如 last 30d", "a number of days, as in last 30d"),
        };
        let _ = start;
        Ok(Window { seconds, span: t.span.to(Span { start: self.prev_end(), end: self.prev_end() }) })
    }

    fn is_window_start(&self) -> bool {
        self.peek().is("last") && matches!(self.peek_at(1).tok, Tok::Duration(_) | Tok::Num(_))
    }

    fn aggregate(&mut self) -> Parsed<Expr> {
        let name = self.bump();
        let func = name.keyword().and_then(|k| AggFn::parse(&k)).ok_or(())?;
        self.bump();
        let source = self.source()?;
        let (mut arg, mut window) = (None, None);
        while self.eat(&Tok::Comma) {
            if self.is_window_start() {
                self.bump();
                window = Some(self.window()?);
            } else if arg.is_none() && window.is_none() {
                arg = Some(Box::new(self.expr()?));
            } else {
                let t = self.peek().clone();
                return self.unexpected(&t, "时间窗口，例如 last 30d", "a window such as last 30d");
            }
        }
        let end = self.expect(Tok::RParen, "逗号或右括号 )", "a comma or a closing “)”")?;
        Ok(Expr::new(ExprKind::Agg { func, name_span: name.span, source, arg, window }, name.span.to(end)))
    }

    fn did(&mut self) -> Parsed<Did> {
        let start = self.bump().span;
        self.expect(Tok::LParen, "左括号 (", "“(”")?;
        let source = self.source()?;
        let mut window = None;
        if self.eat(&Tok::Comma) {
            if !self.eat_kw("last") {
                let t = self.peek().clone();
                return self.unexpected(&t, "时间窗口，例如 last 30d", "a window such as last 30d");
            }
            window = Some(self.window()?);
        }
        let end = self.expect(Tok::RParen, "右括号 )", "a closing “)”")?;
        Ok(Did { source, window, span: start.to(end) })
    }

    fn seq(&mut self) -> Parsed<Expr> {
        let first = self.did()?;
        let mut span = first.span;
        // `then did(…)` continues the sequence; any other `then` belongs to an enclosing `case when did(…) then …`.
        let did_at = |p: &Self, k: usize| p.peek_at(k).is("did") && p.peek_at(k + 1).tok == Tok::LParen;
        let continues = self.peek().is("then") && (did_at(self, 1) || (self.peek_at(1).is("not") && did_at(self, 2)));
        let then = if continues && self.eat_kw("then") {
            let negated = self.eat_kw("not");
            if !(self.peek().is("did") && self.peek_at(1).tok == Tok::LParen) {
                let t = self.peek().clone();
                return self.unexpected(&t, "then 后面的 did(…)", "did(…) after then");
            }
            let did = self.did()?;
            if !self.eat_kw("within") {
                let t = self.peek().clone();
                return self.unexpected(&t, "within 和时长，例如 within 3d", "within and a duration, as in within 3d");
            }
            let t = self.bump();
            let within = match t.tok {
                Tok::Duration(s) => s,
                Tok::Num(n) => {
                    if self.peek().keyword().is_some_and(|u| matches!(u.as_str(), "d" | "day" | "days" | "天")) {
                        self.bump();
                    }
                    n * 86_400.0
                }
                _ => return self.unexpected(&t, "时长，例如 3d 或 12h", "a duration such as 3d or 12h"),
            };
            let within_span = t.span.to(Span { start: self.prev_end(), end: self.prev_end() });
            span = span.to(within_span);
            Some(Box::new(Then { negated, did, within, within_span }))
        } else {
            None
        };
        Ok(Expr::new(ExprKind::Seq { first, then }, span))
    }

    fn case(&mut self) -> Parsed<Expr> {
        let start = self.bump().span;
        let mut arms = Vec::new();
        while self.eat_kw("when") {
            let cond = self.expr()?;
            if !self.eat_kw("then") {
                let t = self.peek().clone();
                return self.unexpected(&t, "then（case when 条件 then 值）", "“then” (case when condition then value)");
            }
            let value = self.expr()?;
            arms.push((cond, value));
        }
        if arms.is_empty() {
            let t = self.peek().clone();
            return self.unexpected(&t, "when（case 后面至少有一个 when 条件 then 值）", "“when” (case needs at least one when … then …)");
        }
        let default = if self.eat_kw("else") { Some(Box::new(self.expr()?)) } else { None };
        if !self.eat_kw("end") {
            let t = self.peek().clone();
            return self.unexpected(&t, "end（case 以 end 结束）", "“end” (a case ends with end)");
        }
        Ok(Expr::new(ExprKind::Case { arms, default }, start.to(Span { start: self.prev_end(), end: self.prev_end() })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRODUCT: &str = r#"
# comments start with #
tag 高价值会员 = rfm.segment == "重要价值客户"
tag 促销敏感 in 偏好 = share(orders, discount) >= 0.6 and count(orders) >= 3
tag 美妆达人 in 兴趣 = count(orders where category in ["美妆", "护肤"], last 180d) >= 3
tag 沉默会员 in 生命周期 = days_since(last(orders.time)) > 90
tag 浏览未购 = count(events where type == "view", last 30d) > 0 and count(orders, last 30d) == 0
tag 加购未付 = did(events where type == "add_cart") then not did(orders) within 3d
tag 年龄段 = case when age < 25 then "Z世代" when age < 35 then "青年" else "其他" end
audience 唤醒对象 = 高价值会员 and 沉默会员 and not 促销敏感
"#;

    #[test]
    fn parses_every_product_example() {
        let (program, diags) = parse_program(PRODUCT);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(program.defs.len(), 8);
        assert_eq!(program.defs[1].group.as_deref(), Some("偏好"));
        assert_eq!(program.defs[7].kind, DefKind::Audience);
    }

    #[test]
    fn printing_round_trips() {
        let (program, _) = parse_program(PRODUCT);
        for def in &program.defs {
            let printed = def.expr.as_ref().unwrap().to_string();
            let (again, diags) = parse_expr(&printed);
            assert!(diags.is_empty(), "{printed}: {diags:?}");
            assert_eq!(again.unwrap().to_string(), printed);
        }
    }

    #[test]
    fn recovers_and_reports_each_broken_statement() {
        let text = "tag a = count(orders >= 3\ntag b = monetary > 100\ntag c = \ntag d = (1 > 2";
        let (program, diags) = parse_program(text);
        assert_eq!(diags.len(), 3, "{diags:?}");
        assert!(program.defs.iter().any(|d| d.name == "b" && d.expr.is_some()));
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let text = format!("tag a = {}1{}", "(".repeat(10_000), ")".repeat(10_000));
        let (_, diags) = parse_program(&text);
        assert_eq!(diags[0].code, "too_deep");
        let text = format!("tag a = {}x", "not ".repeat(10_000));
        assert_eq!(parse_program(&text).1[0].code, "too_deep");
    }

    #[test]
    fn long_chains_are_refused_not_overflowed_and_the_next_statement_is_read() {
        for (op, term) in [("and", "x > 1"), ("or", "x > 1"), ("+", "x"), ("*", "x"), ("-", "x"), ("/", "x")] {
            let long = vec![term; 20_000].join(&format!(" {op} "));
            let (program, diags) = parse_program(&format!("tag a = {long}\ntag b = x > 1"));
            assert_eq!(diags.len(), 1, "{op}: {diags:?}");
            assert_eq!(diags[0].code, "too_long");
            assert!(diags[0].en.contains("256") && diags[0].zh.contains("256"));
            assert!(program.defs.iter().any(|d| d.name == "b" && d.expr.is_some()), "{op}");
            // A chain just under the cap parses, and its tree is as tall as it is long.
            let ok = vec![term; 200].join(&format!(" {op} "));
            let (program, diags) = parse_program(&format!("tag a = {ok}"));
            assert!(diags.is_empty(), "{op}: {diags:?}");
            assert!(program.defs[0].expr.as_ref().is_some_and(|e| e.height() >= 200));
        }
        // Chains inside parentheses add up: 40 levels, each a chain of 10 around the one inside.
        let mut text = "x > 1".to_string();
        for _ in 0..40 {
            text = format!("({text}) or {}", ["x > 1"; 9].join(" or "));
        }
        let (program, diags) = parse_program(&format!("tag a = {text}\ntag b = x > 1"));
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].code, "too_long");
        assert!(program.defs.iter().all(|d| d.expr.as_ref().is_none_or(|e| e.height() <= MAX_HEIGHT)));
    }
}
