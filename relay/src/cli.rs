//! The `beseda-relay` command line: `serve` (the default), `operator add`, `site add`,
//! `answers import`, `migrate` and `backup`.

use crate::auth::hash_password;
use crate::chat::validation::{self, Refusal};
use crate::config::Config;
use crate::store::ErrorKind;
use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

/// Beseda relay: live chat for e-shops. Stores every conversation in one SQLite file, serves the
/// widget (`/widget.js`), the operator console (`/console/`), the operator REST API (`/api/`)
/// and the WebSockets (`/ws/visitor`, `/ws/operator`). Without a command it runs `serve`.
#[derive(Parser, Debug)]
#[command(name = "beseda-relay", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: Config,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the relay (the default when no command is given).
    Serve(Box<Config>),
    /// Manage operator accounts.
    #[command(subcommand)]
    Operator(OperatorCommand),
    /// Manage the shops (sites) this relay serves; `default` always exists.
    #[command(subcommand)]
    Site(SiteCommand),
    /// Manage a site's self-service answers.
    #[command(subcommand)]
    Answers(AnswersCommand),
    /// Copy the SQLite database into an empty PostgreSQL database and verify the copy.
    ///
    /// Every table is copied with its ids in one PostgreSQL transaction, then both databases
    /// are read back and compared row by row (counts and digests); any difference exits
    /// non-zero. Stop the relay first: the SQLite file is refused while a relay has it open.
    Migrate(Migrate),
    /// Write a consistent copy of the SQLite database to a new file, while the relay runs.
    ///
    /// The copy holds everything committed when it started (every message acknowledged by
    /// then); it is checked and flushed to disk before it gets its name. Restore by starting
    /// the relay on it (`--db FILE`). A PostgreSQL database is backed up with pg_dump.
    Backup(BackupArgs),
}

#[derive(Args, Debug)]
struct BackupArgs {
    /// The new file to write the copy to (refused if it exists).
    #[arg(long, value_name = "FILE")]
    to: PathBuf,
    /// The SQLite database file to copy.
    #[arg(long, env = "BESEDA_DB", default_value = "beseda.db")]
    db: PathBuf,
}

#[derive(Args, Debug)]
struct Migrate {
    /// The PostgreSQL database to copy into, `postgres://USER@HOST:PORT/DB`. Its schema is
    /// created first; it must not hold any operators, conversations or other data yet.
    #[arg(long, env = "BESEDA_MIGRATE_TO", value_name = "URL")]
    to: String,
    /// Only compare the two databases, as the copy's verification does, and change nothing;
    /// exits non-zero on any difference.
    #[arg(long)]
    verify_only: bool,
    /// The SQLite database file to copy (upgraded to this relay's schema first if older).
    #[arg(long, env = "BESEDA_DB", default_value = "beseda.db")]
    db: PathBuf,
}

#[derive(Subcommand, Debug)]
enum AnswersCommand {
    /// Import answers from a JSON file: an array of `{ "language": "cs", "question": "…",
    /// "keywords": ["…"], "answer": "…" }`. An answer with the same language and question is
    /// updated, so importing a file again changes nothing.
    Import(AnswersImport),
}

#[derive(Args, Debug)]
struct AnswersImport {
    /// The site the answers are for.
    #[arg(long)]
    site: String,
    /// The JSON file.
    file: PathBuf,
    /// Import only into a site that has no answers yet, so that seeding a site again keeps what
    /// was changed and deleted since.
    #[arg(long)]
    if_empty: bool,
    /// The SQLite database file.
    #[arg(long, env = "BESEDA_DB", default_value = "beseda.db")]
    db: PathBuf,
}

#[derive(Subcommand, Debug)]
enum OperatorCommand {
    /// Add an operator. The password is read from standard input (one line, at least 8 characters).
    Add(OperatorAdd),
}

#[derive(Args, Debug)]
struct OperatorAdd {
    /// The operator's email, used to sign in.
    #[arg(long)]
    email: String,
    /// The name visitors see.
    #[arg(long)]
    name: String,
    /// Allow managing operators, team shortcuts and settings.
    #[arg(long)]
    admin: bool,
    /// The SQLite database file.
    #[arg(long, env = "BESEDA_DB", default_value = "beseda.db")]
    db: PathBuf,
}

#[derive(Subcommand, Debug)]
enum SiteCommand {
    /// Add a site, named as in the script tag's `data-site`.
    Add(SiteAdd),
}

#[derive(Args, Debug)]
struct SiteAdd {
    /// The site's name: letters, digits, `-` and `_`.
    name: String,
    /// The shop name visitors see in the chat window.
    #[arg(long)]
    title: String,
    /// The SQLite database file.
    #[arg(long, env = "BESEDA_DB", default_value = "beseda.db")]
    db: PathBuf,
}

/// Runs the command line and returns the process's exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("BESEDA_LOG")
                // The pool repeats each broken connection while the database is away; the
                // store's health tells of the outage once.
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,deadpool=error")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command {
        None => runtime.block_on(serve(cli.serve)),
        Some(Command::Serve(config)) => runtime.block_on(serve(*config)),
        Some(Command::Operator(OperatorCommand::Add(add))) => runtime.block_on(operator_add(add)),
        Some(Command::Site(SiteCommand::Add(add))) => runtime.block_on(site_add(add)),
        Some(Command::Answers(AnswersCommand::Import(import))) => {
            runtime.block_on(answers_import(import))
        }
        Some(Command::Migrate(migrate)) => runtime.block_on(migrate_to_postgres(migrate)),
        Some(Command::Backup(backup)) => {
            crate::store::backup::backup(&backup.db, &backup.to).map(|backup| println!("{backup}"))
        }
    };
    // Work left on the blocking pool (a store that would not close) must not hold the exit.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    // Each socket is a file descriptor; the default soft limit (often 1024) would cap visitors.
    if let Err(error) = rlimit::increase_nofile_limit(u64::MAX) {
        tracing::warn!(%error, "cannot raise the open file limit");
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    // Printed on standard output so that scripts (and tests) can find an ephemeral port.
    println!(
        "Beseda relay listening on http://{}",
        listener.local_addr()?
    );
    crate::run(config, listener, shutdown_signal()).await
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

async fn open_store(db: PathBuf) -> anyhow::Result<std::sync::Arc<dyn crate::store::Store>> {
    Ok(crate::store::open(&db, "command-line", Box::new(|_| {}))
        .await
        .with_context(|| format!("cannot open the database {}", crate::store::describe(&db)))?
        .store)
}

async fn operator_add(add: OperatorAdd) -> anyhow::Result<()> {
    // The same rules, in the same order, as the REST API's `POST /api/operators`: an account
    // added here could as well have been added in the console, and the other way round.
    let email = add.email.trim().to_lowercase();
    validation::check_email(&email).map_err(refused("--email"))?;
    validation::check_operator_name(&add.name).map_err(refused("--name"))?;
    let name = add.name.trim().to_owned();
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .context("cannot read the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    validation::check_password(&password)
        .map_err(refused("the password (read from standard input)"))?;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await?
        .map_err(|error| anyhow::anyhow!(error))?;
    let store = open_store(add.db).await?;
    match store.add_operator(&email, &name, &hash, add.admin).await {
        Ok(profile) => {
            println!(
                "Added operator {} <{}> with id {}{}",
                profile.name,
                profile.email,
                profile.id,
                if profile.admin { " (admin)" } else { "" }
            );
            Ok(())
        }
        Err(error) if error.kind() != ErrorKind::Internal => anyhow::bail!(error.to_string()),
        Err(error) => Err(error.into()),
    }
}

/// Turns a refused value into the error `operator add` prints: what was refused, and why.
fn refused(what: &'static str) -> impl FnOnce(Refusal) -> anyhow::Error {
    move |(_, message)| anyhow::anyhow!("{what}: {message}")
}

async fn site_add(add: SiteAdd) -> anyhow::Result<()> {
    let valid = !add.name.is_empty()
        && add.name.len() <= 64
        && add
            .name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
    if !valid {
        anyhow::bail!("the site name must be 1 to 64 letters, digits, - or _");
    }
    if let Err((_, message)) = crate::chat::validation::check_site_title(&add.title) {
        anyhow::bail!("--title: {message}");
    }
    let store = open_store(add.db).await?;
    if store.ensure_site(&add.name, add.title.trim()).await? {
        println!("Added site {}", add.name);
        Ok(())
    } else {
        anyhow::bail!("a site named {} exists", add.name)
    }
}

async fn answers_import(import: AnswersImport) -> anyhow::Result<()> {
    let json = std::fs::read_to_string(&import.file)
        .with_context(|| format!("cannot read {}", import.file.display()))?;
    let answers = crate::answers::import::parse(&import.site, &json)
        .map_err(|message| anyhow::anyhow!("{}: {message}", import.file.display()))?;
    let store = open_store(import.db).await?;
    match store
        .import_answers(&import.site, answers, import.if_empty)
        .await
    {
        Ok((0, 0)) if import.if_empty => {
            println!("Site {} has answers already: nothing imported", import.site);
            Ok(())
        }
        Ok((added, updated)) => {
            println!(
                "Imported answers for site {}: {added} added, {updated} updated",
                import.site
            );
            Ok(())
        }
        Err(error) if error.kind() != ErrorKind::Internal => anyhow::bail!(error.to_string()),
        Err(error) => Err(error.into()),
    }
}

async fn migrate_to_postgres(migrate: Migrate) -> anyhow::Result<()> {
    if !crate::store::postgres::is_postgres_url(&migrate.to) {
        anyhow::bail!("--to: give the PostgreSQL database as postgres://USER@HOST:PORT/DB");
    }
    let summary = if migrate.verify_only {
        crate::store::migrate::verify(&migrate.db, &migrate.to).await?
    } else {
        crate::store::migrate::migrate(&migrate.db, &migrate.to).await?
    };
    println!("{summary}");
    if summary.verified() {
        Ok(())
    } else {
        anyhow::bail!(
            "the PostgreSQL database differs from {} ({})",
            migrate.db.display(),
            crate::store::migrate::differences(summary.problems.len())
        )
    }
}
