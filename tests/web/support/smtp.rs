//! An SMTP server on 127.0.0.1 that keeps what it is sent: enough of the protocol for a
//! real client (EHLO, MAIL, RCPT, DATA, QUIT). It can be told to refuse every message.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// The address the servers that mail in tests put in front of their links.
pub const PUBLIC_URL: &str = "http://desserts.example";

/// The path of a mailed link, checked to start with [`PUBLIC_URL`].
pub fn site_path(link: &str) -> String {
    link.strip_prefix(PUBLIC_URL)
        .unwrap_or_else(|| panic!("{link} starts with {PUBLIC_URL}"))
        .to_string()
}

/// One message as it arrived: its recipients and its text, transfer encoding undone.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub to: Vec<String>,
    pub data: String,
}

impl ReceivedMail {
    /// The first link in the message to a path starting with `prefix`, as an absolute URL.
    pub fn link(&self, prefix: &str) -> Option<String> {
        let start = self.data.find(prefix)?;
        let url_start = self.data[..start].rfind("http")?;
        let end = self.data[start..]
            .find(|c: char| c.is_whitespace() || c == '"' || c == '<')
            .map_or(self.data.len(), |n| start + n);
        Some(self.data[url_start..end].to_string())
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<ReceivedMail>>,
    refusing: AtomicBool,
    /// While set, a message's data is read but not answered (nor kept).
    holding: AtomicBool,
    attempts: AtomicUsize,
}

pub struct SmtpSink {
    pub url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind SMTP");
        let url = format!("smtp://{}", listener.local_addr().expect("addr"));
        let shared = Arc::new(Shared::default());
        let accepting = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(converse(stream, accepting.clone()));
            }
        });
        Self { url, shared, task }
    }

    /// Answers every message with a temporary failure until told otherwise.
    pub fn refuse(&self, refusing: bool) {
        self.shared.refusing.store(refusing, Ordering::SeqCst);
    }

    /// While `holding`, messages wait unanswered after their data: a sender that waited for
    /// the answer would wait as long.
    pub fn hold(&self, holding: bool) {
        self.shared.holding.store(holding, Ordering::SeqCst);
    }

    /// How many messages clients tried to send, refused ones included.
    pub fn attempts(&self) -> usize {
        self.shared.attempts.load(Ordering::SeqCst)
    }

    pub fn received(&self) -> Vec<ReceivedMail> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Waits up to 10 s for the `n`th message (counting from 1) and returns it.
    pub async fn wait_for(&self, n: usize) -> ReceivedMail {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(mail) = self.received().get(n - 1) {
                return mail.clone();
            }
            assert!(Instant::now() < deadline, "message {n} never arrived; got {:?}", self.received());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn converse(stream: TcpStream, shared: Arc<Shared>) {
    let (reader, mut writer) = stream.into_split();
    let mut lines = BufReader::new(reader).lines();
    let mut to = Vec::new();
    if writer.write_all(b"220 sink ESMTP\r\n").await.is_err() {
        return;
    }
    while let Ok(Some(line)) = lines.next_line().await {
        let command = line.to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
            b"250-sink\r\n250 8BITMIME\r\n"
        } else if command.starts_with("MAIL FROM") {
            to.clear();
            b"250 ok\r\n"
        } else if command.starts_with("RCPT TO") {
            to.push(line[8..].trim().trim_start_matches('<').trim_end_matches('>').to_string());
            b"250 ok\r\n"
        } else if command == "DATA" {
            if writer.write_all(b"354 go on\r\n").await.is_err() {
                return;
            }
            let mut data = String::new();
            while let Ok(Some(line)) = lines.next_line().await {
                if line == "." {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
                data.push('\n');
            }
            while shared.holding.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            shared.attempts.fetch_add(1, Ordering::SeqCst);
            if shared.refusing.load(Ordering::SeqCst) {
                b"451 try again later\r\n"
            } else {
                shared.received.lock().unwrap().push(ReceivedMail {
                    to: to.clone(),
                    data: decode_quoted_printable(&data),
                });
                b"250 queued\r\n"
            }
        } else if command == "QUIT" {
            let _ = writer.write_all(b"221 bye\r\n").await;
            return;
        } else if command == "RSET" || command == "NOOP" {
            b"250 ok\r\n"
        } else {
            b"502 not here\r\n"
        };
        if writer.write_all(reply).await.is_err() {
            return;
        }
    }
}

/// Joins soft line breaks and decodes `=XX`, so links read as they were written.
fn decode_quoted_printable(data: &str) -> String {
    let joined = data.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
            && let Ok(byte) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
