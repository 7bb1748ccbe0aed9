//! Model columns in the rule language: `clv > 500`, `churn_risk in ["高"]`, `cluster == 3` in tags and audience
//! expressions, read like any metric; a clear diagnostic before the model is fitted; a refit re-evaluates what
//! reads the column and nothing else.

use huaxiang::base::roles::FileKind;
use huaxiang::engine::Workspace;
use huaxiang::models::clv::ClvRequest;
use huaxiang::models::kmeans::ClusterRequest;
use huaxiang::models::ModelValues;

fn sample() -> Workspace {
    let bytes = huaxiang::sample::orders_csv(7, 2500);
    let mut ws = Workspace::new();
    ws.load_bytes("orders.csv", Some(FileKind::Orders), &bytes, 1 << 16).unwrap();
    ws.compute(None).unwrap();
    ws
}

/// The members for whom `hit` holds on a model column, counted from the column itself.
fn brute(ws: &Workspace, key: &str, hit: impl Fn(Option<f64>, &str) -> bool) -> u64 {
    let columns = ws.model_columns();
    let c = columns.iter().find(|c| c.key == key).unwrap_or_else(|| panic!("no column {key}"));
    let n = ws.people().unwrap().len();
    (0..n)
        .filter(|&p| match &c.values {
            ModelValues::Num(v) => hit(Some(v[p]).filter(|x| !x.is_nan()), ""),
            ModelValues::Text(t) => hit(None, t.get(p)),
        })
        .count() as u64
}

fn count(ws: &mut Workspace, expr: &str) -> u64 {
    let c = ws.audience_count(expr).unwrap();
    assert!(c.diagnostics.is_empty(), "{expr}: {:?}", c.diagnostics);
    c.count.unwrap()
}

#[test]
fn a_rule_naming_an_unfitted_model_column_says_which_model_to_fit() {
    let mut ws = sample();
    let c = ws.audience_count("clv > 500").unwrap();
    assert_eq!(c.count, None);
    let d = c.diagnostics.iter().find(|d| d.code == "model_not_fitted").unwrap_or_else(|| panic!("{:?}", c.diagnostics));
    assert!(d.zh.contains("clv") && d.zh.contains("拟合") && d.zh.contains("huaxiang model clv"), "{}", d.zh);
    assert!(d.en.contains("has not been fitted") && d.en.contains("huaxiang model clv"), "{}", d.en);
    for (expr, model) in [("流失风险 in [\"高\"]", "churn"), ("cluster == 3", "cluster"), ("expected_purchases_90d > 1", "clv")] {
        let c = ws.audience_count(expr).unwrap();
        let d = c.diagnostics.iter().find(|d| d.code == "model_not_fitted").unwrap_or_else(|| panic!("{expr}: {:?}", c.diagnostics));
        assert!(model == "churn" || d.en.contains(&format!("huaxiang model {model}")), "{expr}: {}", d.en);
        assert!(d.en.contains("Models view"), "{expr}: {}", d.en);
    }
    // A name that is no model column is still an unknown name.
    let c = ws.audience_count("clvv > 5").unwrap();
    assert_eq!(c.diagnostics[0].code, "unknown_name");
    // A tag reading an unfitted model compiles with the error and is not evaluated; fitting makes it run.
    ws.import_rules("tag 高价值 = clv > 100\n", "", "t");
    let report = ws.tags().unwrap();
    let tag = report.tags.iter().find(|t| t.name == "高价值").unwrap();
    assert!(tag.diagnostics.iter().any(|d| d.code == "model_not_fitted"), "{:?}", tag.diagnostics);
    ws.fit_clv(&ClvRequest::default()).unwrap();
    let members = ws.tag_members("高价值", None).unwrap();
    assert_eq!(members.len(), brute(&ws, "clv", |x, _| x.is_some_and(|v| v > 100.0)));
    assert!(!members.is_empty());
}

#[test]
fn model_columns_read_like_metrics_in_audiences_tags_and_portraits() {
    let mut ws = sample();
    ws.fit_clusters(&ClusterRequest { k: 4, seed: 3, ..ClusterRequest::default() }).unwrap();
    ws.fit_churn(&huaxiang::models::churn::ChurnRequest::default()).unwrap();
    let clv = count(&mut ws, "clv > 300");
    assert_eq!(clv, brute(&ws, "clv", |x, _| x.is_some_and(|v| v > 300.0)));
    assert!(clv > 0);
    assert_eq!(count(&mut ws, "p_alive < 0.3"), brute(&ws, "p_alive", |x, _| x.is_some_and(|v| v < 0.3)));
    assert_eq!(count(&mut ws, "cluster == 3"), brute(&ws, "cluster", |x, _| x == Some(3.0)));
    let high = brute(&ws, "churn_risk", |_, s| s == "高");
    assert_eq!(count(&mut ws, "churn_risk in [\"高\"]"), high);
    assert_eq!(count(&mut ws, "流失风险 in [\"高\"]"), high);
    assert_eq!(count(&mut ws, "客户价值 > 300 and not cluster == 3"), {
        let cols = ws.model_columns();
        let (ModelValues::Num(v), ModelValues::Num(k)) =
            (&cols.iter().find(|c| c.key == "clv").unwrap().values, &cols.iter().find(|c| c.key == "cluster").unwrap().values)
        else {
            panic!()
        };
        (0..v.len()).filter(|&p| v[p] > 300.0 && k[p] != 3.0).count() as u64
    });
    // A value the column never takes is a warning, as for any enumerated value.
    let c = ws.audience_count("churn_risk == \"极高\"").unwrap();
    assert!(c.diagnostics.iter().any(|d| d.code == "unknown_value"), "{:?}", c.diagnostics);
    // Tags over model columns, an enumerated one from a band of the score, and a portrait of an audience over them.
    ws.import_rules(
        "tag 预测价值 = case when clv >= 1000 then \"高\" when clv >= 200 then \"中\" else \"低\" end\ntag 活跃概率低 = p_alive < 0.5\naudience 挽回 = 活跃概率低 and churn_risk == \"高\"\n",
        "",
        "t",
    );
    let report = ws.tags().unwrap();
    for name in ["预测价值", "活跃概率低", "挽回"] {
        let t = report.tags.iter().find(|t| t.name == name).unwrap();
        assert!(t.diagnostics.is_empty(), "{name}: {:?}", t.diagnostics);
    }
    let back = ws.audience_members("挽回").unwrap();
    let low = ws.audience_members("p_alive < 0.5 and churn_risk == \"高\"").unwrap();
    assert_eq!(back, low);
    let request = huaxiang::audience::PortraitRequest { audience: "clv > 300".into(), ..Default::default() };
    let portrait = ws.portrait(&request).unwrap();
    assert_eq!(portrait.audience, clv);
    // The lineage shows the model column.
    let lineage = ws.lineage("活跃概率低").unwrap();
    assert!(lineage.nodes.iter().any(|n| n.id == "model:p_alive"), "{:?}", lineage.nodes);
}

#[test]
fn a_refit_re_evaluates_what_reads_the_column_and_nothing_else() {
    let mut ws = sample();
    ws.fit_clusters(&ClusterRequest { k: 3, seed: 1, ..ClusterRequest::default() }).unwrap();
    ws.import_rules("tag 第三类 = cluster == 3\ntag 常客 = frequency >= 3\n", "", "t");
    let (compiled, _) = ws.evaluate_tags().unwrap();
    let before = ws.tag_members("第三类", None).unwrap();
    assert_eq!(before.len(), brute(&ws, "cluster", |x, _| x == Some(3.0)));
    // Nothing changed: nothing is evaluated again.
    let (_, evaluation) = ws.evaluate_tags().unwrap();
    assert!(evaluation.unwrap().evaluated.is_empty());
    // Another k: the tag on clusters is evaluated again and follows the new column; the other is not.
    ws.fit_clusters(&ClusterRequest { k: 5, seed: 1, ..ClusterRequest::default() }).unwrap();
    let (after_compiled, evaluation) = ws.evaluate_tags().unwrap();
    let evaluated: Vec<&str> = evaluation.unwrap().evaluated.iter().map(|&i| after_compiled.program.defs[i].name.as_str()).collect();
    assert!(evaluated.contains(&"第三类"), "{evaluated:?}");
    assert!(!evaluated.contains(&"常客"), "{evaluated:?}");
    let third = compiled.find("第三类").unwrap();
    assert_ne!(compiled.fingerprints[third], after_compiled.fingerprints[after_compiled.find("第三类").unwrap()]);
    let after = ws.tag_members("第三类", None).unwrap();
    assert_eq!(after.len(), brute(&ws, "cluster", |x, _| x == Some(3.0)));
    assert_ne!(before, after);
    // The same fit again gives the same columns: the fingerprint holds and nothing is evaluated.
    ws.fit_clusters(&ClusterRequest { k: 5, seed: 1, ..ClusterRequest::default() }).unwrap();
    let (_, evaluation) = ws.evaluate_tags().unwrap();
    assert!(evaluation.unwrap().evaluated.is_empty());
    // A new computation refits the kept model from its request: the same clusters, so nothing is evaluated again.
    ws.compute(None).unwrap();
    assert_eq!(ws.tag_members("第三类", None).unwrap(), after);
    // A model removed from the catalog takes its columns along: the tag is an error again.
    assert!(ws.remove_model(huaxiang::models::ModelKind::Cluster));
    let report = ws.tags().unwrap();
    let tag = report.tags.iter().find(|t| t.name == "第三类").unwrap();
    assert!(tag.diagnostics.iter().any(|d| d.code == "model_not_fitted"));
}
