//! Readings from `/proc`: a process's memory, threads and CPU time, and the whole machine's CPU
//! time (to show how much of it other processes took during a measurement).

use anyhow::Context;
use std::process::Command;

/// Resident and peak resident memory of a process, in KiB, from `/proc/PID/status`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Memory {
    pub rss_kib: u64,
    pub peak_kib: u64,
    /// The process's thread count, which the memory includes the stacks of.
    pub threads: u64,
}

/// Reads `VmRSS`, `VmHWM` and `Threads` of a process.
pub fn memory(pid: u32) -> anyhow::Result<Memory> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    let field = |name: &str| -> anyhow::Result<u64> {
        let line = status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .with_context(|| format!("{path} has no {name}"))?;
        let number = line.trim().trim_end_matches("kB").trim();
        number
            .parse()
            .with_context(|| format!("cannot parse {name} {line:?} in {path}"))
    };
    Ok(Memory {
        rss_kib: field("VmRSS:")?,
        peak_kib: field("VmHWM:")?,
        threads: field("Threads:")?,
    })
}

/// CPU time (user plus system) a process has used so far, in clock ticks.
pub fn cpu_ticks(pid: u32) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    // The command name (field 2) may contain spaces; every field after its closing parenthesis
    // is a plain number. `utime` and `stime` are fields 14 and 15, so the 12th and 13th after it.
    let after_name = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .with_context(|| format!("cannot parse {path}"))?;
    let mut fields = after_name.split_whitespace().skip(11);
    let mut next = || -> anyhow::Result<u64> {
        fields
            .next()
            .and_then(|field| field.parse().ok())
            .with_context(|| format!("cannot parse the CPU times in {path}"))
    };
    Ok(next()? + next()?)
}

/// Clock ticks per second (`getconf CLK_TCK`); 100 on every common Linux system.
pub fn ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .filter(|ticks| *ticks > 0)
        .unwrap_or(100)
}

/// CPU time the whole machine spent busy (everything but idle and I/O wait), in clock ticks.
pub fn machine_busy_ticks() -> anyhow::Result<u64> {
    let stat = std::fs::read_to_string("/proc/stat").context("cannot read /proc/stat")?;
    let line = stat
        .lines()
        .find(|line| line.starts_with("cpu "))
        .context("/proc/stat has no cpu line")?;
    let fields: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|field| field.parse().context("cannot parse /proc/stat"))
        .collect::<anyhow::Result<_>>()?;
    // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already
    // part of user time.
    let total: u64 = fields.iter().take(8).sum();
    let idle =
        fields.get(3).copied().unwrap_or_default() + fields.get(4).copied().unwrap_or_default();
    Ok(total - idle)
}

/// A process's command name (`/proc/PID/comm`), or `None` once it is gone.
pub fn command_name(pid: u32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .ok()
        .map(|name| name.trim().to_owned())
}

/// The processes whose parent is `pid`, from every `/proc/N/stat`.
pub fn children(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|candidate| {
            std::fs::read_to_string(format!("/proc/{candidate}/stat"))
                .ok()
                .and_then(|stat| {
                    // The parent is the second field after the command name's parenthesis.
                    let (_, rest) = stat.rsplit_once(')')?;
                    rest.split_whitespace().nth(1)?.parse::<u32>().ok()
                })
                == Some(pid)
        })
        .collect()
}

/// A server's processes: `root` and its children (PostgreSQL's backends, nginx's workers).
pub fn with_children(root: u32) -> Vec<u32> {
    let mut pids = vec![root];
    pids.extend(children(root));
    pids
}

/// The summed memory of several processes (threads summed too; the peak is a sum of peaks).
/// A process that ended meanwhile counts as nothing.
pub fn total_memory(pids: &[u32]) -> anyhow::Result<Memory> {
    let mut total = Memory::default();
    let mut read_any = false;
    for pid in pids {
        if let Ok(memory) = memory(*pid) {
            read_any = true;
            total.rss_kib += memory.rss_kib;
            total.peak_kib += memory.peak_kib;
            total.threads += memory.threads;
        }
    }
    anyhow::ensure!(read_any, "none of the processes {pids:?} is running");
    Ok(total)
}

/// The summed CPU time of several processes; one that ended meanwhile counts as nothing, so
/// the figure is a lower bound when processes come and go during a measurement.
pub fn total_cpu_ticks(pids: &[u32]) -> u64 {
    pids.iter().filter_map(|pid| cpu_ticks(*pid).ok()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};

    #[test]
    fn a_started_child_is_found_and_measured_with_its_parent() {
        // `cat` waits on its standard input until the pipe is dropped: a child that stays
        // until the test is done looking, with no timing involved.
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("start cat");
        let me = std::process::id();
        assert!(children(me).contains(&child.id()));
        assert_eq!(command_name(child.id()).as_deref(), Some("cat"));
        let both = total_memory(&[me, child.id()]).expect("both are running");
        let mine = memory(me).expect("this process is running");
        assert!(
            both.rss_kib > mine.rss_kib,
            "{both:?} is not more than {mine:?}"
        );
        drop(child.stdin.take());
        child.wait().expect("cat ends with its input");
        assert!(!children(me).contains(&child.id()));
    }
}
