//! The per-member metrics a rule can name: each with its key in rules, its Chinese name and a description in both
//! languages (the editor's completion list and the page's labels come from here).

use serde::Serialize;

/// What a metric's values are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricType {
    /// A number.
    Num,
    /// Text from a known set.
    Text,
    /// A point in time.
    Time,
}

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
    pub ty: MetricType,
    /// What it means, in Chinese.
    pub about_zh: &'static str,
    /// What it means, in English.
    pub about_en: &'static str,
}

macro_rules! metric {
    ($m:ident, $key:expr, $zh:expr, $en:expr, $ty:ident, $az:expr, $ae:expr) => {
        MetricInfo { metric: Metric::$m, key: $key, zh: $zh, en: $en, ty: MetricType::$ty, about_zh: $az, about_en: $ae }
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
