//! The run pane: the step's commands as typed, the selected one's live output and its verdict, the
//! interactive shell, or — without an engine — what was tried and the recorded output.

use ansi_to_tui::IntoText;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, LineGauge, Paragraph, Widget, Wrap};
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

/// The command list as drawn in `width` columns and at most a third of `height` rows: the selected
/// command whole (wrapped), the others on one line each, cut with `…`.
fn command_rows(app: &App, width: u16, height: u16) -> Vec<Line<'static>> {
    let cmds = &app.lesson.steps[app.step].commands;
    let budget = usize::from((height / 3).max(1));
    let sel = app.selected_command();
    let item = |i: usize| -> Vec<Line<'static>> {
        let status =
            app.run_of(app.step, i).map(|r| r.status).or_else(|| app.restored.contains(&(app.step, i)).then_some(RunStatus::Passed));
        let (mark, style) = theme::run_mark(status);
        let line = Line::from(vec![
            Span::styled(format!("{mark} "), style),
            Span::styled("$ ", Style::new().fg(theme::DIM)),
            Span::raw(command_text(app, app.step, i)),
        ]);
        if i == sel {
            let mut rows = wrap(line, width);
            rows.truncate(budget);
            rows.into_iter().map(|l| l.style(Style::new().add_modifier(Modifier::REVERSED))).collect()
        } else {
            vec![cut(line, width)]
        }
    };
    let sel_rows = item(sel).len();
    // The first command shown: as near the top as the selected one allows.
    let mut first = 0;
    while first < sel && (sel - first) + sel_rows > budget {
        first += 1;
    }
    let mut rows = Vec::new();
    for i in first..cmds.len() {
        let more = item(i);
        if i > sel && rows.len() + more.len() > budget {
            break;
        }
        rows.extend(more);
    }
    rows
}

/// One line cut to `width` columns, ending in `…` when something was left out.
fn cut(line: Line<'static>, width: u16) -> Line<'static> {
    let mut rows = wrap(line, width.saturating_sub(1).max(1));
    let mut first = rows.remove(0);
    if !rows.is_empty() {
        first.spans.push(Span::styled("…", Style::new().fg(theme::DIM)));
    }
    first
}

/// Draws the command list; returns the rows used (a blank line included).
fn commands(app: &App, area: Rect, buf: &mut Buffer) -> u16 {
    if app.lesson.steps[app.step].commands.is_empty() {
        Line::from(Span::styled("Este paso no tiene órdenes.", Style::new().fg(theme::DIM))).render(area, buf);
        return 2;
    }
    let rows = command_rows(app, area.width, area.height);
    for (i, line) in rows.iter().enumerate() {
        line.clone().render(Rect { y: area.y + i as u16, height: 1, ..area }, buf);
    }
    rows.len() as u16 + 1
}

/// What surrounds a run's output: the command as a header (wrapped, at most 3 rows), progress bars
/// and the verdict.
struct Frame {
    /// `── command` rows.
    header: Vec<Line<'static>>,
    /// (ratio, label) of each progress bar.
    bars: Vec<(f64, String)>,
    /// The verdict rows (wrapped).
    footer: Vec<Line<'static>>,
}

impl Frame {
    fn of(app: &App, run: &RunRecord, width: u16) -> Self {
        let head = Line::from(Span::styled(format!("── {} ", command_text(app, run.step, run.command)), Style::new().fg(theme::DIM)));
        let mut header = wrap(head, width);
        header.truncate(3);
        let (mark, style) = theme::run_mark(Some(run.status));
        let secs = format!("{:.1} s", run.elapsed.as_secs_f64());
        let verdict = match run.status {
            RunStatus::Queued | RunStatus::Running => format!("{mark} en marcha · {secs} · Esc cancela"),
            RunStatus::Passed => match &run.why {
                Some(why) => format!("{mark} superada · {why} · {secs}"),
                None => format!("{mark} superada · código {} · {secs}", run.exit_code.unwrap_or(0)),
            },
            RunStatus::Failed => format!("{mark} fallida · {} · {secs}", run.why.clone().unwrap_or_default()),
            RunStatus::Cancelled => format!("{mark} cancelada · {secs}"),
        };
        // One bar for a build's steps; one per layer being pushed (at most 4), or the prepare stage.
        let bars: Vec<(f64, String)> = match run.build_step {
            _ if run.status != RunStatus::Running => Vec::new(),
            Some((k, n)) => vec![(f64::from(k) / f64::from(n.max(1)), format!("Step {k}/{n}"))],
            None => run.active_progress(4).into_iter().filter_map(progress_ratio).collect(),
        };
        Self { header, bars, footer: wrap(Line::from(Span::styled(verdict, style)), width) }
    }

    /// The rows left for the output in `area`.
    fn body(&self, area: Rect) -> Rect {
        let top = (self.header.len() as u16).min(area.height);
        let bottom = (self.bars.len() + self.footer.len()) as u16;
        Rect { y: area.y + top, height: area.height.saturating_sub(top + bottom), ..area }
    }
}

/// Where a run's output goes inside the run pane `pane` (with its border).
fn output_area(app: &App, pane: Rect) -> Rect {
    let inner = Block::bordered().inner(pane);
    let list_h =
        if app.lesson.steps[app.step].commands.is_empty() { 2 } else { command_rows(app, inner.width, inner.height).len() as u16 + 1 };
    Rect { y: inner.y + list_h.min(inner.height), height: inner.height.saturating_sub(list_h), ..inner }
}

/// How far back the shown output can scroll in the run pane `pane`: see [`max_back`].
pub fn output_max_back(app: &App, pane: Rect) -> usize {
    let Some(run) = app.shown_run() else { return 0 };
    let area = output_area(app, pane);
    let body = Frame::of(app, run, area.width).body(area);
    max_back(run, body.width, body.height)
}

fn output(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(run) = app.shown_run() else {
        let hint = if matches!(app.engine, EngineState::Connecting) {
            "Conectando con el motor de Docker…"
        } else {
            "Pulsa Enter para ejecutar la orden elegida."
        };
        Paragraph::new(Span::styled(hint, Style::new().fg(theme::DIM))).wrap(Wrap { trim: true }).render(area, buf);
        return;
    };
    let frame = Frame::of(app, run, area.width);
    let body = frame.body(area);
    for (i, l) in frame.header.iter().take(usize::from(body.y - area.y)).enumerate() {
        l.clone().render(Rect { y: area.y + i as u16, height: 1, ..area }, buf);
    }
    for (i, l) in tail_lines(run, body.width, body.height, app.output_back).into_iter().enumerate() {
        l.render(Rect { y: body.y + i as u16, height: 1, ..body }, buf);
    }
    let mut y = body.y + body.height;
    for (ratio, label) in frame.bars {
        if y >= area.y + area.height {
            break;
        }
        LineGauge::default()
            .filled_style(Style::new().fg(theme::ACCENT))
            .unfilled_style(Style::new().fg(theme::DIM))
            .ratio(ratio.clamp(0.0, 1.0))
            .label(label)
            .render(Rect { y, height: 1, ..area }, buf);
        y += 1;
    }
    for w in frame.footer {
        if y >= area.y + area.height {
            return;
        }
        w.render(Rect { y, height: 1, ..area }, buf);
        y += 1;
    }
}

fn progress_ratio(p: &crate::docker::Progress) -> Option<(f64, String)> {
    let (cur, total) = (p.current?, p.total?);
    let size = crate::docker::format::human_size;
    let who = if p.id.is_empty() { String::new() } else { format!("{}: ", p.id) };
    Some((cur as f64 / total.max(1) as f64, format!("{who}{} {}/{}", p.status, size(cur as i64), size(total as i64))))
}

/// One output line as drawn: its colours, stderr in red, capability masks with their names.
fn styled(l: &crate::app::output::OutLine) -> Line<'static> {
    let base = if l.stream == Stream::Stderr { Style::new().fg(theme::BAD) } else { Style::new() };
    let text = crate::app::output::expand_tabs(&l.text).as_bytes().into_text().unwrap_or_default();
    let mut line = text.lines.into_iter().next().unwrap_or_default().patch_style(base);
    if let Some(names) = crate::caps::annotate_line(&crate::app::output::strip_sgr(&l.text)) {
        line.spans.push(Span::styled(format!("  {names}"), Style::new().fg(theme::ACCENT)));
    }
    line
}

/// The most a run's output can scroll back (in output lines from the end) in a `width`×`height`
/// body: there the first line is at the top. 0 when everything fits.
pub fn max_back(run: &RunRecord, width: u16, height: u16) -> usize {
    let mut rows = 0;
    for (k, l) in run.output.lines().enumerate() {
        rows += wrap(styled(l), width).len();
        if rows >= usize::from(height) {
            return run.output.len() - (k + 1);
        }
    }
    0
}

/// The wrapped rows of a run's output shown in a `width`×`height` body with the view `back` output
/// lines up from the end (0 follows the tail); from `max_back` on, the very first rows.
pub fn tail_lines(run: &RunRecord, width: u16, height: u16, back: usize) -> Vec<Line<'static>> {
    let height = usize::from(height);
    let all: Vec<_> = run.output.lines().collect();
    if back > 0 && back >= max_back(run, width, height as u16) {
        return all.iter().flat_map(|l| wrap(styled(l), width)).take(height).collect();
    }
    let end = all.len().saturating_sub(back);
    let mut rev: Vec<Line<'static>> = Vec::new();
    for l in all[..end].iter().rev() {
        let mut wrapped = wrap(styled(l), width);
        while let Some(w) = wrapped.pop() {
            rev.push(w);
        }
        if rev.len() >= height {
            break;
        }
    }
    rev.truncate(height);
    rev.reverse();
    rev
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
