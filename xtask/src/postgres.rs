//! A throwaway PostgreSQL cluster for the test suite: `initdb` into a temp
//! directory, `pg_ctl start` on a free loopback port, stopped and deleted on drop.
//! PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    run_as: Option<String>,
    url: String,
}

impl Cluster {
    pub fn start() -> anyhow::Result<Self> {
        let bin = find_bin_dir()
            .context("initdb and pg_ctl were not found on PATH or under /usr/lib/postgresql")?;
        let run_as = if is_root() {
            Some(unprivileged_user()?)
        } else {
            None
        };
        let dir = std::env::temp_dir().join(format!("prospects-pg-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        if let Some(user) = &run_as {
            checked(Command::new("chown").args(["-R", user]).arg(&dir))?;
        }
        let port = free_port()?;
        let data = dir.join("data");
        let cluster = Self {
            dir: dir.clone(),
            bin,
            run_as,
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
        };
        cluster.pg(
            "initdb",
            &[
                "-D",
                &s(&data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        )?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            s(&dir)
        );
        cluster.pg(
            "pg_ctl",
            &[
                "-D",
                &s(&data),
                "-o",
                &options,
                "-l",
                &s(&dir.join("log")),
                "-w",
                "-t",
                "60",
                "start",
            ],
        )?;
        Ok(cluster)
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    fn pg(&self, program: &str, args: &[&str]) -> anyhow::Result<()> {
        let program = self.bin.join(program);
        let mut command = match &self.run_as {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(&program);
                command
            }
            None => Command::new(&program),
        };
        command.args(args).current_dir(&self.dir);
        checked(&mut command)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = s(&self.dir.join("data"));
        let _ = self.pg("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn s(path: &Path) -> String {
    path.display().to_string()
}

fn checked(command: &mut Command) -> anyhow::Result<()> {
    let output = command
        .output()
        .with_context(|| format!("cannot run {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// The directory holding `initdb` and `pg_ctl`: PATH first, then Debian's layout (newest version).
fn find_bin_dir() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file());
    if let Some(dir) = on_path {
        // Debian links initdb into PATH; pg_ctl next to the real binary is the matching one.
        let real = std::fs::canonicalize(dir.join("initdb")).ok()?;
        return real.parent().map(Path::to_path_buf);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").is_file())
        .collect();
    versions.sort_by_key(|bin| {
        bin.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    versions.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
        .unwrap_or(false)
}

fn unprivileged_user() -> anyhow::Result<String> {
    let exists = Command::new("id")
        .arg("postgres")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if exists {
        Ok("postgres".to_owned())
    } else {
        bail!("running as root and there is no `postgres` user to run the throwaway cluster as")
    }
}

fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot find a free port")?;
    Ok(listener.local_addr()?.port())
}
