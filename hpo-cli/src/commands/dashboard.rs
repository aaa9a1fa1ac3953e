//! `dashboard [URL]`: serves the live web dashboard of the storage until interrupted.

use anyhow::Context;
use hpo_dashboard::Dashboard;

use super::Ctx;
use crate::cli::DashboardArgs;

/// How long the dashboard's server storage retries a lost server before a page says so (five
/// seconds; the pages poll on, and show the studies again once the server is back).
pub fn retry() -> hpo_storage::RetryPolicy {
    hpo_storage::RetryPolicy::default().window(std::time::Duration::from_secs(5))
}

/// `dashboard`.
pub fn run(ctx: &Ctx, args: &DashboardArgs) -> anyhow::Result<()> {
    let shown = ctx.url.shown();
    let handle = Dashboard::new(ctx.storage.clone())
        .host(&args.host)
        .port(args.port)
        .allow_writes(args.allow_writes)
        .storage_label(shown.clone())
        .spawn()
        .context("cannot start the dashboard")?;
    if !handle.addr().ip().is_loopback() {
        hpo_core::log_warn!(
            "the dashboard listens on {}: anyone who can reach this machine can read the studies{}",
            handle.addr(),
            if args.allow_writes {
                " and change them"
            } else {
                ""
            }
        );
    }
    // On stdout, so that scripts (and the tests) can read the address whatever the log level.
    println!(
        "hpo dashboard of {shown} at {} ({}); press Ctrl+C to stop",
        handle.url(),
        if args.allow_writes {
            "writes allowed"
        } else {
            "read-only"
        }
    );
    handle.wait();
    Ok(())
}
