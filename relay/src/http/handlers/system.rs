//! The relay's own pages: its health and its figures for Prometheus.

use crate::App;
use crate::error::ApiError;

/// The figures in Prometheus text format.
pub fn metrics(app: &App) -> String {
    use std::sync::atomic::Ordering::Relaxed;
    let stats = app.store.stats();
    let mut text = app.metrics.render(
        stats.commits.load(Relaxed),
        stats.committed_jobs.load(Relaxed),
        stats.pending_writes.load(Relaxed),
    );
    let name = "beseda_password_checks_total";
    text.push_str(&format!(
        "# HELP {name} Passwords checked against their hash (sign-ins).\n# TYPE {name} counter\n{name} {}\n",
        app.password_checks.checked.load(Relaxed)
    ));
    let name = "beseda_store_failures_total";
    text.push_str(&format!(
        "# HELP {name} Writes that failed for a reason that passes (answered `unavailable`), by kind.\n# TYPE {name} counter\n"
    ));
    for (outage, count) in stats.health.failures() {
        text.push_str(&format!("{name}{{kind=\"{}\"}} {count}\n", outage.label()));
    }
    let name = "beseda_store_available";
    text.push_str(&format!(
        "# HELP {name} 0 while writes fail (since the last failure, until a write succeeds).\n# TYPE {name} gauge\n{name} {}\n",
        u8::from(stats.health.outage().is_none())
    ));
    let free = stats.disk_free_bytes.load(Relaxed);
    if free >= 0 {
        let name = "beseda_disk_free_bytes";
        text.push_str(&format!(
            "# HELP {name} Bytes left on the database's disk, when last measured.\n# TYPE {name} gauge\n{name} {free}\n"
        ));
    }
    let name = "beseda_cluster_leader";
    text.push_str(&format!(
        "# HELP {name} 1 while this relay runs the singletons (always alone on SQLite).\n# TYPE {name} gauge\n{name} {}\n",
        u8::from(app.cluster.is_leader())
    ));
    text
}

/// Whether the relay can do its work: `200 ok`, or 503 with the reason while the storage fails
/// (so that a balancer steers visitors to another relay meanwhile).
pub fn health(app: &App) -> (http::StatusCode, String) {
    match app.store.stats().health.outage() {
        None => (http::StatusCode::OK, "ok".to_owned()),
        Some(outage) => (
            http::StatusCode::SERVICE_UNAVAILABLE,
            format!("storage unavailable: {outage}"),
        ),
    }
}

/// The figures for a caller on the public port, who must give the metrics token; `Ok(None)`
/// when no token is configured (then the public port has no such page).
pub fn public_metrics(app: &App, given_token: &str) -> Result<Option<String>, ApiError> {
    let Some(expected) = &app.config.metrics_token else {
        return Ok(None);
    };
    if !crate::auth::same_secret(given_token, &expected.0) {
        return Err(ApiError::Unauthorized);
    }
    Ok(Some(metrics(app)))
}
