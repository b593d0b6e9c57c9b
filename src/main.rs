//! Estiba's entry point: parse the command line and hand over to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    estiba::cli::run_blocking(estiba::cli::Args::parse())
}
