//! Per-member metrics relative to an explicit analysis date, the lifecycle stage, and the [`Frame`] that rules
//! are evaluated over.
//!
//! A [`Frame`] borrows the dataset, the resolved people and the RFM table of one computation and computes each
//! metric column the first time a rule asks for it, so a rule pack that never mentions age never pays for it.
//! Missing values are `NaN` for numbers and [`NO_TIME`] for times; comparisons with a missing value are false.

mod lifecycle;
pub mod names;

pub use lifecycle::{LifecycleConfig, Stage, Thresholds};

use crate::base::date::{Day, SECS_PER_DAY};
use crate::base::dict::NONE;
use crate::base::roles::Role;
use crate::base::values::parse_timestamp;
use crate::metrics::names::Metric;
use crate::model::column::Nodes;
use crate::model::{Attribute, Dataset, People, CHUNK};
use crate::rfm::{MonetaryBasis, Rfm, Segment11};
use serde::Serialize;
use std::cell::OnceCell;
use std::rc::Rc;

/// A missing time.
pub const NO_TIME: i64 = i64::MIN;

/// Settings a rule pack can change (`set rfm.monetary = "average"`, `set lifecycle.active_days = 60`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// What RFM's M scores.
    pub rfm_monetary: MonetaryBasis,
    /// Lifecycle thresholds (each defaults from the data when unset).
    pub lifecycle: LifecycleConfig,
    /// Churn-risk thresholds (each overrides the churn model's request when set); left out of the JSON when none is
    /// set, so packs and fingerprints without them are unchanged.
    #[serde(skip_serializing_if = "ChurnSettings::is_unset")]
    pub churn: ChurnSettings,
}

/// The churn-risk bands' thresholds a pack sets (`set churn.high_p_alive = 0.2`; `docs/models.md`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ChurnSettings {
    /// P(alive) below this is high risk.
    pub high_p_alive: Option<f64>,
    /// P(alive) below this is at least medium risk.
    pub medium_p_alive: Option<f64>,
    /// An overdue ratio above this is high risk.
    pub high_overdue: Option<f64>,
    /// An overdue ratio above this is at least medium risk.
    pub medium_overdue: Option<f64>,
}

impl ChurnSettings {
    /// Whether no threshold is set.
    pub fn is_unset(&self) -> bool {
        *self == ChurnSettings::default()
    }

    /// Each key (after `churn.`) with its value.
    pub fn entries(&self) -> [(&'static str, Option<f64>); 4] {
        [
            ("high_p_alive", self.high_p_alive),
            ("medium_p_alive", self.medium_p_alive),
            ("high_overdue", self.high_overdue),
            ("medium_overdue", self.medium_overdue),
        ]
    }
}

impl Settings {
    /// Every key `set` accepts, with what it means.
    pub const KEYS: [(&'static str, &'static str, &'static str); 9] = [
        (
            "rfm.monetary",
            "M 按累计金额（\"total\"）还是客单价（\"average\"）打分",
            "Score M on total spend (\"total\") or spend per purchase (\"average\")",
        ),
        ("lifecycle.new_days", "首购在最近多少天内算新客", "A first purchase within this many days makes a member new"),
        ("lifecycle.active_days", "最近购买在多少天内算活跃", "A last purchase within this many days makes a member active"),
        ("lifecycle.dormant_days", "超过活跃天数、在这个天数内算沉默", "Past the active days and within this many, a member is dormant"),
        (
            "lifecycle.at_risk_days",
            "超过沉默天数、在这个天数内算流失预警，再往后算流失",
            "Past the dormant days and within this many, a member is at risk; beyond, lost",
        ),
        (
            "churn.high_p_alive",
            "流失风险：存活概率低于它为“高”（0–1，默认 0.3）",
            "Churn risk: P(alive) below this is high (0–1, default 0.3)",
        ),
        (
            "churn.medium_p_alive",
            "流失风险：存活概率低于它至少为“中”（0–1，默认 0.7）",
            "Churn risk: P(alive) below this is at least medium (0–1, default 0.7)",
        ),
        ("churn.high_overdue", "流失风险：逾期倍数高于它为“高”（默认 3）", "Churn risk: an overdue ratio above this is high (default 3)"),
        (
            "churn.medium_overdue",
            "流失风险：逾期倍数高于它至少为“中”（默认 1.5）",
            "Churn risk: an overdue ratio above this is at least medium (default 1.5)",
        ),
    ];

    /// Applies one setting; the error is `(zh, en)`.
    pub fn apply(&mut self, key: &str, number: Option<f64>, text: Option<&str>) -> Result<(), (String, String)> {
        let days = |v: Option<f64>| match v {
            Some(d) if (1.0..=36_500.0).contains(&d) => Ok(Some(d.round() as u32)),
            _ => Err(("天数要是 1 到 36500 之间的数字".to_string(), "The number of days must be between 1 and 36500.".to_string())),
        };
        let share = |v: Option<f64>| match v {
            Some(p) if (0.0..=1.0).contains(&p) => Ok(p),
            _ => Err(("存活概率的阈值要是 0 到 1 之间的数".to_string(), "A P(alive) threshold must be between 0 and 1.".to_string())),
        };
        let ratio = |v: Option<f64>| match v {
            Some(r) if r > 0.0 && r <= 1000.0 => Ok(r),
            _ => Err((
                "逾期倍数的阈值要是大于 0、不超过 1000 的数".to_string(),
                "An overdue-ratio threshold must be above 0 and at most 1000.".to_string(),
            )),
        };
        match key {
            "rfm.monetary" => {
                self.rfm_monetary = match text.map(str::to_lowercase).as_deref() {
                    Some("total") | Some("累计") => MonetaryBasis::Total,
                    Some("average") | Some("avg") | Some("客单价") => MonetaryBasis::Average,
                    _ => {
                        return Err((
                            "rfm.monetary 只能是 \"total\" 或 \"average\"".into(),
                            "rfm.monetary is either \"total\" or \"average\".".into(),
                        ))
                    }
                }
            }
            "lifecycle.new_days" => self.lifecycle.new_days = days(number)?,
            "lifecycle.active_days" => self.lifecycle.active_days = days(number)?,
            "lifecycle.dormant_days" => self.lifecycle.dormant_days = days(number)?,
            "lifecycle.at_risk_days" => self.lifecycle.at_risk_days = days(number)?,
            "churn.high_p_alive" => self.churn.high_p_alive = Some(share(number)?),
            "churn.medium_p_alive" => self.churn.medium_p_alive = Some(share(number)?),
            "churn.high_overdue" => self.churn.high_overdue = Some(ratio(number)?),
            "churn.medium_overdue" => self.churn.medium_overdue = Some(ratio(number)?),
            _ => {
                let keys: Vec<&str> = Self::KEYS.iter().map(|k| k.0).collect();
                let hint = crate::base::suggest::did_you_mean(key, keys.iter().copied());
                return Err(match hint {
                    Some(h) => {
                        (format!("没有设置项“{key}”。您是不是想写“{h}”？"), format!("There is no setting “{key}”. Did you mean “{h}”?"))
                    }
                    None => (
                        format!("没有设置项“{key}”。可用的有：{}", keys.join("、")),
                        format!("There is no setting “{key}”. The settings are: {}.", keys.join(", ")),
                    ),
                });
            }
        }
        Ok(())
    }
}

/// Per-member sums over orders, computed in one pass.
struct PurchaseStats {
    first: Vec<i64>,
    last: Vec<i64>,
    purchase_rows: Vec<u32>,
    discounted: Vec<u32>,
    refunds: Vec<u32>,
}

/// A text column over members: one code per member into `values` ([`NONE`] when empty).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TextColumn {
    /// Code per member.
    pub codes: Vec<u32>,
    /// The distinct values.
    pub values: Vec<String>,
}

impl TextColumn {
    /// The value of a member, or `""`.
    pub fn get(&self, member: usize) -> &str {
        match self.codes.get(member) {
            Some(&c) if c != NONE => &self.values[c as usize],
            _ => "",
        }
    }
}

/// The columns a [`Frame`] computes on first use, kept apart from the data they borrow so one computation's
/// frames can share them: the workspace keeps one cache per computation and settings, and a later frame (the next
/// audience count, the next tag evaluation) starts with every column already computed.
#[derive(Default)]
pub struct FrameCache {
    order_person: OnceCell<Rc<Nodes>>,
    event_person: OnceCell<Rc<Nodes>>,
    stats: OnceCell<PurchaseStats>,
    nums: [OnceCell<Rc<Vec<f64>>>; 20],
    times: [OnceCell<Rc<Vec<i64>>>; 20],
    texts: [OnceCell<Rc<TextColumn>>; 20],
    thresholds: OnceCell<Thresholds>,
}

/// Everything rules are evaluated over, for one computation.
pub struct Frame<'a> {
    /// The data.
    pub data: &'a Dataset,
    /// The people (dense member indices).
    pub people: &'a People,
    /// The RFM table.
    pub rfm: &'a Rfm,
    /// The analysis date.
    pub as_of: Day,
    /// Rows at or after this time are after the analysis date and left out.
    pub limit: i64,
    /// The settings in force.
    pub settings: Settings,
    /// The person of each order row (runs of rows, like the order's identifier nodes).
    pub order_person: Rc<Nodes>,
    /// The person of each event row.
    pub event_person: Rc<Nodes>,
    cache: Rc<FrameCache>,
}

impl<'a> Frame<'a> {
    /// A frame over one computation, computing every column afresh.
    pub fn new(data: &'a Dataset, people: &'a People, rfm: &'a Rfm, settings: Settings) -> Frame<'a> {
        Frame::with_cache(data, people, rfm, settings, Rc::new(FrameCache::default()))
    }

    /// A frame that reads and fills `cache`, which must belong to this same computation and settings.
    pub fn with_cache(data: &'a Dataset, people: &'a People, rfm: &'a Rfm, settings: Settings, cache: Rc<FrameCache>) -> Frame<'a> {
        let order_person = cache.order_person.get_or_init(|| Rc::new(data.orders.node.map_nodes(|n| people.resolution.person(n)))).clone();
        let event_person = cache.event_person.get_or_init(|| Rc::new(data.events.node.map_nodes(|n| people.resolution.person(n)))).clone();
        Frame { data, people, rfm, as_of: rfm.as_of, limit: rfm.as_of.end(), settings, order_person, event_person, cache }
    }

    /// The number of members.
    pub fn len(&self) -> usize {
        self.people.len()
    }

    /// Whether there are no members.
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }

    /// Calls `f` with the person and time of every event, in row order.
    fn each_event_time(&self, mut f: impl FnMut(u32, i64)) {
        let (mut buf, mut person_buf) = (Vec::new(), Vec::new());
        for lo in (0..self.event_person.len()).step_by(CHUNK) {
            let hi = (lo + CHUNK).min(self.event_person.len());
            let ts = self.data.events.ts.chunk(lo, hi, &mut buf);
            self.event_person.chunk(lo, hi, &mut person_buf).iter().zip(ts).for_each(|(&p, &t)| f(p, t));
        }
    }

    /// Days from the day of `ts` to the analysis date.
    pub fn days_since(&self, ts: i64) -> f64 {
        if ts == NO_TIME {
            f64::NAN
        } else {
            f64::from(self.as_of.0 - Day::of_timestamp(ts).0)
        }
    }

    fn stats(&self) -> &PurchaseStats {
        self.cache.stats.get_or_init(|| {
            let n = self.len();
            let o = &self.data.orders;
            let mut s = PurchaseStats {
                first: vec![NO_TIME; n],
                last: vec![NO_TIME; n],
                purchase_rows: vec![0; n],
                discounted: vec![0; n],
                refunds: vec![0; n],
            };
            let (mut ts_buf, mut amount_buf, mut discount_buf, mut person_buf) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for lo in (0..self.order_person.len()).step_by(CHUNK) {
                let hi = (lo + CHUNK).min(self.order_person.len());
                let ts = o.ts.chunk(lo, hi, &mut ts_buf);
                let amount = o.amount.chunk(lo, hi, &mut amount_buf);
                let discount = o.discount.chunk(lo, hi, &mut discount_buf);
                for (k, &p) in self.order_person.chunk(lo, hi, &mut person_buf).iter().enumerate() {
                    let ts = ts[k];
                    if ts >= self.limit {
                        continue;
                    }
                    let p = p as usize;
                    if amount[k] > 0 {
                        s.purchase_rows[p] += 1;
                        s.discounted[p] += u32::from(discount[k] > 0);
                        if s.first[p] == NO_TIME || ts < s.first[p] {
                            s.first[p] = ts;
                        }
                        s.last[p] = s.last[p].max(ts);
                    } else if amount[k] < 0 {
                        s.refunds[p] += 1;
                    }
                }
            }
            s
        })
    }

    /// A member attribute column by role or header, as text over members.
    pub fn attribute(&self, attr: Option<&Attribute>) -> TextColumn {
        let n = self.len();
        let Some(a) = attr else { return TextColumn { codes: vec![NONE; n], values: Vec::new() } };
        let values: Vec<String> = a.values.values().map(str::to_string).collect();
        let codes = (0..n)
            .map(|p| match self.people.member_row[p] {
                NONE => NONE,
                row => a.codes[row as usize],
            })
            .collect();
        TextColumn { codes, values }
    }

    /// A number metric.
    pub fn num(&self, m: Metric) -> Rc<Vec<f64>> {
        self.cache.nums[m as usize].get_or_init(|| Rc::new(self.compute_num(m))).clone()
    }

    /// A time metric.
    pub fn time(&self, m: Metric) -> Rc<Vec<i64>> {
        self.cache.times[m as usize]
            .get_or_init(|| {
                Rc::new(match m {
                    Metric::FirstPurchase => self.stats().first.clone(),
                    Metric::LastPurchase => self.stats().last.clone(),
                    _ => {
                        let mut seen = self.stats().last.clone();
                        self.each_event_time(|p, ts| {
                            if ts < self.limit && ts > seen[p as usize] {
                                seen[p as usize] = ts;
                            }
                        });
                        seen
                    }
                })
            })
            .clone()
    }

    /// A text metric.
    pub fn text(&self, m: Metric) -> Rc<TextColumn> {
        self.cache.texts[m as usize].get_or_init(|| Rc::new(self.compute_text(m))).clone()
    }

    /// The lifecycle thresholds in force (settings, else defaults from the data).
    pub fn thresholds(&self) -> Thresholds {
        *self.cache.thresholds.get_or_init(|| {
            let intervals = self.num(Metric::PurchaseInterval);
            Thresholds::resolve(&self.settings.lifecycle, &intervals)
        })
    }

    fn scores(&self) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let n = self.len();
        let (mut r, mut f, mut m) = (vec![0u8; n], vec![0u8; n], vec![0u8; n]);
        for row in &self.rfm.rows {
            let p = row.member as usize;
            (r[p], f[p], m[p]) = (row.r, row.f, row.m);
        }
        (r, f, m)
    }

    fn compute_num(&self, m: Metric) -> Vec<f64> {
        let n = self.len();
        let yuan = |v: i64| v as f64 / 100.0;
        match m {
            Metric::Recency | Metric::Frequency | Metric::AvgSpend => {
                let mut out = vec![if m == Metric::Frequency { 0.0 } else { f64::NAN }; n];
                for row in &self.rfm.rows {
                    out[row.member as usize] = match m {
                        Metric::Recency => f64::from(row.recency),
                        Metric::Frequency => f64::from(row.frequency),
                        _ => yuan(row.monetary) / f64::from(row.frequency.max(1)),
                    };
                }
                out
            }
            Metric::Monetary => self.rfm.spend.iter().map(|&v| yuan(v)).collect(),
            Metric::PurchaseInterval => {
                let s = self.stats();
                let freq = self.num(Metric::Frequency);
                (0..n)
                    .map(|p| {
                        if freq[p] < 2.0 {
                            f64::NAN
                        } else {
                            f64::from(Day::of_timestamp(s.last[p]).0 - Day::of_timestamp(s.first[p]).0) / (freq[p] - 1.0)
                        }
                    })
                    .collect()
            }
            Metric::DiscountShare => {
                let s = self.stats();
                (0..n)
                    .map(|p| if s.purchase_rows[p] == 0 { f64::NAN } else { f64::from(s.discounted[p]) / f64::from(s.purchase_rows[p]) })
                    .collect()
            }
            Metric::Refunds => self.stats().refunds.iter().map(|&v| f64::from(v)).collect(),
            Metric::Tenure => {
                let reg = self.dates_of(self.data.members.attr(Role::RegisterDate));
                reg.iter().map(|&ts| self.days_since(ts)).collect()
            }
            Metric::Age => self.ages(),
            Metric::EventCount => {
                let mut out = vec![0.0; n];
                self.each_event_time(|p, ts| {
                    if ts < self.limit {
                        out[p as usize] += 1.0;
                    }
                });
                out
            }
            Metric::RfmR | Metric::RfmF | Metric::RfmM => {
                let (r, f, mm) = self.scores();
                let pick = match m {
                    Metric::RfmR => r,
                    Metric::RfmF => f,
                    _ => mm,
                };
                pick.iter().map(|&s| if s == 0 { f64::NAN } else { f64::from(s) }).collect()
            }
            _ => vec![f64::NAN; n],
        }
    }

    fn compute_text(&self, m: Metric) -> TextColumn {
        let n = self.len();
        let mut codes = vec![NONE; n];
        match m {
            Metric::RfmSegment => {
                for row in &self.rfm.rows {
                    codes[row.member as usize] = row.segment as u32;
                }
                TextColumn { codes, values: crate::rfm::Segment::ALL.iter().map(|s| s.zh().to_string()).collect() }
            }
            Metric::RfmSegment11 => {
                for row in &self.rfm.rows {
                    codes[row.member as usize] = Segment11::of(row.r, row.f, row.m) as u32;
                }
                TextColumn { codes, values: Segment11::ALL.iter().map(|s| s.en().to_string()).collect() }
            }
            Metric::RfmScore => {
                let mut values = Vec::new();
                for row in &self.rfm.rows {
                    let code = u32::from(row.r - 1) * 25 + u32::from(row.f - 1) * 5 + u32::from(row.m - 1);
                    codes[row.member as usize] = code;
                }
                for c in 0..125u32 {
                    values.push(format!("{}{}{}", c / 25 + 1, c / 5 % 5 + 1, c % 5 + 1));
                }
                TextColumn { codes, values }
            }
            Metric::Lifecycle => {
                let t = self.thresholds();
                let recency = self.num(Metric::Recency);
                let first = self.time(Metric::FirstPurchase);
                for (p, code) in codes.iter_mut().enumerate() {
                    *code = Stage::of(recency[p], self.days_since(first[p]), &t) as u32;
                }
                TextColumn { codes, values: Stage::ALL.iter().map(|s| s.zh().to_string()).collect() }
            }
            _ => TextColumn { codes, values: Vec::new() },
        }
    }

    /// Each member's date from a date column (parsed once per distinct value).
    fn dates_of(&self, attr: Option<&Attribute>) -> Vec<i64> {
        let col = self.attribute(attr);
        let parsed: Vec<i64> = col.values.iter().map(|v| parse_timestamp(v).unwrap_or(NO_TIME)).collect();
        col.codes.iter().map(|&c| if c == NONE { NO_TIME } else { parsed[c as usize] }).collect()
    }

    /// Age in whole years at the analysis date, from the birthday, else from a column headed 年龄/age.
    fn ages(&self) -> Vec<f64> {
        let (y, mo, d) = self.as_of.ymd();
        let birthdays = self.dates_of(self.data.members.attr(Role::Birthday));
        let mut out: Vec<f64> = birthdays
            .iter()
            .map(|&ts| {
                if ts == NO_TIME {
                    return f64::NAN;
                }
                let (by, bm, bd) = Day::of_timestamp(ts).ymd();
                let mut age = y - by;
                if (mo, d) < (bm, bd) {
                    age -= 1;
                }
                if (0..=150).contains(&age) {
                    f64::from(age)
                } else {
                    f64::NAN
                }
            })
            .collect();
        let column =
            self.data.members.attrs.iter().find(|a| a.role.is_none() && matches!(a.header.trim().to_lowercase().as_str(), "年龄" | "age"));
        if let Some(a) = column {
            let col = self.attribute(Some(a));
            let parsed: Vec<f64> = col.values.iter().map(|v| v.trim().trim_end_matches('岁').parse::<f64>().unwrap_or(f64::NAN)).collect();
            for (p, age) in out.iter_mut().enumerate() {
                if age.is_nan() && col.codes[p] != NONE {
                    *age = parsed[col.codes[p] as usize];
                }
            }
        }
        out
    }
}

/// Seconds in a day, as a float (windows and `within` are counted in seconds).
pub const DAY_SECONDS: f64 = SECS_PER_DAY as f64;
