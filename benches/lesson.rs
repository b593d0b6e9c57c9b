//! Criterion benchmarks: the bundled lesson parsed and rendered, and output ingested into the run
//! pane's model. `cargo bench` measures; `cargo bench -- --test` only checks that they run.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use estiba::app::output::{OutputBuffer, sample_build_output};
use estiba::docker::Stream;
use estiba::lesson::{Lesson, LoadOptions};

const LESSON: &str = include_str!("../lessons/cpp-seguro.md");

fn parse_and_render(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/cpp-seguro.md");
    c.bench_function("parse lesson", |b| b.iter(|| Lesson::parse_str(&path, black_box(LESSON), &LoadOptions::default()).unwrap()));
    let lesson = Lesson::parse_str(&path, LESSON, &LoadOptions::default()).unwrap();
    c.bench_function("render lesson (80 columns)", |b| {
        b.iter(|| lesson.steps.iter().map(|s| estiba::ui::markdown::render(black_box(&s.markdown), 80).len()).sum::<usize>())
    });
    c.bench_function("parse + render lesson", |b| {
        b.iter(|| {
            let l = Lesson::parse_str(&path, black_box(LESSON), &LoadOptions::default()).unwrap();
            l.steps.iter().map(|s| estiba::ui::markdown::render(&s.markdown, 80).len()).sum::<usize>()
        })
    });
}

fn ingest(c: &mut Criterion) {
    let text = sample_build_output(10_000);
    let chunks: Vec<&str> = text.split_inclusive('\n').collect();
    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Elements(10_000));
    g.bench_function("10k lines, one chunk per line", |b| {
        b.iter(|| {
            let mut buf = OutputBuffer::default();
            for ch in &chunks {
                buf.push(Stream::Stdout, black_box(ch));
            }
            buf.len()
        })
    });
    g.bench_function("10k lines, one chunk", |b| {
        b.iter(|| {
            let mut buf = OutputBuffer::default();
            buf.push(Stream::Stdout, black_box(&text));
            buf.len()
        })
    });
    g.finish();
}

criterion_group!(benches, parse_and_render, ingest);
criterion_main!(benches);
