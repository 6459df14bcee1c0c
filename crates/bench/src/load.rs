//! A closed-loop load generator: each worker sends one operation, waits for
//! its answer, and sends the next, for a fixed time. The same driver runs the
//! HTTP scenarios and PostgreSQL's floor, so both are measured alike.

use std::time::{Duration, Instant};

use async_trait::async_trait;

/// One client: a connection and what it needs to build the next operation.
#[async_trait]
pub trait Worker: Send + 'static {
    /// Runs one operation; `Err` says what was wrong with its answer.
    async fn once(&mut self) -> Result<(), String>;
}

/// What one scenario measured.
#[derive(Debug, Clone, Default)]
pub struct Measured {
    pub operations: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// Drives `workers` for `warmup` (not measured), then for `duration`.
pub async fn drive(
    workers: Vec<Box<dyn Worker>>,
    warmup: Duration,
    duration: Duration,
) -> Measured {
    let start = Instant::now() + warmup;
    let end = start + duration;
    let tasks: Vec<_> = workers
        .into_iter()
        .map(|mut worker| {
            tokio::spawn(async move {
                let mut latencies: Vec<u32> = Vec::new();
                let mut errors = 0u64;
                let mut first_error = None;
                loop {
                    let sent = Instant::now();
                    if sent >= end {
                        break;
                    }
                    let outcome = worker.once().await;
                    if sent < start {
                        continue;
                    }
                    let micros = sent.elapsed().as_micros();
                    latencies.push(u32::try_from(micros).unwrap_or(u32::MAX));
                    if let Err(error) = outcome {
                        errors += 1;
                        first_error.get_or_insert(error);
                    }
                }
                (latencies, errors, first_error)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut measured = Measured::default();
    for task in tasks {
        match task.await {
            Ok((mine, errors, first_error)) => {
                latencies.extend(mine);
                measured.errors += errors;
                if measured.first_error.is_none() {
                    measured.first_error = first_error;
                }
            }
            Err(error) => {
                measured.errors += 1;
                measured
                    .first_error
                    .get_or_insert(format!("worker died: {error}"));
            }
        }
    }
    latencies.sort_unstable();
    measured.operations = latencies.len() as u64;
    measured.per_second = latencies.len() as f64 / duration.as_secs_f64();
    measured.p50_ms = percentile(&latencies, 50);
    measured.p99_ms = percentile(&latencies, 99);
    measured
}

/// The `p`th percentile of sorted microseconds, in milliseconds.
fn percentile(sorted: &[u32], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = (sorted.len() * p).div_ceil(100).saturating_sub(1);
    f64::from(sorted[index.min(sorted.len() - 1)]) / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_right_rank() {
        let sorted: Vec<u32> = (1..=100).map(|ms| ms * 1000).collect();
        assert_eq!(percentile(&sorted, 50), 50.0);
        assert_eq!(percentile(&sorted, 99), 99.0);
        assert_eq!(percentile(&[], 99), 0.0);
    }

    struct Failing(u32);

    #[async_trait]
    impl Worker for Failing {
        async fn once(&mut self) -> Result<(), String> {
            self.0 += 1;
            tokio::time::sleep(Duration::from_millis(1)).await;
            if self.0.is_multiple_of(2) {
                Err("even".into())
            } else {
                Ok(())
            }
        }
    }

    #[tokio::test]
    async fn errors_are_counted_and_the_first_is_kept() {
        let measured = drive(
            vec![Box::new(Failing(0))],
            Duration::ZERO,
            Duration::from_millis(100),
        )
        .await;
        assert!(measured.operations > 10);
        assert!(measured.errors >= measured.operations / 2 - 1);
        assert_eq!(measured.first_error.as_deref(), Some("even"));
    }
}
