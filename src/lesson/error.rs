//! Lesson errors: every problem carries `file:line:column` and a hint.

use std::fmt;
use std::path::PathBuf;

/// A problem found while reading a lesson, located in its source file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LessonError {
    /// The lesson file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What is wrong, in Spanish.
    pub message: String,
    /// How to fix it, in Spanish (may be empty).
    pub hint: String,
}

impl LessonError {
    /// A located error with a hint.
    pub fn new(file: impl Into<PathBuf>, line: usize, column: usize, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self { file: file.into(), line, column, message: message.into(), hint: hint.into() }
    }

    /// `file:line:column` alone.
    pub fn location(&self) -> String {
        format!("{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)?;
        if !self.hint.is_empty() {
            write!(f, "\n  ayuda: {}", self.hint)?;
        }
        Ok(())
    }
}

/// A problem in one piece of text (a command line, an info string) before it is placed in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalError {
    /// Offset in characters from the start of the piece.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl LocalError {
    /// A local error at `offset` characters.
    pub fn new(offset: usize, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self { offset, message: message.into(), hint: hint.into() }
    }
}
