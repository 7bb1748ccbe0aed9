//! The common table expressions every export starts with: the analysis date, the member universe, the rows on
//! or before the analysis date, purchase statistics, RFM scores and segments (as `crate::rfm`), lifecycle
//! thresholds (as `crate::metrics::Thresholds`), member attributes with the parses rules need, and `hx_l0`: one
//! row per member with every metric, attribute and aggregate a rule reads.

use super::expr::metric_column;
use super::parse::{self, Stages};
use super::Gen;
use crate::base::date::Day;
use crate::metrics::names::Metric;
use crate::metrics::Stage;
use crate::rfm::{MonetaryBasis, Segment, Segment11};

impl Gen<'_> {
    /// The members column of the age column (a column headed 年龄 or age without a role), if the data has one.
    fn age_column(&self) -> Option<String> {
        let i = self.schema.headers.iter().position(|h| matches!(h.trim().to_lowercase().as_str(), "年龄" | "age"))?;
        self.header_columns.get(i).cloned()
    }

    fn needs(&self, ms: &[Metric]) -> bool {
        self.metrics.iter().any(|m| ms.contains(m))
    }

    /// The SQL of a metric over the base joins (`p` params, `st` purchase statistics, `rf` RFM, `ev` events,
    /// `th` thresholds, `m` members).
    fn metric_sql(&mut self, metric: Metric) -> String {
        let d = self.d;
        let days_to = |ts: &str| d.days_between(&d.day_of(ts), "p.as_of");
        match metric {
            Metric::Recency => d.double("rf.recency"),
            Metric::Frequency => d.double("coalesce(rf.freq, 0)"),
            Metric::Monetary => format!("{} / 100", d.double("coalesce(st.spend, 0)")),
            Metric::AvgSpend => format!("({} / 100) / {}", d.double("rf.spend"), d.double("rf.freq")),
            Metric::FirstPurchase => "st.first_ts".into(),
            Metric::LastPurchase => "st.last_ts".into(),
            Metric::PurchaseInterval => format!(
                "CASE WHEN coalesce(rf.freq, 0) >= 2 THEN {} / {} END",
                d.double(&d.days_between(&d.day_of("st.first_ts"), &d.day_of("st.last_ts"))),
                d.double("rf.freq - 1")
            ),
            Metric::DiscountShare => format!("CASE WHEN st.prows > 0 THEN {} / {} END", d.double("st.drows"), d.double("st.prows")),
            Metric::Refunds => d.double("coalesce(st.refunds, 0)"),
            Metric::Tenure => {
                let i = self.use_attr("register_date", false, true);
                d.double(&days_to(&format!("m.at{i}_ts")))
            }
            Metric::Age => {
                let i = self.use_attr("birthday", false, true);
                let b = d.day_of(&format!("m.at{i}_ts"));
                let [by, bm, bd] = d.ymd(&b);
                let [ay, am, ad] = d.ymd("p.as_of");
                let years = format!("({ay} - {by} - CASE WHEN {am} < {bm} OR ({am} = {bm} AND {ad} < {bd}) THEN 1 ELSE 0 END)");
                let fallback = if self.age_column().is_some() { "m.age_fb".to_string() } else { d.null_double() };
                format!("CASE WHEN m.at{i}_ts IS NOT NULL AND {years} BETWEEN 0 AND 150 THEN {} ELSE {fallback} END", d.double(&years))
            }
            Metric::LastSeen => "CASE WHEN ev.last_ts IS NULL THEN st.last_ts WHEN st.last_ts IS NULL OR ev.last_ts > st.last_ts THEN ev.last_ts ELSE st.last_ts END".into(),
            Metric::EventCount => d.double("coalesce(ev.n, 0)"),
            Metric::RfmR => d.double("rf.r"),
            Metric::RfmF => d.double("rf.f"),
            Metric::RfmM => d.double("rf.m"),
            Metric::RfmScore => format!(
                "CASE WHEN rf.member_id IS NOT NULL THEN concat({}, {}, {}) END",
                d.to_text("rf.r"),
                d.to_text("rf.f"),
                d.to_text("rf.m")
            ),
            Metric::RfmSegment => {
                let mut sql = String::from("CASE WHEN rf.member_id IS NULL THEN NULL");
                for s in Segment::ALL {
                    let (r, f, m) = s.levels();
                    let flag = |on: bool, c: &str| if on { format!("rf.{c}") } else { format!("NOT rf.{c}") };
                    sql.push_str(&format!(" WHEN {} AND {} AND {} THEN {}", flag(r, "rh"), flag(f, "fh"), flag(m, "mh"), d.string(s.zh())));
                }
                sql + " END"
            }
            Metric::RfmSegment11 => {
                let mut sql = String::from("CASE WHEN rf.member_id IS NULL THEN NULL");
                for r in 1..=5u8 {
                    for fm in 1..=5u8 {
                        // Segment11 reads the rounded-up mean of F and M; F = M = fm gives that mean.
                        let s = Segment11::of(r, fm, fm);
                        sql.push_str(&format!(" WHEN rf.r = {r} AND rf.fm = {fm} THEN {}", d.string(s.en())));
                    }
                }
                sql + " END"
            }
            Metric::Lifecycle => {
                let name = |s: Stage| d.string(s.zh());
                format!(
                    "CASE WHEN rf.member_id IS NULL THEN {} WHEN {} <= th.new_days THEN {} WHEN rf.recency <= th.active_days THEN {} \
                     WHEN rf.recency <= th.dormant_days THEN {} WHEN rf.recency <= th.at_risk_days THEN {} ELSE {} END",
                    name(Stage::Prospect),
                    days_to("st.first_ts"),
                    name(Stage::New),
                    name(Stage::Active),
                    name(Stage::Dormant),
                    name(Stage::AtRisk),
                    name(Stage::Lost)
                )
            }
        }
    }

    /// The lifecycle thresholds: settings, else from the median purchase interval of repeat buyers.
    fn thresholds_ctes(&self) -> Vec<String> {
        let d = self.d;
        let half = d.int_div("n", "2");
        let pi = format!("{} / {}", d.double(&d.days_between(&d.day_of("st.first_ts"), &d.day_of("st.last_ts"))), d.double("rf.freq - 1"));
        let c = &self.settings.lifecycle;
        let or_base = |v: Option<u32>, times: u32| {
            v.map_or_else(|| if times == 1 { "base".to_string() } else { format!("{times} * base") }, |v| v.to_string())
        };
        vec![
            format!(
                "hx_iv AS (\n  SELECT pi, row_number() OVER (ORDER BY pi) AS k, count(*) OVER () AS n\n  FROM (SELECT {pi} AS pi FROM hx_rfm rf JOIN hx_st st ON st.member_id = rf.member_id WHERE rf.freq >= 2) x\n)"
            ),
            format!(
                "hx_med AS (\n  SELECT CASE WHEN max(n) % 2 = 1 THEN max(CASE WHEN k = {half} + 1 THEN pi END)\n    ELSE (max(CASE WHEN k = {half} THEN pi END) + max(CASE WHEN k = {half} + 1 THEN pi END)) / 2 END AS med\n  FROM hx_iv\n)"
            ),
            format!(
                "hx_thr AS (\n  SELECT new_days, active_days, dormant_days, greatest({}, dormant_days) AS at_risk_days FROM (\n    SELECT new_days, active_days, greatest({}, active_days) AS dormant_days, base FROM (\n      SELECT {} AS new_days, {} AS active_days, base FROM (\n        SELECT CASE WHEN med IS NULL THEN 90 ELSE {} END AS base FROM hx_med\n      ) b\n    ) a\n  ) t\n)",
                or_base(c.at_risk_days, 3),
                or_base(c.dormant_days, 2),
                or_base(c.new_days, 1),
                or_base(c.active_days, 1),
                d.bigint(&format!("least(greatest({}, 7), 365)", d.round("med")))
            ),
        ]
    }

    /// Every common table expression up to `hx_l0`.
    pub(super) fn base_ctes(&mut self, as_of: Option<Day>) -> Vec<String> {
        let d = self.d;
        let q = |c: &str| d.ident(c);
        let metrics = self.metrics.clone();
        let metric_cols: Vec<(String, String)> = metrics.iter().map(|&m| (metric_column(m), self.metric_sql(m))).collect();
        let mut out = Vec::new();
        let as_of_sql = match as_of {
            Some(day) => d.date(day),
            None => format!("(SELECT {} FROM orders)", d.add_days(&d.day_of(&format!("max({})", q("time"))), "1")),
        };
        out.push(format!(
            "hx_p AS (\n  SELECT as_of, {} AS lim FROM (SELECT {as_of_sql} AS as_of) x\n)",
            d.start_of(&d.add_days("as_of", "1"))
        ));
        let u = d.union_distinct();
        out.push(format!(
            "hx_people AS (\n  SELECT member_id FROM members WHERE member_id IS NOT NULL\n  {u} SELECT member_id FROM orders WHERE member_id IS NOT NULL\n  {u} SELECT member_id FROM events WHERE member_id IS NOT NULL\n)"
        ));
        let (time, amount) = (q("time"), q("amount"));
        out.push(format!(
            "hx_o AS (\n  SELECT *, {} / 100 AS amt, {} / 100 AS disc FROM (\n    SELECT o.member_id AS member_id, o.{time} AS ts, {} AS day,\n      {} AS cents,\n      {} AS dcents,\n      NULLIF(o.{}, '') AS cat, NULLIF(o.{}, '') AS chan, NULLIF(o.{}, '') AS oid, o.{} AS row_no\n    FROM orders o CROSS JOIN hx_p p\n    WHERE o.member_id IS NOT NULL AND o.{time} IS NOT NULL AND o.{amount} IS NOT NULL AND o.{time} < p.lim\n  ) x\n)",
            d.double("cents"),
            d.double("dcents"),
            d.day_of(&format!("o.{time}")),
            d.bigint(&d.round(&format!("o.{amount} * 100"))),
            d.bigint(&d.round(&format!("coalesce(o.{}, 0) * 100", q("discount")))),
            q("category"),
            q("channel"),
            q("order_id"),
            q("row_no"),
        ));
        out.push(format!(
            "hx_e AS (\n  SELECT e.member_id AS member_id, e.{time} AS ts, {} AS day, NULLIF(e.{}, '') AS etype, NULLIF(e.{}, '') AS target, e.{} AS row_no\n  FROM events e CROSS JOIN hx_p p\n  WHERE e.member_id IS NOT NULL AND e.{time} IS NOT NULL AND e.{time} < p.lim\n)",
            d.day_of(&format!("e.{time}")),
            q("type"),
            q("target"),
            q("row_no"),
        ));
        // Purchase statistics: a purchase is a row with a positive amount; rows sharing an order number count once.
        out.push(
            "hx_st AS (\n  SELECT member_id, sum(cents) AS spend,\n    min(CASE WHEN cents > 0 THEN ts END) AS first_ts, max(CASE WHEN cents > 0 THEN ts END) AS last_ts,\n    sum(CASE WHEN cents > 0 THEN 1 ELSE 0 END) AS prows, sum(CASE WHEN cents > 0 AND dcents > 0 THEN 1 ELSE 0 END) AS drows,\n    sum(CASE WHEN cents < 0 THEN 1 ELSE 0 END) AS refunds,\n    sum(CASE WHEN cents > 0 AND oid IS NULL THEN 1 ELSE 0 END) + count(DISTINCT CASE WHEN cents > 0 THEN oid END) AS freq\n  FROM hx_o GROUP BY member_id\n)"
                .to_string(),
        );
        // RFM over buyers: score = 1 + floor(5 × strictly worse / buyers); high = above the mean score.
        let m_value = match self.settings.rfm_monetary {
            MonetaryBasis::Total => "st.spend".to_string(),
            MonetaryBasis::Average => format!("floor({} / {})", d.double("st.spend"), d.double("st.freq")),
        };
        let score = |order: &str| format!("1 + {}", d.int_div(&format!("5 * (rank() OVER (ORDER BY {order}) - 1)"), "count(*) OVER ()"));
        let high = |c: &str| format!("{} > {} / {}", d.double(c), d.double(&format!("sum({c}) OVER ()")), d.double("count(*) OVER ()"));
        out.push(format!(
            "hx_rfm AS (\n  SELECT *, {} AS rh, {} AS fh, {} AS mh, {} AS fm FROM (\n    SELECT member_id, recency, freq, spend, {} AS r, {} AS f, {} AS m FROM (\n      SELECT st.member_id AS member_id, {} AS recency, st.freq, st.spend, {m_value} AS mval\n      FROM hx_st st CROSS JOIN hx_p p WHERE st.freq > 0\n    ) b\n  ) s\n)",
            high("r"),
            high("f"),
            high("m"),
            d.int_div("f + m + 1", "2"),
            score("recency DESC"),
            score("freq"),
            score("mval"),
            d.days_between(&d.day_of("st.last_ts"), "p.as_of"),
        ));
        let events = self.needs(&[Metric::LastSeen, Metric::EventCount]);
        if events {
            out.push("hx_ev AS (\n  SELECT member_id, count(*) AS n, max(ts) AS last_ts FROM hx_e GROUP BY member_id\n)".to_string());
        }
        let lifecycle = self.needs(&[Metric::Lifecycle]);
        if lifecycle {
            out.extend(self.thresholds_ctes());
        }
        let members = self.member_ctes(&mut out);
        // The base row of each member.
        let mut cols = vec!["u.member_id AS member_id".to_string(), "p.as_of AS hx_as_of".to_string()];
        for (i, a) in self.attrs.iter().enumerate() {
            cols.push(format!("m.at{i}"));
            if a.num {
                cols.push(format!("m.at{i}_n"));
            }
            if a.time {
                cols.push(format!("m.at{i}_ts"));
            }
        }
        cols.extend(metric_cols.iter().map(|(name, sql)| format!("{sql} AS {name}")));
        cols.extend(self.joined.iter().map(|j| format!("{} AS {}", j.value, j.column)));
        let mut from = String::from("hx_people u CROSS JOIN hx_p p");
        if members {
            from.push_str("\n  LEFT JOIN hx_mem m ON m.member_id = u.member_id");
        }
        from.push_str("\n  LEFT JOIN hx_st st ON st.member_id = u.member_id\n  LEFT JOIN hx_rfm rf ON rf.member_id = u.member_id");
        if events {
            from.push_str("\n  LEFT JOIN hx_ev ev ON ev.member_id = u.member_id");
        }
        if lifecycle {
            from.push_str("\n  CROSS JOIN hx_thr th");
        }
        for j in &self.joined {
            from.push_str(&format!("\n  LEFT JOIN hx_{0} {0} ON {0}.member_id = u.member_id", j.column));
        }
        out.extend(self.joined.iter().map(|j| j.cte.clone()));
        out.push(format!("hx_l0 AS (\n  SELECT\n    {}\n  FROM {from}\n)", cols.join(",\n    ")));
        out
    }

    /// The member attributes rules read, with their parses; returns whether `hx_mem` was written.
    fn member_ctes(&mut self, out: &mut Vec<String>) -> bool {
        let d = self.d;
        let age = if self.needs(&[Metric::Age]) { self.age_column() } else { None };
        if self.attrs.is_empty() && age.is_none() {
            return false;
        }
        let mut first = vec!["member_id".to_string()];
        let mut stages = Stages::default();
        for (i, a) in self.attrs.iter().enumerate() {
            first.push(format!("NULLIF({}, '') AS at{i}", d.ident(&a.source)));
            if a.num {
                stages.merge(parse::number(d, &format!("at{i}"), &format!("at{i}")).0);
            }
            if a.time {
                stages.merge(parse::timestamp(d, &format!("at{i}"), &format!("at{i}")).0);
            }
        }
        if let Some(col) = &age {
            first.push(format!("NULLIF({}, '') AS age_raw", d.ident(col)));
            stages.merge(Stages { stages: vec![vec![("age_fb".to_string(), parse::age_number(d, "age_raw"))]] });
        }
        out.push(format!("hx_m0 AS (\n  SELECT {} FROM members WHERE member_id IS NOT NULL\n)", first.join(", ")));
        let n = stages.stages.len();
        for (k, stage) in stages.stages.iter().enumerate() {
            let name = if k + 1 == n { "hx_mem".to_string() } else { format!("hx_m{}", k + 1) };
            let cols: Vec<String> = stage.iter().map(|(c, e)| format!("    {e} AS {c}")).collect();
            out.push(format!("{name} AS (\n  SELECT *,\n{}\n  FROM hx_m{k}\n)", cols.join(",\n")));
        }
        if n == 0 {
            out.push("hx_mem AS (SELECT * FROM hx_m0)".to_string());
        }
        true
    }
}
