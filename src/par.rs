//! Work split over the cores: rayon's pool natively, and in the page's
//! threaded build a pool of wasm workers; where there are no threads
//! (the offline file, a page that is not cross-origin isolated) it all
//! runs on the calling thread, rayon's side of every split compiled out.
//!
//! Invariant: every split here is fixed by the data (blocks of a set size,
//! columns), never by the number of threads, and results come back in
//! order, so a run gives the same report bit for bit on 1 core or 8.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

use rayon::prelude::*;

static SERIAL: AtomicBool = AtomicBool::new(false);

/// Off: everything on the calling thread (the page's "1 worker", to
/// measure against and to compare reports); on by default.
pub fn set_parallel(on: bool) {
    SERIAL.store(!on, Relaxed);
}

/// Below this headroom the page's work stays on its own thread: an
/// allocation that fails on a pool thread traps that thread alone, and the
/// thread waiting for it would wait for ever; on the calling thread it is
/// the out-of-memory message, the page's results kept. (Each split's
/// threads hold a few columns or blocks at a time, well below this.)
#[cfg(target_arch = "wasm32")]
const MIN_HEADROOM: usize = 768 << 20;

/// Past this much linear memory (in 64 KiB pages: 2 GiB) the page's work
/// stays on its own thread too: two threads' interleaved allocations leave
/// holes, and at that size the next large block must find one (threaded,
/// 7,000,000 customers ran out at the model with 1.5 GiB in use; on one
/// thread they fit). Pages, not bytes: 4 GiB in bytes overflows wasm32's usize.
#[cfg(target_arch = "wasm32")]
const MAX_LINEAR_PAGES: usize = (2 << 30) / 65_536;

fn serial() -> bool {
    // A wasm build without threads has one: known when compiling, so
    // rayon's side of every split is left out of it (30 KB of the page's
    // gzipped wasm in all).
    if cfg!(all(target_arch = "wasm32", not(feature = "threads"))) {
        return true;
    }
    #[cfg(target_arch = "wasm32")]
    if crate::wasm_alloc::headroom() < MIN_HEADROOM
        || core::arch::wasm32::memory_size(0) > MAX_LINEAR_PAGES
    {
        return true;
    }
    SERIAL.load(Relaxed)
}

/// Threads a split would use now (1 when it would stay on the calling
/// thread): for work that is only worth splitting on more than one.
pub fn threads() -> usize {
    if serial() || cfg!(all(target_arch = "wasm32", not(feature = "threads"))) {
        return 1;
    }
    rayon::current_num_threads()
}

/// `f` over `0..len` cut in consecutive ranges of `block` (the last one
/// shorter), the results in the ranges' order.
pub fn map_range<R: Send>(
    len: usize,
    block: usize,
    f: impl Fn(Range<usize>) -> R + Sync + Send,
) -> Vec<R> {
    let block = block.max(1);
    let range = |k: usize| k * block..((k + 1) * block).min(len);
    if serial() {
        return (0..len.div_ceil(block)).map(|k| f(range(k))).collect();
    }
    (0..len.div_ceil(block))
        .into_par_iter()
        .map(|k| f(range(k)))
        .collect()
}

/// `f` over each item, the results in the items' order.
pub fn map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync + Send) -> Vec<R> {
    if serial() {
        return items.into_iter().map(f).collect();
    }
    items.into_par_iter().map(f).collect()
}

/// `f` over each item, each one taken by the next thread to come free (no
/// rounds: a long item holds up its own thread only), and `done(k)` called
/// on the calling thread as the k-th item ends (a progress bar); the
/// results in the items' order.
pub fn map_reporting<T: Send, R: Send>(
    items: Vec<T>,
    f: impl Fn(T) -> R + Sync + Send,
    mut done: impl FnMut(usize),
) -> Vec<R> {
    let n = items.len();
    if serial() {
        let each = |(k, t)| {
            let r = f(t);
            done(k + 1);
            r
        };
        return items.into_iter().enumerate().map(each).collect();
    }
    if rayon::current_thread_index().is_some() {
        // On a pool thread (a test's pool), waiting here would hold a
        // thread the items may need.
        let out = map(items, f);
        done(n);
        return out;
    }
    // The results as they end (their count is how many have), under one
    // lock the calling thread waits on (a Mutex and Condvar, which rayon's latches already
    // bring into the threaded wasm; a channel added 6 KB to it).
    let ended = (
        std::sync::Mutex::new(Vec::with_capacity(n)),
        std::sync::Condvar::new(),
    );
    let (lock, bell) = (&ended.0, &ended.1);
    let f = &f;
    rayon::in_place_scope(|s| {
        for (k, t) in items.into_iter().enumerate() {
            s.spawn(move |_| {
                // Counted even if it panics, so the wait below ends; the
                // panic goes on from the calling thread.
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(t)));
                let mut g = lock
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                g.push((k, r));
                bell.notify_one();
            });
        }
        let mut told = 0;
        while told < n {
            let mut g = lock
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            while g.len() == told {
                g = bell
                    .wait(g)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            }
            let now = g.len();
            drop(g);
            // Told with the lock let go: the threads go on storing.
            for k in told..now {
                done(k + 1);
            }
            told = now;
        }
    });
    let mut results = ended
        .0
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    results.sort_unstable_by_key(|(k, _)| *k);
    results
        .into_iter()
        .map(|(_, r)| r.unwrap_or_else(|p| std::panic::resume_unwind(p)))
        .collect()
}

/// `f` over each item in place, the results in the items' order.
pub fn each_mut<T: Send, R: Send>(
    items: &mut [T],
    f: impl Fn(&mut T) -> R + Sync + Send,
) -> Vec<R> {
    if serial() {
        return items.iter_mut().map(f).collect();
    }
    items.par_iter_mut().map(f).collect()
}

/// `f(k, block)` over `items` cut in consecutive blocks of `block` items
/// (the last one shorter), the k-th block in place: for work where each
/// item's result is its own. The blocks' results in their order.
pub fn each_block_mut<T: Send, R: Send>(
    items: &mut [T],
    block: usize,
    f: impl Fn(usize, &mut [T]) -> R + Sync + Send,
) -> Vec<R> {
    let mut blocks: Vec<(usize, &mut [T])> = items.chunks_mut(block.max(1)).enumerate().collect();
    each_mut(&mut blocks, |(k, b)| f(*k, b))
}

/// `a` and `b`, side by side where there are threads.
pub fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if serial() {
        return (a(), b());
    }
    rayon::join(a, b)
}

/// `f` in a pool of `threads` threads (tests: the same result on one
/// thread and on several).
#[cfg(test)]
pub(crate) fn with_threads<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a test's thread pool")
        .install(f)
}

/// A thread's running sums, kept off its neighbours' cache lines: wasm's
/// one allocator hands two threads' small vectors out side by side, and
/// rows adding into one line from two cores ran each at half speed (the
/// threaded logistic fit no faster than one thread).
#[derive(Debug, Clone)]
pub struct Padded<T> {
    buf: Vec<T>,
    len: usize,
}

/// 128 bytes on each side: two cache lines of the widest common kind.
const PAD: usize = 128;

impl<T: Copy + Default> Padded<T> {
    pub fn zeros(len: usize) -> Padded<T> {
        Padded {
            buf: vec![T::default(); len + 2 * Self::pad()],
            len,
        }
    }

    /// `PAD` bytes in `T`s.
    fn pad() -> usize {
        PAD.div_ceil(std::mem::size_of::<T>().max(1))
    }
}

impl<T> std::ops::Deref for Padded<T>
where
    T: Copy + Default,
{
    type Target = [T];
    fn deref(&self) -> &[T] {
        let p = Self::pad();
        &self.buf[p..p + self.len]
    }
}

impl<T> std::ops::DerefMut for Padded<T>
where
    T: Copy + Default,
{
    fn deref_mut(&mut self) -> &mut [T] {
        let p = Self::pad();
        &mut self.buf[p..p + self.len]
    }
}

#[cfg(test)]
mod tests {
    /// Items that take very different times come back in order, each one's
    /// end told once, from outside a pool and from inside one of one thread
    /// (where waiting for the items would hold the only thread).
    #[test]
    fn items_reported_as_they_end_come_back_in_order() {
        let work = |k: u64| {
            let mut x = k;
            for _ in 0..(k % 4) * 200_000 {
                x = std::hint::black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1));
            }
            (k, x)
        };
        let want: Vec<(u64, u64)> = (0..40).map(work).collect();
        let mut ended = Vec::new();
        let got = super::map_reporting((0..40).collect(), work, |k| ended.push(k));
        assert_eq!(got, want);
        assert_eq!(ended, (1..=40).collect::<Vec<_>>());
        let mut ended = Vec::new();
        let got = super::with_threads(1, || {
            super::map_reporting((0..40).collect(), work, |k| ended.push(k))
        });
        assert_eq!(got, want);
        assert_eq!(ended.last(), Some(&40));
        // A panicking item ends the wait and the panic goes on.
        let panicked = std::panic::catch_unwind(|| {
            super::map_reporting(
                (0..8).collect(),
                |k: u32| {
                    assert_ne!(k, 5, "item five");
                    k
                },
                |_| {},
            )
        });
        assert!(panicked.is_err());
    }

    #[test]
    fn ranges_cover_in_order() {
        let got = super::map_range(10, 4, |r| (r.start, r.end));
        assert_eq!(got, [(0, 4), (4, 8), (8, 10)]);
        assert!(super::map_range(0, 4, |r| r.len()).is_empty());
        assert_eq!(
            super::map((0..100).collect(), |x: i32| x * 2),
            (0..100).map(|x| x * 2).collect::<Vec<_>>()
        );
        let mut items = vec![1, 2, 3];
        assert_eq!(
            super::each_mut(&mut items, |x| {
                *x += 1;
                *x
            }),
            [2, 3, 4]
        );
        assert_eq!(items, [2, 3, 4]);
        let mut cells = vec![0; 10];
        super::each_block_mut(&mut cells, 4, |k, block| {
            block
                .iter_mut()
                .enumerate()
                .for_each(|(i, c)| *c = 10 * k + i)
        });
        assert_eq!(cells, [0, 1, 2, 3, 10, 11, 12, 13, 20, 21]);
    }

    #[test]
    fn padded_holds_its_values_between_pads() {
        let mut p = super::Padded::<f64>::zeros(3);
        p[2] = 1.5;
        assert_eq!(&p[..], [0.0, 0.0, 1.5]);
        // 128 bytes of f64 on either side.
        assert_eq!(p.buf.len(), 3 + 2 * 16);
        assert_eq!(p.buf[16 + 2], 1.5);
        let counts = super::Padded::<usize>::zeros(0);
        assert!(counts.is_empty());
    }
}
