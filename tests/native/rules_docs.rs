//! `docs/rules.md` is machine-checked: every ```` ```rules ```` block is imported into a fresh workspace over the
//! fixture, must compile without a single diagnostic, and each definition must evaluate to the hand-derived result
//! in [`EXPECTED`]; every `> - NAME → RESULT` line of the page must be exactly that result as text. The page's
//! grammar, built-in tags and 11-segment grid are compared with the code too.

use crate::rules::{actual, workspace, Actual};
use huaxiang::rfm::Segment11;
use huaxiang::rules::parser::parse_program;
use huaxiang::tags::builtin::BUILTINS;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// A hand-derived result.
#[derive(Debug)]
pub enum Expect {
    /// A yes/no tag or an audience: exactly these members.
    Members(&'static [&'static str]),
    /// An enumerated tag: the members of each value (in the order the page lists them); others have no value.
    Values(&'static [(&'static str, &'static [&'static str])]),
    /// A metric: each member's number; members not listed have none.
    Numbers(&'static [(&'static str, f64)]),
}

use Expect::{Members as M, Numbers as N, Values as V};

/// `ALL` with 14 numbers: a metric with a value for every member.
macro_rules! all {
    ($a:expr, $b:expr, $c:expr, $d:expr, $e:expr, $f:expr, $g:expr, $h:expr, $i:expr, $j:expr, $k:expr, $l:expr, $m:expr, $n:expr) => {
        N(&[
            ("M01", $a),
            ("M02", $b),
            ("M03", $c),
            ("M04", $d),
            ("M05", $e),
            ("M06", $f),
            ("M07", $g),
            ("M08", $h),
            ("M09", $i),
            ("M10", $j),
            ("M11", $k),
            ("M12", $l),
            ("M13", $m),
            ("M14", $n),
        ])
    };
}

/// The 11 buyers with a number each (M08, M12 and M14 have none).
macro_rules! buyers {
    ($a:expr, $b:expr, $c:expr, $d:expr, $e:expr, $f:expr, $g:expr, $i:expr, $j:expr, $k:expr, $m:expr) => {
        N(&[
            ("M01", $a),
            ("M02", $b),
            ("M03", $c),
            ("M04", $d),
            ("M05", $e),
            ("M06", $f),
            ("M07", $g),
            ("M09", $i),
            ("M10", $j),
            ("M11", $k),
            ("M13", $m),
        ])
    };
}

const AGES: Expect = V(&[
    ("Z世代", &["M02", "M08", "M10", "M14"]),
    ("青年", &["M03", "M04", "M05", "M07", "M12"]),
    ("其他", &["M01", "M06", "M09", "M11", "M13"]),
]);

const STAGES: Expect = V(&[
    ("潜客", &["M08", "M12", "M14"]),
    ("新客", &["M10"]),
    ("活跃", &["M01", "M02"]),
    ("沉默", &["M05"]),
    ("流失预警", &["M11"]),
    ("流失", &["M03", "M04", "M06", "M07", "M09", "M13"]),
]);

const TOP_CATEGORY: Expect = V(&[
    ("护肤", &["M01", "M03"]),
    ("美妆", &["M02", "M10"]),
    ("食品", &["M04", "M11", "M13"]),
    ("数码", &["M05", "M09"]),
    ("服饰", &["M06", "M07"]),
]);

const CHANNELS: Expect =
    V(&[("天猫", &["M01", "M04", "M07", "M09", "M13"]), ("小程序", &["M02", "M10"]), ("门店", &["M03", "M11"]), ("京东", &["M05", "M06"])]);

/// Every definition on the page (and every built-in tag) with its result, derived by hand from the fixture.
/// Recencies: M01 2, M02 5, M10 10, M05 45, M11 75, M03 95, and 232 (双11) for M04, M06, M07, M09, M13.
#[rustfmt::skip]
pub const EXPECTED: &[(&str, Expect)] = &[
    // --- The product brief (see rules.rs for each one's derivation).
    ("高价值会员", M(&["M01", "M03"])),
    ("促销敏感", M(&["M02", "M04"])),
    ("美妆达人", M(&["M01", "M02", "M03"])),
    ("沉默会员", M(&["M03", "M04", "M06", "M09", "M13"])),
    ("浏览未购", M(&["M07", "M08", "M09"])),
    ("加购未付", M(&["M05", "M10"])),
    ("年龄段", AGES),
    ("唤醒对象", M(&["M03"])),
    // --- Statements.
    // recency <= 30: M01 2, M02 5, M10 10.
    ("近期买家", M(&["M01", "M02", "M10"])),
    // monetary / frequency; 0 / 0 is missing for M08, M12, M14.
    ("件单价", buyers!(400.0, 87.5, 500.0, 200.0, 800.0, 225.0, 250.0, 1200.0, 100.0, 60.0, 30.0)),
    // 近期买家 with 件单价 >= 100: M01 400, M10 100 (M02 87.5).
    ("近期大客", M(&["M01", "M10"])),
    // 金卡 M02 M06 M09, 钻石 M01 M03.
    ("VIP 客户", M(&["M01", "M02", "M03", "M06", "M09"])),
    // frequency ≥ 2 (M01 M02 M03 M04 M06 M07) in 上海 or 北京.
    ("京沪复购", M(&["M01", "M03", "M06", "M07"])),
    // --- Grammar: `and` binds tighter than `or`.
    // frequency >= 3: M01 M02 M03; 女 and monetary > 1000: M03.
    ("或与优先", M(&["M01", "M02", "M03"])),
    // (M01 M02 M03 + women M05 M07 M10 M12 M14) with monetary > 1000: M01 2000, M03 1500.
    ("括号优先", M(&["M01", "M03"])),
    // --- Values and names.
    // 美妆 rows since 2025-06-01: M01 06-29, M02 06-26, M10 06-21.
    ("近月美妆", M(&["M01", "M02", "M10"])),
    // Discounted rows / rows >= 0.6: M02 0.75, M04 0.6, M06 1, M09 1 (M01 0.2, M07 1/3).
    ("优惠多", M(&["M02", "M04", "M06", "M09"])),
    // 上海 or 北京 with recency ≤ 30: only M01 (2 days).
    ("全角写法", M(&["M01"])),
    // Add-to-cart since 06-24 followed by an order within 72 h: M02 (46 h); M08's cart has no order.
    ("一周内加购即买", M(&["M02"])),
    // --- Conditions.
    // 男 M01 M04 M06 M08 M09 M11 M13; monetary >= 1000: M01 2000, M09 1200.
    ("男性大客", M(&["M01", "M09"])),
    // 上海 M01 M06 M09 M12; 北京 M03 M07 M13.
    ("沪京会员", M(&["M01", "M03", "M06", "M07", "M09", "M12", "M13"])),
    // Everyone but the 上海 four, M11 (no city) included.
    ("非上海", M(&["M02", "M03", "M04", "M05", "M07", "M08", "M10", "M11", "M13", "M14"])),
    // The same without M11: != with a missing value is false.
    ("不在上海", M(&["M02", "M03", "M04", "M05", "M07", "M08", "M10", "M13", "M14"])),
    ("钻石会员", M(&["M01", "M03"])),
    // Every level but 普通 (M08, M10–M14).
    ("非普通会员", M(&["M01", "M02", "M03", "M04", "M05", "M06", "M07", "M09"])),
    // Registered before 2022: M01 2021-03-01, M03 2020-11-11, M09 2019-05-20, M13 2018-08-18.
    ("老会员", M(&["M01", "M03", "M09", "M13"])),
    // First purchase in 2025: M01 03-23, M02 03-28, M03 01-02, M05 05-17, M10 06-21, M11 04-17.
    ("今年首购", M(&["M01", "M02", "M03", "M05", "M10", "M11"])),
    ("江浙沪", M(&["M01", "M02", "M06", "M08", "M09", "M12", "M14"])),
    // Only 杭州 is outside the list; M11 (no city) is in neither in nor not in.
    ("非一线", M(&["M02", "M08", "M14"])),
    // Ages 25–34: M03 30, M04 25, M05 32, M07 25, M12 26.
    ("青年段", M(&["M03", "M04", "M05", "M07", "M12"])),
    // 300 ≤ monetary ≤ 800: M02 350, M04 400, M05 800, M06 450, M07 500.
    ("中等消费", M(&["M02", "M04", "M05", "M06", "M07"])),
    // Registered in 2025 H1: M08 06-20, M10 06-01, M12 05-20, M14 06-25 (M05 2024-12-12).
    ("上半年注册", M(&["M08", "M10", "M12", "M14"])),
    // --- Arithmetic and case.
    // Net amount + discounts over all rows; 0 + 0 for members without orders.
    ("原价", all!(2050.0, 410.0, 1500.0, 445.0, 800.0, 495.0, 530.0, 0.0, 1300.0, 100.0, 60.0, 0.0, 30.0, 0.0)),
    // 积分 > 2 × monetary: M01 5200 > 4000, M02 1800 > 700, M03 4600 > 3000, M04 900 > 800, M06 1500 > 900,
    // M12 50 > 0, M13 300 > 60 (M09 2300 < 2400; M08, M14 0 = 0; M11 no 积分).
    ("积分高于消费两倍", M(&["M01", "M02", "M03", "M04", "M06", "M12", "M13"])),
    ("会员类型", V(&[("常客", &["M01", "M02", "M03"]), ("买过", &["M04", "M05", "M06", "M07", "M09", "M10", "M11", "M13"])])),
    // 钻石 5 %: M01 100, M03 75; 金卡 2 %: M02 7, M06 9, M09 24; else 0.
    ("返利", all!(100.0, 7.0, 75.0, 0.0, 0.0, 9.0, 0.0, 0.0, 24.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
    ("年轻", M(&["M02", "M08", "M10", "M14"])),
    // --- Aggregates.
    // Rows: M01 5, M02 4, M03 3, M04 5 (lines + refund), M07 3 (2 purchases + refund).
    ("三行以上", M(&["M01", "M02", "M03", "M04", "M07"])),
    // Rows since 2025-04-02: M01 300+500+400+600, M02 120+80+100, M05 800, M07 −100 (refund 04-12), M10 100, M11 60.
    ("近90天消费", all!(1800.0, 300.0, 0.0, 0.0, 800.0, 0.0, -100.0, 0.0, 0.0, 100.0, 60.0, 0.0, 0.0, 0.0)),
    // Mean of positive rows: M04 (200+100+150+50)/4 = 125, M07 (300+300)/2.
    ("平均单行", buyers!(400.0, 87.5, 500.0, 125.0, 800.0, 225.0, 300.0, 1200.0, 100.0, 60.0, 30.0)),
    ("最大单行", buyers!(600.0, 120.0, 600.0, 200.0, 800.0, 250.0, 300.0, 1200.0, 100.0, 60.0, 30.0)),
    // Refund rows are the smallest for M04 and M07.
    ("最小单行", buyers!(200.0, 50.0, 400.0, -100.0, 800.0, 200.0, -100.0, 1200.0, 100.0, 60.0, 30.0)),
    // amount + discount: M01 600+0, M02 120+20, M04 200+20, M06 250+25, M07 300+30, M09 1200+100.
    ("最高原价", buyers!(600.0, 140.0, 600.0, 220.0, 800.0, 275.0, 330.0, 1300.0, 100.0, 60.0, 30.0)),
    // M01 美妆 护肤 服饰; M02 美妆 护肤 食品; M03 护肤 美妆; M04 美妆 护肤 食品.
    ("品类数", all!(3.0, 3.0, 2.0, 3.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0)),
    // Discounted rows over all rows: M01 1/5, M02 3/4, M04 3/5, M06 2/2, M07 1/3, M09 1/1.
    ("优惠行占比", buyers!(0.2, 0.75, 0.0, 0.6, 0.0, 1.0, 1.0 / 3.0, 1.0, 0.0, 0.0, 0.0)),
    // Earliest row: M01 O105, M02 O204, M03 O303, M04 the first line of O401 (same time as the second).
    ("首单品类", V(&[
        ("服饰", &["M01", "M06", "M07"]),
        ("食品", &["M02", "M11", "M13"]),
        ("护肤", &["M03"]),
        ("美妆", &["M04", "M10"]),
        ("数码", &["M05", "M09"]),
    ])),
    // Latest row: refunds are the latest rows of M04 (2024-11-15) and M07 (2025-04-12), both 天猫.
    ("最近渠道", CHANNELS),
    // M01 口红 ×2; M02 面霜 ×2 (view, add_cart) over 活动页; M07 外套 and 衬衫 once each: 外 (U+5916) < 衬 (U+886C);
    // M14's event is after the analysis date.
    ("常看商品", V(&[
        ("口红", &["M01", "M08", "M10"]),
        ("面霜", &["M02"]),
        ("耳机", &["M05", "M09"]),
        ("外套", &["M06", "M07"]),
        ("活动页", &["M12"]),
    ])),
    // Views since 2025-06-01 00:00: M09's 06-01 23:00 counts, M12's 05-31 23:59:59 does not.
    ("近30天浏览", all!(1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 2.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0)),
    // Last purchase row (refunds ignored) over 90 days back: recency > 90.
    ("久未下单", M(&["M03", "M04", "M06", "M07", "M09", "M13"])),
    ("近30天下单", M(&["M01", "M02", "M10"])),
    // 美妆 rows: M01 300+400, M02 120+80, M03 400, M04 200, M10 100.
    ("美妆金额", all!(700.0, 200.0, 400.0, 200.0, 0.0, 0.0, 0.0, 0.0, 0.0, 100.0, 0.0, 0.0, 0.0, 0.0)),
    // --- Sequences.
    // M02 cart 06-24 12:00 → order 06-26 10:00; M06 cart 2024-11-09 → order 11-11.
    ("加购即买", M(&["M02", "M06"])),
    // Shares since 2025-06-25: M01 06-29, M02 06-27.
    ("近7天分享", M(&["M01", "M02"])),
    // A later purchase within 30 days: M01 04-22 → 05-22 (29 d 21 h), M02 03-28 → 04-27, M04 O401 → O402
    // (29 d 4 h), M06 20 days. M03 50 / 35 days, M07 39.9 days.
    ("月内复购", M(&["M01", "M02", "M04", "M06"])),
    // Views since 06-01 whose 7 days are over with no order: only M09 (M01, M07, M08 too recent; M02, M10 ordered).
    ("浏览后一周未购", M(&["M09"])),
    // M01 美妆 06-29 10:15 → share 20:05; M02 美妆 06-26 10:00 → share 06-27 09:00 (23 h).
    ("美妆后分享", M(&["M01"])),
    // Add-to-cart since 2025-06-01: M02 06-24, M05 06-21, M08 06-30, M10 06-16 (M06's was in 2024).
    ("近期加购", V(&[("加购过", &["M02", "M05", "M08", "M10"]), ("未加购", &["M01", "M03", "M04", "M06", "M07", "M09", "M11", "M12", "M13", "M14"])])),
    // --- Functions.
    // Last purchase or event over 60 days back: M03 95, M04 232, M06 232, M11 75, M13 232 (M07 viewed 06-26,
    // M09 06-01, M12 05-31; M14 has nothing before the analysis date).
    ("久未到访", M(&["M03", "M04", "M06", "M11", "M13"])),
    ("本季度首购", M(&["M05", "M10", "M11"])),
    ("退款额", all!(0.0, 0.0, 0.0, 100.0, 0.0, 0.0, 100.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
    // avg_spend rounded: M02 87.5 → 88.
    ("客单价取整", buyers!(400.0, 88.0, 500.0, 200.0, 800.0, 225.0, 250.0, 1200.0, 100.0, 60.0, 30.0)),
    // Intervals of repeat buyers: M01 98/4, M02 90/3, M03 85/2, M04 30, M06 20, M07 40.
    ("购买间隔或零", all!(24.5, 30.0, 42.5, 30.0, 0.0, 20.0, 40.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
    // 杭州 M02 M08 M14, 广州 M04.
    ("州", M(&["M02", "M04", "M08", "M14"])),
    // monetary is 0 without orders; each band includes its lower edge (M07 500).
    ("消费档", V(&[
        ("<500", &["M02", "M04", "M06", "M08", "M10", "M11", "M12", "M13", "M14"]),
        ("500–2000", &["M03", "M05", "M07", "M09"]),
        ("≥2000", &["M01"]),
    ])),
    ("消费分档", V(&[
        ("低", &["M08", "M10", "M11", "M12", "M13", "M14"]),
        ("中", &["M02", "M04", "M05", "M06", "M07"]),
        ("高", &["M01", "M03", "M09"]),
    ])),
    // Band ⌊4·below/14⌋: the three zeros and M13 (3 below) → Q1; M11 4, M10 5, M02 6 → Q2; M04 7 … M05 10 → Q3;
    // M09 11, M03 12, M01 13 → Q4.
    ("消费四分位", V(&[
        ("Q1", &["M08", "M12", "M13", "M14"]),
        ("Q2", &["M02", "M10", "M11"]),
        ("Q3", &["M04", "M05", "M06", "M07"]),
        ("Q4", &["M01", "M03", "M09"]),
    ])),
    // Fewer than 2.8 of 14 members strictly above.
    ("消费前20", M(&["M01", "M03", "M09"])),
    // --- Member attributes.
    ("女性", M(&["M02", "M03", "M05", "M07", "M10", "M12", "M14"])),
    ("姓张", M(&["M01"])),
    ("积分千分", M(&["M01", "M02", "M03", "M06", "M09"])),
    // Born in July: M02 2002-07-02, M03 1995-07-01, M04 2000-07-01.
    ("七月生日", M(&["M02", "M03", "M04"])),
    ("杭州会员", M(&["M02", "M08", "M14"])),
    // --- Metrics.
    ("高频", M(&["M01", "M02", "M03"])),
    ("大额", M(&["M01", "M03", "M09"])),
    ("有退款", M(&["M04", "M07"])),
    // Registered since 2025-06-01: M08 (11 days), M10 (30), M14 (6); M12 42 days.
    ("新入会", M(&["M08", "M10", "M14"])),
    // Discounted purchase rows: M02 3/4, M04 3/4 lines, M06 2/2, M09 1/1 (M07 1/2).
    ("折扣控", M(&["M02", "M04", "M06", "M09"])),
    // Events on or before the analysis date; M14's only event is after it.
    ("有行为", M(&["M01", "M02", "M05", "M06", "M07", "M08", "M09", "M10", "M12"])),
    // --- RFM and lifecycle.
    // R ≥ 4: M01 M02 M10 M05; F ≥ 4: M01 M02 M03.
    ("R高F高", M(&["M01", "M02"])),
    ("满分", M(&["M01"])),
    ("冠军与忠诚", M(&["M01", "M02", "M03", "M05"])),
    // Thresholds from the median interval 30: new ≤ 30 (M10, first purchase 10 days back), active ≤ 30,
    // dormant ≤ 60 (M05 45), at risk ≤ 90 (M11 75), lost beyond.
    ("默认阶段", STAGES),
    ("需唤醒", M(&["M05", "M11"])),
    // --- Other tags.
    ("青年高价值", M(&["M03"])),
    ("爱美妆", M(&["M02", "M10"])),
    ("活跃阶段", M(&["M01", "M02"])),
    // --- Settings.
    // M on spend per purchase: M05 800 and M09 1200 are the top two of 11 (scores 5).
    ("客单价最高档", M(&["M05", "M09"])),
    // new 14, active 60, dormant 90, at risk 180: M05 45 active, M11 75 dormant, M03 95 at risk.
    ("调整后阶段", V(&[
        ("潜客", &["M08", "M12", "M14"]),
        ("新客", &["M10"]),
        ("活跃", &["M01", "M02", "M05"]),
        ("沉默", &["M11"]),
        ("流失预警", &["M03"]),
        ("流失", &["M04", "M06", "M07", "M09", "M13"]),
    ])),
    ("六十天活跃", M(&["M01", "M02", "M05"])),
    // dormant stays at 60 = active: nobody.
    ("六十天沉默", M(&[])),
    // --- Exact semantics.
    ("有订单", M(&["M01", "M02", "M03", "M04", "M05", "M06", "M07", "M09", "M10", "M11", "M13"])),
    ("一月以上未购", M(&["M03", "M04", "M05", "M06", "M07", "M09", "M11", "M13"])),
    // Everyone but M01, M02, M10: members without purchases included.
    ("最近一月未购", M(&["M03", "M04", "M05", "M06", "M07", "M08", "M09", "M11", "M12", "M13", "M14"])),
    ("久未购买", M(&["M03", "M04", "M06", "M07", "M09", "M13"])),
    ("订单数", all!(5.0, 4.0, 3.0, 2.0, 1.0, 2.0, 2.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0)),
    ("最常买", TOP_CATEGORY),
    // Last purchase in [2025-04-01, 2025-07-01): M01 06-29, M02 06-26, M05 05-17, M10 06-21, M11 04-17.
    ("二季度末次购买", M(&["M01", "M02", "M05", "M10", "M11"])),
    // Last purchase on or before the day 2025-06-26: M02's is at 10:00 that day; M01's is 06-29, M10's 06-21.
    ("六月二十六日前末次购买", M(&["M02", "M03", "M04", "M05", "M06", "M07", "M09", "M10", "M11", "M13"])),
    // Rows on 2024-11-11: M04 00:20, M06 09:30, M07 08:00, M09 00:05, M13 01:00.
    ("双十一当天下单", M(&["M04", "M06", "M07", "M09", "M13"])),
    // First row on or before 2025-01-02: M03 (12:00 that day) and the 2024 buyers; before 11:00 leaves M03 out.
    ("首单不晚于一月二日", M(&["M03", "M04", "M06", "M07", "M09", "M13"])),
    ("首单早于一月二日上午", M(&["M04", "M06", "M07", "M09", "M13"])),
    // Literals are true for everyone; every member with rows has a share of 1 of rows that hold `true`.
    ("字面量", M(&["M01", "M02", "M03", "M04", "M05", "M06", "M07", "M08", "M09", "M10", "M11", "M12", "M13", "M14"])),
    ("每行都算", M(&["M01", "M02", "M03", "M04", "M05", "M06", "M07", "M09", "M10", "M11", "M13"])),
    // Row means: M04 (200 + 100 + 150 + 50 − 100) / 5 = 80; M07 (300 + 300 − 100) / 3 = 166.666… → 166.67.
    ("平均行金额", N(&[
        ("M01", 400.0),
        ("M02", 87.5),
        ("M03", 500.0),
        ("M04", 80.0),
        ("M05", 800.0),
        ("M06", 225.0),
        ("M07", 166.67),
        ("M09", 1200.0),
        ("M10", 100.0),
        ("M11", 60.0),
        ("M13", 30.0),
    ])),
    // The members whose city cell is 上海.
    ("原样比较", M(&["M01", "M06", "M09", "M12"])),
    // O402 is three rows of M04 (two lines and a refund).
    ("O402行数", all!(0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)),
    // --- Built-in tags.
    ("RFM分群", V(&[
        ("重要价值客户", &["M01", "M03"]),
        ("重要发展客户", &["M05"]),
        ("重要保持客户", &["M06", "M07"]),
        ("重要挽留客户", &["M09"]),
        ("一般价值客户", &["M02"]),
        ("一般发展客户", &["M10", "M11"]),
        ("一般保持客户", &["M04"]),
        ("一般挽留客户", &["M13"]),
    ])),
    ("RFM十一分群", V(&[
        ("Champions", &["M01", "M02"]),
        ("Loyal", &["M03", "M05"]),
        ("Promising", &["M10"]),
        ("About to Sleep", &["M11"]),
        ("At Risk", &["M04", "M06", "M07", "M09"]),
        ("Lost", &["M13"]),
    ])),
    ("生命周期", STAGES),
    ("价值分层", V(&[
        ("高价值", &["M01", "M03"]),
        ("中价值", &["M05", "M06", "M07", "M09"]),
        ("低价值", &["M02", "M04", "M10", "M11", "M13"]),
        ("未消费", &["M08", "M12", "M14"]),
    ])),
    ("偏好品类", TOP_CATEGORY),
    ("偏好渠道", CHANNELS),
];

fn expected(name: &str) -> &'static Expect {
    &EXPECTED.iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("{name} has no hand-derived result in EXPECTED")).1
}

/// A number as the page writes it (the product's one number formatter).
fn number(x: f64) -> String {
    huaxiang::base::values::format_number(x)
}

/// The result as the page writes it after `→`.
fn render(e: &Expect) -> String {
    let list = |m: &[&str]| if m.is_empty() { "—".to_string() } else { m.join(", ") };
    match e {
        Expect::Members(m) => list(m),
        Expect::Values(v) => v.iter().map(|(value, m)| format!("{value}: {}", list(m))).collect::<Vec<_>>().join(" · "),
        Expect::Numbers(n) => n.iter().map(|(k, x)| format!("{k} {}", number(*x))).collect::<Vec<_>>().join(" · "),
    }
}

/// Whether the engine's result is the expected one.
fn agrees(e: &Expect, a: &Actual) -> bool {
    let sorted = |m: &[&str]| {
        let mut v: Vec<String> = m.iter().map(|s| s.to_string()).collect();
        v.sort();
        v
    };
    match (e, a) {
        (Expect::Members(m), Actual::Members(got)) => &sorted(m) == got,
        (Expect::Values(v), Actual::Values(got)) => {
            let want: BTreeMap<String, Vec<String>> =
                v.iter().filter(|(_, m)| !m.is_empty()).map(|(k, m)| (k.to_string(), sorted(m))).collect();
            &want == got
        }
        (Expect::Numbers(n), Actual::Numbers(got)) => {
            n.len() == got.len() && n.iter().all(|(k, x)| got.get(*k).is_some_and(|y| (x - y).abs() < 1e-9))
        }
        _ => false,
    }
}

/// A `rules` block of the page: its first line number, its text and the `> - NAME → RESULT` lines after it.
struct Block {
    line: usize,
    text: String,
    results: Vec<(String, String)>,
}

fn page() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md")).expect("docs/rules.md exists")
}

fn result_line(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix("> - ")?;
    let (name, result) = rest.split_once(" → ")?;
    Some((name.trim().to_string(), result.trim().to_string()))
}

/// The page's `rules` blocks, and the result lines that follow no block.
fn blocks(doc: &str) -> (Vec<Block>, Vec<(String, String)>) {
    let lines: Vec<&str> = doc.lines().collect();
    let (mut out, mut loose) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < lines.len() {
        if lines[i] == "```rules" {
            let start = i + 1;
            let mut end = start;
            while end < lines.len() && lines[end] != "```" {
                end += 1;
            }
            let text = lines[start..end].iter().map(|l| format!("{l}\n")).collect::<String>();
            i = end + 1;
            let mut results = Vec::new();
            while let Some(r) = lines.get(i).and_then(|l| result_line(l)) {
                results.push(r);
                i += 1;
            }
            out.push(Block { line: start + 1, text, results });
            continue;
        }
        if let Some(r) = result_line(lines[i]) {
            loose.push(r);
        }
        i += 1;
    }
    (out, loose)
}

#[test]
fn every_example_on_the_page_compiles_cleanly_and_gives_its_expected_members() {
    let doc = page();
    let (blocks, _) = blocks(&doc);
    assert!(blocks.len() >= 25, "only {} rules blocks", blocks.len());
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut failures = Vec::new();
    for block in &blocks {
        let at = format!("docs/rules.md line {}", block.line);
        let (program, _) = parse_program(&block.text);
        let mut ws = workspace();
        let (saved, problems) = ws.import_rules(&block.text, "2025-07-01T09:00:00", "docs");
        assert!(problems.is_empty(), "{at}: {problems:?}");
        assert_eq!(saved, program.defs.len(), "{at}: every definition is saved");
        let report = ws.tags().expect("tags evaluate");
        for def in &program.defs {
            let name = &def.name;
            let rule = def.expr.as_ref().map(ToString::to_string).unwrap_or_default();
            if let Some(before) = seen.insert(name.clone(), rule.clone()) {
                assert_eq!(before, rule, "{at}: {name} is defined differently in two examples");
            }
            let info = report.tags.iter().find(|t| &t.name == name && !t.builtin).unwrap_or_else(|| panic!("{at}: {name} imported"));
            if !info.diagnostics.is_empty() {
                failures.push(format!("{at}: {name} has diagnostics: {:?}", info.diagnostics));
                continue;
            }
            let want = expected(name);
            let got = actual(&mut ws, name);
            if !agrees(want, &got) {
                failures.push(format!("{at}: {name}\n  expected {}\n  got      {got:?}", render(want)));
            }
            match block.results.iter().filter(|(n, _)| n == name).collect::<Vec<_>>().as_slice() {
                [(_, shown)] if *shown == render(want) => {}
                [(_, shown)] => failures.push(format!("{at}: the page shows {name} → {shown}\n  but it is {}", render(want))),
                _ => failures.push(format!("{at}: the page shows no single `> - {name} → …` line")),
            }
        }
        for (name, _) in &block.results {
            assert!(program.defs.iter().any(|d| &d.name == name), "{at}: a result line for {name}, which the block does not define");
        }
    }
    assert!(failures.is_empty(), "{} problem(s):\n{}", failures.len(), failures.join("\n"));
    let builtins: Vec<&str> = BUILTINS.iter().map(|b| b.name).collect();
    for (name, _) in EXPECTED {
        assert!(seen.contains_key(*name) || builtins.contains(name), "{name} is in EXPECTED but on no example of the page");
    }
}

#[test]
fn the_built_in_tags_on_the_page_match_the_code_and_the_data() {
    let doc = page();
    let (_, loose) = blocks(&doc);
    let mut ws = workspace();
    for b in BUILTINS {
        let row = format!("| `{}` | `{}` |", b.name, b.rule);
        assert!(doc.contains(&row), "docs/rules.md lists {} with its rule: {row}", b.name);
        let want = expected(b.name);
        assert!(agrees(want, &actual(&mut ws, b.name)), "{}: {:?}", b.name, actual(&mut ws, b.name));
        let shown: Vec<&String> = loose.iter().filter(|(n, _)| n == b.name).map(|(_, r)| r).collect();
        assert_eq!(shown, [&render(want)], "the page's result line for {}", b.name);
    }
    assert_eq!(loose.len(), BUILTINS.len(), "result lines outside examples are the built-in tags' only");
}

#[test]
fn the_grammar_on_the_page_is_the_parsers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let parser = std::fs::read_to_string(root.join("src/rules/parser.rs")).unwrap();
    let doc_lines: Vec<&str> = parser
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| l.strip_prefix("//! ").unwrap_or(l.trim_start_matches("//!")))
        .collect();
    let from = doc_lines.iter().position(|l| *l == "```text").expect("the parser documents its grammar") + 1;
    let to = from + doc_lines[from..].iter().position(|l| *l == "```").unwrap();
    let grammar = doc_lines[from..to].join("\n");
    assert!(page().contains(&format!("```text\n{grammar}\n```")), "docs/rules.md shows the grammar of src/rules/parser.rs:\n{grammar}");
}

#[test]
fn the_eleven_segment_grid_on_the_page_is_the_codes() {
    let doc = page();
    let start = doc.find("| R \\ FM | 1 | 2 | 3 | 4 | 5 |").expect("the grid table");
    let rows: Vec<&str> = doc[start..].lines().skip(2).take(5).collect();
    for row in rows {
        let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
        let r: u8 = cells[0].parse().unwrap();
        for fm in 1..=5u8 {
            // FM is ⌈(F + M) / 2⌉, so F = M = fm gives that FM.
            assert_eq!(cells[fm as usize], Segment11::of(r, fm, fm).en(), "R {r}, FM {fm}");
        }
    }
    for s in Segment11::ALL {
        assert!(doc.contains(&format!("| `{}` | {} |", s.en(), s.zh())), "{} is in the names table", s.en());
    }
    // Every score combination lands where FM = ⌈(F + M) / 2⌉ says.
    for (r, f, m) in (1..=5u8).flat_map(|r| (1..=5u8).flat_map(move |f| (1..=5u8).map(move |m| (r, f, m)))) {
        let fm = (f + m).div_ceil(2);
        assert_eq!(Segment11::of(r, f, m), Segment11::of(r, fm, fm));
    }
}
