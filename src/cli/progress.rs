//! Progress of long work on standard error: shown on a terminal, one line rewritten in
//! place; nothing when standard error is piped or `--quiet` is given.

use std::io::{IsTerminal, Write};

pub struct Progress {
    on: bool,
}

impl Progress {
    pub fn new(quiet: bool) -> Self {
        Self {
            on: !quiet && std::io::stderr().is_terminal(),
        }
    }

    /// Replaces the line with `text`.
    pub fn show(&self, text: &str) {
        if self.on {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K{text}");
            let _ = stderr.flush();
        }
    }

    /// Clears the line, for what comes after.
    pub fn done(&self) {
        self.show("");
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.done();
    }
}
