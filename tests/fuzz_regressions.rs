//! Inputs the fuzzers (`fuzz/`) found to crash, kept so they never do again.

use kequn::score::analysis::SavedModel;

/// A saved gradient-boosting model whose tree has a node pointing back at
/// an earlier one (a cycle): the SQL export recursed until the stack
/// overflowed, and scoring would have looped for ever. Now it is refused
/// when read, naming the node.
#[test]
fn a_saved_tree_with_a_cycle_is_refused_when_read() {
    let bytes = include_bytes!("fuzz_regressions/model_tree_cycle.json");
    let err = SavedModel::from_json(bytes, "m.json").unwrap_err();
    let text = err.to_string();
    assert!(text.contains("m.json is not a kequn model"), "{text}");
    assert!(text.contains("has child"), "{text}");
}
