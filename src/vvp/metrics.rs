//! Process-wide counters of VVP API calls (by endpoint and outcome) and of reconcile failures
//! (by kind and error category), rendered in the Prometheus text format at `/metrics`.
//!
//! Plain mutex-guarded maps instead of a metrics crate: the label sets are tiny and fixed, and
//! the format is a handful of lines.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{LazyLock, Mutex};

type Counters = Mutex<BTreeMap<(&'static str, &'static str), u64>>;

static VVP_CALLS: LazyLock<Counters> = LazyLock::new(Counters::default);
static RECONCILE_ERRORS: LazyLock<Counters> = LazyLock::new(Counters::default);
static RECONCILES: LazyLock<Counters> = LazyLock::new(Counters::default);

fn bump(counters: &Counters, key: (&'static str, &'static str)) {
    // A poisoned lock only means another thread panicked mid-increment; counting goes on.
    let mut map = counters.lock().unwrap_or_else(|e| e.into_inner());
    *map.entry(key).or_default() += 1;
}

fn get(counters: &Counters, key: (&'static str, &'static str)) -> u64 {
    let map = counters.lock().unwrap_or_else(|e| e.into_inner());
    map.get(&key).copied().unwrap_or_default()
}

/// Counts one VVP API call; `outcome` is `success` or the error's category.
pub fn record_vvp_call(endpoint: &'static str, outcome: &'static str) {
    bump(&VVP_CALLS, (endpoint, outcome));
}

/// How many calls of `endpoint` ended with `outcome` so far (for tests and diagnostics).
pub fn vvp_calls(endpoint: &'static str, outcome: &'static str) -> u64 {
    get(&VVP_CALLS, (endpoint, outcome))
}

/// Counts one reconcile of `kind` that ended with `outcome` (`success` or a category).
pub fn record_reconcile(kind: &'static str, outcome: &'static str) {
    if outcome == "success" {
        bump(&RECONCILES, (kind, outcome));
    } else {
        bump(&RECONCILE_ERRORS, (kind, outcome));
    }
}

/// All counters in the Prometheus text exposition format.
pub fn render() -> String {
    let mut out = String::new();
    family(
        &mut out,
        "rudder_vvp_api_calls_total",
        "VVP API calls by endpoint and outcome (success or error category).",
        &VVP_CALLS,
        ("endpoint", "outcome"),
    );
    family(
        &mut out,
        "rudder_vvp_reconciles_total",
        "Successful reconciles of VVP kinds.",
        &RECONCILES,
        ("kind", "outcome"),
    );
    family(
        &mut out,
        "rudder_vvp_reconcile_errors_total",
        "Failed reconciles of VVP kinds by error category.",
        &RECONCILE_ERRORS,
        ("kind", "category"),
    );
    out
}

fn family(out: &mut String, name: &str, help: &str, counters: &Counters, labels: (&str, &str)) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} counter");
    let map = counters.lock().unwrap_or_else(|e| e.into_inner());
    for ((a, b), value) in map.iter() {
        let _ = writeln!(
            out,
            "{name}{{{}=\"{a}\",{}=\"{b}\"}} {value}",
            labels.0, labels.1
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_render_as_prometheus_text() {
        record_vvp_call("test_endpoint", "success");
        record_vvp_call("test_endpoint", "success");
        record_vvp_call("test_endpoint", "Unreachable");
        assert_eq!(vvp_calls("test_endpoint", "success"), 2);
        let text = render();
        assert!(text.contains("# TYPE rudder_vvp_api_calls_total counter"));
        assert!(text.contains(
            "rudder_vvp_api_calls_total{endpoint=\"test_endpoint\",outcome=\"success\"} 2"
        ));
        assert!(text.contains(
            "rudder_vvp_api_calls_total{endpoint=\"test_endpoint\",outcome=\"Unreachable\"} 1"
        ));
    }
}
