//! What the benchmark runs against: one relay on a SQLite file, or one or more relays on the
//! benchmark's own PostgreSQL, several of them behind nginx. Every client connects to
//! [`Deployment::entry`]; the relays' own addresses serve only `/metrics`.

use crate::procfs;
use crate::relay::{self, RelayProcess};
use anyhow::bail;
use beseda_throwaway::Nginx;
use beseda_throwaway::Postgres;
use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Which database the relays run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Store {
    Sqlite,
    Postgres,
}

/// The running servers. Dropping it stops the balancer first, then the relays, then the
/// database, and removes the SQLite directory: every way out of the bench cleans up.
pub struct Deployment {
    balancer: Option<Nginx>,
    pub relays: Vec<RelayProcess>,
    pub postgres: Option<Postgres>,
    sqlite_directory: Option<PathBuf>,
    /// Where clients connect: nginx, or the only relay.
    pub entry: SocketAddr,
}

impl Deployment {
    /// Creates the database with the benchmark's operator, then starts `relays` relays on it
    /// one after another, and nginx in front of them when there are several.
    pub fn start(binary: &Path, store: Store, relays: usize) -> anyhow::Result<Deployment> {
        if relays == 0 {
            bail!("--relays must be at least 1");
        }
        if relays > 1 && store == Store::Sqlite {
            bail!("several relays share one database only on PostgreSQL: add --store postgres");
        }
        let mut deployment = Deployment {
            balancer: None,
            relays: Vec::with_capacity(relays),
            postgres: None,
            sqlite_directory: None,
            entry: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let db: OsString = match store {
            Store::Sqlite => {
                let directory = relay::fresh_temp_dir()?;
                let file = directory.join("bench.db");
                deployment.sqlite_directory = Some(directory);
                file.into_os_string()
            }
            Store::Postgres => {
                eprintln!("starting PostgreSQL with fsync on (a durability benchmark)");
                let postgres = Postgres::start_durable();
                let url = postgres.url();
                deployment.postgres = Some(postgres);
                url.into()
            }
        };
        relay::add_operator(binary, &db)?;
        let behind_balancer = relays > 1;
        for _ in 0..relays {
            let relay = RelayProcess::start(binary, &db, behind_balancer)?;
            eprintln!("relay pid {} listening on {}", relay.pid(), relay.addr);
            deployment.relays.push(relay);
        }
        deployment.entry = deployment.relays[0].addr;
        if behind_balancer {
            let upstreams: Vec<SocketAddr> =
                deployment.relays.iter().map(|relay| relay.addr).collect();
            let nginx = Nginx::balancing(&upstreams);
            deployment.entry = nginx.addr();
            eprintln!("nginx balancing them on {}", deployment.entry);
            deployment.balancer = Some(nginx);
        }
        Ok(deployment)
    }

    /// The relays' process ids.
    pub fn relay_pids(&self) -> Vec<u32> {
        self.relays.iter().map(RelayProcess::pid).collect()
    }

    /// The relays' own addresses, for `/metrics`.
    pub fn relay_addrs(&self) -> Vec<SocketAddr> {
        self.relays.iter().map(|relay| relay.addr).collect()
    }

    /// nginx's master process: the child of this process that is named `nginx`.
    pub fn balancer_pid(&self) -> Option<u32> {
        self.balancer.as_ref()?;
        procfs::children(std::process::id())
            .into_iter()
            .find(|pid| procfs::command_name(*pid).as_deref() == Some("nginx"))
    }

    /// The PostgreSQL server's postmaster.
    pub fn database_pid(&self) -> anyhow::Result<Option<u32>> {
        Ok(self.postgres.as_ref().map(Postgres::postmaster_pid))
    }

    /// Fails if a relay has exited.
    pub fn check_alive(&mut self) -> anyhow::Result<()> {
        for relay in &mut self.relays {
            relay.check_alive()?;
        }
        Ok(())
    }
}

impl Drop for Deployment {
    fn drop(&mut self) {
        // Clients first lose the balancer, then the relays stop, then their database.
        drop(self.balancer.take());
        self.relays.clear();
        drop(self.postgres.take());
        if let Some(directory) = self.sqlite_directory.take() {
            let _ = std::fs::remove_dir_all(directory);
        }
    }
}
