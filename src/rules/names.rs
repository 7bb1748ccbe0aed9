//! The names a rule can use: member metrics, RFM fields, tables and their columns, and functions, each with its
//! Chinese alias and a description in both languages (the editor's completion list comes from here).

use super::check::Ty;
use serde::Serialize;

/// A per-member value the engine computes (see `crate::metrics`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Days since the last purchase.
    Recency,
    /// Number of purchases.
    Frequency,
    /// Net spend.
    Monetary,
    /// Net spend per purchase.
    AvgSpend,
    /// Time of the first purchase.
    FirstPurchase,
    /// Time of the last purchase.
    LastPurchase,
    /// Mean days between purchases.
    PurchaseInterval,
    /// Share of purchases with a discount.
    DiscountShare,
    /// Refund rows.
    Refunds,
    /// Days since registration.
    Tenure,
    /// Age in whole years.
    Age,
    /// Time of the last order or event.
    LastSeen,
    /// Number of events.
    EventCount,
    /// RFM R score (1–5).
    RfmR,
    /// RFM F score.
    RfmF,
    /// RFM M score.
    RfmM,
    /// RFM score as three digits, `"545"`.
    RfmScore,
    /// The 8-class RFM segment.
    RfmSegment,
    /// The 11-segment scheme.
    RfmSegment11,
    /// The lifecycle stage.
    Lifecycle,
}

/// One metric's names, type and description.
pub struct MetricInfo {
    /// The metric.
    pub metric: Metric,
    /// Its name in rules (English).
    pub key: &'static str,
    /// Its Chinese name (also accepted in rules).
    pub zh: &'static str,
    /// Its English label (shown in the English UI; rules use `key`).
    pub en: &'static str,
    /// Its type.
    pub ty: Ty,
    /// What it means, in Chinese.
    pub about_zh: &'static str,
    /// What it means, in English.
    pub about_en: &'static str,
}

macro_rules! metric {
    ($m:ident, $key:expr, $zh:expr, $en:expr, $ty:ident, $az:expr, $ae:expr) => {
        MetricInfo { metric: Metric::$m, key: $key, zh: $zh, en: $en, ty: Ty::$ty, about_zh: $az, about_en: $ae }
    };
}

/// Every metric.
#[rustfmt::skip]
pub const METRICS: &[MetricInfo] = &[
    metric!(Recency, "recency", "最近消费天数", "Days since last purchase", Num, "距最近一次购买的天数（分析日期减购买日期）；没有购买为空", "Days from the last purchase to the analysis date; empty without purchases"),
    metric!(Frequency, "frequency", "消费次数", "Purchases", Num, "购买次数（同一订单号只算一次，退款不算）", "Number of purchases (an order number counts once; refunds do not count)"),
    metric!(Monetary, "monetary", "消费金额", "Net spend", Num, "累计实付金额（元），减去退款", "Net spend in yuan, refunds subtracted"),
    metric!(AvgSpend, "avg_spend", "客单价", "Average order value", Num, "消费金额 ÷ 消费次数", "Net spend ÷ purchases"),
    metric!(FirstPurchase, "first_purchase", "首次购买时间", "First purchase", Time, "第一次购买的时间", "Time of the first purchase"),
    metric!(LastPurchase, "last_purchase", "最近购买时间", "Last purchase", Time, "最近一次购买的时间", "Time of the last purchase"),
    metric!(PurchaseInterval, "purchase_interval", "平均购买间隔", "Mean days between purchases", Num, "首次与最近购买之间的天数 ÷ (消费次数 − 1)；少于两次为空", "Days between first and last purchase ÷ (purchases − 1); empty below two"),
    metric!(DiscountShare, "discount_share", "优惠订单占比", "Share of discounted purchases", Num, "有优惠的购买占全部购买的比例（0–1）", "Share of purchases with a discount (0–1)"),
    metric!(Refunds, "refunds", "退款次数", "Refunds", Num, "金额为负的订单行数", "Order rows with a negative amount"),
    metric!(Tenure, "tenure", "入会天数", "Days since joining", Num, "注册日期到分析日期的天数", "Days from the registration date to the analysis date"),
    metric!(Age, "age", "年龄", "Age", Num, "按生日算到分析日期的周岁（或会员表的年龄列）", "Whole years from the birthday to the analysis date (or the member file's age column)"),
    metric!(LastSeen, "last_seen", "最近活跃时间", "Last seen", Time, "最近一次购买或行为的时间", "Time of the last order or event"),
    metric!(EventCount, "event_count", "行为次数", "Behaviour events", Num, "行为事件条数", "Number of behaviour events"),
    metric!(RfmR, "rfm.r", "R分", "R score", Num, "RFM 的 R 分（1–5，5 为最近）", "RFM R score (1–5, 5 = most recent)"),
    metric!(RfmF, "rfm.f", "F分", "F score", Num, "RFM 的 F 分（1–5）", "RFM F score (1–5)"),
    metric!(RfmM, "rfm.m", "M分", "M score", Num, "RFM 的 M 分（1–5）", "RFM M score (1–5)"),
    metric!(RfmScore, "rfm.score", "RFM分", "RFM score", Text, "三位 RFM 分，例如 \"545\"", "The three RFM scores as text, e.g. \"545\""),
    metric!(RfmSegment, "rfm.segment", "RFM分群", "RFM class", Text, "RFM 八大客户分群（重要价值客户 …）", "The 8 RFM classes (重要价值客户 …)"),
    metric!(RfmSegment11, "rfm.segment11", "RFM十一分群", "RFM 11 segments", Text, "RFM 十一分群（Champions … Lost，R 分与 F、M 平均分）", "The 11 RFM segments (Champions … Lost, R score against the mean of F and M)"),
    metric!(Lifecycle, "lifecycle", "生命周期", "Lifecycle stage", Text, "生命周期阶段：潜客、新客、活跃、沉默、流失预警、流失", "Lifecycle stage: prospect, new, active, dormant, at risk, lost"),
];

impl Metric {
    /// Its description.
    pub fn info(self) -> &'static MetricInfo {
        METRICS.iter().find(|m| m.metric == self).unwrap_or(&METRICS[0])
    }
}

/// Finds a metric by its English key (`rfm.segment`) or its Chinese name.
pub fn find_metric(name: &str) -> Option<&'static MetricInfo> {
    let lower = name.to_lowercase();
    METRICS.iter().find(|m| m.key == lower || m.zh == name)
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
