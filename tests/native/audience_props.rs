//! Property test of audience counts: random expressions over tags (`and`, `or`, `not`, nesting, enumerated values,
//! `in` lists), number metrics and a metric definition compared with constants (every comparison, either way
//! round, `between`, constants taken from the data so equality is exercised, `-0`), and text metrics compared with
//! their values, counted by the workspace must equal a brute-force evaluation member by member (from the metric
//! columns themselves) and the rule evaluator's own count of the same expression saved as an audience. Every such
//! expression is answered from cached sets and indexes, never by the evaluator's pass over the members.

use huaxiang::engine::Workspace;
use huaxiang::metrics::names::Metric;
use huaxiang::metrics::Frame;
use huaxiang::sample::synthetic::Size;
use huaxiang::tags::Edit;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use roaring::RoaringBitmap;

/// Yes/no tags of the test pack (the last is the metric condition written inline as `monetary > 800`).
const FLAGS: [(&str, &str); 6] = [
    ("近期", "recency <= 60"),
    ("常客", "frequency >= 3"),
    ("女性", "gender == \"女\""),
    ("一线", "city in [\"上海\", \"北京\"]"),
    ("浏览多", "count(events where type == \"view\", last 90d) > 2"),
    ("高消费", "monetary > 800"),
];

/// The enumerated tag and its values (plus one value nobody has).
const TIER: &str = "tag 档位 = case when monetary >= 2000 then \"高\" when monetary >= 500 then \"中\" when monetary > 0 then \"低\" end";
const TIERS: [&str; 4] = ["高", "中", "低", "无此档"];

/// Number conditions read these: three metrics and a metric definition (missing where frequency is 0 or missing).
const NUMS: [&str; 4] = ["recency", "frequency", "monetary", "客单"];
const AVG: &str = "metric 客单 = monetary / frequency";

/// Text metrics compared with their values.
const TEXTS: [&str; 2] = ["rfm.segment", "lifecycle"];

const OPS: [&str; 6] = ["==", "!=", "<", "<=", ">", ">="];

#[derive(Clone, Debug)]
enum E {
    Flag(usize),
    Metric,
    Tier(usize, bool),
    TierIn(Vec<usize>, bool),
    Lit(bool),
    /// `NUMS[m] OPS[op] constant k` (or the constant first).
    Num(usize, usize, usize, bool),
    /// `NUMS[m] between constant k1 and constant k2`.
    Between(usize, usize, usize),
    /// `TEXTS[t] == value` (`!=` when negated).
    Text(usize, usize, bool),
    /// `TEXTS[t] in [values]` (`not in` when negated).
    TextIn(usize, Vec<usize>, bool),
    Not(Box<E>),
    And(Box<E>, Box<E>),
    Or(Box<E>, Box<E>),
}

impl E {
    fn text(&self, w: &World) -> String {
        match self {
            E::Flag(i) => FLAGS[*i].0.to_string(),
            E::Metric => "monetary > 800".to_string(),
            E::Tier(v, ne) => format!("档位 {} \"{}\"", if *ne { "!=" } else { "==" }, TIERS[*v]),
            E::TierIn(vs, neg) => {
                let list: Vec<String> = vs.iter().map(|v| format!("\"{}\"", TIERS[*v])).collect();
                format!("档位 {}in [{}]", if *neg { "not " } else { "" }, list.join(", "))
            }
            E::Lit(b) => b.to_string(),
            E::Num(m, op, k, false) => format!("{} {} {}", NUMS[*m], OPS[*op], w.constant_text(*m, *k)),
            E::Num(m, op, k, true) => format!("{} {} {}", w.constant_text(*m, *k), OPS[*op], NUMS[*m]),
            E::Between(m, a, b) => format!("{} between {} and {}", NUMS[*m], w.constant_text(*m, *a), w.constant_text(*m, *b)),
            E::Text(t, v, ne) => format!("{} {} \"{}\"", TEXTS[*t], if *ne { "!=" } else { "==" }, w.text_value(*t, *v)),
            E::TextIn(t, vs, neg) => {
                let list: Vec<String> = vs.iter().map(|v| format!("\"{}\"", w.text_value(*t, *v))).collect();
                format!("{} {}in [{}]", TEXTS[*t], if *neg { "not " } else { "" }, list.join(", "))
            }
            E::Not(x) => format!("not ({})", x.text(w)),
            E::And(a, b) => format!("({}) and ({})", a.text(w), b.text(w)),
            E::Or(a, b) => format!("({}) or ({})", a.text(w), b.text(w)),
        }
    }

    /// Whether the expression reads a metric (so the count is not tag results alone).
    fn reads_metric(&self) -> bool {
        match self {
            E::Metric | E::Num(..) | E::Between(..) | E::Text(..) | E::TextIn(..) => true,
            E::Not(x) => x.reads_metric(),
            E::And(a, b) | E::Or(a, b) => a.reads_metric() || b.reads_metric(),
            _ => false,
        }
    }

    /// Whether the expression holds for a member, from the tags' members (missing values as in SQL).
    fn holds(&self, p: u32, w: &World) -> bool {
        match self {
            E::Flag(i) => w.flags[*i].contains(p),
            E::Metric => w.flags[5].contains(p),
            E::Tier(v, ne) => match w.tier_of(p) {
                None => false,
                Some(t) => (t == *v) != *ne,
            },
            E::TierIn(vs, neg) => match w.tier_of(p) {
                None => false,
                Some(t) => vs.contains(&t) != *neg,
            },
            E::Lit(b) => *b,
            E::Num(m, op, k, flipped) => {
                let (v, c) = (w.nums[*m][p as usize], w.constant(*m, *k));
                let (a, b) = if *flipped { (c, v) } else { (v, c) };
                match OPS[*op] {
                    "==" => a == b,
                    "!=" => !a.is_nan() && !b.is_nan() && a != b,
                    "<" => a < b,
                    "<=" => a <= b,
                    ">" => a > b,
                    _ => a >= b,
                }
            }
            E::Between(m, lo, hi) => {
                let v = w.nums[*m][p as usize];
                v >= w.constant(*m, *lo) && v <= w.constant(*m, *hi)
            }
            E::Text(t, v, ne) => w.texts[*t][p as usize].as_ref().is_some_and(|x| (x == w.text_value(*t, *v)) != *ne),
            E::TextIn(t, vs, neg) => w.texts[*t][p as usize].as_ref().is_some_and(|x| vs.iter().any(|v| x == w.text_value(*t, *v)) != *neg),
            E::Not(x) => !x.holds(p, w),
            E::And(a, b) => a.holds(p, w) && b.holds(p, w),
            E::Or(a, b) => a.holds(p, w) || b.holds(p, w),
        }
    }
}

struct World {
    members: u32,
    flags: Vec<RoaringBitmap>,
    tiers: Vec<RoaringBitmap>,
    /// Each number column of `NUMS`, per member (`NaN` = missing).
    nums: Vec<Vec<f64>>,
    /// Constants to compare each number column with: values it takes, and a few it does not.
    constants: Vec<Vec<f64>>,
    /// Each text metric of `TEXTS`, per member.
    texts: Vec<Vec<Option<String>>>,
    /// The values each text metric takes, and one it does not.
    text_values: Vec<Vec<String>>,
}

impl World {
    fn tier_of(&self, p: u32) -> Option<usize> {
        self.tiers.iter().position(|b| b.contains(p))
    }

    fn constant(&self, m: usize, k: usize) -> f64 {
        self.constants[m][k % self.constants[m].len()]
    }

    /// A constant as rule text (a negative one as `-x`, and `-0` for negative zero).
    fn constant_text(&self, m: usize, k: usize) -> String {
        let c = self.constant(m, k);
        if c.is_sign_negative() {
            format!("-{}", -c)
        } else {
            format!("{c}")
        }
    }

    fn text_value(&self, t: usize, v: usize) -> &str {
        &self.text_values[t][v % self.text_values[t].len()]
    }
}

fn expr() -> impl Strategy<Value = E> {
    let leaf = prop_oneof![
        4 => (0..FLAGS.len() - 1).prop_map(E::Flag),
        1 => Just(E::Metric),
        2 => (0..TIERS.len(), any::<bool>()).prop_map(|(v, ne)| E::Tier(v, ne)),
        1 => (prop::collection::vec(0..TIERS.len(), 1..3), any::<bool>()).prop_map(|(vs, n)| E::TierIn(vs, n)),
        1 => any::<bool>().prop_map(E::Lit),
        4 => (0..NUMS.len(), 0..OPS.len(), 0..64usize, any::<bool>()).prop_map(|(m, op, k, f)| E::Num(m, op, k, f)),
        1 => (0..NUMS.len(), 0..64usize, 0..64usize).prop_map(|(m, a, b)| E::Between(m, a, b)),
        1 => (0..TEXTS.len(), 0..16usize, any::<bool>()).prop_map(|(t, v, ne)| E::Text(t, v, ne)),
        1 => (0..TEXTS.len(), prop::collection::vec(0..16usize, 1..4), any::<bool>()).prop_map(|(t, vs, n)| E::TextIn(t, vs, n)),
    ];
    leaf.prop_recursive(5, 24, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|x| E::Not(Box::new(x))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| E::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner).prop_map(|(a, b)| E::Or(Box::new(a), Box::new(b))),
        ]
    })
}

fn world() -> (Workspace, World) {
    let mut ws = Workspace::new();
    ws.load_synthetic(11, Size { members: 1500, orders: 9000, events: 6000 });
    ws.compute(None).expect("computes");
    let mut rules: String = FLAGS.iter().map(|(n, r)| format!("tag {n} = {r}\n")).collect();
    rules.push_str(TIER);
    rules.push('\n');
    rules.push_str(AVG);
    rules.push('\n');
    let (_, problems) = ws.import_rules(&rules, "2025-06-01T00:00:00", "test");
    assert!(problems.is_empty(), "{problems:?}");
    let flags = FLAGS.iter().map(|(n, _)| ws.tag_members(n, None).expect("evaluates")).collect();
    let tiers = TIERS.iter().map(|v| ws.tag_members("档位", Some(v)).expect("evaluates")).collect();
    let members = ws.people().expect("computed").len() as u32;
    let frame = Frame::new(ws.data(), ws.people().expect("computed"), ws.rfm().expect("computed"), ws.catalog().settings.clone());
    let (monetary, frequency) = (frame.num(Metric::Monetary), frame.num(Metric::Frequency));
    let avg = monetary.iter().zip(frequency.iter()).map(|(&m, &f)| if f == 0.0 { f64::NAN } else { m / f }).collect();
    let nums: Vec<Vec<f64>> = vec![frame.num(Metric::Recency).to_vec(), frequency.to_vec(), monetary.to_vec(), avg];
    let constants = nums
        .iter()
        .map(|column| {
            let mut values: Vec<f64> = column.iter().copied().filter(|v| !v.is_nan()).collect();
            values.sort_by(f64::total_cmp);
            values.dedup();
            let mut picked: Vec<f64> = (0..12).map(|i| values[i * (values.len() - 1) / 11]).collect();
            picked.extend([0.0, -0.0, -1.0, 0.5, 1e12, values[0] - 0.25, values[values.len() - 1] + 0.25]);
            picked
        })
        .collect();
    let (texts, text_values) = [Metric::RfmSegment, Metric::Lifecycle]
        .iter()
        .map(|&m| {
            let column = frame.text(m);
            let per_member = (0..members as usize).map(|p| Some(column.get(p)).filter(|v| !v.is_empty()).map(str::to_string)).collect();
            let mut values = column.values.clone();
            values.push("无此值".to_string());
            (per_member, values)
        })
        .unzip();
    drop(frame);
    (ws, World { members, flags, tiers, nums, constants, texts, text_values })
}

#[test]
fn counts_equal_brute_force_and_the_evaluator() {
    let (mut ws, w) = world();
    assert!(w.flags.iter().all(|f| !f.is_empty() && f.len() < u64::from(w.members)), "every tag splits the members");
    let config = Config { cases: 160, failure_persistence: None, rng_algorithm: RngAlgorithm::ChaCha, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let ws = std::cell::RefCell::new(&mut ws);
    runner
        .run(&expr(), |e| {
            let text = e.text(&w);
            let mut ws = ws.borrow_mut();
            let count = ws.audience_count(&text).map_err(|x| TestCaseError::fail(x.to_string()))?;
            prop_assert!(
                count.diagnostics.iter().all(|d| d.severity != huaxiang::rules::Severity::Error),
                "{text}: {:?}",
                count.diagnostics
            );
            let brute = (0..w.members).filter(|&p| e.holds(p, &w)).count() as u64;
            prop_assert_eq!(count.count, Some(brute), "{}", text);
            // The same text as a draft audience through the rule evaluator.
            let check = ws
                .check_rule(&Edit {
                    kind: Some(huaxiang::rules::ast::DefKind::Audience),
                    name: "草稿".into(),
                    rule: text.clone(),
                    ..Edit::default()
                })
                .map_err(|x| TestCaseError::fail(x.to_string()))?;
            prop_assert_eq!(check.count, Some(brute), "evaluator: {}", text);
            // Tags alone are bitmap algebra over their results. A metric condition reads a metric (from its index),
            // unless an `and` whose other conditions leave nobody skips it, so only one direction is exact.
            prop_assert!(e.reads_metric() || count.bitmap_only, "{}", text);
            prop_assert!(!count.scanned, "answered without the evaluator's pass: {}", text);
            // The members themselves, not only their number.
            let members = ws.audience_members(&text).map_err(|x| TestCaseError::fail(x.to_string()))?;
            prop_assert!(members.iter().all(|p| e.holds(p, &w)), "{}", text);
            Ok(())
        })
        .unwrap();
}

#[test]
fn drafts_check_like_the_whole_catalog() {
    let (mut ws, w) = world();
    let schema = huaxiang::tags::schema_of(ws.data());
    let settings = ws.catalog().settings.clone();
    let compiled = ws.compiled_catalog();
    let mut texts: Vec<String> = [
        "高价直",
        "近期 and",
        "monetary",
        "近期 or 常客 and not 女性",
        "count(近期) > 1",
        "sum(orders.amount, last 30d) > 100 and 近期",
        "count(events where type == \"view\", last 7d) > 1",
        "count(近期, last 7d) > 1",
        "档位 == 3",
        "档位 > \"高\"",
        "档位 in [\"高\", 3]",
        "客单 between 10 and 20",
        "days_since(last_purchase) <= 30",
        "gender == \"女\" and city in [\"上海\"]",
        "",
        "not",
        "近期 近期",
        "rfm.segment == \"重要价值客户\"",
        "lifecycle",
        "近期 and 未知标签",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    for _ in 0..60 {
        texts.push(expr().new_tree(&mut runner).expect("generates").current().text(&w));
    }
    for text in &texts {
        let draft = huaxiang::tags::check_draft(&compiled, huaxiang::rules::ast::DefKind::Audience, "\u{0}draft", text, &schema, &settings);
        let full = huaxiang::tags::compile_with(&compiled, huaxiang::rules::ast::DefKind::Audience, "\u{0}draft", text, &schema, &settings);
        let last = full.program.defs.len() - 1;
        let diagnostics: Vec<_> = full.diagnostics.iter().filter(|(i, _)| *i == last).map(|(_, d)| d.clone()).collect();
        assert_eq!(format!("{:?}", draft.diagnostics), format!("{diagnostics:?}"), "{text}");
        assert_eq!(format!("{:?}", draft.checked), format!("{:?}", full.checked.defs[last]), "{text}");
        assert_eq!(draft.def, full.program.defs[last], "{text}");
        assert_eq!(draft.runnable, full.runnable(last), "{text}");
    }
}

#[test]
fn portraits_against_every_member_equal_the_uncached_path() {
    let (mut ws, w) = world();
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    for _ in 0..6 {
        let audience = expr().new_tree(&mut runner).expect("generates").current().text(&w);
        let request = |base: Option<&str>| huaxiang::audience::PortraitRequest {
            audience: audience.clone(),
            base: base.map(str::to_string),
            min_count: Some(5),
            bins: None,
        };
        // Against every member (base counts and bins kept between portraits), twice, and against `true` (the same
        // members, counted afresh).
        let cached = ws.portrait(&request(None)).expect("portrait");
        assert_eq!(cached, ws.portrait(&request(None)).expect("portrait"), "{audience}");
        assert_eq!(cached, ws.portrait(&request(Some("true"))).expect("portrait"), "{audience}");
    }
}
