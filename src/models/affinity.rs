//! Category affinity (品类关联) and the next-best category (下一个推荐品类).
//!
//! - Baskets are members: a member "has" a category when they made a purchase (an order row with a positive amount,
//!   before the day after the analysis date, as RFM counts) in it. "Members who buy A also buy B."
//! - For categories A and B among the members with any categorised purchase (`n`): `support(A) = n_A / n`,
//!   `support(A, B) = n_AB / n`, `confidence(A → B) = n_AB / n_A`, `lift(A → B) = confidence / support(B)`.
//! - Rules are every ordered pair with `n_AB ≥ min_members` (default 2) and `support(A, B) ≥ min_support`
//!   (default 0.001), strongest lift first (then confidence, then the names), at most `max_rules` (default 500).
//! - Each member's next-best category is the one they have not bought with the highest confidence from any category
//!   they have (ties: higher lift, then higher support, then the name); a member without any categorised purchase
//!   gets the most popular category. Columns: `next_category` and `next_category_confidence`.
//! - Counting is a dense `c × c` table over the categories; past 2,000 categories only the 2,000 most bought are
//!   paired.

use super::{ModelColumn, ModelValues};
use crate::base::dict::NONE;
use crate::error::{Error, Result};
use crate::metrics::{Frame, TextColumn};
use crate::model::CHUNK;
use serde::{Deserialize, Serialize};

/// What affinity reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AffinityRequest {
    /// Least members who bought both categories of a rule.
    pub min_members: u32,
    /// Least support of a rule's pair.
    pub min_support: f64,
    /// Most rules reported.
    pub max_rules: usize,
}

impl Default for AffinityRequest {
    fn default() -> AffinityRequest {
        AffinityRequest { min_members: 2, min_support: 0.001, max_rules: 500 }
    }
}

/// One association rule `A → B`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rule {
    /// The category bought.
    pub from: String,
    /// The category also bought.
    pub to: String,
    /// Members who bought both.
    pub members: u32,
    /// `support(A, B)`.
    pub support: f64,
    /// `confidence(A → B)`.
    pub confidence: f64,
    /// `lift(A → B)`.
    pub lift: f64,
}

/// The affinity report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AffinityReport {
    /// Members with a categorised purchase.
    pub baskets: usize,
    /// Categories paired.
    pub categories: usize,
    /// Each category's members, most bought first: (category, members).
    pub sizes: Vec<(String, u32)>,
    /// The rules.
    pub rules: Vec<Rule>,
}

/// Affinity: the report and the member columns.
#[derive(Clone, Debug, PartialEq)]
pub struct AffinityModel {
    /// The report.
    pub report: AffinityReport,
    /// `next_category` and `next_category_confidence`.
    pub columns: Vec<ModelColumn>,
}

/// Most categories paired.
pub const MAX_CATEGORIES: usize = 2000;

/// Each member's bought categories (sorted, distinct codes of the orders' category dictionary).
pub fn baskets(frame: &Frame<'_>) -> Vec<Vec<u32>> {
    let n = frame.len();
    let orders = &frame.data.orders;
    let mut out = vec![Vec::new(); n];
    let (mut ts_buf, mut amount_buf, mut person_buf, mut cat_buf) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for lo in (0..frame.order_person.len()).step_by(CHUNK) {
        let hi = (lo + CHUNK).min(frame.order_person.len());
        let ts = orders.ts.chunk(lo, hi, &mut ts_buf);
        let amount = orders.amount.chunk(lo, hi, &mut amount_buf);
        orders.category.decode(lo, hi, &mut cat_buf);
        for (k, &p) in frame.order_person.chunk(lo, hi, &mut person_buf).iter().enumerate() {
            if amount[k] > 0 && ts[k] < frame.limit && cat_buf[k] != NONE && (p as usize) < n {
                out[p as usize].push(cat_buf[k]);
            }
        }
    }
    for b in &mut out {
        b.sort_unstable();
        b.dedup();
    }
    out
}

/// Rules and next-best categories from baskets over `names` (category code → name).
pub fn from_baskets(baskets: &[Vec<u32>], names: &[String], request: &AffinityRequest) -> AffinityModel {
    let c_all = names.len();
    let mut size = vec![0u32; c_all];
    baskets.iter().flatten().for_each(|&c| size[c as usize] += 1);
    // The categories paired: the most bought, at most MAX_CATEGORIES; `slot` maps a code to its row.
    let mut kept: Vec<u32> = (0..c_all as u32).filter(|&c| size[c as usize] > 0).collect();
    kept.sort_by(|&a, &b| size[b as usize].cmp(&size[a as usize]).then(names[a as usize].cmp(&names[b as usize])));
    kept.truncate(MAX_CATEGORIES);
    let c = kept.len();
    let mut slot = vec![usize::MAX; c_all];
    kept.iter().enumerate().for_each(|(i, &code)| slot[code as usize] = i);
    let mut pair = vec![0u32; c * c];
    let mut rows = Vec::new();
    for b in baskets {
        rows.clear();
        rows.extend(b.iter().map(|&code| slot[code as usize]).filter(|&s| s != usize::MAX));
        for &i in &rows {
            for &j in &rows {
                if i != j {
                    pair[i * c + j] += 1;
                }
            }
        }
    }
    let n = baskets.iter().filter(|b| !b.is_empty()).count();
    let nf = n.max(1) as f64;
    let count = |i: usize| size[kept[i] as usize];
    let mut rules = Vec::new();
    for i in 0..c {
        for j in 0..c {
            let both = pair[i * c + j];
            if i == j || both < request.min_members.max(1) || f64::from(both) / nf < request.min_support {
                continue;
            }
            let confidence = f64::from(both) / f64::from(count(i));
            rules.push(Rule {
                from: names[kept[i] as usize].clone(),
                to: names[kept[j] as usize].clone(),
                members: both,
                support: f64::from(both) / nf,
                confidence,
                lift: confidence / (f64::from(count(j)) / nf),
            });
        }
    }
    rules.sort_by(|a, b| {
        b.lift.total_cmp(&a.lift).then(b.confidence.total_cmp(&a.confidence)).then(a.from.cmp(&b.from)).then(a.to.cmp(&b.to))
    });
    rules.truncate(request.max_rules);

    // Next best: the unbought category with the highest confidence from any bought one.
    let mut codes = vec![NONE; baskets.len()];
    let mut confidence = vec![f64::NAN; baskets.len()];
    let mut best = vec![(f64::NAN, f64::NAN); c];
    for (p, b) in baskets.iter().enumerate() {
        rows.clear();
        rows.extend(b.iter().map(|&code| slot[code as usize]).filter(|&s| s != usize::MAX));
        if rows.is_empty() {
            if b.is_empty() && c > 0 {
                codes[p] = 0;
                confidence[p] = f64::from(count(0)) / nf;
            }
            continue;
        }
        best.iter_mut().for_each(|v| *v = (-1.0, -1.0));
        for &i in &rows {
            for j in 0..c {
                let both = pair[i * c + j];
                if both == 0 {
                    continue;
                }
                let conf = f64::from(both) / f64::from(count(i));
                let lift = conf / (f64::from(count(j)) / nf);
                if (conf, lift) > best[j] {
                    best[j] = (conf, lift);
                }
            }
        }
        let mut pick: Option<usize> = None;
        for j in 0..c {
            if rows.contains(&j) || best[j].0 <= 0.0 {
                continue;
            }
            // Rows are in popularity order, so the first of equal (confidence, lift) is the more bought.
            if pick.map_or(true, |k| best[j] > best[k]) {
                pick = Some(j);
            }
        }
        if let Some(j) = pick {
            codes[p] = j as u32;
            confidence[p] = best[j].0;
        }
    }
    let labels: Vec<String> = kept.iter().map(|&code| names[code as usize].clone()).collect();
    let report = AffinityReport {
        baskets: n,
        categories: c,
        sizes: kept.iter().map(|&code| (names[code as usize].clone(), size[code as usize])).collect(),
        rules,
    };
    let columns = vec![
        ModelColumn {
            key: "next_category".into(),
            zh: "推荐品类".into(),
            en: "Next best category".into(),
            values: ModelValues::Text(TextColumn { codes, values: labels }.into()),
        },
        ModelColumn {
            key: "next_category_confidence".into(),
            zh: "推荐品类置信度".into(),
            en: "Next best category confidence".into(),
            values: ModelValues::Num(confidence.into()),
        },
    ];
    AffinityModel { report, columns }
}

/// Rules and next-best categories over the frame's purchases.
pub fn fit(frame: &Frame<'_>, request: &AffinityRequest) -> Result<AffinityModel> {
    if !(0.0..=1.0).contains(&request.min_support) {
        return Err(Error::bad_model_option("minSupport", 0.0, 1.0));
    }
    let names: Vec<String> = frame.data.orders.categories.values().map(str::to_string).collect();
    let b = baskets(frame);
    if names.is_empty() || b.iter().all(Vec::is_empty) {
        return Err(Error::model_no_categories());
    }
    Ok(from_baskets(&b, &names, request))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::random::SplitMix64;

    #[test]
    fn rules_equal_a_brute_force_count() {
        let names: Vec<String> = ["美妆", "母婴", "食品", "数码", "服饰", "家居"].map(String::from).to_vec();
        let mut rng = SplitMix64::new(8);
        let baskets: Vec<Vec<u32>> = (0..3000)
            .map(|_| {
                let mut b: Vec<u32> = (0..6u32).filter(|&c| rng.unit() < [0.5, 0.2, 0.35, 0.1, 0.3, 0.05][c as usize]).collect();
                // Plant an affinity: most buyers of 母婴 also buy 食品.
                if b.contains(&1) && !b.contains(&2) && rng.unit() < 0.7 {
                    b.push(2);
                    b.sort_unstable();
                }
                b
            })
            .collect();
        let request = AffinityRequest { min_members: 1, min_support: 0.0, max_rules: 1000 };
        let model = from_baskets(&baskets, &names, &request);
        let n = baskets.iter().filter(|b| !b.is_empty()).count() as f64;
        assert_eq!(model.report.rules.len(), 30, "every ordered pair of 6 categories occurs");
        for rule in &model.report.rules {
            let a = names.iter().position(|x| *x == rule.from).unwrap() as u32;
            let b = names.iter().position(|x| *x == rule.to).unwrap() as u32;
            let has = |basket: &Vec<u32>, c: u32| basket.contains(&c);
            let n_a = baskets.iter().filter(|x| has(x, a)).count() as f64;
            let n_b = baskets.iter().filter(|x| has(x, b)).count() as f64;
            let n_ab = baskets.iter().filter(|x| has(x, a) && has(x, b)).count() as f64;
            assert_eq!(f64::from(rule.members), n_ab);
            assert_eq!(rule.support, n_ab / n);
            assert_eq!(rule.confidence, n_ab / n_a);
            assert!((rule.lift - (n_ab / n_a) / (n_b / n)).abs() < 1e-12);
        }
        let top = &model.report.rules[0];
        assert!((top.from.as_str(), top.to.as_str()) == ("母婴", "食品") || (top.from.as_str(), top.to.as_str()) == ("食品", "母婴"));
        assert!(model.report.rules.windows(2).all(|w| w[0].lift >= w[1].lift));

        // Next best, by brute force: the unbought category with the highest confidence from a bought one.
        let ModelValues::Text(next) = &model.columns[0].values else { panic!() };
        for (p, basket) in baskets.iter().enumerate().take(500) {
            let conf = |a: u32, b: u32| {
                let n_a = baskets.iter().filter(|x| x.contains(&a)).count() as f64;
                baskets.iter().filter(|x| x.contains(&a) && x.contains(&b)).count() as f64 / n_a
            };
            let best = (0..6u32)
                .filter(|c| !basket.contains(c))
                .map(|c| (basket.iter().map(|&a| conf(a, c)).fold(0.0, f64::max), c))
                .fold((0.0, None), |acc, (v, c)| if v > acc.0 { (v, Some(c)) } else { acc });
            let got = next.get(p);
            match (basket.is_empty(), best.1) {
                (true, _) => assert_eq!(got, "美妆", "a member without purchases gets the most popular category"),
                (false, Some(c)) => assert_eq!(got, names[c as usize], "member {p} {basket:?}"),
                (false, None) => assert_eq!(got, ""),
            }
        }
    }
}
