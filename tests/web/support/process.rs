//! The `desserts` binary run as its own process, as an operator would run it.

use std::io::{Read, Write};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs `desserts ARGS` on the database at `url`, with `stdin` as its input.
pub fn run_desserts(url: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_desserts"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run desserts");
    // A command that refuses its arguments exits before reading stdin; the broken pipe is expected.
    if let Err(error) = child.stdin.take().expect("stdin").write_all(stdin.as_bytes()) {
        assert_eq!(error.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {error}");
    }
    child.wait_with_output().expect("wait")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `desserts serve` on a free port of 127.0.0.1, stopped (SIGKILL) when dropped unless
/// [`ServerProcess::stop`] ended it first. Its log goes to a file, which no amount of
/// logging can fill the way it fills a pipe.
pub struct ServerProcess {
    pub base: String,
    pub port: u16,
    child: Option<Child>,
    log: tempfile::NamedTempFile,
}

impl ServerProcess {
    /// Starts the server and waits until `/healthz` answers.
    pub fn start(url: &str, env: &[(&str, &str)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let log = tempfile::NamedTempFile::new().expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_desserts"))
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", url)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(log.reopen().expect("log file"))
            .spawn()
            .expect("start desserts serve");
        let mut server = Self {
            base: format!("http://127.0.0.1:{port}"),
            port,
            child: Some(child),
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while server.raw_get("/healthz").is_none() {
            if let Some(status) = server.child.as_mut().and_then(|child| child.try_wait().ok().flatten()) {
                panic!("desserts serve exited with {status}: {}", server.log());
            }
            assert!(Instant::now() < deadline, "desserts serve did not start in time");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// The whole response to `GET path` over a plain socket; `None` when nothing listens.
    pub fn raw_get(&self, path: &str) -> Option<String> {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
        write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        Some(response)
    }

    /// What the server has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    /// Sends SIGTERM, waits for the process to end and returns how it ended, with its log.
    pub fn stop(mut self) -> (ExitStatus, String) {
        let mut child = self.child.take().expect("running");
        let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
        assert!(killed.success());
        let status = child.wait().expect("wait");
        (status, self.log())
    }
}

impl ServerProcess {
    /// Kills the process with SIGKILL, as a power cut or the OOM killer would, and waits for it.
    pub fn kill_hard(mut self) {
        let mut child = self.child.take().expect("running");
        child.kill().expect("kill -9");
        child.wait().expect("wait");
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
