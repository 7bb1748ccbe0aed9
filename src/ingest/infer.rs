//! Proposals from values: whether the first row is a header, what a column holds when its header says nothing,
//! and whether slash dates are month-first or day-first.

use crate::base::ids::looks_like_mobile;
use crate::base::ids::normalise_email;
use crate::base::roles::{self as mapping, Role};
use crate::base::values::{parse_amount, parse_timestamp_with, DateOrder};

/// Share of non-empty sample cells that must agree before a proposal is made.
const AGREE: f64 = 0.8;

/// Whether a first row is a header rather than data: it is data when no cell is a known header and some
/// cell reads as a date, an amount or a phone number while being in a column whose other values do too.
pub fn first_row_is_header(first: &[String], sample: &[Vec<String>]) -> bool {
    if first.iter().any(|h| mapping::role_of_header(h).is_some()) {
        return true;
    }
    if sample.is_empty() {
        return !first.iter().any(|c| is_value_like(c));
    }
    let valued = |c: &str| is_value_like(c);
    (0..first.len()).all(|i| {
        let column_valued = sample.iter().filter(|r| r.get(i).is_some_and(|v| valued(v))).count() * 2 > sample.len();
        !(column_valued && valued(&first[i]))
    })
}

fn is_value_like(cell: &str) -> bool {
    let t = cell.trim();
    !t.is_empty() && (parse_timestamp_with(t, DateOrder::MonthFirst).is_some() || parse_amount(t).is_some() || looks_like_mobile(t))
}

/// Generated names for a headerless file: `列1`, `列2` … (the UI shows both languages).
pub fn generated_headers(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("列{i}")).collect()
}

/// Proposes a role for a column from its sample values, or `None`.
pub fn role_from_values(values: &[&str]) -> Option<Role> {
    let cells: Vec<&str> = values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()).collect();
    if cells.is_empty() {
        return None;
    }
    let share = |f: &dyn Fn(&str) -> bool| cells.iter().filter(|c| f(c)).count() as f64 / cells.len() as f64;
    if share(&|c| looks_like_mobile(c)) >= AGREE {
        return Some(Role::Phone);
    }
    if share(&|c| normalise_email(c).is_some()) >= AGREE {
        return Some(Role::Email);
    }
    let dateish = |c: &str| c.chars().any(|ch| matches!(ch, '-' | '/' | '年' | ':' | '.')) || c.len() == 8;
    if share(&|c| dateish(c) && parse_timestamp_with(c, DateOrder::MonthFirst).is_some()) >= AGREE {
        return Some(Role::OrderTime);
    }
    // Amounts: numbers, some with decimals or a currency sign (identifiers never have them).
    let marked = |c: &str| c.contains('.') || c.starts_with(['¥', '￥', '-', '$']);
    if share(&|c| parse_amount(c).is_some()) >= AGREE && share(&|c| marked(c) && parse_amount(c).is_some()) >= 0.1 {
        return Some(Role::Amount);
    }
    None
}

/// Proposes roles for every column: headers first, then values for columns the header left open.
pub fn propose_roles(headers: &[String], sample: &[Vec<String>]) -> Vec<(Option<Role>, RoleSource)> {
    let from_headers = mapping::propose(headers);
    let mut taken: Vec<Role> = from_headers.iter().flatten().copied().collect();
    from_headers
        .iter()
        .enumerate()
        .map(|(i, r)| {
            if let Some(r) = r {
                return (Some(*r), RoleSource::Header);
            }
            let column: Vec<&str> = sample.iter().map(|row| row.get(i).map_or("", String::as_str)).collect();
            match role_from_values(&column) {
                Some(role) if !taken.contains(&role) => {
                    taken.push(role);
                    (Some(role), RoleSource::Values)
                }
                _ => (None, RoleSource::None),
            }
        })
        .collect()
}

/// Where a proposed role came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleSource {
    /// The header matched a synonym.
    Header,
    /// The values looked like it.
    Values,
    /// The user chose it.
    User,
    /// No proposal.
    None,
}

/// Decides whether `a/b/yyyy` dates in a column are month-first or day-first: day-first when some value's
/// first number exceeds 12, month-first otherwise.
pub fn date_order(values: &[&str]) -> DateOrder {
    for v in values {
        let nums: Vec<u32> =
            v.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).take(3).filter_map(|s| s.parse().ok()).collect();
        if nums.len() == 3 && nums[2] >= 1000 && nums[0] <= 31 {
            if nums[0] > 12 {
                return DateOrder::DayFirst;
            }
            if nums[1] > 12 {
                return DateOrder::MonthFirst;
            }
        }
    }
    DateOrder::MonthFirst
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn headerless_files_are_recognised() {
        let rows = vec![s(&["A2", "2025-01-02", "20.00"]), s(&["A3", "2025-01-03", "30.00"])];
        assert!(!first_row_is_header(&s(&["A1", "2025-01-01", "10.00"]), &rows));
        assert!(first_row_is_header(&s(&["id", "when", "paid"]), &rows));
        assert!(first_row_is_header(&s(&["会员编号", "下单时间", "实付金额"]), &rows));
    }

    #[test]
    fn roles_from_values() {
        assert_eq!(role_from_values(&["13800138000", "+86 139-0013-8000", ""]), Some(Role::Phone));
        assert_eq!(role_from_values(&["2025/5/24 14:35:19", "2025/5/25 09:00:00"]), Some(Role::OrderTime));
        assert_eq!(role_from_values(&["¥1,234.50", "99.00"]), Some(Role::Amount));
        assert_eq!(role_from_values(&["a@b.cn", "x@y.com"]), Some(Role::Email));
        assert_eq!(role_from_values(&["100", "101"]), None);
        let roles = propose_roles(&s(&["列1", "列2", "列3"]), &[s(&["A1", "13800138000", "2025-01-01"])]);
        assert_eq!(roles[1], (Some(Role::Phone), RoleSource::Values));
        assert_eq!(roles[2], (Some(Role::OrderTime), RoleSource::Values));
    }

    #[test]
    fn slash_date_order_is_sniffed() {
        assert_eq!(date_order(&["05/03/2025", "24/05/2025"]), DateOrder::DayFirst);
        assert_eq!(date_order(&["05/03/2025", "05/24/2025"]), DateOrder::MonthFirst);
        assert_eq!(date_order(&["2025-05-24"]), DateOrder::MonthFirst);
    }
}
