//! `--timings`: the time of each step of a run and the process's peak memory, for benchmarks.

/// The wall-clock time of each step of a run and the process's peak memory, for `--timings` (benchmarks).
pub(crate) struct Steps {
    last: std::time::Instant,
    steps: Vec<(&'static str, f64)>,
    pub(crate) count_ms: Vec<f64>,
}

impl Steps {
    pub(crate) fn new() -> Steps {
        Steps { last: std::time::Instant::now(), steps: Vec::new(), count_ms: Vec::new() }
    }

    /// Ends the step `name`: the time since the last step ended.
    pub(crate) fn step(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.steps.push((name, (now - self.last).as_secs_f64()));
        self.last = now;
    }

    pub(crate) fn json(&self) -> String {
        let mut sorted = self.count_ms.clone();
        sorted.sort_by(f64::total_cmp);
        let pct = |p: f64| (!sorted.is_empty()).then(|| sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]);
        let seconds: serde_json::Map<String, serde_json::Value> = self.steps.iter().map(|(n, s)| (n.to_string(), (*s).into())).collect();
        serde_json::to_string_pretty(&serde_json::json!({
            "seconds": seconds,
            "counts": { "n": sorted.len(), "p50Ms": pct(0.5), "p99Ms": pct(0.99) },
            "peakRssBytes": peak_rss(),
        }))
        .unwrap_or_default()
    }
}

/// The process's peak resident memory (Linux's `VmHWM`), when the system says.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.trim().trim_end_matches("kB").trim().parse::<u64>().ok()?;
    Some(kb * 1024)
}
