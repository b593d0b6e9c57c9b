//! Styled lines as ANSI text, for `estiba show` (the lesson rendered in any terminal or pipe).

use std::fmt::Write;

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;

fn color_code(c: Color, fg: bool) -> Option<String> {
    let base = if fg { 30 } else { 40 };
    Some(match c {
        Color::Reset => return None,
        Color::Black => format!("{}", base),
        Color::Red => format!("{}", base + 1),
        Color::Green => format!("{}", base + 2),
        Color::Yellow => format!("{}", base + 3),
        Color::Blue => format!("{}", base + 4),
        Color::Magenta => format!("{}", base + 5),
        Color::Cyan => format!("{}", base + 6),
        Color::Gray => format!("{}", base + 7),
        Color::DarkGray => format!("{}", base + 60),
        Color::LightRed => format!("{}", base + 61),
        Color::LightGreen => format!("{}", base + 62),
        Color::LightYellow => format!("{}", base + 63),
        Color::LightBlue => format!("{}", base + 64),
        Color::LightMagenta => format!("{}", base + 65),
        Color::LightCyan => format!("{}", base + 66),
        Color::White => format!("{}", base + 67),
        Color::Indexed(i) => format!("{};5;{i}", base + 8),
        Color::Rgb(r, g, b) => format!("{};2;{r};{g};{b}", base + 8),
    })
}

fn sgr(style: Style) -> String {
    let mut codes: Vec<String> = Vec::new();
    let m = style.add_modifier;
    for (flag, code) in [
        (Modifier::BOLD, "1"),
        (Modifier::DIM, "2"),
        (Modifier::ITALIC, "3"),
        (Modifier::UNDERLINED, "4"),
        (Modifier::REVERSED, "7"),
        (Modifier::CROSSED_OUT, "9"),
    ] {
        if m.contains(flag) {
            codes.push(code.into());
        }
    }
    codes.extend(style.fg.and_then(|c| color_code(c, true)));
    codes.extend(style.bg.and_then(|c| color_code(c, false)));
    if codes.is_empty() { String::new() } else { format!("\u{1b}[{}m", codes.join(";")) }
}

/// Appends `lines` to `out` as text with SGR colour sequences (or plain text when `colour` is off).
pub fn write_lines(out: &mut String, lines: &[Line<'_>], colour: bool) {
    for line in lines {
        for span in &line.spans {
            let style = line.style.patch(span.style);
            let open = if colour { sgr(style) } else { String::new() };
            if open.is_empty() {
                out.push_str(&span.content);
            } else {
                let _ = write!(out, "{open}{}\u{1b}[0m", span.content);
            }
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::text::Span;

    #[test]
    fn styles_become_sgr() {
        let lines =
            [Line::from(vec![Span::styled("FROM", Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD)), Span::raw(" scratch")])];
        let mut s = String::new();
        write_lines(&mut s, &lines, true);
        assert_eq!(s, "\u{1b}[1;35mFROM\u{1b}[0m scratch\n");
        let mut plain = String::new();
        write_lines(&mut plain, &lines, false);
        assert_eq!(plain, "FROM scratch\n");
    }
}
