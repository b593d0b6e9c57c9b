//! The run pane: the step's commands as typed, the selected one's live output and its verdict, the
//! interactive shell, or — without an engine — what was tried and the recorded output.

use ansi_to_tui::IntoText;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Gauge, Paragraph, Widget, Wrap};
use tui_term::widget::PseudoTerminal;
use unicode_width::UnicodeWidthChar;

use super::theme;
use crate::app::{App, EngineState, Focus, RunRecord, RunStatus};
use crate::docker::Stream;

/// The run pane of `app`.
pub struct RunPane<'a>(pub &'a App);

impl Widget for &RunPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        if let Some(sh) = &app.shell {
            let block = Block::bordered()
                .border_type(BorderType::Rounded)
                .border_style(Style::new().fg(theme::BUSY))
                .title(Span::styled(" Shell en el contenedor · Ctrl-] para salir ", Style::new().add_modifier(Modifier::BOLD)));
            let inner = block.inner(area);
            block.render(area, buf);
            let cmd = app.run_of(app.step, app.selected_command()).map(|r| command_text(app, r.step, r.command)).unwrap_or_default();
            Line::from(Span::styled(format!("$ {cmd}"), Style::new().fg(theme::DIM))).render(Rect { height: 1, ..inner }, buf);
            let term = Rect { y: inner.y + 1, height: inner.height.saturating_sub(1), ..inner };
            PseudoTerminal::new(sh.parser.screen()).render(term, buf);
            return;
        }
        let title = format!(" Órdenes · {} ", app.lesson.steps[app.step].commands.len());
        let block = Block::bordered().border_type(BorderType::Rounded).border_style(theme::border(app.focus == Focus::Run)).title(title);
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.height == 0 || inner.width == 0 {
            return;
        }
        let list_h = commands(app, inner, buf);
        let rest = Rect { y: inner.y + list_h, height: inner.height.saturating_sub(list_h), ..inner };
        match &app.engine {
            EngineState::Unavailable { endpoint, reason } => no_engine(app, endpoint, reason, rest, buf),
            _ => output(app, rest, buf),
        }
    }
}

fn command_text(app: &App, step: usize, idx: usize) -> String {
    app.lesson.steps[step].commands.get(idx).map(|c| c.text.replace("\\\n", " ").replace('\n', " ")).unwrap_or_default()
}

/// Draws the command list; returns the rows used (a blank line included).
fn commands(app: &App, area: Rect, buf: &mut Buffer) -> u16 {
    let cmds = &app.lesson.steps[app.step].commands;
    if cmds.is_empty() {
        Line::from(Span::styled("Este paso no tiene órdenes.", Style::new().fg(theme::DIM))).render(area, buf);
        return 2;
    }
    let max = (area.height / 3).max(1) as usize;
    let sel = app.selected_command();
    let first = sel.saturating_sub(max - 1).min(cmds.len().saturating_sub(max));
    let mut y = area.y;
    for i in first..(first + max).min(cmds.len()) {
        let status =
            app.run_of(app.step, i).map(|r| r.status).or_else(|| app.restored.contains(&(app.step, i)).then_some(RunStatus::Passed));
        let (mark, style) = theme::run_mark(status);
        let mut line = Line::from(vec![
            Span::styled(format!("{mark} "), style),
            Span::styled("$ ", Style::new().fg(theme::DIM)),
            Span::raw(command_text(app, app.step, i)),
        ]);
        if i == sel {
            line = line.style(Style::new().add_modifier(Modifier::REVERSED));
        }
        line.render(Rect { y, height: 1, ..area }, buf);
        y += 1;
    }
    y - area.y + 1
}

/// The run whose output is shown: the selected command's, else the step's latest.
fn shown_run(app: &App) -> Option<&RunRecord> {
    app.run_of(app.step, app.selected_command()).or_else(|| app.runs.values().filter(|r| r.step == app.step).max_by_key(|r| r.id))
}

fn output(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(run) = shown_run(app) else {
        let hint = if matches!(app.engine, EngineState::Connecting) {
            "Conectando con el motor de Docker…"
        } else {
            "Pulsa Enter para ejecutar la orden elegida."
        };
        Paragraph::new(Span::styled(hint, Style::new().fg(theme::DIM))).wrap(Wrap { trim: true }).render(area, buf);
        return;
    };
    let mut footer: Vec<Line> = Vec::new();
    let header = Line::from(vec![Span::styled(format!("── {} ", command_text(app, run.step, run.command)), Style::new().fg(theme::DIM))]);
    let (mark, style) = theme::run_mark(Some(run.status));
    let secs = format!("{:.1} s", run.elapsed.as_secs_f64());
    footer.push(match run.status {
        RunStatus::Queued | RunStatus::Running => Line::from(vec![Span::styled(format!("{mark} en marcha · {secs} · Esc cancela"), style)]),
        RunStatus::Passed => Line::from(Span::styled(format!("{mark} superada · código {} · {secs}", run.exit_code.unwrap_or(0)), style)),
        RunStatus::Failed => Line::from(Span::styled(format!("{mark} fallida · {} · {secs}", run.why.clone().unwrap_or_default()), style)),
        RunStatus::Cancelled => Line::from(Span::styled(format!("{mark} cancelada · {secs}"), style)),
    });
    // One gauge for a build's steps; one per layer being pushed (at most 4), or the prepare stage.
    let bars: Vec<(f64, String)> = match run.build_step {
        _ if run.status != RunStatus::Running => Vec::new(),
        Some((k, n)) => vec![(f64::from(k) / f64::from(n.max(1)), format!("Step {k}/{n}"))],
        None => run.active_progress(4).into_iter().filter_map(progress_ratio).collect(),
    };
    let gauge_h = bars.len() as u16;
    let foot_h = footer.iter().map(|l| wrap(l.clone(), area.width).len() as u16).sum::<u16>() + gauge_h;
    header.render(Rect { height: 1.min(area.height), ..area }, buf);
    let body = Rect { y: area.y + 1, height: area.height.saturating_sub(1 + foot_h), ..area };
    let lines = tail_lines(run, body.width, body.height, app.output_back);
    for (i, l) in lines.into_iter().enumerate() {
        l.render(Rect { y: body.y + i as u16, height: 1, ..body }, buf);
    }
    let mut y = body.y + body.height;
    for (ratio, label) in bars {
        if y >= area.y + area.height {
            break;
        }
        Gauge::default()
            .gauge_style(Style::new().fg(theme::ACCENT))
            .ratio(ratio.clamp(0.0, 1.0))
            .label(label)
            .render(Rect { y, height: 1, ..area }, buf);
        y += 1;
    }
    for l in footer {
        for w in wrap(l, area.width) {
            if y >= area.y + area.height {
                return;
            }
            w.render(Rect { y, height: 1, ..area }, buf);
            y += 1;
        }
    }
}

fn progress_ratio(p: &crate::docker::Progress) -> Option<(f64, String)> {
    let (cur, total) = (p.current?, p.total?);
    let size = crate::docker::format::human_size;
    let who = if p.id.is_empty() { String::new() } else { format!("{}: ", p.id) };
    Some((cur as f64 / total.max(1) as f64, format!("{who}{} {}/{}", p.status, size(cur as i64), size(total as i64))))
}

/// The last `height` wrapped lines of a run's output, `back` lines up from the end.
pub fn tail_lines(run: &RunRecord, width: u16, height: u16, back: u16) -> Vec<Line<'static>> {
    let need = usize::from(height) + usize::from(back);
    let mut rev: Vec<Line<'static>> = Vec::new();
    let all: Vec<_> = run.output.lines().collect();
    for l in all.iter().rev() {
        let base = if l.stream == Stream::Stderr { Style::new().fg(theme::BAD) } else { Style::new() };
        let text = crate::app::output::expand_tabs(&l.text).as_bytes().into_text().unwrap_or_default();
        let mut line = text.lines.into_iter().next().unwrap_or_default().patch_style(base);
        // Capability masks get their names next to them.
        if let Some(names) = crate::caps::annotate_line(&crate::app::output::strip_sgr(&l.text)) {
            line.spans.push(Span::styled(format!("  {names}"), Style::new().fg(theme::ACCENT)));
        }
        let mut wrapped = wrap(line, width);
        while let Some(w) = wrapped.pop() {
            rev.push(w);
        }
        if rev.len() >= need {
            break;
        }
    }
    let skip = usize::from(back).min(rev.len());
    let mut lines: Vec<Line<'static>> = rev.into_iter().skip(skip).take(usize::from(height)).collect();
    lines.reverse();
    lines
}

/// Wraps a line at `width` columns, keeping span styles.
pub fn wrap(line: Line<'static>, width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width.max(1));
    let mut out = vec![Line::default().style(line.style)];
    let mut col = 0;
    for span in line.spans {
        let mut cur = String::new();
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            if col + w > width && col > 0 {
                if let Some(last) = out.last_mut() {
                    last.spans.push(Span::styled(std::mem::take(&mut cur), span.style));
                }
                out.push(Line::default().style(line.style));
                col = 0;
            }
            cur.push(c);
            col += w;
        }
        if !cur.is_empty()
            && let Some(last) = out.last_mut()
        {
            last.spans.push(Span::styled(cur, span.style));
        }
    }
    out
}

fn no_engine(app: &App, endpoint: &str, reason: &str, area: Rect, buf: &mut Buffer) {
    let mut lines = vec![
        Line::from(Span::styled("Sin motor de Docker", Style::new().fg(theme::BAD).add_modifier(Modifier::BOLD))),
        Line::from(vec![Span::styled("Probado: ", Style::new().fg(theme::DIM)), Span::raw(endpoint.to_string())]),
        Line::from(vec![Span::styled("Error: ", Style::new().fg(theme::DIM)), Span::raw(reason.to_string())]),
        Line::from(Span::styled(
            "Arranca Docker (sudo systemctl start docker o Docker Desktop) o define DOCKER_HOST. Estiba se conectará solo, sin reiniciar.",
            Style::new().fg(theme::DIM),
        )),
        Line::from(""),
    ];
    let recorded = app.lesson.steps[app.step].commands.get(app.selected_command()).and_then(|c| c.recorded.clone());
    match recorded {
        Some(text) => {
            lines.push(Line::from(Span::styled(
                "── SALIDA GRABADA (no es de tu equipo) ──",
                Style::new().fg(theme::BUSY).add_modifier(Modifier::BOLD),
            )));
            lines
                .extend(text.lines().map(|l| {
                    Line::from(Span::styled(l.replace('\t', "    "), Style::new().fg(theme::DIM).add_modifier(Modifier::ITALIC)))
                }));
        }
        None => lines.push(Line::from(Span::styled("Esta orden no tiene salida grabada.", Style::new().fg(theme::DIM)))),
    }
    Paragraph::new(lines).wrap(Wrap { trim: false }).render(area, buf);
}
