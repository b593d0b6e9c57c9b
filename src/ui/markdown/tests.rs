//! The renderer's own tests: encodings, wrapping, tables, code blocks, annotations.

use super::*;

const LESSON: &str = include_str!("../../../lessons/cpp-seguro.md");

fn plain(line: &Line<'_>) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

fn plain_all(lines: &[Line<'_>]) -> Vec<String> {
    lines.iter().map(plain).collect()
}

fn nfd_crlf(s: &str) -> String {
    s.nfd().collect::<String>().replace('\n', "\r\n")
}

#[test]
fn nfd_crlf_and_tabs_render_like_clean_input() {
    let clean = "# Introducción\n\nAlgún párrafo con *énfasis* y `código`: a   b.\n\n| Año | Canción |\n| --- | :-: |\n| 2024 | Sí |\n\n\
                 ```text\nCapEff: 0000\n    sangría\n```\n\n- ítem\n    - anidado\n";
    let dirty = "# Introduccio\u{301}n\r\n\r\nAlgu\u{301}n pa\u{301}rrafo con *e\u{301}nfasis* y `co\u{301}digo`: a\tb.\r\n\r\n\
                 | An\u{303}o | Cancio\u{301}n |\r\n| --- | :-: |\r\n| 2024 | Si\u{301} |\r\n\r\n\
                 ```text\r\nCapEff:\t0000\r\n\tsangri\u{301}a\r\n```\r\n\r\n- i\u{301}tem\r\n\t- anidado\r\n";
    for width in [1, 3, 10, 20, 40, 80] {
        assert_eq!(render(dirty, width), render(clean, width), "width {width}");
    }
    for width in [1, 7, 40, 80, 120] {
        assert_eq!(render(&nfd_crlf(LESSON), width), render(LESSON, width), "lesson at width {width}");
    }
    // A lone CR, a BOM and a tab after a wide character behave too.
    assert_eq!(render("\u{feff}a\rb", 80), render("a\nb", 80));
    assert_eq!(render("```\n界\tx\n```", 80), render("```\n界  x\n```", 80));
}

#[test]
fn table_with_accented_cells_aligns() {
    let md = "| Imagen | Tamaño aprox. | ¿Tiene `sh`? | Número |\n| :-- | :-: | :-: | --: |\n\
              | `hola:1.0.0` | 78 MB | Sí | 1 |\n| canción | 2,3 MB | No | 10001 |\n";
    for source in [md.to_string(), nfd_crlf(md)] {
        for width in [80, 40, 30, 20, 12] {
            let lines = render(&source, width);
            let widths: Vec<usize> = lines.iter().map(Line::width).collect();
            assert_eq!(lines.len(), widths.len());
            assert!(widths.iter().all(|w| *w == widths[0]), "width {width}: {:#?}", plain_all(&lines));
            assert!(widths[0] <= usize::from(width));
        }
    }
    let text = plain_all(&render(md, 80));
    assert_eq!(text[0], "Imagen     │ Tamaño aprox. │ ¿Tiene sh? │ Número");
    assert_eq!(text[1], "───────────┼───────────────┼────────────┼───────");
    assert_eq!(text[2], "hola:1.0.0 │     78 MB     │     Sí     │      1");
    assert_eq!(text[3], "canción    │    2,3 MB     │     No     │  10001");
    let header = render(md, 80).remove(0);
    assert!(
        header
            .spans
            .iter()
            .filter(|s| !s.content.trim().is_empty() && s.content != " │ ")
            .all(|s| s.style.add_modifier.contains(Modifier::BOLD))
    );
    // Shrunk: the widest column wraps inside itself.
    let narrow = plain_all(&render("| a | bbbbbbbbbb cccccccccc |\n| - | - |\n| x | y |\n", 16));
    assert_eq!(narrow, ["a │ bbbbbbbbbb  ", "  │ cccccccccc  ", "──┼─────────────", "x │ y           "].map(String::from));
    // Narrowed columns break between words, not inside them, while the words fit.
    let summary =
        "| Imagen | Base | Tamaño aprox. | Usuario |\n| - | - | - | - |\n| `hola:2.1.0` | `ubuntu:24.04` | 2,3 MB | `10001:10001` |\n";
    let text = plain_all(&render(summary, 50)).join("\n");
    for word in ["hola:2.1.0", "ubuntu:24.04", "10001:10001", "Tamaño"] {
        assert!(text.contains(word), "{word} cut:\n{text}");
    }
}

#[test]
fn the_lesson_never_exceeds_the_width() {
    for width in 1..=120u16 {
        let lines = render(LESSON, width);
        for (i, line) in lines.iter().enumerate() {
            assert!(line.width() <= usize::from(width), "width {width}, line {i}: {:?}", plain(line));
        }
    }
}

#[test]
fn odd_input_never_panics_nor_overflows() {
    let inputs = [
        "",
        "---",
        "---\nid: x\n",
        "\t\t\t",
        "> > > > > > > > > > deep quote with words",
        "- - - - - - - - nested",
        "1. 2. 3. 4. 5. 6. 7. 8. nested",
        "999999999. big number",
        "| a |\n| - |",
        "| a | b | c | d | e | f | g | h | i | j |\n|-|-|-|-|-|-|-|-|-|-|\n|1|2|3|4|5|6|7|8|9|10|",
        "```\n\u{1b}[31mred\u{7}\n```",
        "text with \u{1b}[2J escape and \u{0} nul",
        "界界界界界界界界 界界界界 😀😀😀 ❤️❤️ 👨‍👩‍👧 e\u{301}",
        "[link](https://example.com/a/very/long/path/that/does/not/fit/anywhere/at/all)",
        "<https://example.com>",
        "![alt *text*](img.png)",
        "<div>\n<b>html</b>\n</div>",
        "a <span>inline</span> b",
        "***\n___\n---",
        "- [ ] todo\n- [x] done",
        "```sh +run expect=\"unterminated\n```",
        "```\n",
        "# \n## \n",
        "a  \nb\\\nc",
        "- \n-\n",
        "> ```\n> code in quote that is rather long indeed\n> ```",
        "[^1]\n\n[^1]: footnote",
        "~~strike~~ **bold *both*** `code`",
        "\u{feff}\r\n\r\n\r",
    ];
    for input in inputs {
        for width in 1..=40u16 {
            for line in render(input, width) {
                assert!(line.width() <= usize::from(width), "{input:?} at {width}: {:?}", plain(&line));
            }
        }
    }
    assert!(render("# x", 0).is_empty());
    let _ = render(LESSON, u16::MAX);
}

#[test]
fn nested_list_hanging_indent() {
    let md = "- uno dos tres cuatro cinco seis\n  - siete ocho nueve diez once\n    - doce trece catorce\n- quince\n\n\
              1. primero segundo tercero\n2. cuarto\n\nFin.";
    let text = plain_all(&render(md, 20));
    assert_eq!(
        text,
        [
            "• uno dos tres",
            "  cuatro cinco seis",
            "  ◦ siete ocho nueve",
            "    diez once",
            "    ▪ doce trece",
            "      catorce",
            "• quince",
            "",
            "1. primero segundo",
            "   tercero",
            "2. cuarto",
            "",
            "Fin.",
        ]
        .map(String::from)
    );
    let loose = plain_all(&render("- a\n\n  b\n- c\n", 20));
    assert_eq!(loose, ["• a", "", "  b", "", "• c"].map(String::from));
    let tasks = plain_all(&render("- [ ] por hacer algo largo\n- [x] hecho", 16));
    assert_eq!(tasks, ["• [ ] por hacer", "      algo largo", "• [x] hecho"].map(String::from));
}

#[test]
fn front_matter_is_skipped() {
    let lines = render(LESSON, 80);
    assert_eq!(plain(&lines[0]), "Introducción");
    assert!(lines[0].spans[0].style.add_modifier.contains(Modifier::BOLD | Modifier::UNDERLINED));
    assert!(plain_all(&lines).iter().all(|l| !l.contains("registry:") && !l.starts_with("id:")));
    assert_eq!(plain_all(&render("---\ntitle: x\n---\n\nHola", 80)), ["Hola"]);
    // Not closed: not front matter.
    assert!(plain_all(&render("---\nHola", 80)).iter().any(|l| l.contains("Hola")));
}

#[test]
fn run_label_shown_and_attributes_hidden() {
    let md = "```sh +run exit=0 expect=\"Hola Mundo!!\" input=\"a b\"\ndocker run --rm hola:1.0.0\n```\n\n\
              ```text +output\nHola Mundo!!\n```\n\n```dockerfile file=assets/hola/Dockerfile\nFROM scratch\n```\n\n\
              ```cmake excerpt=assets/hola/CMakeLists.txt\nSET(X ON)\n```\n\n```Dockerfile\nFROM x\n```\n";
    let lines = render(md, 60);
    let text = plain_all(&lines);
    assert_eq!(
        text,
        [
            "▶ orden",
            "│ docker run --rm hola:1.0.0",
            "",
            "salida grabada",
            "│ Hola Mundo!!",
            "",
            "assets/hola/Dockerfile",
            "│ FROM scratch",
            "",
            "extracto de assets/hola/CMakeLists.txt",
            "│ SET(X ON)",
            "",
            "Dockerfile",
            "│ FROM x",
        ]
        .map(String::from)
    );
    assert_eq!(lines[0].spans[0].style.fg, Some(Color::Green));
    assert_eq!(lines[6].spans[0].style.fg, Some(Color::Cyan));
    for hidden in ["+run", "exit=", "expect", "input=", "+output", "file=", "excerpt="] {
        assert!(text.iter().all(|l| !l.contains(hidden)), "{hidden} shown");
    }
    // The code is highlighted: `FROM` is not plain.
    let from = lines[7].spans.iter().find(|s| s.content == "FROM").map(|s| s.style);
    assert!(from.is_some_and(|s| s != Style::default()), "{:?}", lines[7]);
}

#[test]
fn long_code_lines_wrap_with_a_mark() {
    let lines = render("```sh\ndocker run --rm --user 10001:10001 --cap-drop ALL hola\n```", 24);
    let text = plain_all(&lines);
    assert_eq!(text, ["sh", "│ docker run --rm --user", "│ ↪  10001:10001 --cap-d", "│ ↪ rop ALL hola"]);
    assert!(lines.iter().all(|l| l.width() <= 24), "{text:?}");
    // Every character of the command is on screen, in order.
    let joined: String = text[1..].iter().map(|l| l.trim_start_matches("│ ").trim_start_matches("↪ ")).collect();
    assert_eq!(joined, "docker run --rm --user 10001:10001 --cap-drop ALL hola");
}

#[test]
fn quotes_links_rules_and_inline_styles() {
    let text = plain_all(&render("> uno dos tres cuatro cinco\n>\n> > seis siete", 14));
    assert_eq!(text, ["▌ uno dos tres", "▌ cuatro cinco", "▌", "▌ ▌ seis siete"]);
    let lines = render("Ver [la guía](https://x.es/g) y <https://x.es>.", 80);
    assert_eq!(plain(&lines[0]), "Ver la guía <https://x.es/g> y https://x.es.");
    let url = lines[0].spans.iter().find(|s| s.content.starts_with('<')).map(|s| s.style);
    assert_eq!(url, Some(DIM));
    assert_eq!(plain_all(&render("a\n\n---\n\nb", 5)), ["a", "", "─────", "", "b"]);
    let lines = render("*it* **bo** ~~st~~ `co` ![gato](g.png)", 80);
    assert_eq!(plain(&lines[0]), "it bo st co [imagen: gato]");
    let style = |t: &str| lines[0].spans.iter().find(|s| s.content == t).map(|s| s.style).unwrap_or_default();
    assert!(style("it").add_modifier.contains(Modifier::ITALIC));
    assert!(style("bo").add_modifier.contains(Modifier::BOLD));
    assert!(style("st").add_modifier.contains(Modifier::CROSSED_OUT));
    assert_eq!(style("co").fg, Some(Color::Yellow));
    assert_eq!(plain_all(&render("uno  \ndos\\\ntres", 80)), ["uno", "dos", "tres"]);
    assert_eq!(plain_all(&render("<div>\n  <b>x</b>\n</div>", 80)), ["<div>", "  <b>x</b>", "</div>"]);
}
