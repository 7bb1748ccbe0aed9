//! Built-in tags, written in the rule language itself so they read, check, export to SQL and show lineage like
//! any user tag. They live in the 系统 (system) group and cannot be edited or removed.

use crate::rules::ast::DefKind;

/// A built-in definition: `(name, description zh, description en, rule)`.
pub struct Builtin {
    /// The tag's name.
    pub name: &'static str,
    /// What it means, in Chinese.
    pub about_zh: &'static str,
    /// What it means, in English.
    pub about_en: &'static str,
    /// The rule.
    pub rule: &'static str,
}

/// The group of built-in tags.
pub const GROUP: &str = "系统";

/// Kind of every built-in definition.
pub const KIND: DefKind = DefKind::Tag;

/// Every built-in tag.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "RFM分群",
        about_zh: "RFM 八大客户分群：R、F、M 各自高于或低于平均分",
        about_en: "The 8 RFM classes: R, F and M each above or below the mean score",
        rule: "rfm.segment",
    },
    Builtin {
        name: "RFM十一分群",
        about_zh: "RFM 十一分群（Champions … Lost）：R 分与 F、M 平均分的网格，见 docs/rules.md",
        about_en: "The 11 RFM segments (Champions … Lost): a grid of the R score and the mean of F and M, see docs/rules.md",
        rule: "rfm.segment11",
    },
    Builtin {
        name: "生命周期",
        about_zh: "潜客、新客、活跃、沉默、流失预警、流失；阈值默认来自购买间隔的中位数，可用 set lifecycle.* 修改",
        about_en: "Prospect, new, active, dormant, at risk, lost; thresholds default from the median purchase interval and can be set with set lifecycle.*",
        rule: "lifecycle",
    },
    Builtin {
        name: "价值分层",
        about_zh: "按 M 分：5 分为高价值（约前 20%），3–4 分为中价值，1–2 分为低价值，没有购买为未消费",
        about_en: "By M score: 5 is high value (about the top 20%), 3–4 medium, 1–2 low, no purchase is none",
        rule: "case when rfm.m >= 5 then \"高价值\" when rfm.m >= 3 then \"中价值\" when rfm.m >= 1 then \"低价值\" else \"未消费\" end",
    },
    Builtin {
        name: "偏好品类",
        about_zh: "订单行数最多的品类（一样多时取排序在前的）",
        about_en: "The category with the most order rows (on a tie, the one that sorts first)",
        rule: "top(orders.category)",
    },
    Builtin {
        name: "偏好渠道",
        about_zh: "订单行数最多的渠道（一样多时取排序在前的）",
        about_en: "The channel with the most order rows (on a tie, the one that sorts first)",
        rule: "top(orders.channel)",
    },
];
