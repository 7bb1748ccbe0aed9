//! The models against the libraries analysts trust: BG/NBD, Gamma-Gamma and CLV against lifetimes 0.11.3, and
//! k-means inertia against scikit-learn's `KMeans(n_init=10)`, all on the CDNOW transaction log. The reference
//! figures come from `tests/models/reference.py`, which `make models-reference` runs in a virtual environment
//! (under TOOLS_DIR, like DuckDB's); the tests find its output folder through `HUAXIANG_MODELS_REFERENCE`, which
//! `make native-test` sets. Run alone, `cargo test` looks in the default folder and says so when it skips.

use huaxiang::base::roles::FileKind;
use huaxiang::engine::Workspace;
use huaxiang::models::clv::ClvRequest;
use huaxiang::models::kmeans::ClusterRequest;
use huaxiang::models::ModelValues;
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;

/// The reference folder, or `None` (with a note) when it is not there and nobody asked for it.
pub(crate) fn reference_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("HUAXIANG_MODELS_REFERENCE") {
        let dir = PathBuf::from(dir);
        assert!(
            dir.join("reference.json").exists() && dir.join("cdnow_orders.csv").exists(),
            "HUAXIANG_MODELS_REFERENCE={} has no reference.json and cdnow_orders.csv: run `make models-reference`",
            dir.display()
        );
        return Some(dir);
    }
    let tools = std::env::var_os("TOOLS_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/huaxiang")))?;
    let dir = tools.join("models-reference");
    if dir.join("reference.json").exists() && dir.join("cdnow_orders.csv").exists() {
        Some(dir)
    } else {
        eprintln!("skipped: no model reference in {} (run `make models-reference`; `make test` requires it)", dir.display());
        None
    }
}

/// The CDNOW orders loaded and computed, the reference, and each customer's person.
fn cdnow(dir: &std::path::Path) -> (Workspace, Value, HashMap<String, usize>) {
    let reference: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("reference.json")).unwrap()).unwrap();
    let bytes = std::fs::read(dir.join("cdnow_orders.csv")).unwrap();
    let mut ws = Workspace::new();
    ws.load_bytes("cdnow_orders.csv", Some(FileKind::Orders), &bytes, 1 << 20).unwrap();
    let summary = ws.compute(None).unwrap();
    assert_eq!(summary.as_of, reference["as_of"].as_str().unwrap(), "the default analysis date is the day after the last order");
    let people = ws.people().unwrap().len();
    let person: HashMap<String, usize> = (0..people as u32).map(|p| (ws.person_key(p).to_string(), p as usize)).collect();
    (ws, reference, person)
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-12)
}

fn column(ws: &Workspace, key: &str) -> std::rc::Rc<Vec<f64>> {
    match &ws.model_columns().iter().find(|c| c.key == key).unwrap_or_else(|| panic!("no column {key}")).values {
        ModelValues::Num(v) => v.clone(),
        ModelValues::Text(_) => panic!("{key} is not numeric"),
    }
}

#[test]
fn bgnbd_gamma_gamma_and_clv_equal_lifetimes_on_cdnow() {
    let Some(dir) = reference_dir() else { return };
    let (mut ws, reference, person) = cdnow(&dir);
    let horizon = reference["horizon_days"].as_u64().unwrap() as u32;
    let request = ClvRequest { horizon_days: horizon, discount_monthly: reference["discount_monthly"].as_f64().unwrap(), penalizer: 0.0 };
    let report = ws.fit_clv(&request).unwrap();
    assert!(report.converged, "{report:?}");
    assert_eq!(report.buyers as u64, reference["buyers"].as_u64().unwrap());
    assert_eq!(report.repeat_buyers as u64, reference["repeat_buyers"].as_u64().unwrap());

    let mut worst_param = 0.0f64;
    let ours = [
        ("bgnbd", "r", report.bgnbd.r),
        ("bgnbd", "alpha", report.bgnbd.alpha),
        ("bgnbd", "a", report.bgnbd.a),
        ("bgnbd", "b", report.bgnbd.b),
        ("gamma_gamma", "p", report.gamma_gamma.p),
        ("gamma_gamma", "q", report.gamma_gamma.q),
        ("gamma_gamma", "v", report.gamma_gamma.v),
    ];
    for (model, name, value) in ours {
        let want = reference[model][name].as_f64().unwrap();
        let d = rel(value, want);
        assert!(d < 1e-3, "{model}.{name}: {value} vs lifetimes {want} (relative difference {d:.2e})");
        worst_param = worst_param.max(d);
    }

    // Every customer: the summary exactly, the predictions to 1e-3.
    let (freq, rec, age) = (column(&ws, "repeat_days"), column(&ws, "first_to_last_days"), column(&ws, "observed_days"));
    let (alive, expected, clv) = (column(&ws, "p_alive"), column(&ws, &format!("expected_purchases_{horizon}d")), column(&ws, "clv"));
    let mut worst = [0.0f64; 3];
    let customers = reference["customers"].as_object().unwrap();
    assert_eq!(customers.len(), report.buyers);
    for (id, c) in customers {
        let p = person[id];
        assert_eq!(freq[p], c["frequency"].as_f64().unwrap(), "{id} frequency");
        assert_eq!(rec[p], c["recency"].as_f64().unwrap(), "{id} recency");
        assert_eq!(age[p], c["T"].as_f64().unwrap(), "{id} T");
        for (k, (got, key)) in
            [(alive[p], "p_alive"), (expected[p], &*format!("expected_{horizon}")), (clv[p], "clv")].into_iter().enumerate()
        {
            let want = c[key].as_f64().unwrap();
            let d = (got - want).abs() / want.abs().max(1e-9);
            assert!(d < 1e-3, "{id} {key}: {got} vs lifetimes {want} (relative difference {d:.2e})");
            worst[k] = worst[k].max(d);
        }
    }
    eprintln!(
        "CDNOW vs lifetimes: parameters max rel diff {worst_param:.2e}; per customer max rel diff p_alive {:.2e}, expected {:.2e}, clv {:.2e}",
        worst[0], worst[1], worst[2]
    );

    // Another horizon: lifetimes' expected purchases over 365 days (the fit does not depend on the horizon).
    ws.fit_clv(&ClvRequest { horizon_days: 365, ..request.clone() }).unwrap();
    let expected = column(&ws, "expected_purchases_365d");
    let mut worst365 = 0.0f64;
    for (id, c) in customers {
        let want = c["expected_365"].as_f64().unwrap();
        let d = (expected[person[id]] - want).abs() / want.abs().max(1e-9);
        worst365 = worst365.max(d);
    }
    assert!(worst365 < 1e-3, "expected purchases over 365 days: worst relative difference {worst365:.2e}");

    // The penalizer means what lifetimes means (time scaled so the oldest buyer's age is 1).
    let penalizer = reference["penalizer"].as_f64().unwrap();
    let pen = ws.fit_clv(&ClvRequest { penalizer, ..request }).unwrap();
    let mut worst_pen = 0.0f64;
    for (model, name, value) in [
        ("bgnbd_penalized", "r", pen.bgnbd.r),
        ("bgnbd_penalized", "alpha", pen.bgnbd.alpha),
        ("bgnbd_penalized", "a", pen.bgnbd.a),
        ("bgnbd_penalized", "b", pen.bgnbd.b),
        ("gamma_gamma_penalized", "p", pen.gamma_gamma.p),
        ("gamma_gamma_penalized", "q", pen.gamma_gamma.q),
        ("gamma_gamma_penalized", "v", pen.gamma_gamma.v),
    ] {
        let want = reference[model][name].as_f64().unwrap();
        assert!(rel(value, want) < 1e-3, "{model}.{name}: {value} vs lifetimes {want}");
        worst_pen = worst_pen.max(rel(value, want));
    }
    eprintln!(
        "365-day expected purchases max rel diff {worst365:.2e}; penalized parameters (penalizer {penalizer}) max rel diff {worst_pen:.2e}"
    );
}

#[test]
fn kmeans_inertia_is_within_half_a_percent_of_scikit_learn_on_cdnow() {
    let Some(dir) = reference_dir() else { return };
    let (mut ws, reference, _) = cdnow(&dir);
    let mut lines = Vec::new();
    for k in 3..=8usize {
        let request = ClusterRequest { k, seed: 20250601, ..ClusterRequest::default() };
        let report = ws.fit_clusters(&request).unwrap();
        assert_eq!(report.rows as u64, reference["kmeans_buyers"].as_u64().unwrap());
        assert_eq!(report.sizes.iter().sum::<usize>(), report.rows);
        let want = reference["kmeans"][k.to_string()]["inertia"].as_f64().unwrap();
        let d = (report.inertia - want) / want;
        assert!(d.abs() <= 0.005, "k = {k}: inertia {} vs scikit-learn {want} ({:+.3} %)", report.inertia, 100.0 * d);
        lines.push(format!("k={k} {:.1} vs {want:.1} ({:+.3} %)", report.inertia, 100.0 * d));
    }
    eprintln!("CDNOW k-means inertia vs scikit-learn: {}", lines.join("; "));
}

/// The sample orders in a temporary folder, loaded into a workspace and computed.
fn sample_orders(tag: &str) -> (PathBuf, Workspace) {
    let dir = std::env::temp_dir().join(format!("hx-models-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bytes = huaxiang::sample::orders_csv(5, 3000);
    std::fs::write(dir.join("orders.csv"), &bytes).unwrap();
    let mut ws = Workspace::new();
    ws.load_bytes("orders.csv", Some(FileKind::Orders), &bytes, 1 << 16).unwrap();
    ws.compute(None).unwrap();
    (dir, ws)
}

fn cli(args: &[&str]) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_huaxiang")).args(args).output().expect("the CLI runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn the_cli_writes_the_same_clv_as_the_workspace() {
    let (dir, mut ws) = sample_orders("clv");
    let d = dir.to_str().unwrap();
    let orders = dir.join("orders.csv");
    let out = dir.join("clv");
    cli(&[
        "model",
        "clv",
        "--orders",
        orders.to_str().unwrap(),
        "--horizon-days",
        "180",
        "--discount-monthly",
        "0.02",
        "--out",
        out.to_str().unwrap(),
    ]);
    let report = ws.fit_clv(&ClvRequest { horizon_days: 180, discount_monthly: 0.02, penalizer: 0.0 }).unwrap();
    let json: Value = serde_json::from_str(&std::fs::read_to_string(out.join("model.json")).unwrap()).unwrap();
    // The whole report, read back the same way (serde_json's reader may be a unit in the last place off the text).
    let same: Value = serde_json::from_str(&serde_json::to_string(&report).unwrap()).unwrap();
    assert_eq!(json, same);
    for key in
        ["bgnbd.r", "bgnbd.alpha", "bgnbd.a", "bgnbd.b", "gamma_gamma.p", "gamma_gamma.q", "gamma_gamma.v", "converged", "log_likelihood"]
    {
        let (model, name) = key.split_once('.').unwrap_or((key, ""));
        let value = if name.is_empty() { &json[model] } else { &json[model][name] };
        assert!(value.is_number() || value.is_boolean(), "model.json has {key}");
    }
    let csv = std::fs::read_to_string(out.join("members.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next().unwrap(), "member_id,p_alive,expected_purchases_180d,clv");
    assert_eq!(lines.clone().count(), report.buyers);
    let person: HashMap<String, usize> =
        (0..ws.people().unwrap().len() as u32).map(|p| (ws.person_key(p).to_string(), p as usize)).collect();
    let (alive, clv) = (column(&ws, "p_alive"), column(&ws, "clv"));
    for line in lines.take(50) {
        let cells: Vec<&str> = line.split(',').collect();
        let p = person[cells[0]];
        assert_eq!(cells[1], huaxiang::base::values::format_number(alive[p]));
        assert_eq!(cells[3], huaxiang::base::values::format_number(clv[p]));
    }
    std::fs::remove_dir_all(d).ok();
}

#[test]
fn the_cli_writes_the_same_clusters_as_the_workspace() {
    let (dir, mut ws) = sample_orders("cluster");
    let orders = dir.join("orders.csv");
    let out = dir.join("cluster");
    cli(&["model", "cluster", "--orders", orders.to_str().unwrap(), "--k", "3", "--seed", "9", "--out", out.to_str().unwrap()]);
    let report = ws.fit_clusters(&ClusterRequest { k: 3, seed: 9, ..ClusterRequest::default() }).unwrap();
    let json: Value = serde_json::from_str(&std::fs::read_to_string(out.join("model.json")).unwrap()).unwrap();
    assert_eq!(json, serde_json::from_str::<Value>(&serde_json::to_string(&report).unwrap()).unwrap());
    assert_eq!(json["k"], 3);
    assert!(json["inertia"].is_number() && json["silhouette"].is_number());
    let sizes: Vec<usize> = json["sizes"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
    assert_eq!(sizes, report.sizes);
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "clusters are numbered by size");
    assert_eq!(json["centers"].as_array().unwrap().len(), 3);
    let csv = std::fs::read_to_string(out.join("members.csv")).unwrap();
    assert_eq!(csv.lines().next().unwrap(), "member_id,cluster");
    let mut counted = [0usize; 3];
    for line in csv.lines().skip(1) {
        counted[line.rsplit(',').next().unwrap().parse::<usize>().unwrap() - 1] += 1;
    }
    assert_eq!(counted.to_vec(), report.sizes);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn lookalike_affinity_and_churn_write_member_columns_that_exports_read() {
    let (dir, mut ws) = sample_orders("more");
    let affinity = ws.fit_affinity(&huaxiang::models::affinity::AffinityRequest::default()).unwrap();
    assert!(affinity.categories >= 2 && !affinity.rules.is_empty(), "{affinity:?}");
    let churn = ws.fit_churn(&huaxiang::models::churn::ChurnRequest::default()).unwrap();
    let buyers = ws.rfm().unwrap().rows.len();
    assert_eq!(churn.sizes.iter().sum::<usize>(), buyers, "every buyer gets a band");
    let request = huaxiang::models::lookalike::LookalikeRequest { seed_audience: "frequency >= 3".into(), ..Default::default() };
    let look = ws.fit_lookalike(&request).unwrap();
    assert!(look.seed_members > 0 && look.holdout_auc > 0.9, "{look:?}");
    let bad = huaxiang::models::lookalike::LookalikeRequest { seed_audience: "frequency >= 100000".into(), ..Default::default() };
    assert_eq!(ws.fit_lookalike(&bad).unwrap_err().code, "model_bad_seed");
    // The columns are export columns.
    let keys: Vec<String> = ws.export_columns(None).unwrap().into_iter().filter(|c| c.group == "model").map(|c| c.key).collect();
    for key in ["model:p_alive", "model:churn_risk", "model:lookalike_score", "model:next_category"] {
        assert!(keys.iter().any(|k| k == key), "{key} in {keys:?}");
    }
    let columns: Vec<_> = ["member_id", "model:churn_risk", "model:next_category", "model:lookalike_score"]
        .into_iter()
        .map(huaxiang::export::members::ExportColumn::new)
        .collect();
    let options = huaxiang::export::activation::ExportOptions {
        mask: false,
        encoding: huaxiang::export::activation::CsvEncoding::Utf8,
        ..Default::default()
    };
    let export = ws.export_member_set(0..5, &columns, &options).unwrap();
    let text = String::from_utf8(export.bytes).unwrap();
    assert_eq!(text.lines().next().unwrap(), "member_id,churn_risk,next_category,lookalike_score");
    assert_eq!(text.lines().count(), 6);
    // A new computation drops them.
    ws.compute(None).unwrap();
    assert!(ws.model_columns().is_empty());
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn the_cli_writes_lookalike_scores_and_next_categories() {
    let (dir, mut ws) = sample_orders("cli-more");
    let orders = dir.join("orders.csv");
    let rules = dir.join("seed.rules");
    std::fs::write(&rules, "tag 高消费 = monetary >= 500\n").unwrap();
    let out = dir.join("lookalike");
    let (o, r, l) = (orders.to_str().unwrap(), rules.to_str().unwrap(), out.to_str().unwrap());
    cli(&["model", "lookalike", "--orders", o, "--rules", r, "--seed-audience", "高消费", "--features", "recency,frequency", "--out", l]);
    ws.import_rules("tag 高消费 = monetary >= 500\n", "", "t");
    let request = huaxiang::models::lookalike::LookalikeRequest {
        seed_audience: "高消费".into(),
        features: vec!["recency".into(), "frequency".into()],
        ..Default::default()
    };
    let report = ws.fit_lookalike(&request).unwrap();
    let json: Value = serde_json::from_str(&std::fs::read_to_string(out.join("model.json")).unwrap()).unwrap();
    assert_eq!(json, serde_json::from_str::<Value>(&serde_json::to_string(&report).unwrap()).unwrap());
    let csv = std::fs::read_to_string(out.join("members.csv")).unwrap();
    assert_eq!(csv.lines().next().unwrap(), "member_id,lookalike_score");
    assert_eq!(csv.lines().count() - 1, report.members);

    let out = dir.join("affinity");
    cli(&["model", "affinity", "--orders", o, "--out", out.to_str().unwrap()]);
    let report = ws.fit_affinity(&huaxiang::models::affinity::AffinityRequest::default()).unwrap();
    let json: Value = serde_json::from_str(&std::fs::read_to_string(out.join("model.json")).unwrap()).unwrap();
    assert_eq!(json, serde_json::from_str::<Value>(&serde_json::to_string(&report).unwrap()).unwrap());
    let csv = std::fs::read_to_string(out.join("members.csv")).unwrap();
    assert_eq!(csv.lines().next().unwrap(), "member_id,next_category,next_category_confidence");
    assert!(csv.lines().count() > 1, "some members get a next-best category");
    std::fs::remove_dir_all(dir).ok();
}
