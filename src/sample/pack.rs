//! A generated rule pack for benchmarks: `n` tags that cycle through every kind of rule an operator writes
//! (aggregates with filters and windows, metrics, RFM, lifecycle, attributes, enumerated cases, quantiles,
//! sequences, and tags built on other tags), with thresholds varied by a seed.

use super::{SplitMix64, CATEGORIES, CHANNELS};

/// `n` tag definitions as rule text (`tag b001 in 基准 = …`).
pub fn rules(seed: u64, n: usize) -> String {
    let mut rng = SplitMix64::new(seed ^ 0x7061_636b);
    let mut out = String::new();
    for i in 0..n {
        let cat = CATEGORIES[rng.below(CATEGORIES.len() as u64) as usize].0;
        let cat2 = CATEGORIES[rng.below(CATEGORIES.len() as u64) as usize].0;
        let ch = CHANNELS[rng.below(CHANNELS.len() as u64) as usize].0;
        let ch2 = CHANNELS[rng.below(CHANNELS.len() as u64) as usize].0;
        let days = [7, 30, 90, 180, 365][rng.below(5) as usize];
        let k = 1 + rng.below(4);
        let x = 50 * (1 + rng.below(40));
        let prev = |back: usize| format!("b{:03}", i.saturating_sub(back));
        let rule = match i % 20 {
            0 => format!("count(orders where category == \"{cat}\", last {days}d) >= {k}"),
            1 => format!("sum(orders.amount where channel in [\"{ch}\", \"{ch2}\"], last {days}d) > {x}"),
            2 => format!("monetary > {x} and frequency >= {k}"),
            3 => format!("recency <= {days}"),
            4 => format!("share(orders, discount > 0) >= 0.{}", 3 + rng.below(6)),
            5 => format!("avg(orders.amount, last {days}d) > {}", x / 4),
            6 => format!("top(orders.category) == \"{cat}\""),
            7 => format!("case when monetary >= {} then \"高\" when monetary >= {} then \"中\" else \"低\" end", x * 4, x),
            8 if i >= 3 => format!("{} or not {}", prev(2), prev(3)),
            9 => format!("days_since(last(orders.time)) between {} and {}", days, days * 2),
            10 => format!("distinct(orders.category, last {days}d) >= {}", 1 + rng.below(3)),
            11 => format!("city in [\"上海\", \"北京\"] and gender == \"女\" and count(orders where category == \"{cat2}\") > 0"),
            12 => format!("count(events where type == \"view\", last {days}d) > {k}"),
            13 => format!("did(events where type == \"add_cart\", last {days}d) then not did(orders) within {}d", 1 + rng.below(7)),
            14 => format!("quantiles(monetary, {})", 3 + rng.below(5)),
            15 => format!("age between {} and {} and rfm.segment == \"重要价值客户\"", 20 + rng.below(10), 35 + rng.below(10)),
            16 => format!("max(orders.amount where category == \"{cat}\") > {x}"),
            17 => format!("first(orders.channel) == \"{ch}\""),
            18 => format!("lifecycle in [\"沉默\", \"流失预警\"] and rfm.m >= {}", 1 + rng.below(5)),
            _ => format!("rfm.r >= {} and sum(orders.discount, last {days}d) > {}", 1 + rng.below(5), x / 10),
        };
        out.push_str(&format!("tag b{i:03} in 基准 = {rule}\n"));
    }
    out
}

/// `n` random audience expressions over the yes/no tags of [`rules`]`(seed, tags)`: two to five conditions
/// joined by `and`/`or`, some negated, some grouped, about one in five also reading a metric or an enumerated
/// tag's values (the benchmark's audience workload).
pub fn audiences(seed: u64, tags: usize, n: usize) -> Vec<String> {
    let mut rng = SplitMix64::new(seed ^ 0x6175_6469);
    // Templates 7 (case) and 14 (quantiles) are enumerated; every other template is a yes/no tag.
    let yes_no: Vec<usize> = (0..tags).filter(|i| !matches!(i % 20, 7 | 14)).collect();
    let enums: Vec<usize> = (0..tags).filter(|i| i % 20 == 7).collect();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let terms = 2 + rng.below(4) as usize;
        let mut expr = String::new();
        for t in 0..terms {
            if t > 0 {
                expr.push_str(if rng.unit() < 0.7 { " and " } else { " or " });
            }
            let roll = rng.unit();
            let term = if roll < 0.1 && !enums.is_empty() {
                let e = enums[rng.below(enums.len() as u64) as usize];
                format!("b{e:03} in [\"高\", \"中\"]")
            } else if roll < 0.2 {
                format!("monetary > {}", 100 * (1 + rng.below(20)))
            } else {
                let y = yes_no[rng.below(yes_no.len() as u64) as usize];
                if rng.unit() < 0.25 {
                    format!("not b{y:03}")
                } else {
                    format!("b{y:03}")
                }
            };
            if rng.unit() < 0.15 && t + 1 < terms {
                let y = yes_no[rng.below(yes_no.len() as u64) as usize];
                expr.push_str(&format!("({term} or b{y:03})"));
            } else {
                expr.push_str(&term);
            }
        }
        out.push(expr);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn deterministic_and_distinct() {
        let a = super::rules(1, 300);
        assert_eq!(a, super::rules(1, 300));
        assert_eq!(a.lines().count(), 300);
        let x = super::audiences(1, 300, 50);
        assert_eq!(x, super::audiences(1, 300, 50));
        assert_eq!(x.len(), 50);
    }
}
