//! Any container output, in any chunking: the run pane's model keeps only colour sequences and
//! tabs, stays bounded (lines, bytes per line, bytes held), and its lines never contain other
//! control characters.
#![no_main]

use estiba::app::output::{MAX_LINE_BYTES, OutputBuffer};
use estiba::docker::Stream;
use libfuzzer_sys::fuzz_target;

const MAX_LINES: usize = 64;

fuzz_target!(|data: &[u8]| {
    let mut buf = OutputBuffer::new(MAX_LINES);
    let split = data.first().map_or(1, |b| usize::from(*b % 16) + 1);
    for chunk in data.chunks(split) {
        let text = String::from_utf8_lossy(chunk);
        buf.push(if chunk.len() % 2 == 0 { Stream::Stdout } else { Stream::Stderr }, &text);
        // Complete lines within the budget, one unfinished line a stream, an escape state.
        assert!(buf.stored_bytes() <= buf.byte_budget() + MAX_LINES * 128 + 4 * MAX_LINE_BYTES + 1024);
    }
    // At most one unfinished line a stream.
    assert!(buf.len() <= MAX_LINES + 2);
    for line in buf.lines() {
        assert!(line.text.len() <= MAX_LINE_BYTES);
        let plain = estiba::app::output::strip_sgr(&line.text);
        assert!(!plain.chars().any(|c| c.is_control() && c != '\t'), "{:?}", line.text);
        assert!(!estiba::app::output::expand_tabs(&line.text).contains('\t'));
        // Every escape left is a complete SGR sequence.
        let mut rest = line.text.as_str();
        while let Some(i) = rest.find('\u{1b}') {
            let seq = &rest[i..];
            assert!(seq.starts_with("\u{1b}["), "{:?}", line.text);
            let end = seq.find('m').expect("SGR ends with m");
            assert!(seq[2..end].chars().all(|c| c.is_ascii_digit() || c == ';' || c == ':'), "{:?}", line.text);
            rest = &seq[end + 1..];
        }
    }
});
