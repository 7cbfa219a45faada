//! The process-wide wasmtime engines and their epoch ticker.
//!
//! One engine is shared by every policy (compiled code, type registry), so
//! loading many policies stays cheap. Wall-clock deadlines use epoch
//! interruption: a background thread owned by the engine bumps the epoch
//! every [`TICK`]; a store traps once its deadline (in ticks) has passed.
//! Fuel metering needs a differently configured engine, so there are two:
//! one without fuel (the default) and one with it (used only by policies
//! loaded with [`crate::Limits::fuel`] set).

use super::WasmError;
use std::sync::OnceLock;
use std::time::Duration;
use wasmtime::{Config, Engine};

/// Epoch tick of the shared engines: the granularity of deadlines.
pub const TICK: Duration = Duration::from_millis(5);

/// A shared engine and the ticker thread that drives its epoch.
pub(crate) struct SharedEngine {
    pub(crate) engine: Engine,
}

static PLAIN: OnceLock<Result<SharedEngine, String>> = OnceLock::new();
static FUELED: OnceLock<Result<SharedEngine, String>> = OnceLock::new();

fn build(fuel: bool) -> Result<SharedEngine, String> {
    let mut config = Config::new();
    config.epoch_interruption(true);
    config.consume_fuel(fuel);
    let engine = Engine::new(&config).map_err(|e| e.to_string())?;
    let ticking = engine.clone();
    std::thread::Builder::new()
        .name(if fuel {
            "regowasm-epoch-fuel".into()
        } else {
            "regowasm-epoch".into()
        })
        .spawn(move || {
            loop {
                std::thread::sleep(TICK);
                ticking.increment_epoch();
            }
        })
        .map_err(|e| format!("cannot start the epoch ticker thread: {e}"))?;
    Ok(SharedEngine { engine })
}

/// The shared engine, with or without fuel metering.
pub(crate) fn shared(fuel: bool) -> Result<&'static SharedEngine, WasmError> {
    let cell = if fuel { &FUELED } else { &PLAIN };
    cell.get_or_init(|| build(fuel))
        .as_ref()
        .map_err(|e| WasmError::Instantiate(format!("cannot create the wasmtime engine: {e}")))
}

/// Deadline in epoch ticks for a wall-clock duration (rounded up, plus one
/// tick because the current tick may be nearly over).
pub(crate) fn ticks_for(d: Duration) -> u64 {
    let tick = TICK.as_nanos().max(1);
    let n = d.as_nanos().div_ceil(tick);
    u64::try_from(n).unwrap_or(u64::MAX).saturating_add(1)
}
