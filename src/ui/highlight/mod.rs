//! Small hand-written, line-at-a-time syntax highlighters for the languages a lesson uses:
//! Dockerfile, CMake, C/C++ and shell (`sh`, `bash`, `console`). Anything else is plain text.
//!
//! Every highlighter returns spans whose contents, concatenated, are exactly the input line.
//! Colours are the 16 base ANSI colours so the terminal theme adapts them to dark and light
//! backgrounds.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;

/// Language keywords (Dockerfile instructions, C++ keywords, CMake keywords).
const KEYWORD: Style = Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD);
/// Types, names of build stages, namespaces.
const TYPE: Style = Style::new().fg(Color::Cyan);
/// CMake command names.
const FUNCTION: Style = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD);
/// String and character literals, `<header>` names.
const STRING: Style = Style::new().fg(Color::Green);
/// Comments.
const COMMENT: Style = Style::new().fg(Color::DarkGray).add_modifier(Modifier::ITALIC);
/// Numeric literals.
const NUMBER: Style = Style::new().fg(Color::Yellow);
/// Command-line options and Dockerfile flags (`--from=`).
const FLAG: Style = Style::new().fg(Color::Yellow);
/// `$VAR`, `${VAR}`.
const VARIABLE: Style = Style::new().fg(Color::Magenta);
/// Preprocessor directives.
const PREPROC: Style = Style::new().fg(Color::Magenta);
/// Shell operators: `&&`, `||`, `|`, `;`, redirections.
const OPERATOR: Style = Style::new().fg(Color::Red);
/// Punctuation of little interest: JSON brackets, line continuations, console prompts.
const PUNCT: Style = Style::new().fg(Color::DarkGray);
/// The command word of a shell line (`docker`).
const COMMAND: Style = Style::new().add_modifier(Modifier::BOLD);
/// The subcommand of `docker` (`run`, `image prune`).
const SUBCOMMAND: Style = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD);
/// Unhighlighted text.
const PLAIN: Style = Style::new();

mod words;
use words::*;

/// Highlights one line of code in `lang`; returns styled spans covering the whole line.
pub fn highlight_line(lang: &str, line: &str) -> Vec<Span<'static>> {
    let mut out = Out::default();
    match Lang::of(lang) {
        Lang::Dockerfile => dockerfile(&mut out, line),
        Lang::Cmake => cmake(&mut out, line),
        Lang::Cpp => cpp(&mut out, line),
        Lang::Shell => shell(&mut out, line, ShellMode::Command),
        Lang::Console => console(&mut out, line),
        Lang::Plain => out.push(line, PLAIN),
    }
    out.spans
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Dockerfile,
    Cmake,
    Cpp,
    Shell,
    Console,
    Plain,
}

impl Lang {
    fn of(lang: &str) -> Self {
        let is = |names: &[&str]| names.iter().any(|n| n.eq_ignore_ascii_case(lang));
        if is(&["dockerfile", "docker", "containerfile"]) {
            Lang::Dockerfile
        } else if is(&["cmake"]) {
            Lang::Cmake
        } else if is(&["cpp", "c++", "cxx", "cc", "c", "h", "hpp", "hh", "hxx"]) {
            Lang::Cpp
        } else if is(&["sh", "bash", "shell", "zsh"]) {
            Lang::Shell
        } else if is(&["console", "shell-session", "sh-session", "shellsession"]) {
            Lang::Console
        } else {
            Lang::Plain
        }
    }
}

/// Span accumulator that merges neighbours of the same style.
#[derive(Default)]
struct Out {
    spans: Vec<Span<'static>>,
}

impl Out {
    fn push(&mut self, text: &str, style: Style) {
        if text.is_empty() {
            return;
        }
        if let Some(last) = self.spans.last_mut()
            && last.style == style
        {
            last.content.to_mut().push_str(text);
            return;
        }
        self.spans.push(Span::styled(text.to_string(), style));
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Byte length of the identifier at the start of `s` (0 if none).
fn ident_len(s: &str) -> usize {
    match s.chars().next() {
        Some(c) if is_ident_start(c) => s.find(|c: char| !is_ident(c)).unwrap_or(s.len()),
        _ => 0,
    }
}

/// Byte length of a quoted literal starting at `s` (which begins with `quote`), escapes honoured when
/// `escapes`; an unterminated literal runs to the end of the line.
fn quoted_len(s: &str, quote: char, escapes: bool) -> usize {
    let mut it = s.char_indices().skip(1);
    while let Some((i, c)) = it.next() {
        if escapes && c == '\\' {
            it.next();
        } else if c == quote {
            return i + c.len_utf8();
        }
    }
    s.len()
}

/// Byte length of a `$VAR` / `${VAR}` reference at the start of `s` (0 if none).
fn variable_len(s: &str) -> usize {
    let Some(rest) = s.strip_prefix('$') else {
        return 0;
    };
    if rest.starts_with('{') {
        return rest.find('}').map_or(s.len(), |i| i + 2);
    }
    let n = ident_len(rest);
    if n > 0 { n + 1 } else { 0 }
}

/// Splits leading whitespace off `s`.
fn split_ws(s: &str) -> (&str, &str) {
    let n = s.find(|c: char| !c.is_whitespace()).unwrap_or(s.len());
    s.split_at(n)
}

// ---------------------------------------------------------------------------------------------
// Dockerfile

fn dockerfile(out: &mut Out, line: &str) {
    let (ws, rest) = split_ws(line);
    out.push(ws, PLAIN);
    if rest.starts_with('#') {
        out.push(rest, COMMENT);
        return;
    }
    let n = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
    let word = &rest[..n];
    let is_instruction = |w: &str| n > 0 && DOCKER_INSTRUCTIONS.iter().any(|i| i.eq_ignore_ascii_case(w));
    if !is_instruction(word) {
        // A continuation line (most often of a `RUN`): shell syntax.
        shell(out, rest, ShellMode::Command);
        return;
    }
    out.push(word, KEYWORD);
    let mut instr = word;
    let mut args = &rest[n..];
    if instr.eq_ignore_ascii_case("ONBUILD") {
        let (ws, r) = split_ws(args);
        let m = r.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(r.len());
        if DOCKER_INSTRUCTIONS.iter().any(|i| i.eq_ignore_ascii_case(&r[..m])) && m > 0 {
            out.push(ws, PLAIN);
            out.push(&r[..m], KEYWORD);
            instr = &r[..m];
            args = &r[m..];
        }
    }
    let exec_form = ["RUN", "CMD", "ENTRYPOINT", "SHELL", "HEALTHCHECK"].iter().any(|i| i.eq_ignore_ascii_case(instr));
    if exec_form && args.trim_start().starts_with('[') {
        json_array(out, args);
    } else if instr.eq_ignore_ascii_case("RUN") {
        shell(out, args, ShellMode::Command);
    } else {
        shell(out, args, ShellMode::Arguments { from: instr.eq_ignore_ascii_case("FROM") });
    }
}

/// `["./hola", "--flag"]`: strings green, brackets and commas dim.
fn json_array(out: &mut Out, s: &str) {
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        let c = rest.chars().next().unwrap_or(' ');
        if c == '"' {
            let n = quoted_len(rest, '"', true);
            out.push(&rest[..n], STRING);
            i += n;
        } else {
            let n = c.len_utf8();
            let style = if matches!(c, '[' | ']' | ',') { PUNCT } else { PLAIN };
            out.push(&rest[..n], style);
            i += n;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Shell

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ShellMode {
    /// A command line: the first word is a command.
    Command,
    /// Dockerfile instruction arguments: no command word; `from` enables `AS name`.
    Arguments { from: bool },
}

fn console(out: &mut Out, line: &str) {
    for prompt in ["$ ", "% "] {
        if let Some(rest) = line.strip_prefix(prompt) {
            out.push(prompt, PUNCT);
            shell(out, rest, ShellMode::Command);
            return;
        }
    }
    out.push(line, PLAIN);
}

/// What the next plain word of a shell line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Command,
    Subcommand,
    Argument,
    StageName,
}

fn shell(out: &mut Out, s: &str, mode: ShellMode) {
    let mut expect = if mode == ShellMode::Command { Expect::Command } else { Expect::Argument };
    let mut docker_subcommands = 0;
    let mut i = 0;
    let mut word_start = true;
    while i < s.len() {
        let rest = &s[i..];
        let c = rest.chars().next().unwrap_or(' ');
        let n;
        if c.is_whitespace() {
            n = rest.find(|c: char| !c.is_whitespace()).unwrap_or(rest.len());
            out.push(&rest[..n], PLAIN);
            word_start = true;
            i += n;
            continue;
        }
        if c == '#' && word_start && mode == ShellMode::Command {
            out.push(rest, COMMENT);
            return;
        }
        if c == '"' || c == '\'' {
            n = quoted_len(rest, c, c == '"');
            out.push(&rest[..n], STRING);
            expect = Expect::Argument;
        } else if c == '$' && variable_len(rest) > 0 {
            n = variable_len(rest);
            out.push(&rest[..n], VARIABLE);
            if expect == Expect::Command {
                expect = Expect::Argument;
            }
        } else if c == '\\' {
            n = rest.chars().nth(1).map_or(1, |e| 1 + e.len_utf8());
            out.push(&rest[..n], PUNCT);
        } else if matches!(c, '&' | '|' | ';' | '<' | '>') {
            n = rest.find(|c: char| !matches!(c, '&' | '|' | ';' | '<' | '>')).unwrap_or(rest.len());
            let op = &rest[..n];
            out.push(op, OPERATOR);
            if mode == ShellMode::Command && (op.contains(['&', '|', ';'])) && !op.contains(['<', '>']) {
                expect = Expect::Command;
                docker_subcommands = 0;
            }
        } else {
            n = rest.find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '$' | '&' | '|' | ';' | '<' | '>')).unwrap_or(rest.len());
            let n = n.max(c.len_utf8());
            let word = &rest[..n];
            if word.starts_with('-') && word.len() > 1 && expect != Expect::StageName {
                match word.find('=') {
                    Some(eq) => {
                        out.push(&word[..eq], FLAG);
                        out.push(&word[eq..], PLAIN);
                    }
                    None => out.push(word, FLAG),
                }
            } else {
                match expect {
                    Expect::Command => {
                        out.push(word, COMMAND);
                        if word == "docker" || word == "podman" {
                            expect = Expect::Subcommand;
                            docker_subcommands = 1;
                        } else {
                            expect = Expect::Argument;
                        }
                    }
                    Expect::Subcommand => {
                        out.push(word, SUBCOMMAND);
                        if docker_subcommands == 1 && DOCKER_GROUPS.contains(&word) {
                            docker_subcommands = 2;
                        } else {
                            expect = Expect::Argument;
                        }
                    }
                    Expect::StageName => {
                        out.push(word, TYPE);
                        expect = Expect::Argument;
                    }
                    Expect::Argument => {
                        if matches!(mode, ShellMode::Arguments { from: true }) && word.eq_ignore_ascii_case("AS") {
                            out.push(word, KEYWORD);
                            expect = Expect::StageName;
                        } else {
                            out.push(word, PLAIN);
                        }
                    }
                }
            }
            word_start = false;
            i += n;
            continue;
        }
        word_start = false;
        i += n;
    }
}

// ---------------------------------------------------------------------------------------------
// CMake

fn cmake(out: &mut Out, line: &str) {
    let mut i = 0;
    while i < line.len() {
        let rest = &line[i..];
        let c = rest.chars().next().unwrap_or(' ');
        let n;
        if c == '#' {
            out.push(rest, COMMENT);
            return;
        } else if c == '"' {
            n = quoted_len(rest, '"', true);
            out.push(&rest[..n], STRING);
        } else if c == '$' && rest[1..].starts_with('{') {
            n = rest.find('}').map_or(rest.len(), |e| e + 1);
            out.push(&rest[..n], VARIABLE);
        } else if is_ident_start(c) {
            n = ident_len(rest);
            let word = &rest[..n];
            let after = rest[n..].trim_start();
            let style = if after.starts_with('(') {
                FUNCTION
            } else if CMAKE_KEYWORDS.contains(&word) {
                KEYWORD
            } else if word.len() > 1 && word.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') {
                VARIABLE
            } else {
                PLAIN
            };
            out.push(word, style);
        } else if c.is_ascii_digit() {
            n = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '.')).unwrap_or(rest.len());
            out.push(&rest[..n], NUMBER);
        } else {
            n = c.len_utf8();
            let style = if matches!(c, '(' | ')') { PUNCT } else { PLAIN };
            out.push(&rest[..n], style);
        }
        i += n;
    }
}

// ---------------------------------------------------------------------------------------------
// C / C++

fn cpp(out: &mut Out, line: &str) {
    let (ws, rest) = split_ws(line);
    if let Some(directive) = rest.strip_prefix('#') {
        out.push(ws, PLAIN);
        let (ws2, d) = split_ws(directive);
        let n = ident_len(d);
        out.push(&rest[..1 + ws2.len() + n], PREPROC);
        let name = &d[..n];
        let tail = &d[n..];
        if name == "include" || name == "import" {
            let (ws3, target) = split_ws(tail);
            out.push(ws3, PLAIN);
            if target.starts_with('<') {
                let m = target.find('>').map_or(target.len(), |e| e + 1);
                out.push(&target[..m], STRING);
                cpp_code(out, &target[m..]);
            } else {
                cpp_code(out, target);
            }
        } else {
            cpp_code(out, tail);
        }
        return;
    }
    cpp_code(out, line);
}

fn cpp_code(out: &mut Out, s: &str) {
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        let c = rest.chars().next().unwrap_or(' ');
        let n;
        if rest.starts_with("//") {
            out.push(rest, COMMENT);
            return;
        } else if let Some(body) = rest.strip_prefix("/*") {
            n = body.find("*/").map_or(rest.len(), |e| e + 4);
            out.push(&rest[..n], COMMENT);
        } else if c == '"' {
            n = quoted_len(rest, '"', true);
            out.push(&rest[..n], STRING);
        } else if c == '\'' {
            n = quoted_len(rest, '\'', true);
            out.push(&rest[..n], STRING);
        } else if c.is_ascii_digit() || (c == '.' && rest[1..].starts_with(|d: char| d.is_ascii_digit())) {
            n = number_len(rest);
            out.push(&rest[..n], NUMBER);
        } else if is_ident_start(c) {
            n = ident_len(rest);
            let word = &rest[..n];
            let after = &rest[n..];
            // Raw and prefixed string literals: R"(…)", u8"…", L'x'.
            if matches!(word, "R" | "u8R" | "uR" | "UR" | "LR") && after.starts_with('"') {
                let delim_end = after.find('(').unwrap_or(after.len());
                let closing = format!("){}\"", &after[1..delim_end]);
                let m = after[delim_end..].find(&closing).map_or(after.len(), |e| delim_end + e + closing.len());
                out.push(&rest[..n + m], STRING);
                i += n + m;
                continue;
            }
            if matches!(word, "u8" | "u" | "U" | "L") && (after.starts_with('"') || after.starts_with('\'')) {
                let q = after.chars().next().unwrap_or('"');
                let m = quoted_len(after, q, true);
                out.push(&rest[..n + m], STRING);
                i += n + m;
                continue;
            }
            let style = if CPP_KEYWORDS.contains(&word) {
                KEYWORD
            } else if CPP_TYPES.contains(&word) || after.starts_with("::") {
                TYPE
            } else {
                PLAIN
            };
            out.push(word, style);
        } else {
            n = c.len_utf8();
            out.push(&rest[..n], PLAIN);
        }
        i += n;
    }
}

/// Byte length of a numeric literal (decimal, hex, binary, float, `'` separators, suffixes).
fn number_len(s: &str) -> usize {
    let mut prev = ' ';
    for (i, c) in s.char_indices() {
        let ok = c.is_ascii_alphanumeric() || c == '.' || c == '\'' || (matches!(c, '+' | '-') && matches!(prev, 'e' | 'E' | 'p' | 'P'));
        if !ok {
            return i;
        }
        prev = c;
    }
    s.len()
}

#[cfg(test)]
mod tests;
