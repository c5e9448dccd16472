//! Wall-clock milliseconds for reporting how long a fit took. std's clock
//! panics in wasm32-unknown-unknown, so the browser's is read there. Never
//! used to decide anything: results stay deterministic.

/// Milliseconds since some fixed moment; only differences mean anything.
#[cfg(target_arch = "wasm32")]
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Milliseconds since some fixed moment; only differences mean anything.
#[cfg(not(target_arch = "wasm32"))]
pub fn now_ms() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
}
