//! `docs/benchmarks.md`: the measured tables go between two markers, so the
//! analysis written around them survives a new run.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;

use crate::load::Measured;

const START: &str = "<!-- bench:start -->";
const END: &str = "<!-- bench:end -->";

pub struct Row {
    pub scenario: String,
    pub floor_note: &'static str,
    pub ours: Measured,
    pub floor: Option<Measured>,
}

pub struct Section {
    pub title: String,
    pub database: String,
    pub rows: Vec<Row>,
    /// The server's resident memory at the end and at its peak, in KiB.
    pub memory_kib: (u64, u64),
    pub seeded: String,
}

/// The run's tables in Markdown.
pub fn render(header: &str, sections: &[Section]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{header}\n");
    for section in sections {
        let _ = writeln!(out, "### {}\n", section.title);
        let _ = writeln!(
            out,
            "{}; {}. Server memory: {:.0} MB resident at the end, {:.0} MB at its peak.\n",
            section.database,
            section.seeded,
            section.memory_kib.0 as f64 / 1024.0,
            section.memory_kib.1 as f64 / 1024.0
        );
        let _ = writeln!(
            out,
            "| scenario | ours req/s | ours p50 / p99 ms | floor req/s | floor p50 / p99 ms | ours / floor | errors | floor runs |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---|");
        for row in &section.rows {
            let (floor_rate, floor_latency, ratio) = match &row.floor {
                Some(floor) => (
                    format!("{:.0}", floor.per_second),
                    format!("{:.1} / {:.1}", floor.p50_ms, floor.p99_ms),
                    if floor.per_second > 0.0 {
                        format!("{:.2}", row.ours.per_second / floor.per_second)
                    } else {
                        "—".into()
                    },
                ),
                None => ("—".into(), "—".into(), "—".into()),
            };
            let errors = row.ours.errors + row.floor.as_ref().map_or(0, |f| f.errors);
            let _ = writeln!(
                out,
                "| {} | {:.0} | {:.1} / {:.1} | {floor_rate} | {floor_latency} | {ratio} | {errors} | {} |",
                row.scenario,
                row.ours.per_second,
                row.ours.p50_ms,
                row.ours.p99_ms,
                if row.floor.is_some() {
                    row.floor_note
                } else {
                    "—"
                },
            );
        }
        let _ = writeln!(out);
    }
    out
}

/// Replaces what lies between the markers in `path` (or appends both).
pub fn write(path: &Path, tables: &str) -> anyhow::Result<()> {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let generated = format!("{START}\n{tables}{END}");
    let new = match (old.find(START), old.find(END)) {
        (Some(start), Some(end)) if start < end => {
            format!("{}{generated}{}", &old[..start], &old[end + END.len()..])
        }
        _ => format!("{old}\n{generated}\n"),
    };
    std::fs::write(path, new).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_run_replaces_only_the_tables() {
        let dir = std::env::temp_dir().join(format!("bench-report-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("benchmarks.md");
        std::fs::write(
            &path,
            format!("# Title\n\n{START}\nold\n{END}\n\n## Analysis\n"),
        )
        .expect("write");
        write(&path, "new\n").expect("report");
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(
            text,
            format!("# Title\n\n{START}\nnew\n{END}\n\n## Analysis\n")
        );
        std::fs::remove_dir_all(dir).expect("cleanup");
    }
}
