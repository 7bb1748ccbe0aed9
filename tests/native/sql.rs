//! The tag pack as SQL gives the same members as the engine: a differential test against DuckDB.
//!
//! Messy files (GBK orders with `¥1,234.50`, refunds in brackets, five date shapes and bad rows; members with
//! dates, numbers and ages in every shape the parsers read; events joined to members through an identity file)
//! are loaded through the real workspace. The rule pack in `tests/sql/pack.rules` uses every construct, metric
//! and built-in tag. The normalised tables and the exported SQL go to a temporary folder, `tests/sql/run_duckdb.py`
//! runs them in DuckDB, and every definition's members (values for enumerated tags, numbers for metrics) must be
//! the engine's exactly. DuckDB comes from `make duckdb`; without it the test fails and says so. With
//! `HUAXIANG_CLICKHOUSE_PYTHON` (set by `make clickhouse-check`) the ClickHouse dialect is compared the same way, and
//! with `HUAXIANG_SPARK_PYTHON` (set by `make spark-check`) the Spark dialect.

use huaxiang::base::date::Day;
use huaxiang::base::roles::FileKind;
use huaxiang::engine::Workspace;
use huaxiang::export::sql::duckdb_load_sql;
use huaxiang::export::sql::{Dialect, SqlExport, SqlOptions, ValueType};
use huaxiang::export::tables::member_ids;
use huaxiang::metrics::Settings;
use huaxiang::rfm::MonetaryBasis;
use huaxiang::rules::eval::Outcome;
use std::path::PathBuf;
use std::process::Command;

/// A small deterministic generator (no OS randomness in tests either).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next() % items.len()]
    }
}

const MEMBERS: usize = 80;

/// The day of member `i`'s browsing session (a view, an add to cart four hours later, and for some an order the
/// next morning), so that sequences hold for some members and not for others.
fn session_day(i: usize) -> i32 {
    Day::from_ymd(2025, 7, 10).unwrap().0 - (i * 7 % 50) as i32
}

fn phone(i: usize) -> String {
    format!("1390000{i:04}")
}

fn members_csv() -> String {
    let mut g = Lcg(7);
    let birthdays = [
        "1990-05-24",
        "1988/3/7",
        "19950101",
        "5/24/1992",
        "24/05/1993",
        "1985年7月1日",
        "２０００－０１－０１",
        "31234",
        "not a date",
        "2001-02-29",
        "2003-12-31 23:59:60",
        "1999.12.31",
        "2010-01-01T08:00:00Z",
        "",
        "0990-01-01",
        "1996-07-15 10:20:30.5",
        "12/13/1994",
        "13/12/1994",
        "1700000000",
        "1700000000123",
        "2000-1-1 1:2:3 4",
        "2000-01-01 00:00:00.123 456",
        "2000-01-01 01 02 03 04 05",
        "99999999999-01-01",
        "1992-07-11",
        "2008-07-12",
        "1975-02-28 12:00",
    ];
    let registered = [
        "2023-01-05",
        "2023/6/1",
        "20230601",
        "2024年2月29日",
        "45000",
        "45000.75",
        "2024-13-01",
        "",
        "2023-06-01 00:00:01",
        "6/30/2023",
        "2025-07-01",
    ];
    let points = [
        "1,200",
        "35%",
        "800元",
        "x",
        "",
        "2500",
        "30分",
        "1e3",
        "\" 12 % \"",
        "-5",
        "+7.5",
        "inf",
        "NaN",
        "0.35",
        "800",
        "1,2,3",
        "１２３",
    ];
    let ages = ["30岁", "abc", "", "45", "22", "18岁岁", "30 岁", "3.5e1"];
    let remarks = ["VIP客户", "", "普通", "vip", "老VIP"];
    let mut out = String::from("\u{feff}会员编号,姓名,手机号,性别,生日,注册日期,等级,城市,积分,年龄,备注\n");
    for i in 1..=MEMBERS {
        let row = [
            format!("M{i:03}"),
            format!("会员{i}"),
            phone(i),
            g.pick(&["男", "女", ""]).to_string(),
            birthdays[i % birthdays.len()].to_string(),
            registered[g.next() % registered.len()].to_string(),
            g.pick(&["普通", "银卡", "金卡", ""]).to_string(),
            g.pick(&["上海", "北京", "广州", "", "深圳"]).to_string(),
            points[i % points.len()].to_string(),
            ages[g.next() % ages.len()].to_string(),
            g.pick(&remarks).to_string(),
        ];
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// Orders from 2024-06-01 to 2025-07-10 in several shapes, GBK-encoded as Excel saves CSV in China.
fn orders_gbk() -> Vec<u8> {
    let mut g = Lcg(11);
    let start = Day::from_ymd(2024, 6, 1).unwrap().0;
    let last = Day::from_ymd(2025, 7, 10).unwrap().0;
    let mut out = String::from("订单号,会员编号,手机号,下单时间,实付金额,优惠金额,品类,渠道\n");
    let mut n = 0;
    let mut line = |id: &str, member: &str, phone: &str, day: i32, secs: usize, amount: &str, discount: &str, cat: &str, chan: &str| {
        let (y, m, d) = Day(day).ymd();
        let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        let time = match n % 5 {
            0 => format!("{y}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}"),
            1 => format!("{y}/{m}/{d} {h}:{mi:02}"),
            2 => format!("{y}{m:02}{d:02}"),
            3 => format!("{y}-{m:02}-{d:02}T{h:02}:{mi:02}:00"),
            _ => format!("{y}年{m}月{d}日 {h}时{mi}分"),
        };
        n += 1;
        out.push_str(&format!("{id},{member},{phone},{time},{amount},{discount},{cat},{chan}\n"));
    };
    let cats = ["美妆", "护肤", "服饰", "零食", "", "门店"];
    let chans = ["天猫", "门店", "小程序", ""];
    let mut order = 0;
    for i in 1..=MEMBERS {
        let count = [0, 1, 1, 2, 3, 4, 6, 9][g.next() % 8];
        for _ in 0..count {
            order += 1;
            let day = start + (g.next() % (last - start + 1) as usize) as i32;
            let secs = g.next() % 86_400;
            let cents = 100 + g.next() % 300_000;
            let amount = match g.next() % 5 {
                0 => format!("{}.{:02}", cents / 100, cents % 100),
                1 => format!("\"¥{},{:03}.{:02}\"", cents / 100_000, cents / 100 % 1000, cents % 100),
                2 => format!("{}元", cents / 100),
                3 => format!("RMB {}", cents / 100),
                _ => format!("{}.5", cents / 100),
            };
            let discount = g.pick(&["", "0", "10", "5.5", "0.004", "30"]);
            let (cat, chan) = (g.pick(&cats), g.pick(&chans));
            let (member, ph) = if g.next() % 4 == 0 { (String::new(), phone(i)) } else { (format!("M{i:03}"), String::new()) };
            let id = if g.next() % 6 == 0 { String::new() } else { format!("O{order}") };
            line(&id, &member, &ph, day, secs, &amount, discount, cat, chan);
            // An order line of the same order; a refund now and then.
            if !id.is_empty() && g.next() % 5 == 0 {
                line(&id, &member, &ph, day, secs, "20", "", g.pick(&cats), chan);
            }
            if g.next() % 7 == 0 {
                let refund = if g.next() % 2 == 0 { "(20.00)" } else { "-50" };
                line(&format!("R{order}"), &member, &ph, (day + 3).min(last), secs, refund, "", cat, chan);
            }
        }
    }
    // Buyers no member file lists, ties on the same second, and rows the loader skips.
    line("X1", "", "13911112222", last, 3600, "88", "", "美妆", "天猫");
    line("X2", "", "13911112222", last, 3600, "99", "", "护肤", "天猫");
    line("X3", "Z900", "", last - 40, 7200, "0", "", "零食", "门店");
    line("X4", "M001", "", last - 1, 0, "abc", "", "零食", "天猫");
    for i in (6..=MEMBERS).step_by(6) {
        let (y, m, d) = Day(session_day(i) + 1).ymd();
        out.push_str(&format!("S{i},M{i:03},,{y}-{m:02}-{d:02} 09:00:00,199,,美妆,小程序\n"));
    }
    out.push_str("X5,M002,,not-a-date,10,,零食,天猫\n");
    let (bytes, _, _) = encoding_rs::GBK.encode(&out);
    bytes.into_owned()
}

/// Events over the last 90 days, by device; most devices link to a member's phone in the identity file.
fn events_and_identity() -> (String, String) {
    let mut g = Lcg(23);
    let end = Day::from_ymd(2025, 7, 10).unwrap().0;
    let mut events = String::from("device_id,event,event_time,page\n");
    let mut identity = String::from("设备ID,手机号\n");
    for i in 1..=MEMBERS + 10 {
        let device = format!("dev-{i}");
        if i <= MEMBERS && i % 5 != 0 {
            identity.push_str(&format!("{device},{}\n", phone(i)));
        }
        if i % 3 == 0 && i <= MEMBERS {
            let (y, m, d) = Day(session_day(i)).ymd();
            events.push_str(&format!("{device},view,{y}-{m:02}-{d:02} 10:00:00,口红\n{device},add_cart,{y}-{m:02}-{d:02} 14:00:00,口红\n"));
        }
        for _ in 0..g.next() % 8 {
            let day = end - (g.next() % 90) as i32;
            let (y, m, d) = Day(day).ymd();
            let secs = g.next() % 86_400;
            let kind = g.pick(&["view", "view", "add_cart", "share", ""]);
            let page = g.pick(&["首页", "口红", "活动页", ""]);
            events.push_str(&format!(
                "{device},{kind},{y}-{m:02}-{d:02} {:02}:{:02}:{:02},{page}\n",
                secs / 3600,
                secs / 60 % 60,
                secs % 60
            ));
        }
    }
    (events, identity)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(crate::fixture(name)).expect("fixture exists")
}

fn workspace() -> Workspace {
    let mut ws = Workspace::new();
    let (events, identity) = events_and_identity();
    let files: Vec<(&str, Option<FileKind>, Vec<u8>)> = vec![
        ("members_small.csv", None, fixture("members_small.csv")),
        ("members.csv", Some(FileKind::Members), members_csv().into_bytes()),
        ("rfm_small_gbk.csv", None, fixture("rfm_small_gbk.csv")),
        ("orders.csv", Some(FileKind::Orders), orders_gbk()),
        ("identity.csv", Some(FileKind::Identity), identity.into_bytes()),
        ("events.csv", Some(FileKind::Events), events.into_bytes()),
    ];
    for (name, kind, bytes) in files {
        ws.load_bytes(name, kind, &bytes, 1000).unwrap_or_else(|e| panic!("{name} loads: {}", e.en));
    }
    ws.compute(None).expect("RFM computes");
    let (_, problems) = ws.import_rules(include_str!("../sql/pack.rules"), "2025-07-01T00:00:00Z", "test");
    assert!(problems.is_empty(), "the pack parses: {problems:?}");
    ws
}

/// The Python that has DuckDB: `HUAXIANG_PYTHON`, else the virtual environment `make duckdb` makes, else `python3`.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("HUAXIANG_PYTHON") {
        return PathBuf::from(p);
    }
    let tools = std::env::var_os("TOOLS_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/huaxiang")));
    if let Some(venv) = tools.map(|t| t.join("py-duckdb/bin/python")) {
        if venv.exists() {
            return venv;
        }
    }
    PathBuf::from("python3")
}

/// Runs the SQL scripts in DuckDB over the tables; one JSON result per script.
fn run_duckdb(dir: &std::path::Path, scripts: &[PathBuf]) -> Vec<serde_json::Value> {
    run_engine(&python(), "run_duckdb.py", dir, scripts)
}

/// Runs a runner script (`tests/sql/…`) with a Python; one JSON result per SQL script.
fn run_engine(python: &std::path::Path, runner: &str, dir: &std::path::Path, scripts: &[PathBuf]) -> Vec<serde_json::Value> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sql").join(runner);
    let out = Command::new(python)
        .arg(&script)
        .arg(dir)
        .args(scripts)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}. Run `make duckdb` to install DuckDB for the tests.", python.display()));
    assert!(
        out.status.success(),
        "{runner} failed (run `make duckdb` if DuckDB is not installed):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Compares every exported definition with the engine's outcome (numbers within a relative `tolerance`, 0 for
/// exact); returns the number compared, how many of those split the members (not the same value for everyone),
/// and the mismatches.
fn compare(
    ws: &mut Workspace,
    export: &SqlExport,
    result: &serde_json::Value,
    ids: &[String],
    tolerance: f64,
) -> (usize, usize, Vec<String>) {
    let (compiled, evaluation) = ws.evaluate_tags().unwrap();
    let evaluation = evaluation.expect("evaluated");
    let columns: Vec<&str> = result["columns"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    let rows = result["rows"].as_array().unwrap();
    let position = |id: &str| ids.iter().position(|x| x == id);
    let mut sql_person = vec![usize::MAX; rows.len()];
    for (k, row) in rows.iter().enumerate() {
        sql_person[k] = position(row[0].as_str().unwrap()).expect("a member of the data");
    }
    assert_eq!(rows.len(), ids.len(), "one row per member");
    let mut problems = Vec::new();
    let mut compared = 0;
    let mut informative = 0;
    for (i, def) in export.defs.iter().enumerate() {
        assert_eq!(compiled.program.defs[i].name, def.name);
        let Some(col) = &def.column else {
            problems.push(format!("{} was not exported: {}", def.name, def.skipped_en.clone().unwrap_or_default()));
            continue;
        };
        let c = columns.iter().position(|x| x == col).expect("the column is in the result");
        let mut bad = Vec::new();
        for (k, row) in rows.iter().enumerate() {
            let p = sql_person[k];
            let cell = &row[c];
            let (engine, sql) = match (&evaluation.outcomes[i], def.value) {
                (Some(Outcome::Bool(b)), Some(ValueType::Bool)) => (b.contains(p as u32).to_string(), format!("{cell}")),
                (Some(Outcome::Text(t)), Some(ValueType::Text)) => {
                    let e = if t.codes[p] == u32::MAX { "null".to_string() } else { format!("{:?}", t.values[t.codes[p] as usize]) };
                    (e, format!("{cell}"))
                }
                (Some(Outcome::Num(v)), Some(ValueType::Number)) => {
                    let e = if v[p].is_nan() { None } else { Some(v[p]) };
                    let s = cell.as_str().map(|s| s.parse::<f64>().unwrap());
                    let same = match (e, s) {
                        (Some(a), Some(b)) => a == b || (a - b).abs() <= tolerance * a.abs().max(b.abs()),
                        (None, None) => true,
                        _ => false,
                    };
                    if same {
                        continue;
                    }
                    (format!("{e:?}"), format!("{s:?}"))
                }
                (o, v) => panic!("{}: engine {o:?} against a {v:?} column", def.name),
            };
            if engine != sql {
                bad.push(format!("{}: engine {engine}, SQL {sql}", ids[p]));
            }
        }
        compared += 1;
        // A definition that is the same for everyone proves little; count those that split the members.
        let split = match &evaluation.outcomes[i] {
            Some(Outcome::Bool(b)) => !b.is_empty() && b.len() < ids.len() as u64,
            Some(Outcome::Text(t)) => t.codes.iter().any(|&c| c != t.codes[0]),
            Some(Outcome::Num(v)) => v.iter().any(|x| x.to_bits() != v[0].to_bits()),
            None => false,
        };
        informative += usize::from(split);
        if !bad.is_empty() {
            problems.push(format!(
                "{} ({} members differ): {}",
                def.name,
                bad.len(),
                bad.iter().take(5).cloned().collect::<Vec<_>>().join("; ")
            ));
        }
    }
    (compared, informative, problems)
}

#[test]
fn duckdb_gives_the_engines_members_for_every_tag() {
    let started = std::time::Instant::now();
    let mut ws = workspace();
    let compiled = ws.compile_tags();
    let errors: Vec<String> = compiled
        .diagnostics
        .iter()
        .filter(|(_, d)| d.is_error())
        .map(|(i, d)| format!("{}: {}", compiled.program.defs[*i].name, d.en))
        .collect();
    assert!(errors.is_empty(), "every rule of the pack checks: {errors:#?}");
    let ids = member_ids(ws.data(), ws.people().unwrap());
    let dir = std::env::temp_dir().join(format!("hx-sql-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tables = ws.normalised_tables().unwrap();
    std::fs::write(dir.join("members.csv"), &tables.members).unwrap();
    std::fs::write(dir.join("orders.csv"), &tables.orders).unwrap();
    std::fs::write(dir.join("events.csv"), &tables.events).unwrap();
    std::fs::write(dir.join("load.sql"), duckdb_load_sql(dir.to_str().unwrap())).unwrap();
    // Scenario 1: the default analysis date, computed by the SQL itself, and default settings.
    let first = ws.export_sql(&SqlOptions::new(Dialect::DuckDb)).unwrap();
    assert!(first.sql.contains("the day after the latest order"), "the SQL computes the default analysis date itself");
    std::fs::write(dir.join("default.sql"), &first.sql).unwrap();
    // Scenario 2: an earlier analysis date (later rows ignored), M on spend per purchase, lifecycle thresholds set.
    let mut settings = Settings { rfm_monetary: MonetaryBasis::Average, ..Settings::default() };
    settings.lifecycle.new_days = Some(20);
    settings.lifecycle.active_days = Some(45);
    let mut second_ws = workspace();
    second_ws.compute(Some(Day::from_ymd(2025, 5, 31).unwrap())).unwrap();
    second_ws.set_settings(settings).unwrap();
    let second_ids = member_ids(second_ws.data(), second_ws.people().unwrap());
    let earlier = SqlOptions { as_of: Some("2025-05-31".into()), ..SqlOptions::new(Dialect::DuckDb) };
    let second = second_ws.export_sql(&earlier).unwrap();
    std::fs::write(dir.join("earlier.sql"), &second.sql).unwrap();
    let results = run_duckdb(&dir, &[dir.join("default.sql"), dir.join("earlier.sql")]);
    assert_eq!(results.len(), 2);
    let (n2, _, p2) = compare(&mut second_ws, &second, &results[1], &second_ids, 0.0);
    assert!(p2.is_empty(), "as of 2025-05-31 with settings, {} of {n2} definitions differ:\n{}", p2.len(), p2.join("\n"));
    let (n1, split, p1) = compare(&mut ws, &first, &results[0], &ids, 0.0);
    assert!(p1.is_empty(), "{} of {n1} definitions differ:\n{}", p1.len(), p1.join("\n"));
    assert!(n1 >= 150, "the pack covers every construct ({n1} definitions compared)");
    assert!(split * 10 >= n1 * 9, "only {split} of {n1} definitions tell members apart: the data exercises too little");
    eprintln!("sql: {n1} definitions × 2 scenarios over {} members agree with DuckDB in {:?}", ids.len(), started.elapsed());
    // The ClickHouse dialect in an embedded ClickHouse, when `make clickhouse-check` provides one (floats may be
    // added in another order there, so numbers agree to 1e-9).
    if let Some(chdb) = std::env::var_os("HUAXIANG_CLICKHOUSE_PYTHON") {
        let ch =
            |ws: &Workspace, options: &SqlOptions| ws.export_sql(&SqlOptions { dialect: Dialect::ClickHouse, ..options.clone() }).unwrap();
        let (a, b) = (ch(&ws, &SqlOptions::new(Dialect::DuckDb)), ch(&second_ws, &earlier));
        std::fs::write(dir.join("default.ch.sql"), &a.sql).unwrap();
        std::fs::write(dir.join("earlier.ch.sql"), &b.sql).unwrap();
        let out =
            run_engine(std::path::Path::new(&chdb), "run_clickhouse.py", &dir, &[dir.join("default.ch.sql"), dir.join("earlier.ch.sql")]);
        let (n, _, p) = compare(&mut ws, &a, &out[0], &ids, 1e-9);
        assert!(p.is_empty(), "ClickHouse: {} of {n} definitions differ:\n{}", p.len(), p.join("\n"));
        let (n, _, p) = compare(&mut second_ws, &b, &out[1], &second_ids, 1e-9);
        assert!(p.is_empty(), "ClickHouse as of 2025-05-31: {} of {n} definitions differ:\n{}", p.len(), p.join("\n"));
        eprintln!("sql: the ClickHouse dialect agrees too ({n} definitions as of 2025-05-31, as many by default)");
    }
    // The Spark dialect in a local Spark session, when `make spark-check` provides PySpark.
    if let Some(spark) = std::env::var_os("HUAXIANG_SPARK_PYTHON") {
        let sp = |ws: &Workspace, options: &SqlOptions| ws.export_sql(&SqlOptions { dialect: Dialect::Spark, ..options.clone() }).unwrap();
        let (a, b) = (sp(&ws, &SqlOptions::new(Dialect::DuckDb)), sp(&second_ws, &earlier));
        std::fs::write(dir.join("default.spark.sql"), &a.sql).unwrap();
        std::fs::write(dir.join("earlier.spark.sql"), &b.sql).unwrap();
        let out =
            run_engine(std::path::Path::new(&spark), "run_spark.py", &dir, &[dir.join("default.spark.sql"), dir.join("earlier.spark.sql")]);
        let (n, _, p) = compare(&mut ws, &a, &out[0], &ids, 1e-9);
        assert!(p.is_empty(), "Spark: {} of {n} definitions differ:\n{}", p.len(), p.join("\n"));
        let (m, _, p) = compare(&mut second_ws, &b, &out[1], &second_ids, 1e-9);
        assert!(p.is_empty(), "Spark as of 2025-05-31: {} of {m} definitions differ:\n{}", p.len(), p.join("\n"));
        let skipped = a.skipped().count();
        eprintln!("sql: the Spark dialect agrees too ({n} and {m} definitions compared; {skipped} not exported)");
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_rule_with_an_error_is_reported_and_left_out() {
    let mut ws = Workspace::new();
    ws.load_bytes("rfm_small.csv", None, &fixture("rfm_small.csv"), 4096).unwrap();
    ws.compute(None).unwrap();
    ws.import_rules("tag 坏 = monetary > \ntag 好 = monetary > 1000\ntag 跟随 = 坏 or 好\n", "t", "test");
    ws.import_rules("tag 坏 = no_such_thing > 1\n", "t", "test");
    let export = ws.export_sql(&SqlOptions::new(Dialect::DuckDb)).unwrap();
    let by_name = |n: &str| export.defs.iter().find(|d| d.name == n).unwrap();
    assert_eq!(by_name("好").column.as_deref(), Some("好"));
    assert!(by_name("坏").column.is_none() && by_name("坏").skipped_en.is_some());
    assert!(by_name("跟随").column.is_none());
    assert!(export.sql.contains("-- 坏: not exported"), "{}", export.sql);
    assert_eq!(export.skipped().count(), 2);
    let bad = SqlOptions { as_of: Some("2025/7/1".into()), ..SqlOptions::new(Dialect::DuckDb) };
    assert_eq!(ws.export_sql(&bad).unwrap_err().code, "bad_as_of");
    // An analysis date set on the workspace is followed when the options give none.
    ws.compute(Some(Day::from_ymd(2025, 6, 1).unwrap())).unwrap();
    assert!(ws.export_sql(&SqlOptions::new(Dialect::DuckDb)).unwrap().sql.contains("DATE '2025-06-01'"));
}

#[test]
fn clickhouse_and_spark_are_generated_and_say_how_they_are_checked() {
    let ws = workspace();
    for (dialect, note) in [(Dialect::ClickHouse, "make clickhouse-check"), (Dialect::Spark, "make spark-check")] {
        let export = ws.export_sql(&SqlOptions::new(dialect)).unwrap();
        assert!(export.sql.contains(note), "{}", dialect.name());
        assert_eq!(export.skipped().count(), 0, "{}: {:?}", dialect.name(), export.skipped().collect::<Vec<_>>());
        assert!(!export.sql.contains("regexp_full_match") && !export.sql.contains("// "), "{} uses DuckDB syntax", dialect.name());
    }
}
