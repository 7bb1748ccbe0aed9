//! The names a rule can use: member metrics, RFM fields, tables and their columns, and functions, each with its
//! Chinese alias and a description in both languages (the editor's completion list comes from here).

use serde::Serialize;

/// The type of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ty {
    /// Yes or no.
    Bool,
    /// A number.
    Num,
    /// Text from a known set (a category).
    Text,
    /// A point in time.
    Time,
    /// A member-file column: text that reads as a number or a date where one is needed.
    Attr,
    /// An identifier (order number): only counted.
    Id,
    /// A list of literals.
    List,
    /// A duration (only after `last` or `within`).
    Duration,
    /// Already reported; accepted everywhere so one mistake gives one message.
    Unknown,
}

impl From<crate::metrics::names::MetricType> for Ty {
    fn from(t: crate::metrics::names::MetricType) -> Ty {
        use crate::metrics::names::MetricType;
        match t {
            MetricType::Num => Ty::Num,
            MetricType::Text => Ty::Text,
            MetricType::Time => Ty::Time,
        }
    }
}

impl Ty {
    /// The type's name in a message: `(zh, en)`.
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            Ty::Bool => ("是/否条件", "a yes/no condition"),
            Ty::Num => ("数字", "a number"),
            Ty::Text => ("文字", "text"),
            Ty::Time => ("时间", "a time"),
            Ty::Attr => ("会员属性", "a member attribute"),
            Ty::Id => ("编号", "an identifier"),
            Ty::List => ("列表", "a list"),
            Ty::Duration => ("时长", "a duration"),
            Ty::Unknown => ("未知", "unknown"),
        }
    }

    pub(crate) fn numeric(self) -> bool {
        matches!(self, Ty::Num | Ty::Attr | Ty::Unknown)
    }

    pub(crate) fn textual(self) -> bool {
        matches!(self, Ty::Text | Ty::Attr | Ty::Unknown)
    }
}

/// A table whose rows an aggregate reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    /// Order rows.
    Orders,
    /// Behaviour events.
    Events,
}

impl Table {
    /// Both tables.
    pub const ALL: [Table; 2] = [Table::Orders, Table::Events];

    /// The table a name spells.
    pub fn parse(name: &str) -> Option<Table> {
        match name.to_lowercase().as_str() {
            "orders" | "order" | "订单" => Some(Table::Orders),
            "events" | "event" | "行为" | "事件" => Some(Table::Events),
            _ => None,
        }
    }

    /// Its name in rules.
    pub fn key(self) -> &'static str {
        match self {
            Table::Orders => "orders",
            Table::Events => "events",
        }
    }

    /// Its columns.
    pub fn columns(self) -> &'static [ColumnInfo] {
        match self {
            Table::Orders => ORDER_COLUMNS,
            Table::Events => EVENT_COLUMNS,
        }
    }

    /// Finds a column by English or Chinese name.
    pub fn column(self, name: &str) -> Option<&'static ColumnInfo> {
        let lower = name.to_lowercase();
        self.columns().iter().find(|c| c.key == lower || c.aliases.contains(&name))
    }
}

/// A column of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    /// When the row happened.
    Time,
    /// Order amount (yuan; negative for refunds).
    Amount,
    /// Order discount (yuan).
    Discount,
    /// Order category.
    Category,
    /// Order channel.
    Channel,
    /// Order number.
    OrderId,
    /// Event type.
    Type,
    /// Event target.
    Target,
}

/// A column's names and type.
pub struct ColumnInfo {
    /// The column.
    pub column: Column,
    /// Its name in rules.
    pub key: &'static str,
    /// Chinese names accepted in rules (the first is shown).
    pub aliases: &'static [&'static str],
    /// Its type.
    pub ty: Ty,
}

const ORDER_COLUMNS: &[ColumnInfo] = &[
    ColumnInfo { column: Column::Time, key: "time", aliases: &["时间", "下单时间"], ty: Ty::Time },
    ColumnInfo { column: Column::Amount, key: "amount", aliases: &["金额", "实付金额"], ty: Ty::Num },
    ColumnInfo { column: Column::Discount, key: "discount", aliases: &["优惠", "优惠金额"], ty: Ty::Num },
    ColumnInfo { column: Column::Category, key: "category", aliases: &["品类", "类目"], ty: Ty::Text },
    ColumnInfo { column: Column::Channel, key: "channel", aliases: &["渠道"], ty: Ty::Text },
    ColumnInfo { column: Column::OrderId, key: "order_id", aliases: &["订单号"], ty: Ty::Id },
];

const EVENT_COLUMNS: &[ColumnInfo] = &[
    ColumnInfo { column: Column::Time, key: "time", aliases: &["时间"], ty: Ty::Time },
    ColumnInfo { column: Column::Type, key: "type", aliases: &["类型", "事件类型"], ty: Ty::Text },
    ColumnInfo { column: Column::Target, key: "target", aliases: &["对象", "目标"], ty: Ty::Text },
];

/// Functions over member values, with their signatures as shown in completion.
pub const FUNCTIONS: &[(&str, &str, &str)] = &[
    ("days_since", "days_since(时间) 距分析日期的天数", "days_since(time): days from that time to the analysis date"),
    ("date", "date(\"2025-01-01\") 一个日期", "date(\"2025-01-01\"): a date"),
    ("abs", "abs(数字) 绝对值", "abs(number): absolute value"),
    ("round", "round(数字) 四舍五入到整数", "round(number): rounded to a whole number"),
    ("coalesce", "coalesce(值, 缺省值) 为空时用缺省值", "coalesce(value, fallback): the fallback where the value is empty"),
    ("contains", "contains(文字, \"片段\") 是否包含", "contains(text, \"part\"): whether the text contains the part"),
    ("cut", "cut(指标, [边界…], [名称…]) 按固定边界分档", "cut(metric, [edges…], [labels…]): bands by fixed edges"),
    ("quantiles", "quantiles(指标, 份数, [名称…]) 按分位数分档", "quantiles(metric, k, [labels…]): bands by quantiles"),
    ("top_percent", "top_percent(指标, 20) 指标排名前 20% 的会员", "top_percent(metric, 20): members in the top 20% of the metric"),
];
