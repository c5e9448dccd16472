//! wasm-bindgen bindings: thin. Converts JS values to Rust and back, and
//! errors to `{code, message_en, message_zh, file, line, column}`; all the
//! work is in `recipe::run`.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::recipe::{self, Recipe};
use crate::{Callback, Error};

#[cfg(feature = "office")]
mod office;
#[cfg(feature = "office")]
pub use office::*;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// The threaded build's `initThreadPool(n)`: n workers sharing this
/// memory become rayon's pool (`crate::par`); the worker calls it once,
/// after `init`, when the page is cross-origin isolated.
#[cfg(feature = "threads")]
pub use wasm_bindgen_rayon::init_thread_pool;

/// Whether this build runs `crate::par` on threads (when its pool is started).
#[wasm_bindgen]
pub fn threaded() -> bool {
    cfg!(feature = "threads")
}

/// The page's worker count for the next run: 1 runs `crate::par`'s work
/// on the calling thread (the threaded build's pool idle).
#[wasm_bindgen]
pub fn set_parallel(on: bool) {
    crate::par::set_parallel(on);
}

/// Whether a file that begins with these bytes is an Excel workbook (the
/// loader's test): the worker runs a recipe with one among its files in
/// the office build.
#[wasm_bindgen]
pub fn is_workbook(head: &[u8]) -> bool {
    crate::table::excel::is_workbook(head)
}

/// The crate version, for the page's footer and bug reports.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

#[derive(Serialize)]
struct JsError<'a> {
    code: &'a str,
    message_en: String,
    message_zh: String,
    file: Option<&'a str>,
    line: Option<u64>,
    column: Option<&'a str>,
}

/// Through JSON text: one string across the boundary and the browser's
/// JSON.parse, where serde-wasm-bindgen made a JS call per value (a million
/// segment labels took 2 s). Non-finite numbers become null, as in the
/// JSON the CLI writes.
fn to_js<T: Serialize>(value: &T) -> JsValue {
    serde_json::to_string(value)
        .ok()
        .and_then(|s| js_sys::JSON::parse(&s).ok())
        .unwrap_or(JsValue::NULL)
}

/// The error as the object the page shows (both languages).
pub fn error_to_js(e: &Error) -> JsValue {
    to_js(&JsError {
        code: e.code(),
        message_en: e.to_string(),
        message_zh: e.zh(),
        file: e.file(),
        line: e.line(),
        column: e.column(),
    })
}

fn bad_argument(detail: &str) -> JsValue {
    error_to_js(&Error::Recipe {
        detail: detail.to_string(),
    })
}

/// The gradient-boosting benchmark in the page's worker (`make
/// bench-compare`): `x` row-major `cols` wide, labels `y`, the last
/// `test_rows` held out; fit and (when `shap`) TreeSHAP times, test AUC.
#[wasm_bindgen]
pub fn bench_gbdt(
    x: Vec<f64>,
    y: Vec<u8>,
    cols: usize,
    test_rows: usize,
    shap: bool,
) -> Result<JsValue, JsValue> {
    let r =
        crate::score::gbdt::bench(&x, &y, cols, test_rows, shap).map_err(|e| error_to_js(&e))?;
    Ok(to_js(&r))
}

/// The scorecard binning benchmark in the page's worker (`make
/// bench-compare`): every column of `x` (row-major, `cols` wide; the
/// `categorical` ones integer codes) binned against `y`; time and IVs.
#[wasm_bindgen]
pub fn bench_binning(
    x: Vec<f64>,
    y: Vec<u8>,
    cols: usize,
    categorical: Vec<usize>,
) -> Result<JsValue, JsValue> {
    let r =
        crate::score::scorecard::bench(&x, &y, cols, &categorical).map_err(|e| error_to_js(&e))?;
    Ok(to_js(&r))
}

/// Customer → segment as CSV, from a report's `segment` (ids, labels,
/// names, and a Gaussian mixture's memberships, else empty).
#[wasm_bindgen]
pub fn segments_csv(
    ids: Vec<String>,
    labels: Vec<u32>,
    names: Vec<String>,
    memberships: Vec<f32>,
) -> String {
    crate::export::segments_csv(&ids, &labels, &names, &memberships)
}

thread_local! {
    /// Files copied into wasm memory a slice at a time by `stage_file` and
    /// `stage_chunk`, for the next `run`: the worker never holds a whole
    /// file in JS as well (at a million rows that was 240 MB more).
    static STAGED: std::cell::RefCell<Vec<(String, Vec<u8>)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Forgets any staged file (a read that failed half-way leaves one).
#[wasm_bindgen]
pub fn stage_clear() {
    STAGED.with(|s| s.borrow_mut().clear());
}

/// Starts a staged file of `size` bytes.
#[wasm_bindgen]
pub fn stage_file(name: String, size: usize) {
    STAGED.with(|s| s.borrow_mut().push((name, Vec::with_capacity(size))));
}

/// Appends `bytes` to the file `stage_file` started last.
#[wasm_bindgen]
pub fn stage_chunk(bytes: js_sys::Uint8Array) -> Result<(), JsValue> {
    STAGED.with(|s| match s.borrow_mut().last_mut() {
        Some((_, b)) => {
            // Straight from the JS array into the file's buffer: one copy
            // (a `&[u8]` argument would be copied in, then again here).
            let at = b.len();
            b.resize(at + bytes.length() as usize, 0);
            bytes.copy_to(&mut b[at..]);
            Ok(())
        }
        None => Err(bad_argument("stage_chunk before stage_file")),
    })
}

/// `progress(stage, fraction)` as the core's `Progress`, called only on
/// visible changes (calls into JS are not free).
fn progress_to(progress: Option<js_sys::Function>) -> impl crate::Progress {
    let mut last = (String::new(), -1.0);
    Callback(move |stage: &str, fraction: f64| {
        let Some(f) = &progress else { return };
        if stage != last.0 || fraction - last.1 >= 0.01 || fraction >= 1.0 {
            last = (stage.to_string(), fraction);
            let _ = f.call2(&JsValue::NULL, &stage.into(), &fraction.into());
        }
    })
}

thread_local! {
    /// Input tables loaded by pool workers (`stage_loaded`), by their index
    /// in the recipe's inputs, for the next `run`.
    static LOADED: std::cell::RefCell<Vec<(usize, recipe::pool::Loaded)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The inputs of `recipe_json` to load in pool workers, as `[{input, files}]`
/// (`recipe::pool::plan`); `names` and `sizes` are the run's files.
#[wasm_bindgen]
pub fn pool_plan(
    recipe_json: &str,
    names: Vec<String>,
    sizes: Vec<f64>,
    min_bytes: f64,
) -> Result<JsValue, JsValue> {
    let recipe = Recipe::from_json(recipe_json).map_err(|e| error_to_js(&e))?;
    let files: Vec<(String, u64)> = names
        .into_iter()
        .zip(sizes.into_iter().map(|s| s as u64))
        .collect();
    Ok(to_js(&recipe::pool::plan(
        &recipe,
        &files,
        min_bytes as u64,
    )))
}

/// Loads `recipe.inputs[input]` from the staged files (taking them): the
/// part of a run a pool worker (`pool_load`) or the recipe's worker beside
/// the pool (`load_here`) does.
fn load_staged(
    recipe_json: &str,
    input: usize,
    progress: Option<js_sys::Function>,
) -> crate::Result<recipe::pool::Loaded> {
    let recipe = Recipe::from_json(recipe_json)?;
    let files: Vec<(String, Vec<u8>)> = STAGED.with(|s| std::mem::take(&mut *s.borrow_mut()));
    recipe::pool::load_one(&recipe, input, files, &mut progress_to(progress))
}

/// In a pool worker: loads `recipe.inputs[input]` from the staged files and
/// returns it as bytes for `stage_loaded`; throws the error `run` would.
/// (The files are freed before the bytes are made.)
#[wasm_bindgen]
pub fn pool_load(
    recipe_json: &str,
    input: usize,
    progress: Option<js_sys::Function>,
) -> Result<js_sys::Uint8Array, JsValue> {
    let loaded = load_staged(recipe_json, input, progress).map_err(|e| error_to_js(&e))?;
    let mut size = crate::table::codec::Count::default();
    loaded.encode_to(&mut size);
    let len = u32::try_from(size.0).map_err(|_| {
        bad_argument("the table is too large to pass between the page's workers (4 GiB or more)")
    })?;
    let mut out = JsSink {
        out: js_sys::Uint8Array::new_with_length(len),
        at: 0,
        buf: Vec::with_capacity(JsSink::FLUSH),
    };
    loaded.encode_to(&mut out);
    out.flush();
    Ok(out.out)
}

/// A JS array `encode` fills a MiB at a time (one copy across per MiB, not
/// per value).
struct JsSink {
    out: js_sys::Uint8Array,
    at: u32,
    buf: Vec<u8>,
}

impl JsSink {
    const FLUSH: usize = 1 << 20;
    fn flush(&mut self) {
        let end = self.at + self.buf.len() as u32;
        self.out.subarray(self.at, end).copy_from(&self.buf);
        self.at = end;
        self.buf.clear();
    }
}

impl crate::table::codec::Sink for JsSink {
    fn put(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= Self::FLUSH {
            self.flush();
        }
    }
}

/// In the recipe's worker: loads `recipe.inputs[input]` from the staged
/// files for the next `run`, while pool workers load the others. False if
/// it could not (the files are gone then: the worker stages them again and
/// `run` reads them, so an error is the one `run` gives).
#[wasm_bindgen]
pub fn load_here(recipe_json: &str, input: usize, progress: Option<js_sys::Function>) -> bool {
    match load_staged(recipe_json, input, progress) {
        Ok(loaded) => {
            LOADED.with(|l| l.borrow_mut().push((input, loaded)));
            true
        }
        Err(_) => false,
    }
}

/// In the recipe's worker: takes an input table a pool worker loaded
/// (`pool_load`'s bytes) for the next `run`.
#[wasm_bindgen]
pub fn stage_loaded(input: usize, bytes: js_sys::Uint8Array) -> Result<(), JsValue> {
    let loaded = recipe::pool::Loaded::decode_from(&JsBytes(bytes)).map_err(|e| error_to_js(&e))?;
    LOADED.with(|l| l.borrow_mut().push((input, loaded)));
    Ok(())
}

/// A table's bytes as they arrived from a pool worker, still in JS.
struct JsBytes(js_sys::Uint8Array);

impl crate::table::codec::Source for JsBytes {
    fn size(&self) -> usize {
        self.0.length() as usize
    }
    fn copy_to(&self, at: usize, dst: &mut [u8]) {
        self.0
            .subarray(at as u32, (at + dst.len()) as u32)
            .copy_to(dst);
    }
}

/// Forgets the tables `stage_loaded` took (a run that did not start).
#[wasm_bindgen]
pub fn loaded_clear() {
    LOADED.with(|l| l.borrow_mut().clear());
}

/// Runs a recipe (JSON text) over the staged files and `files`, an array of
/// `{name, bytes: Uint8Array}`.
/// `progress(stage, fraction)` is called as work advances. Returns the report
/// object, or throws the error object.
#[wasm_bindgen]
pub fn run(
    recipe_json: &str,
    files: js_sys::Array,
    progress: Option<js_sys::Function>,
) -> Result<JsValue, JsValue> {
    let recipe = Recipe::from_json(recipe_json).map_err(|e| error_to_js(&e))?;
    let mut buffers: Vec<(String, Vec<u8>)> = STAGED.with(|s| std::mem::take(&mut *s.borrow_mut()));
    for item in files.iter() {
        let name = js_sys::Reflect::get(&item, &"name".into())
            .ok()
            .and_then(|v| v.as_string())
            .ok_or_else(|| bad_argument("each file needs a string 'name'"))?;
        let bytes = js_sys::Reflect::get(&item, &"bytes".into())
            .ok()
            .filter(|v| v.is_instance_of::<js_sys::Uint8Array>())
            .map(|v| js_sys::Uint8Array::from(v).to_vec())
            .ok_or_else(|| bad_argument("each file needs 'bytes' as a Uint8Array"))?;
        buffers.push((name, bytes));
    }
    let mut cb = progress_to(progress);
    let loaded = LOADED.with(|l| std::mem::take(&mut *l.borrow_mut()));
    // The last run lends its model when the files and sections are the same.
    let previous = LAST.with(|l| l.borrow_mut().take());
    let (mut report, inputs) =
        match recipe::run_loaded(&recipe, buffers, loaded, previous.as_ref(), &mut cb) {
            Ok((report, print)) => (report, Some(print)),
            Err(e) => {
                // The results on screen are still the last run's: keep it for the downloads.
                LAST.with(|l| *l.borrow_mut() = previous);
                return Err(error_to_js(&e));
            }
        };
    // The page gets the first PAGE_OFFERS cross-sell offers: a run over a
    // million customers makes ~700,000, hundreds of MB as JS objects and
    // seconds to convert. The download reads them all from `LAST`.
    let rest = report.basket.as_mut().map(|b| b.cut_offers(PAGE_OFFERS));
    let js = to_js(&report);
    if let (Some(b), Some(rest)) = (report.basket.as_mut(), rest) {
        b.cross_sell.extend(rest);
    }
    LAST.with(|l| {
        *l.borrow_mut() = Some(recipe::Previous {
            recipe,
            report,
            inputs,
        })
    });
    Ok(js)
}

thread_local! {
    /// The last run, for `workbook` and `report_html` (it stays in the
    /// worker rather than crossing the boundary twice), and for the next
    /// run to take its unchanged steps from.
    static LAST: std::cell::RefCell<Option<recipe::Previous>> = const { std::cell::RefCell::new(None) };
}

fn no_run_yet() -> JsValue {
    bad_argument("no analysis has run in this worker yet; run it again, then download")
}

/// Every result of the last `run` as one XLSX workbook (bytes).
#[wasm_bindgen]
pub fn workbook() -> Result<Vec<u8>, JsValue> {
    LAST.with(|l| match &*l.borrow() {
        Some(last) => crate::export::xlsx::workbook(&last.report).map_err(|e| error_to_js(&e)),
        None => Err(no_run_yet()),
    })
}

/// Cross-sell offers the page's copy of a report holds, at most.
pub const PAGE_OFFERS: usize = 1000;

/// Every cross-sell offer of the last `run` as CSV (the page holds the
/// first `PAGE_OFFERS`). A run restored from the history or a session file
/// has only those: it says so rather than give part of the list.
#[wasm_bindgen]
pub fn last_offers_csv() -> Result<String, JsValue> {
    LAST.with(|l| match l.borrow().as_ref().map(|last| &last.report.basket) {
        None => Err(no_run_yet()),
        Some(None) => Err(bad_argument("the last run made no cross-sell offers")),
        Some(Some(b)) if b.offers_whole() => Ok(crate::export::offers_csv(&b.cross_sell)),
        Some(Some(b)) => Err(error_to_js(&Error::Analysis {
            detail: format!(
                "this run was restored from the history or a session file, which keep the first {} of its {} cross-sell offers; run the analysis again to download all of them",
                b.cross_sell.len(),
                b.offers_total()
            ),
            detail_zh: format!(
                "这次分析是从历史记录或会话文件恢复的，只保留了 {} 条交叉销售推荐中的前 {} 条；请重新运行分析后再下载全部推荐",
                b.offers_total(),
                b.cross_sell.len()
            ),
        })),
    })
}

/// The last `run` as the printable HTML report.
#[wasm_bindgen]
pub fn report_html() -> Result<String, JsValue> {
    LAST.with(|l| match &*l.borrow() {
        Some(last) => Ok(crate::export::html::report(&last.recipe, &last.report)),
        None => Err(no_run_yet()),
    })
}

/// Traps the wasm instance on purpose. The page never calls it; the
/// end-to-end test does, to check that a trap that slipped through is
/// reported in both languages and the worker restarted.
#[wasm_bindgen]
pub fn trap_for_tests() {
    core::arch::wasm32::unreachable()
}

/// Size of the allocation that failed (0 if none did), and the bytes in use
/// then: the worker asks after a trap, to tell an out-of-memory abort from a
/// bug. Plain numbers, so that asking allocates nothing.
#[wasm_bindgen]
pub fn memory_failed_request() -> f64 {
    crate::wasm_alloc::failure().map_or(0.0, |(size, _)| size as f64)
}

#[wasm_bindgen]
pub fn memory_failed_in_use() -> f64 {
    crate::wasm_alloc::failure().map_or(0.0, |(_, used)| used as f64)
}

/// Bytes the core has allocated now.
#[wasm_bindgen]
pub fn memory_in_use() -> f64 {
    crate::wasm_alloc::in_use() as f64
}

/// The most bytes the core had allocated since the last call (a new peak
/// starts at each): with every progress message, so a benchmark sees the
/// peak within a stage, not only the bytes in use at its reports.
#[wasm_bindgen]
pub fn memory_peak_since() -> f64 {
    let peak = crate::wasm_alloc::peak();
    crate::wasm_alloc::mark_peak();
    peak as f64
}

/// For the end-to-end test of the out-of-memory path: allocations past
/// `bytes` in use fail as they would at the 4 GiB ceiling.
#[wasm_bindgen]
pub fn set_memory_cap_for_tests(bytes: f64) {
    crate::wasm_alloc::set_cap(if bytes > 0.0 {
        bytes as usize
    } else {
        usize::MAX
    });
}

/// The shipped plan templates (JSON text), for the page's template editor:
/// the segment set when `segments`, else the retention set.
#[wasm_bindgen]
pub fn default_templates(segments: bool) -> String {
    if segments {
        crate::plan::template::SEGMENT_PLANS.into()
    } else {
        crate::plan::template::RETENTION.into()
    }
}

/// The shipped segment-naming rules (JSON text), for the page's naming form.
#[wasm_bindgen]
pub fn default_naming() -> String {
    crate::segment::names::DEFAULT_RULES.into()
}
