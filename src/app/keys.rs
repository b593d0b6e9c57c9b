//! Keys → actions, according to what is on screen. Only key presses act.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};

use super::action::Action;
use super::state::{App, Focus, Overlay};

/// The action a key means now, if any.
pub fn map_key(app: &App, key: &KeyEvent) -> Option<Action> {
    if key.kind != KeyEventKind::Press {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if app.shell.is_some() {
        return shell_key(key, ctrl);
    }
    if ctrl && matches!(key.code, KeyCode::Char('c')) {
        return Some(Action::Quit);
    }
    match &app.overlay {
        Overlay::Password(_) => {
            return match key.code {
                KeyCode::Enter => Some(Action::PromptSubmit),
                KeyCode::Esc => Some(Action::Cancel),
                KeyCode::Backspace => Some(Action::PromptBackspace),
                KeyCode::Char(c) => Some(Action::PromptChar(c)),
                _ => None,
            };
        }
        Overlay::Outline { cursor } => {
            return match key.code {
                KeyCode::Up | KeyCode::Char('k') => Some(Action::SelectPrev),
                KeyCode::Down | KeyCode::Char('j') => Some(Action::SelectNext),
                KeyCode::Enter => Some(Action::GoToStep(*cursor)),
                KeyCode::Esc | KeyCode::Char('o') => Some(Action::ToggleOutline),
                KeyCode::Char('q') => Some(Action::Quit),
                _ => None,
            };
        }
        Overlay::Confirm { .. } => {
            return match key.code {
                KeyCode::Char('s' | 'S' | 'y' | 'Y') => Some(Action::Confirm),
                KeyCode::Esc | KeyCode::Char('n' | 'N' | 'q') => Some(Action::Cancel),
                _ => None,
            };
        }
        Overlay::Compare => {
            return match key.code {
                KeyCode::Char('r') => Some(Action::RefreshCompare),
                KeyCode::Char('q') => Some(Action::Quit),
                KeyCode::Esc | KeyCode::Char('c') => Some(Action::ToggleCompare),
                KeyCode::Up | KeyCode::Char('k') => Some(Action::CompareScroll(-1)),
                KeyCode::Down | KeyCode::Char('j') => Some(Action::CompareScroll(1)),
                KeyCode::PageUp => Some(Action::CompareScroll(-10)),
                KeyCode::PageDown | KeyCode::Char(' ') => Some(Action::CompareScroll(10)),
                KeyCode::Home | KeyCode::Char('g') => Some(Action::CompareScroll(i32::from(i16::MIN))),
                KeyCode::End | KeyCode::Char('G') => Some(Action::CompareScroll(i32::from(i16::MAX))),
                _ => None,
            };
        }
        Overlay::Help => {
            return match key.code {
                KeyCode::Char('q') => Some(Action::Quit),
                _ => Some(Action::ToggleHelp),
            };
        }
        Overlay::None => {}
    }
    let run_focus = app.focus == Focus::Run;
    Some(match key.code {
        KeyCode::Right | KeyCode::Char('l') | KeyCode::Char('n') => Action::NextStep,
        KeyCode::Left | KeyCode::Char('h') | KeyCode::Char('p') => Action::PrevStep,
        KeyCode::Up | KeyCode::Char('k') if run_focus => Action::SelectPrev,
        KeyCode::Down | KeyCode::Char('j') if run_focus => Action::SelectNext,
        KeyCode::Up | KeyCode::Char('k') => Action::ScrollUp(1),
        KeyCode::Down | KeyCode::Char('j') => Action::ScrollDown(1),
        KeyCode::PageUp => Action::ScrollUp(10),
        KeyCode::PageDown | KeyCode::Char(' ') => Action::ScrollDown(10),
        KeyCode::End | KeyCode::Char('G') => Action::FollowTail,
        KeyCode::Tab | KeyCode::BackTab => Action::ToggleFocus,
        KeyCode::Char('z') => Action::ToggleZoom,
        KeyCode::Enter => Action::RunSelected,
        KeyCode::Esc => Action::Cancel,
        KeyCode::Char('o') => Action::ToggleOutline,
        KeyCode::Char('c') => Action::ToggleCompare,
        KeyCode::Char('?') => Action::ToggleHelp,
        KeyCode::Char('q') => Action::Quit,
        _ => return None,
    })
}

/// In the shell every key goes to the container, except Ctrl-] which leaves.
fn shell_key(key: &KeyEvent, ctrl: bool) -> Option<Action> {
    let bytes: Vec<u8> = match key.code {
        // Ctrl-] is byte 0x1d, which terminals also report as Ctrl-5.
        KeyCode::Char(']' | '5') if ctrl => return Some(Action::LeaveShell),
        KeyCode::Char(c) if ctrl && c.is_ascii_alphabetic() => vec![(c.to_ascii_lowercase() as u8) & 0x1f],
        KeyCode::Char(c) => c.to_string().into_bytes(),
        KeyCode::Enter => vec![b'\r'],
        KeyCode::Backspace => vec![0x7f],
        KeyCode::Tab => vec![b'\t'],
        KeyCode::Esc => vec![0x1b],
        KeyCode::Up => b"\x1b[A".to_vec(),
        KeyCode::Down => b"\x1b[B".to_vec(),
        KeyCode::Right => b"\x1b[C".to_vec(),
        KeyCode::Left => b"\x1b[D".to_vec(),
        KeyCode::Home => b"\x1b[H".to_vec(),
        KeyCode::End => b"\x1b[F".to_vec(),
        KeyCode::Delete => b"\x1b[3~".to_vec(),
        KeyCode::PageUp => b"\x1b[5~".to_vec(),
        KeyCode::PageDown => b"\x1b[6~".to_vec(),
        _ => return None,
    };
    Some(Action::ShellKey(bytes))
}

/// The wheel scrolls the pane under the pointer.
pub fn map_mouse(mouse: &MouseEvent) -> Option<Action> {
    match mouse.kind {
        MouseEventKind::ScrollUp => Some(Action::Wheel { column: mouse.column, up: true }),
        MouseEventKind::ScrollDown => Some(Action::Wheel { column: mouse.column, up: false }),
        _ => None,
    }
}
