//! Each buyer's purchase history in days, as BG/NBD and Gamma-Gamma read it — lifetimes'
//! `summary_data_from_transaction_data(freq="D")` with the observation ending the day before the analysis date.
//!
//! - A *purchase* is an order row with a positive amount (as in RFM); a *purchase day* is a calendar day with at
//!   least one; its spend is the sum of that day's purchases (refunds are not purchases and do not lower it).
//! - Only days before the analysis date are observed: the analysis date is the first day *not* observed, so with the
//!   default analysis date (the day after the last order) the observation ends on the last order day, as lifetimes'
//!   default does. (RFM counts an order on the analysis date itself; a model cannot, because that day is not over.)
//! - `frequency` = purchase days − 1 (repeat purchase days); `recency` = days from the first to the last purchase
//!   day (*model recency*, not RFM's days since the last purchase); `age` (lifetimes' `T`) = days from the first
//!   purchase day to the last observed day; `monetary` = the mean spend of the repeat purchase days in yuan
//!   (0 without repeats).

use crate::base::date::Day;
use crate::metrics::Frame;
use crate::model::CHUNK;

/// The buyers of a frame with their purchase histories, in member order.
#[derive(Clone, Debug, PartialEq)]
pub struct Buyers {
    /// Each buyer's member index.
    pub member: Vec<u32>,
    /// Repeat purchase days.
    pub frequency: Vec<u32>,
    /// Days from the first to the last purchase day.
    pub recency: Vec<u32>,
    /// Days from the first purchase day to the last observed day.
    pub age: Vec<u32>,
    /// Mean spend of the repeat purchase days, in yuan (0 without repeats).
    pub monetary: Vec<f64>,
    /// The last observed day (the day before the analysis date).
    pub last_day: Day,
}

impl Buyers {
    /// No buyers, observed up to `last_day`.
    pub fn empty(last_day: Day) -> Buyers {
        Buyers { member: Vec::new(), frequency: Vec::new(), recency: Vec::new(), age: Vec::new(), monetary: Vec::new(), last_day }
    }

    /// The number of buyers.
    pub fn len(&self) -> usize {
        self.member.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.member.is_empty()
    }
}

/// Every purchase before the analysis date, grouped by member (a counting sort: two passes over the orders), each
/// member's purchases sorted by day: `(offsets, days, amounts)` where member `p`'s purchases are
/// `offsets[p]..offsets[p + 1]`.
pub fn purchases_by_member(frame: &Frame<'_>) -> (Vec<usize>, Vec<i32>, Vec<i64>) {
    let n = frame.len();
    let end = frame.as_of.start();
    let orders = &frame.data.orders;
    let (mut ts_buf, mut amount_buf, mut person_buf) = (Vec::new(), Vec::new(), Vec::new());
    let mut each = |f: &mut dyn FnMut(usize, i64, i64)| {
        for lo in (0..frame.order_person.len()).step_by(CHUNK) {
            let hi = (lo + CHUNK).min(frame.order_person.len());
            let ts = orders.ts.chunk(lo, hi, &mut ts_buf);
            let amount = orders.amount.chunk(lo, hi, &mut amount_buf);
            for (k, &p) in frame.order_person.chunk(lo, hi, &mut person_buf).iter().enumerate() {
                if amount[k] > 0 && ts[k] < end && (p as usize) < n {
                    f(p as usize, ts[k], amount[k]);
                }
            }
        }
    };
    let mut offsets = vec![0usize; n + 1];
    each(&mut |p, _, _| offsets[p + 1] += 1);
    for p in 0..n {
        offsets[p + 1] += offsets[p];
    }
    let total = offsets[n];
    let mut days = vec![0i32; total];
    let mut amounts = vec![0i64; total];
    let mut next = offsets.clone();
    each(&mut |p, ts, amount| {
        days[next[p]] = Day::of_timestamp(ts).0;
        amounts[next[p]] = amount;
        next[p] += 1;
    });
    for p in 0..n {
        let (lo, hi) = (offsets[p], offsets[p + 1]);
        if hi - lo > 1 && days[lo..hi].windows(2).any(|w| w[0] > w[1]) {
            let mut pairs: Vec<(i32, i64)> = days[lo..hi].iter().copied().zip(amounts[lo..hi].iter().copied()).collect();
            pairs.sort_unstable();
            for (i, (d, a)) in pairs.into_iter().enumerate() {
                days[lo + i] = d;
                amounts[lo + i] = a;
            }
        }
    }
    (offsets, days, amounts)
}

/// The buyers of a frame and their purchase-day summaries (see the module documentation).
pub fn buyers(frame: &Frame<'_>) -> Buyers {
    let (offsets, days, amounts) = purchases_by_member(frame);
    let last_day = Day(frame.as_of.0 - 1);
    let mut out = Buyers::empty(last_day);
    for p in 0..frame.len() {
        let (lo, hi) = (offsets[p], offsets[p + 1]);
        if lo == hi {
            continue;
        }
        let (first, last) = (days[lo], days[hi - 1]);
        let (mut repeat_days, mut repeat_spend, mut i) = (0u32, 0i64, lo);
        while i < hi {
            let day = days[i];
            let mut spend = 0i64;
            while i < hi && days[i] == day {
                spend += amounts[i];
                i += 1;
            }
            if day != first {
                repeat_days += 1;
                repeat_spend += spend;
            }
        }
        out.member.push(p as u32);
        out.frequency.push(repeat_days);
        out.recency.push((last - first) as u32);
        out.age.push((last_day.0 - first) as u32);
        out.monetary.push(if repeat_days == 0 { 0.0 } else { repeat_spend as f64 / 100.0 / f64::from(repeat_days) });
    }
    out
}
