//! Parser fuzz target: any text must parse or fail with an error, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rudder::template::parse::parse;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let known = |n: &str| {
        matches!(
            n,
            "include" | "toYaml" | "printf" | "len" | "index" | "list"
        )
    };
    if let Ok(trees) = parse("t", text, "", "", &known) {
        for t in &trees {
            let _ = t.is_empty();
        }
    }
});
