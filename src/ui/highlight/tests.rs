//! The highlighters' tests: every span covers the line, and each language's tokens get their style.

use super::*;

fn text(spans: &[Span<'_>]) -> String {
    spans.iter().map(|s| s.content.as_ref()).collect()
}

fn style_of(spans: &[Span<'_>], needle: &str) -> Style {
    let mut at = 0;
    let full = text(spans);
    let pos = full.find(needle).unwrap_or_else(|| panic!("{needle:?} not in {full:?}"));
    for s in spans {
        if pos < at + s.content.len() {
            return s.style;
        }
        at += s.content.len();
    }
    unreachable!()
}

const SAMPLES: &[(&str, &str)] = &[
    ("dockerfile", "FROM cpp-build-base:0.1.0 AS build"),
    ("dockerfile", "COPY --from=build /src/hola ./"),
    ("dockerfile", "CMD [\"./hola\"]"),
    ("dockerfile", " && apt-get install -y --no-install-recommends g++ cmake make \\"),
    ("dockerfile", "# Etapa final: solo el sistema base y nuestro ejecutable."),
    ("dockerfile", "RUN cmake . && make"),
    ("Dockerfile", "USER 10001:10001"),
    ("cmake", "SET(CMAKE_EXE_LINKER_FLAGS \"-static\")"),
    ("cmake", "cmake_minimum_required (VERSION 3.8) # comentario"),
    ("cmake", "message(${VAR} \"unterminated"),
    ("cpp", "#include <iostream>"),
    ("cpp", "#endif // HOLA_H"),
    ("cpp", "    std::cout << \"Hola Mundo!!\" << std::endl; /* c */ int x = 0x1F'00u;"),
    ("c++", "char c = '\\''; auto s = R\"x(raw)x\"; /* unterminated"),
    ("sh", "docker run --rm --user 10001:10001 hola:1.0.0 id # c"),
    ("sh", "docker image inspect --format '{{.Config.User}}' hola:2.1.0"),
    ("sh", "docker tag hola:2.0.0 $REGISTRY/estudiante/hola:2.0.0 ${X} $"),
    ("console", "$ capsh --decode=00000000a80425fb"),
    ("console", "0x00000000a80425fb=cap_chown"),
    ("text", "anything \"at\" all"),
    ("sh", "\\"),
    ("cpp", "#"),
    ("cmake", "$"),
    ("dockerfile", "ONBUILD RUN x"),
    ("sh", "ñandú \"ünï\" —"),
];

#[test]
fn spans_cover_the_whole_line() {
    for (lang, line) in SAMPLES {
        assert_eq!(text(&highlight_line(lang, line)), *line, "{lang}: {line}");
    }
    assert!(highlight_line("sh", "").is_empty());
}

#[test]
fn dockerfile_from_is_coloured_differently_from_plain_text() {
    let spans = highlight_line("dockerfile", "FROM ubuntu:24.04");
    let from = style_of(&spans, "FROM");
    assert_ne!(from, style_of(&spans, "ubuntu"));
    assert_ne!(from, Style::default());
    assert_eq!(from.fg, Some(Color::Magenta));
    assert_eq!(style_of(&highlight_line("Dockerfile", "from x"), "from"), from);
    let plain = highlight_line("text", "FROM ubuntu:24.04");
    assert_eq!(plain.len(), 1);
    assert_ne!(plain[0].style, from);
}

#[test]
fn dockerfile_details() {
    let s = highlight_line("dockerfile", "FROM cpp-build-base:0.1.0 AS build");
    assert_eq!(style_of(&s, "AS"), KEYWORD);
    assert_eq!(style_of(&s, "cpp-build-base"), PLAIN);
    let s = highlight_line("dockerfile", "COPY --from=build /src/hola ./");
    assert_eq!(style_of(&s, "--from"), FLAG);
    let s = highlight_line("dockerfile", "CMD [\"./hola\"]");
    assert_eq!(style_of(&s, "\"./hola\""), STRING);
    assert_eq!(style_of(&s, "["), PUNCT);
    let s = highlight_line("dockerfile", "# Etapa");
    assert_eq!(style_of(&s, "Etapa"), COMMENT);
    let s = highlight_line("dockerfile", " && rm -rf /var/lib/apt/lists/*");
    assert_eq!(style_of(&s, "&&"), OPERATOR);
    assert_eq!(style_of(&s, "rm"), COMMAND);
}

#[test]
fn stage_name_after_as() {
    let s = highlight_line("dockerfile", "FROM base AS build");
    let full = text(&s);
    assert_eq!(full, "FROM base AS build");
    assert_eq!(s.last().map(|s| (s.content.as_ref(), s.style)), Some(("build", TYPE)));
}

#[test]
fn cmake_rules() {
    let s = highlight_line("cmake", "SET(BUILD_SHARED_LIBS OFF) # x");
    assert_eq!(style_of(&s, "SET"), FUNCTION);
    assert_eq!(style_of(&s, "BUILD_SHARED_LIBS"), VARIABLE);
    assert_eq!(style_of(&s, "OFF"), KEYWORD);
    assert_eq!(style_of(&s, "# x"), COMMENT);
    let s = highlight_line("cmake", "add_executable (hola \"hola.cpp\" ${SRC})");
    assert_eq!(style_of(&s, "add_executable"), FUNCTION);
    assert_eq!(style_of(&s, "\"hola.cpp\""), STRING);
    assert_eq!(style_of(&s, "${SRC}"), VARIABLE);
    assert_eq!(style_of(&highlight_line("cmake", "x (VERSION 3.8)"), "VERSION"), KEYWORD);
}

#[test]
fn cpp_rules() {
    let s = highlight_line("cpp", "#include <iostream>");
    assert_eq!(style_of(&s, "#include"), PREPROC);
    assert_eq!(style_of(&s, "<iostream>"), STRING);
    let s = highlight_line("cpp", "int main() { return 0; } // fin");
    assert_eq!(style_of(&s, "int"), TYPE);
    assert_eq!(style_of(&s, "return"), KEYWORD);
    assert_eq!(style_of(&s, "0"), NUMBER);
    assert_eq!(style_of(&s, "// fin"), COMMENT);
    let s = highlight_line("cpp", "char c = 'x'; /* a */ std::cout << \"hi\";");
    assert_eq!(style_of(&s, "'x'"), STRING);
    assert_eq!(style_of(&s, "/* a */"), COMMENT);
    assert_eq!(style_of(&s, "std"), TYPE);
    assert_eq!(style_of(&s, "\"hi\""), STRING);
}

#[test]
fn shell_rules() {
    let s = highlight_line("sh", "docker image prune -f --filter=x $REGISTRY ${A} 'q' # c");
    assert_eq!(style_of(&s, "docker"), COMMAND);
    assert_eq!(style_of(&s, "image"), SUBCOMMAND);
    assert_eq!(style_of(&s, "prune"), SUBCOMMAND);
    assert_eq!(style_of(&s, "-f"), FLAG);
    assert_eq!(style_of(&s, "--filter"), FLAG);
    assert_eq!(style_of(&s, "$REGISTRY"), VARIABLE);
    assert_eq!(style_of(&s, "${A}"), VARIABLE);
    assert_eq!(style_of(&s, "'q'"), STRING);
    assert_eq!(style_of(&s, "# c"), COMMENT);
    let s = highlight_line("bash", "docker run --rm hola:1.0.0 id");
    assert_eq!(style_of(&s, "run"), SUBCOMMAND);
    assert_eq!(style_of(&s, "hola"), PLAIN);
    let s = highlight_line("console", "$ capsh --decode=1");
    assert_eq!(style_of(&s, "$ "), PUNCT);
    assert_eq!(style_of(&s, "capsh"), COMMAND);
}
