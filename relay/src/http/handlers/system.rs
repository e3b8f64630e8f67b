//! The relay's own pages: its figures for Prometheus.

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
    let name = "beseda_cluster_leader";
    text.push_str(&format!(
        "# HELP {name} 1 while this relay runs the singletons (always alone on SQLite).\n# TYPE {name} gauge\n{name} {}\n",
        u8::from(app.cluster.is_leader())
    ));
    text
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
