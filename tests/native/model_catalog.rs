//! Fitted models as catalog entries: versioned, exported in the tag pack with their requests and reports, and
//! fitted again from the stored request on new data, after an import, and when a `set churn.…` threshold changes.

use huaxiang::base::roles::FileKind;
use huaxiang::engine::Workspace;
use huaxiang::models::clv::ClvRequest;
use huaxiang::models::kmeans::ClusterRequest;
use huaxiang::models::{ModelKind, ModelValues};
use serde_json::Value;

fn load(ws: &mut Workspace, seed: u64, members: u64) {
    let bytes = huaxiang::sample::orders_csv(seed, members);
    ws.load_bytes(&format!("orders-{seed}.csv"), Some(FileKind::Orders), &bytes, 1 << 16).unwrap();
    ws.compute(None).unwrap();
}

/// Every model column by key, with its values per member key (so two workspaces compare member by member).
fn columns(ws: &mut Workspace) -> Vec<(String, Vec<(String, String)>)> {
    ws.refresh().unwrap();
    let n = ws.people().unwrap().len() as u32;
    let mut out: Vec<(String, Vec<(String, String)>)> = ws
        .model_columns()
        .iter()
        .map(|c| {
            let mut cells: Vec<(String, String)> = (0..n)
                .map(|p| {
                    let v = match &c.values {
                        ModelValues::Num(v) => format!("{:?}", v[p as usize]),
                        ModelValues::Text(t) => t.get(p as usize).to_string(),
                    };
                    (ws.person_key(p).to_string(), v)
                })
                .collect();
            cells.sort();
            (c.key.clone(), cells)
        })
        .collect();
    out.sort();
    out
}

fn fit_all(ws: &mut Workspace) {
    ws.fit_clv(&ClvRequest { horizon_days: 180, ..ClvRequest::default() }).unwrap();
    ws.fit_clusters(&ClusterRequest { k: 4, seed: 2, ..ClusterRequest::default() }).unwrap();
    ws.fit_churn(&huaxiang::models::churn::ChurnRequest::default()).unwrap();
    ws.fit_affinity(&huaxiang::models::affinity::AffinityRequest::default()).unwrap();
    let look = huaxiang::models::lookalike::LookalikeRequest { seed_audience: "frequency >= 3".into(), ..Default::default() };
    ws.fit_lookalike(&look).unwrap();
}

#[test]
fn a_pack_carries_the_models_and_a_fresh_workspace_fits_the_same_columns() {
    let mut ws = Workspace::new();
    load(&mut ws, 11, 1500);
    fit_all(&mut ws);
    ws.import_rules("tag 高价值预测 = clv > 200\n", "", "t");
    let want = columns(&mut ws);
    assert_eq!(want.len(), 14, "{:?}", want.iter().map(|c| &c.0).collect::<Vec<_>>());
    let pack = ws.export_pack();
    let json: Value = serde_json::from_str(&pack).unwrap();
    let models = json["models"].as_array().unwrap();
    let kinds: Vec<&str> = models.iter().map(|m| m["request"]["model"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["clv", "cluster", "churn", "affinity", "lookalike"]);
    let clv = &models[0];
    assert_eq!(clv["request"]["horizonDays"], 180);
    assert_eq!(clv["version"], 1);
    assert!(clv["report"]["bgnbd"]["r"].is_number() && clv["report"]["gamma_gamma"]["q"].is_number(), "{clv}");
    assert_eq!(models[1]["report"]["k"], 4);

    // Pack first, data after: the load's computation refits every model.
    let mut fresh = Workspace::new();
    assert_eq!(fresh.import_pack(&pack, false).unwrap(), 6);
    load(&mut fresh, 11, 1500);
    assert_eq!(columns(&mut fresh), want);
    assert_eq!(fresh.tag_members("高价值预测", None).unwrap(), ws.tag_members("高价值预测", None).unwrap());
    // Data first, pack after: the next refresh fits them.
    let mut other = Workspace::new();
    load(&mut other, 11, 1500);
    other.import_pack(&pack, false).unwrap();
    assert_eq!(columns(&mut other), want);
    let infos = other.models().unwrap();
    assert!(infos.iter().all(|m| m.fitted && m.error.is_none() && !m.columns.is_empty()), "{infos:?}");
    // A pack of another shape is still refused by name.
    let bad = pack.replacen("\"models\"", "\"modles\"", 1);
    assert!(Workspace::new().import_pack(&bad, false).unwrap_err().en.contains("modles"));
}

#[test]
fn models_are_versioned_by_request_and_refit_on_new_data() {
    let mut ws = Workspace::new();
    load(&mut ws, 5, 800);
    let version = |ws: &Workspace| ws.catalog().models.iter().find(|m| m.request.kind() == ModelKind::Cluster).map(|m| m.version);
    ws.fit_clusters(&ClusterRequest { k: 3, seed: 1, ..ClusterRequest::default() }).unwrap();
    assert_eq!(version(&ws), Some(1));
    ws.fit_clusters(&ClusterRequest { k: 3, seed: 1, ..ClusterRequest::default() }).unwrap();
    assert_eq!(version(&ws), Some(1), "the same request is the same version");
    ws.fit_clusters(&ClusterRequest { k: 4, seed: 1, ..ClusterRequest::default() }).unwrap();
    assert_eq!(version(&ws), Some(2));
    let sizes = |ws: &Workspace| -> usize {
        let m = ws.catalog().models.iter().find(|m| m.request.kind() == ModelKind::Cluster).unwrap();
        m.report["sizes"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).sum()
    };
    let before = sizes(&ws);
    // More data: the load's computation drops the columns and the refresh fits k = 4 again over everyone.
    // (another seed, twice the members: the same member numbers get more orders and new members come in)
    let bytes = huaxiang::sample::orders_csv(6, 1600);
    ws.load_bytes("more.csv", Some(FileKind::Orders), &bytes, 1 << 16).unwrap();
    ws.compute(None).unwrap();
    let infos = ws.models().unwrap();
    assert_eq!(infos.len(), 1);
    assert!(infos[0].fitted);
    assert_eq!(infos[0].report["k"], 4);
    assert!(sizes(&ws) > before, "{} clustered after vs {before} before", sizes(&ws));
    assert_eq!(version(&ws), Some(2), "a refit is not a new version");
    let n = ws.people().unwrap().len();
    let cluster = ws.model_columns().iter().find(|c| c.key == "cluster").map(|c| c.values.clone()).unwrap();
    let ModelValues::Num(v) = cluster else { panic!() };
    assert_eq!(v.len(), n);
}

#[test]
fn churn_thresholds_are_settings_and_a_change_refits_the_bands() {
    let mut ws = Workspace::new();
    load(&mut ws, 3, 1200);
    ws.fit_churn(&huaxiang::models::churn::ChurnRequest::default()).unwrap();
    let count_high = |ws: &mut Workspace| {
        let c = ws.audience_count("churn_risk == \"高\"").unwrap();
        c.count.unwrap_or_else(|| panic!("{:?}", c.diagnostics))
    };
    let default_high = count_high(&mut ws);
    let (n, diags) = ws.import_rules("set churn.high_p_alive = 0.6\nset churn.high_overdue = 2\n", "", "t");
    assert!(diags.is_empty(), "{diags:?}");
    let _ = n;
    assert!(ws.rules_text().contains("set churn.high_p_alive = 0.6\nset churn.high_overdue = 2\n"), "{}", ws.rules_text());
    let high = count_high(&mut ws);
    assert!(high > default_high, "{high} high with the stricter thresholds vs {default_high}");
    // The bands follow the thresholds set: counted from the columns the model read.
    let brute = ws.audience_count("p_alive < 0.6 or overdue_ratio > 2").unwrap().count.unwrap();
    assert_eq!(high, brute);
    let infos = ws.models().unwrap();
    let churn = infos.iter().find(|m| m.model == ModelKind::Churn).unwrap();
    assert_eq!(churn.report["thresholds"]["highPAlive"], 0.6);
    // Thresholds that contradict each other are the model's refusal, reported on the model; the bands are gone.
    ws.import_rules("set churn.high_p_alive = 0.95\n", "", "t");
    let infos = ws.models().unwrap();
    let churn = infos.iter().find(|m| m.model == ModelKind::Churn).unwrap();
    assert!(!churn.fitted && churn.error.as_ref().is_some_and(|e| e.code == "bad_model_option"), "{churn:?}");
    let c = ws.audience_count("churn_risk == \"高\"").unwrap();
    assert_eq!(c.diagnostics[0].code, "model_not_fitted");
    ws.import_rules("set churn.high_p_alive = 0.6\n", "", "t");
    assert_eq!(count_high(&mut ws), high);
    // The pack keeps the settings and the request, and a fresh workspace reaches the same bands.
    let pack = ws.export_pack();
    let mut fresh = Workspace::new();
    load(&mut fresh, 3, 1200);
    fresh.import_pack(&pack, false).unwrap();
    assert_eq!(count_high(&mut fresh), high);
}
