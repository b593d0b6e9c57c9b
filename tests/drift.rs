//! The lesson and its assets never drift: every file block equals its file, every excerpt is in it.

use std::path::Path;

use estiba::lesson::{Lesson, LoadOptions, assets};

fn bundled() -> Lesson {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/cpp-seguro.md");
    Lesson::load(&path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_file_block_equals_its_asset() {
    let lesson = bundled();
    let problems = assets::verify(&lesson);
    assert!(problems.is_empty(), "{}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"));
    let files: usize = lesson.steps.iter().map(|s| s.files.iter().filter(|f| !f.excerpt).count()).sum();
    let excerpts: usize = lesson.steps.iter().map(|s| s.files.iter().filter(|f| f.excerpt).count()).sum();
    assert!(files >= 8 && excerpts >= 2, "{files} file blocks, {excerpts} excerpts");
}

#[test]
fn drift_is_detected() {
    let mut lesson = bundled();
    let block = lesson.steps.iter_mut().flat_map(|s| s.files.iter_mut()).find(|f| !f.excerpt).expect("a file block");
    block.content.push_str("RUN echo cambio\n");
    let line = block.line;
    let problems = assets::verify(&lesson);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].line, line);
    assert!(problems[0].message.contains("no coincide"), "{}", problems[0]);
}

#[test]
fn bases_are_what_the_lesson_does_not_build() {
    assert_eq!(assets::base_images(&bundled()), ["ubuntu:24.04"]);
}
