//! Masking of personal data wherever it is shown or exported: phones `138****8000`, names `张*` / `欧阳**` /
//! `Z***`, e-mail addresses `z***@example.com`, and a member key masked as the kind of identifier it is. The rules
//! are listed in `docs/exports.md` ("Activation exports").

use crate::base::ids::{normalise_phone, IdKind};

/// What a value that is not a phone or an e-mail address becomes: four stars, whatever its length.
const OPAQUE: &str = "****";

/// Two-character surnames (复姓) kept whole when a name has at least three characters: `欧阳娜娜` → `欧阳**`.
pub const COMPOUND_SURNAMES: [&str; 40] = [
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "令狐", "夏侯", "轩辕", "端木", "独孤",
    "南宫", "西门", "万俟", "闻人", "申屠", "太史", "呼延", "澹台", "公冶", "宗政", "濮阳", "淳于", "单于", "钟离", "赫连", "百里", "东郭",
    "拓跋", "左丘", "司空", "第五", "鲜于", "闾丘",
];

/// Masks a member key as the kind of identifier it is: a person without a member id is keyed by a phone or an
/// e-mail address, which is personal data; member ids and other identifiers are shown as they are.
pub fn mask_key(key: &str, kind: IdKind) -> String {
    match kind {
        IdKind::Phone => mask_phone(key),
        IdKind::Email => mask_email(key),
        _ => key.to_string(),
    }
}

/// Masks a phone number. The number is normalised first (`+86`/`0086`/`86` before a mainland mobile, spaces,
/// dashes, brackets and full-width digits go), then of its `n` digits:
/// - `n ≥ 8`: the first 3 and the last 4 are kept, the `n − 7` between become `*` (`13800138000` → `138****8000`,
///   `021-6888-1234` → `021****1234`, `+1 415 555 0100` → `+141****0100`);
/// - `5 ≤ n ≤ 7`: only the last 2 are kept (`5550100` → `*****00`).
///
/// Text that is not a phone number (letters, fewer than 5 digits) becomes `****`; an empty cell stays empty.
pub fn mask_phone(raw: &str) -> String {
    if raw.trim().is_empty() {
        return String::new();
    }
    let Some(phone) = normalise_phone(raw) else {
        return OPAQUE.to_string();
    };
    let (plus, digits) = match phone.strip_prefix('+') {
        Some(d) => ("+", d),
        None => ("", phone.as_str()),
    };
    let n = digits.len();
    if n >= 8 {
        format!("{plus}{}{}{}", &digits[..3], "*".repeat(n - 7), &digits[n - 4..])
    } else {
        format!("{plus}{}{}", "*".repeat(n - 2), &digits[n - 2..])
    }
}

/// Whether a character is a CJK ideograph (the basic block, extension A, compatibility ideographs and the
/// supplementary planes' extensions).
fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}')
}

/// Masks a person's name (trimmed first):
/// - Chinese (the first character is an ideograph): the surname is kept and every other character becomes `*`,
///   one star per character; a name of three or more characters starting with a two-character surname from
///   [`COMPOUND_SURNAMES`] keeps both (`张伟` → `张*`, `王小明` → `王**`, `欧阳娜娜` → `欧阳**`, `欧阳` → `欧*`).
///   Separating dots (`·`, `•`, `・`) in transliterated names stay (`迪丽热巴·迪力木拉提` → `迪***·*****`).
///   A one-character name becomes `*`.
/// - Anything else (Latin and other scripts): the first letter and `***`, whatever the length (`Zhang Wei` → `Z***`).
pub fn mask_name(raw: &str) -> String {
    let name = raw.trim();
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    if !is_han(first) {
        return format!("{first}***");
    }
    let count = name.chars().count();
    if count == 1 {
        return "*".to_string();
    }
    let keep = if count >= 3 && COMPOUND_SURNAMES.iter().any(|s| name.starts_with(s)) { 2 } else { 1 };
    name.chars().enumerate().map(|(i, c)| if i < keep || matches!(c, '·' | '•' | '・') { c } else { '*' }).collect()
}

/// Masks an e-mail address (trimmed first): the first character of the local part, `***`, then `@` and the
/// domain unchanged (`zhang.wei@example.com` → `z***@example.com`). Text without a local part and a domain
/// around its last `@` becomes `****`; an empty cell stays empty.
pub fn mask_email(raw: &str) -> String {
    let t = raw.trim();
    if t.is_empty() {
        return String::new();
    }
    match t.rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => {
            let first = local.chars().next().unwrap_or('*');
            format!("{first}***@{domain}")
        }
        _ => OPAQUE.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        assert_eq!(mask_phone("13800138000"), "138****8000");
        assert_eq!(mask_phone("+86 138-0013-8000"), "138****8000");
        assert_eq!(mask_phone("5550100"), "*****00");
        assert_eq!(mask_phone("n/a"), "****");
        assert_eq!(mask_phone(" "), "");
    }

    #[test]
    fn names() {
        assert_eq!(mask_name("张伟"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧阳**");
        assert_eq!(mask_name("欧阳"), "欧*");
        assert_eq!(mask_name("Zhang Wei"), "Z***");
        assert_eq!(mask_name(""), "");
    }
}
