"""Reference figures for huaxiang's models, from the libraries analysts trust.

Runs lifetimes 0.11.3 (BG/NBD, Gamma-Gamma, CLV) and scikit-learn (KMeans) on the CDNOW transaction log that ships
inside the lifetimes wheel, and writes into OUT_DIR:

- cdnow_orders.csv: the log as an orders file huaxiang loads (member_id, order_time, amount; every row, the
  zero-amount ones included, so the test exercises huaxiang's own definition of a purchase);
- reference.json: the fitted parameters, every customer's summary and predictions, and k-means inertias.

Definitions follow docs/models.md, implemented here independently of the Rust code:
- a purchase is a row with a positive amount (CDNOW has 80 zero-amount rows; lifetimes is given only purchases);
- BG/NBD and Gamma-Gamma: lifetimes' summary_data_from_transaction_data with freq="D", its default observation end
  (the last purchase day, which is the day before huaxiang's default analysis date) and the spend of each day
  summed, then BetaGeoFitter and GammaGammaFitter (on repeat buyers) with lifetimes' own optimiser;
- k-means: per buyer R = days from the last purchase day to the analysis date (the last purchase day + 1),
  F = number of purchases, M = sum of amounts; each log1p-transformed, standardised with StandardScaler
  (population standard deviation), then KMeans(n_clusters=k, n_init=10, random_state=0) for k = 3..8.

Usage: python tests/models/reference.py OUT_DIR
"""

import json
import os
import sys
from importlib import resources

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

HORIZON_DAYS = 360  # lifetimes' CLV counts months of 30 days: 12 months
EXPECTED_DAYS = [360, 365]
DISCOUNT_MONTHLY = 0.01
PENALIZER = 0.001


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    path = resources.files("lifetimes") / "datasets" / "CDNOW_master.txt"
    raw = pd.read_csv(path, sep=r"\s+", dtype={"customer_id": str, "date": str, "dollar_value": str})
    raw["order_time"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    with open(os.path.join(out_dir, "cdnow_orders.csv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("member_id,order_time,amount\n")
        for cid, day, amount in zip(raw["customer_id"], raw["order_time"], raw["dollar_value"]):
            f.write(f"C{cid},{day:%Y-%m-%d},{amount}\n")

    tx = raw.assign(customer_id="C" + raw["customer_id"], amount=raw["dollar_value"].astype(float))
    tx = tx[tx["amount"] > 0][["customer_id", "order_time", "amount"]]

    summary = summary_data_from_transaction_data(tx, "customer_id", "order_time", monetary_value_col="amount", freq="D")
    bg = BetaGeoFitter(penalizer_coef=0.0).fit(summary["frequency"], summary["recency"], summary["T"])
    repeat = summary[summary["frequency"] > 0]
    gg = GammaGammaFitter(penalizer_coef=0.0).fit(repeat["frequency"], repeat["monetary_value"])
    bg_pen = BetaGeoFitter(penalizer_coef=PENALIZER).fit(summary["frequency"], summary["recency"], summary["T"])
    gg_pen = GammaGammaFitter(penalizer_coef=PENALIZER).fit(repeat["frequency"], repeat["monetary_value"])

    x, tx_, T, m = summary["frequency"], summary["recency"], summary["T"], summary["monetary_value"]
    p_alive = bg.conditional_probability_alive(x, tx_, T)
    expected = {d: bg.conditional_expected_number_of_purchases_up_to_time(d, x, tx_, T) for d in EXPECTED_DAYS}
    clv = gg.customer_lifetime_value(bg, x, tx_, T, m, time=HORIZON_DAYS // 30, discount_rate=DISCOUNT_MONTHLY, freq="D")
    customers = {}
    for i, cid in enumerate(summary.index):
        customers[cid] = {
            "frequency": float(x.iloc[i]),
            "recency": float(tx_.iloc[i]),
            "T": float(T.iloc[i]),
            "monetary_value": float(m.iloc[i]),
            "p_alive": float(np.asarray(p_alive)[i]),
            **{f"expected_{d}": float(np.asarray(expected[d])[i]) for d in EXPECTED_DAYS},
            "clv": float(np.asarray(clv)[i]),
        }

    # k-means on standardised log1p R/F/M of the same buyers.
    last_day = tx["order_time"].max()
    as_of = last_day + pd.Timedelta(days=1)
    per = tx.groupby("customer_id").agg(last=("order_time", "max"), frequency=("amount", "size"))
    per["monetary"] = raw.assign(customer_id="C" + raw["customer_id"], amount=raw["dollar_value"].astype(float)).groupby(
        "customer_id")["amount"].sum()
    per["recency"] = (as_of - per["last"]).dt.days.astype(float)
    rfm = np.log1p(per[["recency", "frequency", "monetary"]].to_numpy(dtype=float))
    z = StandardScaler().fit_transform(rfm)
    kmeans = {}
    for k in range(3, 9):
        km = KMeans(n_clusters=k, n_init=10, random_state=0).fit(z)
        kmeans[str(k)] = {"inertia": float(km.inertia_), "sizes": sorted(np.bincount(km.labels_).tolist(), reverse=True)}

    params = lambda f, names: {n: float(f.params_[n]) for n in names}
    out = {
        "source": "lifetimes 0.11.3 and scikit-learn on CDNOW_master.txt",
        "as_of": f"{as_of:%Y-%m-%d}",
        "horizon_days": HORIZON_DAYS,
        "discount_monthly": DISCOUNT_MONTHLY,
        "penalizer": PENALIZER,
        "bgnbd": params(bg, ["r", "alpha", "a", "b"]),
        "gamma_gamma": params(gg, ["p", "q", "v"]),
        "bgnbd_penalized": params(bg_pen, ["r", "alpha", "a", "b"]),
        "gamma_gamma_penalized": params(gg_pen, ["p", "q", "v"]),
        "bgnbd_mean_log_likelihood": -float(bg._negative_log_likelihood_),
        "buyers": int(len(summary)),
        "repeat_buyers": int(len(repeat)),
        "kmeans_buyers": int(len(per)),
        "customers": customers,
        "kmeans": kmeans,
    }
    with open(os.path.join(out_dir, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, sort_keys=True)
    print(f"wrote {out_dir}/reference.json: BG/NBD {out['bgnbd']}, Gamma-Gamma {out['gamma_gamma']}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/models/reference.py OUT_DIR")
    main(sys.argv[1])
