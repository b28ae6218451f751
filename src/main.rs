use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match stowaway::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                stowaway::cli::exit::ERROR
            } else {
                0
            });
        }
    };
    ExitCode::from(stowaway::cli::run(cli))
}
