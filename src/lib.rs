pub mod app;
pub mod caps;
pub mod check;
pub mod cli;
pub mod docker;
pub mod lesson;
pub mod tui;
pub mod ui;
