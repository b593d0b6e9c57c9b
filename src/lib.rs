pub mod app;
pub mod check;
pub mod cli;
pub mod docker;
pub mod lesson;
