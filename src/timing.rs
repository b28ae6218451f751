//! Wall time per phase of a run, printed to standard error when `STOWAWAY_TIMINGS` is set
//! (for profiling and the benchmarks; nothing is measured otherwise).

use std::sync::Mutex;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Time spent in each phase, in the order phases first ended.
static PHASES: Mutex<Vec<(&'static str, Duration)>> = Mutex::new(Vec::new());

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("STOWAWAY_TIMINGS").is_some())
}

/// Measures from its creation until it is dropped, adding to phase `name`.
pub struct Phase {
    name: &'static str,
    start: Option<Instant>,
}

/// Start timing phase `name` (a no-op unless `STOWAWAY_TIMINGS` is set).
pub fn phase(name: &'static str) -> Phase {
    Phase {
        name,
        start: enabled().then(Instant::now),
    }
}

impl Drop for Phase {
    fn drop(&mut self) {
        let Some(start) = self.start else {
            return;
        };
        let spent = start.elapsed();
        let mut phases = PHASES.lock().unwrap_or_else(|e| e.into_inner());
        match phases.iter_mut().find(|(n, _)| *n == self.name) {
            Some((_, total)) => *total += spent,
            None => phases.push((self.name, spent)),
        }
    }
}

/// Print the phases to standard error (when `STOWAWAY_TIMINGS` is set).
pub fn report() {
    if !enabled() {
        return;
    }
    let phases = PHASES.lock().unwrap_or_else(|e| e.into_inner());
    for (name, spent) in phases.iter() {
        eprintln!("timing: {name:<24} {:>9.2} ms", spent.as_secs_f64() * 1e3);
    }
}
