use rstest::rstest;

use super::*;

fn texts(b: &OutputBuffer) -> Vec<String> {
    b.lines().map(|l| l.text.clone()).collect()
}

fn streams(b: &OutputBuffer) -> Vec<(Stream, String)> {
    b.lines().map(|l| (l.stream, l.text.clone())).collect()
}

#[test]
fn carriage_return_overwrites_the_line() {
    let mut b = OutputBuffer::default();
    b.push(Stream::Stdout, "10%\r20%\r");
    assert_eq!(texts(&b), ["20%"], "the old text stays until new text comes");
    b.push(Stream::Stdout, "100%\nlisto\n");
    assert_eq!(texts(&b), ["100%", "listo"]);
    b.push(Stream::Stdout, "a\r\nb\n");
    assert_eq!(texts(&b), ["100%", "listo", "a", "b"]);
}

#[test]
fn only_colour_sequences_survive() {
    let mut b = OutputBuffer::default();
    let hostile = "\u{1b}]52;c;aGFjaw==\u{7}\u{1b}]0;titulo\u{7}\u{1b}[?1049h\u{1b}[2J\u{1b}[H\u{1b}[31mrojo\u{1b}[0m\u{7}\n";
    b.push(Stream::Stdout, hostile);
    assert_eq!(texts(&b), ["\u{1b}[31mrojo\u{1b}[0m"]);
    assert_eq!(b.plain_text(), "rojo\n");
}

#[test]
fn escapes_split_across_chunks() {
    let mut b = OutputBuffer::default();
    b.push(Stream::Stdout, "a\u{1b}[3");
    b.push(Stream::Stdout, "2mverde\u{1b}]0;x");
    b.push(Stream::Stdout, "\u{7}!\n");
    assert_eq!(texts(&b), ["a\u{1b}[32mverde!"]);
}

/// Every input gives the same lines however it is cut in two chunks.
#[rstest]
#[case::cr_then_colour("old\r\u{1b}[32mnew\n", &["\u{1b}[32mnew"])]
#[case::cr_colour_cr("old\r\u{1b}[32m\rnew\n", &["\u{1b}[32mnew"])]
#[case::cr_then_colour_then_newline("old\r\u{1b}[0m\n", &["old\u{1b}[0m"])]
#[case::cr_then_dropped_sequence("old\r\u{1b}[2Knew\n", &["new"])]
#[case::crlf("uno\r\ndos\r\n", &["uno", "dos"])]
#[case::cr_then_tab("abc\r\tx\n", &["\tx"])]
#[case::stray_esc_keeps_the_newline("a\u{1b}\nb\n", &["a", "b"])]
#[case::cut_csi_keeps_the_newline("a\u{1b}[12\nb\n", &["a", "b"])]
#[case::esc_esc("\u{1b}\u{1b}[31mx\n", &["\u{1b}[31mx"])]
#[case::intermediate_then_accent("\u{1b}(é!\n", &["!"])]
#[case::charset("\u{1b}(Bok\n", &["ok"])]
#[case::osc_st("a\u{1b}]0;título\u{1b}\\b\n", &["ab"])]
#[case::osc_esc_inside("a\u{1b}]0;x\u{1b}y\u{7}b\n", &["ab"])]
#[case::private_csi("\u{1b}[?25lver\u{1b}[?25h\n", &["ver"])]
#[case::c1("a\u{9b}31mb\n", &["a31mb"])]
fn any_chunking_gives_the_same_lines(#[case] input: &str, #[case] want: &[&str]) {
    for cut in (0..=input.len()).filter(|&i| input.is_char_boundary(i)) {
        let mut b = OutputBuffer::default();
        b.push(Stream::Stdout, &input[..cut]);
        b.push(Stream::Stdout, &input[cut..]);
        assert_eq!(texts(&b), want, "cut at {cut} of {input:?}");
    }
}

#[test]
fn carriage_return_then_colour_in_the_next_chunk_replaces_the_old_text() {
    let mut b = OutputBuffer::default();
    b.push(Stream::Stdout, " 10% descargando\r");
    b.push(Stream::Stdout, "\u{1b}[32m100%\u{1b}[0m\n");
    assert_eq!(texts(&b), ["\u{1b}[32m100%\u{1b}[0m"]);
    assert_eq!(b.plain_text(), "100%\n");
}

#[test]
fn stderr_after_unfinished_stdout_stays_on_its_own_line() {
    let mut b = OutputBuffer::default();
    b.push(Stream::Stdout, "\u{1b}[32mDescargando");
    b.push(Stream::Stderr, "aviso");
    assert_eq!(b.len(), 2, "one unfinished line a stream");
    assert_eq!(streams(&b), [(Stream::Stdout, "\u{1b}[32mDescargando".into()), (Stream::Stderr, "aviso".into())]);
    b.push(Stream::Stderr, ": lento\n");
    b.push(Stream::Stdout, " hecho\u{1b}[0m\n");
    assert_eq!(
        streams(&b),
        [(Stream::Stderr, "aviso: lento".into()), (Stream::Stdout, "\u{1b}[32mDescargando hecho\u{1b}[0m".into())],
        "stderr takes neither stdout's line nor its colour"
    );
    assert_eq!(b.plain_text(), "aviso: lento\nDescargando hecho\n");
}

#[test]
fn unfinished_lines_show_oldest_first() {
    let mut b = OutputBuffer::default();
    b.push(Stream::Stderr, "e");
    b.push(Stream::Stdout, "o");
    assert_eq!(streams(&b), [(Stream::Stderr, "e".into()), (Stream::Stdout, "o".into())]);
    b.push(Stream::Stderr, "\nf");
    assert_eq!(streams(&b), [(Stream::Stderr, "e".into()), (Stream::Stdout, "o".into()), (Stream::Stderr, "f".into())]);
}

#[test]
fn carriage_return_only_rewinds_its_own_stream() {
    let mut b = OutputBuffer::default();
    b.push(Stream::Stdout, " 10%");
    b.push(Stream::Stderr, "aviso");
    b.push(Stream::Stdout, "\r 20%");
    assert_eq!(streams(&b), [(Stream::Stdout, " 20%".into()), (Stream::Stderr, "aviso".into())]);
    b.push(Stream::Stderr, "\rerror\n");
    b.push(Stream::Stdout, "\r100%\n");
    assert_eq!(streams(&b), [(Stream::Stderr, "error".into()), (Stream::Stdout, "100%".into())]);
}

#[test]
fn an_escape_cut_on_one_stream_does_not_eat_the_other() {
    let mut b = OutputBuffer::default();
    b.push(Stream::Stdout, "a\u{1b}]0;tít");
    b.push(Stream::Stderr, "visible\n");
    b.push(Stream::Stdout, "ulo\u{7}b\n");
    assert_eq!(streams(&b), [(Stream::Stderr, "visible".into()), (Stream::Stdout, "ab".into())]);
}

#[test]
fn bounded() {
    let mut b = OutputBuffer::new(3);
    for i in 0..10 {
        b.push(Stream::Stderr, &format!("{i}\n"));
    }
    assert_eq!(texts(&b), ["7", "8", "9"]);
    assert_eq!(b.dropped(), 7);
}

#[test]
fn tabs_are_kept_for_expectations_and_laid_out_for_the_pane() {
    let mut b = OutputBuffer::default();
    b.push(Stream::Stdout, "CapEff:\t0000\n\u{1b}[31mab\u{1b}[0m\tñ\tz\n");
    assert_eq!(texts(&b), ["CapEff:\t0000", "\u{1b}[31mab\u{1b}[0m\tñ\tz"]);
    assert!(b.plain_text().contains("CapEff:\t0000"));
    assert_eq!(expand_tabs("CapEff:\t0000"), "CapEff: 0000");
    assert_eq!(expand_tabs("\u{1b}[31mab\u{1b}[0m\tñ\tz"), "\u{1b}[31mab\u{1b}[0m      ñ       z");
    assert!(matches!(expand_tabs("sin tabuladores"), Cow::Borrowed(_)));
}

/// 10 MB without a newline, in one piece or in chunks: cut into lines of at most
/// `MAX_LINE_BYTES`, nothing of the end lost, and the buffer never holds more than its bounds.
#[rstest]
#[case::one_piece(10_000_000)]
#[case::engine_chunks(64 * 1024)]
#[case::odd_chunks(4093)]
fn a_10_mb_line_keeps_memory_bounded(#[case] chunk: usize) {
    const TOTAL: usize = 10_000_000;
    let max_lines = 100;
    let slack = max_lines * std::mem::size_of::<OutLine>() * 2 + 4 * MAX_LINE_BYTES;
    let digits = "0123456789".repeat(chunk.div_ceil(10));
    let mut b = OutputBuffer::new(max_lines);
    let mut sent = 0;
    let mut most = 0;
    let mut n = 0;
    while sent < TOTAL {
        n = chunk.min(TOTAL - sent);
        b.push(Stream::Stdout, &digits[..n]);
        sent += n;
        most = most.max(b.stored_bytes());
    }
    b.push(Stream::Stdout, "FIN\n");
    most = most.max(b.stored_bytes());
    assert!(most <= max_lines * MAX_LINE_BYTES + slack, "held {most} bytes");
    assert!(b.lines().all(|l| l.text.len() <= MAX_LINE_BYTES));
    let total = TOTAL + 3;
    assert_eq!(b.len(), max_lines);
    assert_eq!(b.dropped(), total.div_ceil(MAX_LINE_BYTES) - max_lines, "only whole old lines are dropped");
    let last = b.lines().last().unwrap();
    assert!(last.text.ends_with(&format!("{}FIN", &digits[n - 5..n])), "the end is kept");
    assert_eq!(last.text.len(), total % MAX_LINE_BYTES);
}

#[test]
fn the_byte_budget_bounds_a_buffer_of_many_lines() {
    let mut b = OutputBuffer::default();
    let big = "x".repeat(1_000_000);
    for _ in 0..10 {
        b.push(Stream::Stderr, &big);
    }
    let slack = DEFAULT_MAX_LINES * std::mem::size_of::<OutLine>() * 2 + 4 * MAX_LINE_BYTES;
    assert!(b.stored_bytes() <= b.byte_budget() + slack, "{} > {}", b.stored_bytes(), b.byte_budget());
    assert!(b.stored_bytes() < 10_000_000);
    assert!(b.dropped() > 0);
}

#[test]
fn long_lines_are_cut_on_character_boundaries() {
    let mut b = OutputBuffer::default();
    b.push(Stream::Stdout, &"€".repeat(MAX_LINE_BYTES));
    b.push(Stream::Stdout, "\n");
    assert!(b.lines().all(|l| l.text.len() <= MAX_LINE_BYTES && l.text.chars().all(|c| c == '€')));
    assert_eq!(b.lines().map(|l| l.text.chars().count()).sum::<usize>(), MAX_LINE_BYTES);
}

#[test]
fn colour_sequences_count_towards_the_line_bound() {
    let mut b = OutputBuffer::new(10);
    for _ in 0..100_000 {
        b.push(Stream::Stdout, "\u{1b}[1m");
    }
    assert!(b.lines().all(|l| l.text.len() <= MAX_LINE_BYTES));
    assert!(b.stored_bytes() <= 10 * MAX_LINE_BYTES + 4 * MAX_LINE_BYTES);
}

/// An OSC that never ends for 10 MB is not stored while it streams; the text after its
/// terminator shows.
#[rstest]
#[case::bel("\u{7}", "")]
#[case::st("\u{1b}\\", "")]
#[case::st_cut_in_two("\u{1b}", "\\")]
fn an_unterminated_osc_of_10_mb_is_dropped(#[case] end: &str, #[case] next: &str) {
    let mut b = OutputBuffer::default();
    b.push(Stream::Stdout, "antes \u{1b}]52;c;");
    let payload = "aGFjaw==".repeat(8 * 1024);
    let mut most = 0;
    for _ in 0..(10_000_000 / payload.len() + 1) {
        b.push(Stream::Stdout, &payload);
        most = most.max(b.stored_bytes());
    }
    assert!(most < 4096, "held {most} bytes while the OSC streamed");
    assert_eq!(texts(&b), ["antes "]);
    b.push(Stream::Stdout, end);
    b.push(Stream::Stdout, &format!("{next}después\n"));
    assert_eq!(texts(&b), ["antes después"]);
}

#[test]
fn an_endless_csi_is_not_stored() {
    let mut b = OutputBuffer::default();
    b.push(Stream::Stdout, "\u{1b}[");
    let digits = "1;".repeat(32 * 1024);
    for _ in 0..160 {
        b.push(Stream::Stdout, &digits);
        assert!(b.stored_bytes() < 4096, "{}", b.stored_bytes());
    }
    b.push(Stream::Stdout, "mtexto\n");
    assert_eq!(texts(&b), ["texto"], "too long to be a colour we keep");
}

/// Pseudo-random inputs from an alphabet rich in controls: cutting them anywhere changes nothing,
/// and every kept line is clean (only SGR sequences and tabs) and within the line bound.
#[test]
fn random_inputs_in_random_chunks() {
    const ALPHABET: &[&str] =
        &["\u{1b}", "[", "]", "(", "?", "3", "1", ";", "m", "K", "\r", "\n", "\t", "\u{7}", "\\", "é", "a", "\u{9b}", "P", " "];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for _ in 0..2000 {
        let input: String = (0..next(60) + 1).map(|_| ALPHABET[next(ALPHABET.len())]).collect();
        let mut whole = OutputBuffer::default();
        whole.push(Stream::Stdout, &input);
        let mut cut = OutputBuffer::default();
        let mut rest = input.as_str();
        while !rest.is_empty() {
            let mut at = (next(8) + 1).min(rest.len());
            while !rest.is_char_boundary(at) {
                at += 1;
            }
            cut.push(Stream::Stdout, &rest[..at]);
            rest = &rest[at..];
        }
        assert_eq!(texts(&cut), texts(&whole), "{input:?}");
        for l in whole.lines() {
            let plain = strip_sgr(&l.text);
            assert!(!plain.chars().any(|c| c.is_control() && c != '\t'), "{input:?} → {:?}", l.text);
            assert!(expand_tabs(&l.text).chars().all(|c| c != '\t'));
            for seq in l.text.split('\u{1b}').skip(1) {
                let params = seq.strip_prefix('[').and_then(|s| s.split_once('m')).map(|(p, _)| p);
                assert!(params.is_some_and(|p| p.bytes().all(|c| c.is_ascii_digit() || c == b';')), "{input:?} → {:?}", l.text);
            }
        }
    }
}
