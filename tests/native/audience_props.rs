//! Property test of audience counts: random expressions over tags (`and`, `or`, `not`, nesting, enumerated values,
//! `in` lists, a metric condition) counted by the workspace must equal a brute-force evaluation member by member,
//! and the rule evaluator's own count of the same expression saved as an audience.

use huaxiang::engine::Workspace;
use huaxiang::sample::synthetic::Size;
use huaxiang::tags::Edit;
use proptest::prelude::*;
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

#[derive(Clone, Debug)]
enum E {
    Flag(usize),
    Metric,
    Tier(usize, bool),
    TierIn(Vec<usize>, bool),
    Lit(bool),
    Not(Box<E>),
    And(Box<E>, Box<E>),
    Or(Box<E>, Box<E>),
}

impl E {
    fn text(&self) -> String {
        match self {
            E::Flag(i) => FLAGS[*i].0.to_string(),
            E::Metric => "monetary > 800".to_string(),
            E::Tier(v, ne) => format!("档位 {} \"{}\"", if *ne { "!=" } else { "==" }, TIERS[*v]),
            E::TierIn(vs, neg) => {
                let list: Vec<String> = vs.iter().map(|v| format!("\"{}\"", TIERS[*v])).collect();
                format!("档位 {}in [{}]", if *neg { "not " } else { "" }, list.join(", "))
            }
            E::Lit(b) => b.to_string(),
            E::Not(x) => format!("not ({})", x.text()),
            E::And(a, b) => format!("({}) and ({})", a.text(), b.text()),
            E::Or(a, b) => format!("({}) or ({})", a.text(), b.text()),
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
}

impl World {
    fn tier_of(&self, p: u32) -> Option<usize> {
        self.tiers.iter().position(|b| b.contains(p))
    }
}

fn expr() -> impl Strategy<Value = E> {
    let leaf = prop_oneof![
        4 => (0..FLAGS.len() - 1).prop_map(E::Flag),
        1 => Just(E::Metric),
        2 => (0..TIERS.len(), any::<bool>()).prop_map(|(v, ne)| E::Tier(v, ne)),
        1 => (prop::collection::vec(0..TIERS.len(), 1..3), any::<bool>()).prop_map(|(vs, n)| E::TierIn(vs, n)),
        1 => any::<bool>().prop_map(E::Lit),
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
    let (_, problems) = ws.import_rules(&rules, "2025-06-01T00:00:00", "test");
    assert!(problems.is_empty(), "{problems:?}");
    let flags = FLAGS.iter().map(|(n, _)| ws.tag_members(n, None).expect("evaluates")).collect();
    let tiers = TIERS.iter().map(|v| ws.tag_members("档位", Some(v)).expect("evaluates")).collect();
    let members = ws.people().expect("computed").len() as u32;
    (ws, World { members, flags, tiers })
}

#[test]
fn counts_equal_brute_force_and_the_evaluator() {
    let (mut ws, w) = world();
    assert!(w.flags.iter().all(|f| !f.is_empty() && f.len() < u64::from(w.members)), "every tag splits the members");
    let config = Config { cases: 96, failure_persistence: None, rng_algorithm: RngAlgorithm::ChaCha, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let ws = std::cell::RefCell::new(&mut ws);
    runner
        .run(&expr(), |e| {
            let text = e.text();
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
            // Tags alone are bitmap algebra; a metric condition needs the evaluator.
            prop_assert_eq!(count.bitmap_only, !text.contains("monetary"), "{}", text);
            // The members themselves, not only their number.
            let members = ws.audience_members(&text).map_err(|x| TestCaseError::fail(x.to_string()))?;
            prop_assert!(members.iter().all(|p| e.holds(p, &w)), "{}", text);
            Ok(())
        })
        .unwrap();
}
