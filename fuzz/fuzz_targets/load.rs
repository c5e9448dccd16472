//! Any bytes, any options: the loader returns a table or a typed error, and
//! profiling a loaded table never panics.
#![no_main]

use kequn::table::{self, LoadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte chooses options, so the fuzzer explores them too.
    let (opts, bytes) = match data.split_first() {
        Some((&b, rest)) => {
            let opts = LoadOptions {
                header: [None, Some(true), Some(false)][(b % 3) as usize],
                delimiter: [None, Some(','), Some(';'), Some('\t')][((b >> 2) % 4) as usize],
                encoding: [None, Some("gbk".to_string())][((b >> 4) % 2) as usize].clone(),
                ragged_tolerance: Some(if b & 0x80 != 0 { 1.0 } else { 0.001 }),
                ..Default::default()
            };
            (opts, rest)
        }
        None => (LoadOptions::default(), data),
    };
    let name = if data.first().is_some_and(|b| b & 0x40 != 0) { "f.del" } else { "f.csv" };
    if let Ok((t, _)) = table::load(bytes, name, &opts, &mut ()) {
        let _ = table::profile(&t);
    }
});
