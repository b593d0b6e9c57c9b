//! The lesson model: Markdown → steps, runnable commands and expected outcomes.
//!
//! Pure: the only I/O is reading the lesson file (and, in [`assets`], the files it shows).

pub mod assets;
pub mod command;
mod error;
pub mod expect;
mod flags;
mod front;
pub mod info;
mod parse;
pub mod source;
pub mod words;

use std::path::{Path, PathBuf};

pub use command::DockerCommand;
pub use error::{LessonError, LocalError};
pub use expect::{ExitExpect, Expectation};

/// Default registry for `$REGISTRY`: a classroom registry on this machine.
pub const DEFAULT_REGISTRY: &str = "127.0.0.1:5000";

/// A lesson: metadata and its steps in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lesson {
    /// Lesson id, used in the `estiba.lesson` label.
    pub id: String,
    /// Lesson title.
    pub title: String,
    /// The lesson file.
    pub path: PathBuf,
    /// Folder commands are typed from (build contexts and `file=` paths resolve here).
    pub root: PathBuf,
    /// The lesson's asset folder: build contexts and `file=` paths must stay inside it.
    pub assets: PathBuf,
    /// Value of `$REGISTRY`.
    pub registry: String,
    /// Normalised source text (LF, NFC).
    pub source: String,
    /// Steps in order.
    pub steps: Vec<Step>,
}

/// One step: a heading's section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Title, with empty parent sections as prefix (`Seguridad › Digests`).
    pub title: String,
    /// Heading level (1–3) of the step's own heading.
    pub level: u8,
    /// Line of the heading.
    pub line: usize,
    /// Markdown of the section, heading included.
    pub markdown: String,
    /// Runnable commands in order.
    pub commands: Vec<RunBlock>,
    /// File and excerpt blocks shown in the step.
    pub files: Vec<FileBlock>,
}

impl Step {
    /// Whether the step only removes things (`rmi`, `image prune`): the lesson's cleanup.
    pub fn is_cleanup(&self) -> bool {
        !self.commands.is_empty()
            && self.commands.iter().all(|c| matches!(c.command, DockerCommand::Rmi { .. } | DockerCommand::ImagePrune { .. }))
    }
}

/// A `+run` block: one docker command and what it should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunBlock {
    /// Line of the command's first line.
    pub line: usize,
    /// The command as the learner types it, `$REGISTRY` expanded.
    pub text: String,
    /// Its meaning.
    pub command: DockerCommand,
    /// Expected outcome.
    pub expect: Expectation,
    /// Scripted stdin for `estiba check` (`input=`).
    pub input: Option<String>,
    /// Output recorded when the lesson was written (`+output`), shown when no engine answers.
    pub recorded: Option<String>,
}

/// A block that shows a file of the lesson's assets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileBlock {
    /// Line of the fence.
    pub line: usize,
    /// Path relative to the lesson root.
    pub path: String,
    /// `excerpt=`: the block is a contiguous part of the file rather than all of it.
    pub excerpt: bool,
    /// The block's content.
    pub content: String,
}

/// Options for loading a lesson.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Registry overriding the lesson's `registry`.
    pub registry: Option<String>,
}

impl Lesson {
    /// Reads and parses the lesson at `path`.
    pub fn load(path: &Path, opts: &LoadOptions) -> Result<Lesson, LessonError> {
        let raw = std::fs::read(path)
            .map_err(|e| LessonError::new(path, 1, 1, format!("no se puede leer la lección: {e}"), "comprueba la ruta del archivo"))?;
        let text = String::from_utf8_lossy(&raw);
        Self::parse_str(path, &text, opts)
    }

    /// Parses lesson text as if read from `path`.
    pub fn parse_str(path: &Path, text: &str, opts: &LoadOptions) -> Result<Lesson, LessonError> {
        parse::parse(path, text, opts)
    }

    /// Every runnable command with the index of its step.
    pub fn commands(&self) -> impl Iterator<Item = (usize, &RunBlock)> {
        self.steps.iter().enumerate().flat_map(|(i, s)| s.commands.iter().map(move |c| (i, c)))
    }
}
