//! Lexer fuzz target: any text, with default or custom delimiters, must lex without panicking
//! and end in exactly one EOF or error item.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rudder::template::lex::{ItemType, lex};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A first byte of 0x01 selects custom delimiters taken from the next bytes.
    let (left, right, body) = match text.strip_prefix('\u{1}') {
        Some(rest) => {
            let mut chars = rest.char_indices();
            let l = chars.next().map(|(_, c)| c.to_string()).unwrap_or_default();
            let r = chars.next().map(|(_, c)| c.to_string()).unwrap_or_default();
            let skip = l.len() + r.len();
            (l, r, &rest[skip.min(rest.len())..])
        }
        None => (String::new(), String::new(), text),
    };
    let items = lex(body, &left, &right, true, true);
    let last = items.last().map(|i| i.typ);
    assert!(matches!(last, Some(ItemType::Eof) | Some(ItemType::Error)));
});
