//! Any container output, in any chunking: the run pane's model keeps only colour sequences, stays
//! bounded, and its lines never contain other control characters.
#![no_main]

use estiba::app::output::OutputBuffer;
use estiba::docker::Stream;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut buf = OutputBuffer::new(64);
    let split = data.first().map_or(1, |b| usize::from(*b % 16) + 1);
    for chunk in data.chunks(split) {
        let text = String::from_utf8_lossy(chunk);
        buf.push(if chunk.len() % 2 == 0 { Stream::Stdout } else { Stream::Stderr }, &text);
    }
    assert!(buf.len() <= 65);
    for line in buf.lines() {
        let plain = estiba::app::output::strip_sgr(&line.text);
        assert!(!plain.chars().any(|c| c.is_control()), "{:?}", line.text);
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
