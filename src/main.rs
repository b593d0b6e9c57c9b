//! Estiba's entry point: parse the command line and hand over to the library.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    estiba::cli::run(estiba::cli::Args::parse()).await
}
