//! Any text as a lesson: parsing never panics, and errors are located inside the text.
#![no_main]

use std::path::Path;

use estiba::lesson::{Lesson, LoadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match Lesson::parse_str(Path::new("fuzz.md"), &text, &LoadOptions::default()) {
        Ok(lesson) => {
            assert!(!lesson.steps.is_empty());
            // Rendering every step at a few widths never panics nor overflows.
            for step in &lesson.steps {
                for width in [1u16, 7, 40] {
                    for line in estiba::ui::markdown::render(&step.markdown, width) {
                        assert!(line.width() <= usize::from(width));
                    }
                }
            }
        }
        Err(e) => {
            let lines = text.replace("\r\n", "\n").split(['\n', '\r']).count().max(1);
            assert!(e.line >= 1 && e.line <= lines + 1, "{e}");
            assert!(e.column >= 1);
        }
    }
});
