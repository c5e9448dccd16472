//! The wasm build's allocator: the system one, counted. wasm32 holds at most
//! 4 GiB, and an allocation that does not fit aborts with a bare
//! `unreachable` trap. Counting lets the worker tell that trap for what it is
//! (out of memory, with the size asked for and the bytes in use) and lets a
//! test lower the ceiling to reach that path with a small file.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

pub struct Counted;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
/// The most bytes in use since the last `mark_peak` (benchmarks read it).
static PEAK: AtomicUsize = AtomicUsize::new(0);
static CAP: AtomicUsize = AtomicUsize::new(usize::MAX);
/// Size of the request that failed, 0 while none has.
static FAILED: AtomicUsize = AtomicUsize::new(0);
/// Bytes in use when it failed.
static FAILED_IN_USE: AtomicUsize = AtomicUsize::new(0);

fn refuse(size: usize) -> *mut u8 {
    FAILED.store(size.max(1), Relaxed);
    FAILED_IN_USE.store(IN_USE.load(Relaxed), Relaxed);
    std::ptr::null_mut()
}

fn fits(extra: usize) -> bool {
    IN_USE.load(Relaxed).saturating_add(extra) <= CAP.load(Relaxed)
}

/// A fresh allocation of `layout` by `get`, refused past the cap and
/// counted when it succeeds (alloc and alloc_zeroed alike).
fn counted(layout: Layout, get: impl FnOnce() -> *mut u8) -> *mut u8 {
    if !fits(layout.size()) {
        return refuse(layout.size());
    }
    let p = get();
    if p.is_null() {
        return refuse(layout.size());
    }
    let now = IN_USE.fetch_add(layout.size(), Relaxed) + layout.size();
    PEAK.fetch_max(now, Relaxed);
    p
}

unsafe impl GlobalAlloc for Counted {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        counted(layout, || System.alloc(layout))
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        counted(layout, || System.alloc_zeroed(layout))
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        IN_USE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = layout.size();
        if new_size > old && !fits(new_size - old) {
            return refuse(new_size);
        }
        let p = System.realloc(ptr, layout, new_size);
        if p.is_null() {
            return refuse(new_size);
        }
        IN_USE.fetch_sub(old, Relaxed);
        let now = IN_USE.fetch_add(new_size, Relaxed) + new_size;
        PEAK.fetch_max(now, Relaxed);
        p
    }
}

/// The failed request and the bytes in use then, if an allocation failed.
pub fn failure() -> Option<(usize, usize)> {
    match FAILED.load(Relaxed) {
        0 => None,
        size => Some((size, FAILED_IN_USE.load(Relaxed))),
    }
}

/// Bytes that can still be had: below the cap and wasm32's 4 GiB.
pub fn headroom() -> usize {
    let limit = CAP.load(Relaxed).min(u32::MAX as usize);
    limit.saturating_sub(IN_USE.load(Relaxed))
}

/// Bytes allocated now.
pub fn in_use() -> usize {
    IN_USE.load(Relaxed)
}

/// Starts a new peak at the bytes in use now, and returns them.
pub fn mark_peak() -> usize {
    let now = IN_USE.load(Relaxed);
    PEAK.store(now, Relaxed);
    now
}

/// The most bytes in use since the last `mark_peak`.
pub fn peak() -> usize {
    PEAK.load(Relaxed)
}

/// Lowers the ceiling (bytes in use) for a test; `usize::MAX` lifts it.
pub fn set_cap(bytes: usize) {
    CAP.store(bytes, Relaxed);
}
