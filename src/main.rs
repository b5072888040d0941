//! The `hoopflow` binary: see `hoopflow --help`.

fn main() -> std::process::ExitCode {
    match hoopflow::cli::main() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
