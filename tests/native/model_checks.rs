//! The models' checks and follow-ups: the elbow/silhouette scan of k, the CLV calibration/holdout check against a
//! count of the holdout's purchase days made here from the orders file, and a lookalike expansion saved as an
//! audience.

use huaxiang::base::roles::FileKind;
use huaxiang::engine::{LookalikeAudience, Workspace};
use huaxiang::models::calibration::CalibrationRequest;
use huaxiang::models::elbow::ElbowRequest;
use std::collections::{BTreeSet, HashMap};

fn sample(members: u64) -> (Workspace, Vec<u8>) {
    let bytes = huaxiang::sample::orders_csv(21, members);
    let mut ws = Workspace::new();
    ws.load_bytes("orders.csv", Some(FileKind::Orders), &bytes, 1 << 16).unwrap();
    ws.compute(None).unwrap();
    (ws, bytes)
}

#[test]
fn the_elbow_scan_reports_each_k_and_suggests_one_near_the_bend() {
    let (mut ws, _) = sample(3000);
    let report = ws.scan_clusters(&ElbowRequest { k_min: 2, k_max: 8, ..ElbowRequest::default() }).unwrap();
    assert_eq!(report.points.iter().map(|p| p.k).collect::<Vec<_>>(), (2..=8).collect::<Vec<_>>());
    assert!(report.points.windows(2).all(|w| w[1].inertia < w[0].inertia * 1.02), "inertia falls with k: {:?}", report.points);
    assert!(report.points.iter().all(|p| (-1.0..=1.0).contains(&p.silhouette)));
    assert!((2..=8).contains(&report.elbow) && report.suggested.abs_diff(report.elbow) <= 1, "{report:?}");
    let best_near = report.points.iter().filter(|p| p.k.abs_diff(report.elbow) <= 1).map(|p| p.silhouette).fold(f64::MIN, f64::max);
    assert_eq!(report.points.iter().find(|p| p.k == report.suggested).unwrap().silhouette, best_near);
    // The scan's inertia is on the scale of a fit's: a fit of the suggested k on every row is close to it.
    let fit = ws.fit_clusters(&huaxiang::models::kmeans::ClusterRequest { k: report.suggested, seed: 1, ..Default::default() }).unwrap();
    let scanned = report.points.iter().find(|p| p.k == report.suggested).unwrap().inertia;
    assert!((fit.inertia - scanned).abs() / fit.inertia < 0.05, "fit {} vs scan {scanned}", fit.inertia);
    assert_eq!(ws.scan_clusters(&ElbowRequest { k_min: 2, k_max: 3, ..ElbowRequest::default() }).unwrap_err().code, "bad_model_option");
}

#[test]
fn calibration_counts_the_holdout_purchase_days_and_predicts_them_by_bucket() {
    let (mut ws, bytes) = sample(2000);
    let report = ws.calibrate_clv(&CalibrationRequest { holdout_days: 60, ..CalibrationRequest::default() }).unwrap();
    // Purchase days per member from the file itself: before the cut-off, and in the holdout up to the analysis date.
    let text = String::from_utf8(bytes).unwrap();
    let (cutoff, as_of) = (report.cutoff.as_str(), report.as_of.as_str());
    let mut before: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut after: HashMap<String, BTreeSet<String>> = HashMap::new();
    for line in text.lines().skip(1) {
        // The sample writes some amounts quoted with ¥ and a thousands comma, and some dates as 2024/2/3 7:03.
        let mut cells: Vec<String> = Vec::new();
        let (mut cell, mut quoted) = (String::new(), false);
        for ch in line.chars() {
            match ch {
                '"' => quoted = !quoted,
                ',' if !quoted => cells.push(std::mem::take(&mut cell)),
                _ => cell.push(ch),
            }
        }
        cells.push(cell);
        let Ok(amount) = cells[3].replace(['¥', ','], "").parse::<f64>() else { continue };
        let date: Vec<u32> = cells[2].split(' ').next().unwrap().split(['-', '/']).map(|x| x.parse().unwrap()).collect();
        let day = format!("{:04}-{:02}-{:02}", date[0], date[1], date[2]);
        if amount <= 0.0 || day.as_str() >= as_of {
            continue;
        }
        let side = if day.as_str() < cutoff { &mut before } else { &mut after };
        side.entry(cells[1].clone()).or_default().insert(day);
    }
    assert_eq!(report.buyers, before.len());
    let actual: usize = before.keys().map(|m| after.get(m).map_or(0, BTreeSet::len)).sum();
    assert!((report.total_actual - actual as f64).abs() < 1e-9, "{} vs {actual}", report.total_actual);
    let mut by_bucket: HashMap<usize, (usize, usize)> = HashMap::new();
    for (m, days) in &before {
        let b = by_bucket.entry((days.len() - 1).min(7)).or_default();
        b.0 += 1;
        b.1 += after.get(m).map_or(0, BTreeSet::len);
    }
    for bucket in &report.buckets {
        let (n, a) = by_bucket[&(bucket.frequency as usize)];
        assert_eq!(bucket.buyers, n);
        assert!((bucket.actual - a as f64 / n as f64).abs() < 1e-9);
        assert!(bucket.predicted >= 0.0 && bucket.predicted.is_finite());
    }
    assert_eq!(report.buckets.last().unwrap().label, "7+");
    // A calibrated BG/NBD predicts the holdout's total within a third on this data.
    let ratio = report.total_predicted / report.total_actual;
    assert!((0.67..1.5).contains(&ratio), "predicted {} vs actual {}", report.total_predicted, report.total_actual);
}

#[test]
fn a_lookalike_expansion_is_saved_as_an_audience() {
    let (mut ws, _) = sample(2000);
    let missing = ws.save_lookalike_audience(&LookalikeAudience { name: "扩展".into(), top_n: Some(10), ..Default::default() }, "", "t");
    assert_eq!(missing.unwrap_err().code, "model_missing");
    let request = huaxiang::models::lookalike::LookalikeRequest { seed_audience: "frequency >= 4".into(), ..Default::default() };
    ws.fit_lookalike(&request).unwrap();
    let saved = ws
        .save_lookalike_audience(&LookalikeAudience { name: "扩展前50".into(), top_n: Some(50), ..Default::default() }, "2026-01-01", "t")
        .unwrap();
    assert_eq!(saved.members, 50);
    let members = ws.audience_members("扩展前50").unwrap();
    assert_eq!(members.len(), 50);
    let seed = ws.audience_members("frequency >= 4").unwrap();
    assert!(members.is_disjoint(&seed), "the expansion leaves the seed out");
    // They are the 50 best scores outside the seed: nobody outside the seed and the list scores above the lowest.
    let columns = ws.model_columns();
    let huaxiang::models::ModelValues::Num(score) = &columns.iter().find(|c| c.key == "lookalike_score").unwrap().values else { panic!() };
    let lowest = members.iter().map(|p| score[p as usize]).fold(f64::INFINITY, f64::min);
    let above = (0..score.len() as u32).filter(|&p| !seed.contains(p) && !members.contains(p) && score[p as usize] > lowest).count();
    assert_eq!(above, 0);
    let by_threshold = ws
        .save_lookalike_audience(&LookalikeAudience { name: "高相似".into(), threshold: Some(lowest), ..Default::default() }, "", "t")
        .unwrap();
    let count = ws.audience_count(&format!("lookalike_score >= {lowest} and not (frequency >= 4)")).unwrap().count.unwrap();
    assert!(by_threshold.members >= 50 && by_threshold.members == count, "{} vs {count}", by_threshold.members);
    let none = LookalikeAudience { name: "空".into(), threshold: Some(2.0), ..Default::default() };
    assert_eq!(ws.save_lookalike_audience(&none, "", "t").unwrap_err().code, "model_empty_expansion");
}
