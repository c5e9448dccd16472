//! kequn (客群): a customer-analytics workbench whose core runs natively (CLI)
//! and as WebAssembly in the browser (the page), through one entry,
//! [`recipe::run`].
//!
//! Code map (see ARCHITECTURE.md for the invariants):
//! - [`table`]: the columnar `Table`; bytes → table (decode, sniff, split,
//!   type), join, column statistics.
//! - [`recipe`]: the serialisable `Recipe` and `run`, which the CLI and the
//!   page both call.
//! - [`synth`]: deterministic generators of customer-shaped data.
//! - [`error`]: the one error type; English `Display`, Chinese `zh()`.
//! - `web` (wasm32 only): thin wasm-bindgen bindings over `recipe::run`.
//! - `wasm_alloc` (wasm32 only): the allocator, counted, so that running out of
//!   the 4 GiB is reported as such.

pub mod basket;
pub mod clock;
pub mod error;
pub mod export;
pub mod label;
pub mod order;
pub mod overview;
pub mod par;
pub mod plan;
pub mod prep;
pub mod recipe;
pub mod score;
pub mod segment;
pub mod shared;
pub mod synth;
pub mod table;

#[cfg(not(target_arch = "wasm32"))]
pub mod serve;

#[cfg(target_arch = "wasm32")]
pub mod web;

#[cfg(target_arch = "wasm32")]
pub(crate) mod wasm_alloc;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOC: wasm_alloc::Counted = wasm_alloc::Counted;

pub use error::{Error, Result};

/// Measures how many bytes `work` adds at its peak over what was in use
/// before it (the wasm build's counted allocator; natively `None`), for
/// the benchmarks' memory rows.
pub fn peak_added<T>(work: impl FnOnce() -> T) -> (T, Option<usize>) {
    #[cfg(target_arch = "wasm32")]
    {
        let before = wasm_alloc::mark_peak();
        let out = work();
        (out, Some(wasm_alloc::peak().saturating_sub(before)))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        (work(), None)
    }
}

/// Receives progress of long work: a stage name and the fraction done (0–1).
pub trait Progress {
    fn report(&mut self, stage: &str, fraction: f64);
}

/// No progress wanted.
impl Progress for () {
    fn report(&mut self, _: &str, _: f64) {}
}

/// Progress delivered to a closure.
pub struct Callback<F: FnMut(&str, f64)>(pub F);

impl<F: FnMut(&str, f64)> Progress for Callback<F> {
    fn report(&mut self, stage: &str, fraction: f64) {
        (self.0)(stage, fraction)
    }
}
