//! The lexer: rule text to tokens with spans. It never fails; characters it cannot read become diagnostics.
//!
//! Operators may be typed on a Chinese keyboard: full-width brackets, commas and comparison signs
//! (`（` `）` `，` `【` `】` `≥` `≤` `≠`) and curly quotes (`“…”`, `‘…’`, `「…」`) mean the same as their ASCII forms.

use super::diagnostic::{Diagnostic, Span};

/// The units a number may carry to make a duration (case-insensitive), with the seconds each stands for.
pub const DURATION_UNITS: &[(&str, f64)] = &[
    ("d", 86_400.0),
    ("day", 86_400.0),
    ("days", 86_400.0),
    ("天", 86_400.0),
    ("日", 86_400.0),
    ("h", 3_600.0),
    ("hour", 3_600.0),
    ("hours", 3_600.0),
    ("小时", 3_600.0),
];

/// A token's kind and value.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A name or keyword (keywords are recognised by the parser, case-insensitively).
    Ident(String),
    /// A name written in backticks: never a keyword.
    Quoted(String),
    /// A string literal.
    Str(String),
    /// A number; `60%` is read as `0.6`.
    Num(f64),
    /// A duration in seconds: `30d`, `30天`, `12h`, `12小时`.
    Duration(f64),
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `,`
    Comma,
    /// `.`
    Dot,
    /// `=` (a definition, or equality inside an expression)
    Assign,
    /// `==`
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
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// The end of the text.
    Eof,
}

/// A token with where it is and whether it starts a line.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// What it is.
    pub tok: Tok,
    /// Where it is.
    pub span: Span,
    /// Whether it is the first token on its line (statements restart there after an error).
    pub line_start: bool,
}

impl Token {
    /// The keyword this token spells (lower case), if it is a bare name.
    pub fn keyword(&self) -> Option<String> {
        match &self.tok {
            Tok::Ident(s) => Some(s.to_lowercase()),
            _ => None,
        }
    }

    /// Whether this token is the keyword `kw` (lower case).
    pub fn is(&self, kw: &str) -> bool {
        matches!(&self.tok, Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
    }
}

fn is_name_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_name_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

fn closing_quote(open: char) -> Option<char> {
    Some(match open {
        '"' => '"',
        '\'' => '\'',
        '“' => '”',
        '‘' => '’',
        '「' => '」',
        '『' => '』',
        _ => return None,
    })
}

/// Splits `text` into tokens; the last token is always [`Tok::Eof`].
pub fn lex(text: &str) -> (Vec<Token>, Vec<Diagnostic>) {
    let mut tokens = Vec::new();
    let mut diags = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let offset = |i: usize| chars.get(i).map_or(text.len(), |&(o, _)| o);
    let mut i = 0;
    let mut line_start = true;
    while i < chars.len() {
        let c = chars[i].1;
        let start = i;
        if c == '\n' {
            line_start = true;
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '#' {
            while i < chars.len() && chars[i].1 != '\n' {
                i += 1;
            }
            continue;
        }
        let mut push = |tok: Tok, end: usize, line_start: &mut bool| {
            tokens.push(Token { tok, span: Span::new(offset(start), offset(end)), line_start: *line_start });
            *line_start = false;
        };
        if let Some(close) = closing_quote(c) {
            let mut value = String::new();
            i += 1;
            let mut closed = false;
            while let Some(ch) = at(i) {
                if ch == close || (c == '"' && ch == '”') {
                    closed = true;
                    i += 1;
                    break;
                }
                if ch == '\n' {
                    break;
                }
                if ch == '\\' && matches!(at(i + 1), Some('"' | '\'' | '\\' | '”')) {
                    value.push(at(i + 1).unwrap_or('\\'));
                    i += 2;
                    continue;
                }
                value.push(ch);
                i += 1;
            }
            if !closed {
                diags.push(Diagnostic::error(
                    "unterminated_string",
                    Span::new(offset(start), offset(i)),
                    format!("文字没有结束的引号：请在末尾补上 {close}"),
                    format!("This text has no closing quote: add {close} at its end."),
                ));
            }
            push(Tok::Str(value), i, &mut line_start);
            continue;
        }
        if c == '`' {
            let mut value = String::new();
            i += 1;
            let mut closed = false;
            while let Some(ch) = at(i) {
                i += 1;
                if ch == '`' {
                    closed = true;
                    break;
                }
                if ch == '\n' {
                    i -= 1;
                    break;
                }
                if ch == '\\' {
                    // The escapes `quote_name` writes; any other backslash is itself (names written before escapes).
                    if let Some((c, len)) = name_escape(&chars[i..]) {
                        value.push(c);
                        i += len;
                        continue;
                    }
                }
                value.push(ch);
            }
            if !closed {
                diags.push(Diagnostic::error(
                    "unterminated_name",
                    Span::new(offset(start), offset(i)),
                    "用反引号 ` 括起的名称没有结束：请在末尾补上 `",
                    "A name in backticks has no closing backtick: add ` at its end.",
                ));
            }
            push(Tok::Quoted(value), i, &mut line_start);
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && at(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            while at(i).is_some_and(|d| d.is_ascii_digit() || d == '_' || d == '.') {
                i += 1;
            }
            let raw: String = chars[start..i].iter().map(|&(_, c)| c).filter(|&c| c != '_').collect();
            let value = raw.parse::<f64>().unwrap_or_else(|_| {
                diags.push(Diagnostic::error(
                    "bad_number",
                    Span::new(offset(start), offset(i)),
                    format!("“{raw}”不是一个数字"),
                    format!("“{raw}” is not a number."),
                ));
                0.0
            });
            if matches!(at(i), Some('%') | Some('％')) {
                i += 1;
                push(Tok::Num(value / 100.0), i, &mut line_start);
                continue;
            }
            // A unit right after the number makes a duration.
            let mut j = i;
            while at(j).is_some_and(is_name_char) {
                j += 1;
            }
            let unit: String = chars[i..j].iter().map(|&(_, c)| c).collect();
            let lower = unit.to_lowercase();
            let seconds = DURATION_UNITS.iter().find(|(u, _)| *u == lower).map(|&(_, s)| s);
            match seconds {
                Some(s) => {
                    push(Tok::Duration(value * s), j, &mut line_start);
                    i = j;
                }
                None if unit.is_empty() => push(Tok::Num(value), i, &mut line_start),
                None => {
                    diags.push(Diagnostic::error(
                        "bad_unit",
                        Span::new(offset(start), offset(j)),
                        format!("不认识的时间单位“{unit}”：天数写作 30d 或 30天，小时写作 12h"),
                        format!("Unknown unit “{unit}”: write days as 30d and hours as 12h."),
                    ));
                    push(Tok::Num(value), j, &mut line_start);
                    i = j;
                }
            }
            continue;
        }
        if is_name_start(c) {
            while at(i).is_some_and(is_name_char) {
                i += 1;
            }
            let name: String = chars[start..i].iter().map(|&(_, c)| c).collect();
            push(Tok::Ident(name), i, &mut line_start);
            continue;
        }
        let next = at(i + 1);
        let (tok, len) = match (c, next) {
            ('=', Some('=')) => (Tok::Eq, 2),
            ('!', Some('=')) | ('<', Some('>')) => (Tok::Ne, 2),
            ('<', Some('=')) => (Tok::Le, 2),
            ('>', Some('=')) => (Tok::Ge, 2),
            ('=', _) => (Tok::Assign, 1),
            ('<', _) => (Tok::Lt, 1),
            ('>', _) => (Tok::Gt, 1),
            ('≤', _) => (Tok::Le, 1),
            ('≥', _) => (Tok::Ge, 1),
            ('≠', _) => (Tok::Ne, 1),
            ('(' | '（', _) => (Tok::LParen, 1),
            (')' | '）', _) => (Tok::RParen, 1),
            ('[' | '【' | '［', _) => (Tok::LBracket, 1),
            (']' | '】' | '］', _) => (Tok::RBracket, 1),
            (',' | '，' | '、', _) => (Tok::Comma, 1),
            ('.', _) => (Tok::Dot, 1),
            ('+', _) => (Tok::Plus, 1),
            ('-', _) => (Tok::Minus, 1),
            ('*', _) => (Tok::Star, 1),
            ('/', _) => (Tok::Slash, 1),
            _ => {
                i += 1;
                diags.push(Diagnostic::error(
                    "unexpected_character",
                    Span::new(offset(start), offset(i)),
                    format!("这里不能出现字符“{c}”"),
                    format!("The character “{c}” cannot appear here."),
                ));
                continue;
            }
        };
        i += len;
        push(tok, i, &mut line_start);
    }
    tokens.push(Token { tok: Tok::Eof, span: Span::new(text.len(), text.len()), line_start: true });
    (tokens, diags)
}

/// Words with a meaning in the language; as names they must be written in backticks.
pub const RESERVED: &[&str] = &[
    "tag", "audience", "metric", "set", "in", "not", "and", "or", "where", "last", "then", "within", "case", "when", "else", "end", "true",
    "false", "did", "between",
];

/// Whether `name` is a reserved word (case-insensitive).
pub fn is_reserved(name: &str) -> bool {
    let lower = name.to_lowercase();
    RESERVED.contains(&lower.as_str())
}

/// Whether `name` can be written bare in rule text: a plain name (a letter or `_`, then letters, digits or `_`)
/// that is not a keyword.
pub fn is_bare_name(name: &str) -> bool {
    name.chars().next().is_some_and(is_name_start) && name.chars().all(is_name_char) && !is_reserved(name)
}

/// A name as rule text writes it, the one quoting every way out uses (rule text, the catalog's text form, names
/// in comments of SQL and of rule text, audience expressions built from names): bare when [`is_bare_name`],
/// otherwise in backticks with `` ` `` and `\` escaped by a backslash and every control character written as
/// `\n`, `\r`, `\t` or `\u{…}`, so the result is one line that the lexer reads back as exactly `name`.
pub fn quote_name(name: &str) -> std::borrow::Cow<'_, str> {
    if is_bare_name(name) {
        return std::borrow::Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 2);
    out.push('`');
    for c in name.chars() {
        match c {
            '`' => out.push_str("\\`"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('`');
    std::borrow::Cow::Owned(out)
}

/// The character a backslash escape in a backtick name stands for, and how many characters after the backslash
/// it takes; `None` for a backslash that escapes nothing (kept as it is).
fn name_escape(rest: &[(usize, char)]) -> Option<(char, usize)> {
    let c = rest.first()?.1;
    Some(match c {
        '`' | '\\' => (c, 1),
        'n' => ('\n', 1),
        'r' => ('\r', 1),
        't' => ('\t', 1),
        'u' if rest.get(1).map(|x| x.1) == Some('{') => {
            let close = rest.iter().take(10).position(|x| x.1 == '}')?;
            let hex: String = rest[2..close].iter().map(|x| x.1).collect();
            (char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?, close + 1)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Tok> {
        lex(text).0.into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn reads_the_product_examples() {
        let t = kinds("count(orders where category in [\"美妆\", “护肤”], last 180d) >= 3 # note");
        assert!(t.contains(&Tok::Duration(180.0 * 86_400.0)));
        assert!(t.contains(&Tok::Str("护肤".into())));
        assert_eq!(t.last(), Some(&Tok::Eof));
        assert_eq!(kinds("60%")[0], Tok::Num(0.6));
        assert_eq!(kinds("a≥1，b")[1], Tok::Ge);
    }

    #[test]
    fn reports_bad_characters_and_carries_on() {
        let (tokens, diags) = lex("a $ b \"open");
        assert_eq!(diags.len(), 2);
        assert_eq!(tokens.len(), 4);
    }
}
