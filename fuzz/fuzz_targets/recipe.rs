//! Any bytes as a recipe: reading and checking it return a recipe or a typed
//! error, never a panic.
#![no_main]

use kequn::recipe::Recipe;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(r) = Recipe::from_json(text) {
            let _ = r.check();
        }
    }
});
