use std::process::ExitCode;

fn main() -> ExitCode {
    if let Err(error) = desserts::logging::init() {
        eprintln!("error: {error}");
        return ExitCode::FAILURE;
    }
    match desserts::cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
