//! Mail that goes out: password resets, address confirmations and notices of changes to
//! an account. Sending never holds up
//! or fails a request: each message is handed to a background task that tries a few times
//! and logs what happened. With no SMTP server configured, messages go to the log, so a
//! fresh install works.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use askama::Template;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Where mail goes and how links in it are built.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `smtp://host:port`, `smtps://user:pass@host`, ...; `None`: messages go to the log.
    pub smtp_url: Option<String>,
    /// The base of links in mail, as people reach the server: `https://desserts.example`.
    pub public_url: String,
    /// The sender, `Desserts <desserts@example.com>`.
    pub from: String,
    /// The waits between tries when the SMTP server fails; one try more than waits.
    pub retry_delays: Vec<Duration>,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            smtp_url: None,
            public_url: "http://127.0.0.1:5000".into(),
            from: "Desserts <desserts@localhost>".into(),
            retry_delays: vec![Duration::from_secs(5), Duration::from_secs(30), Duration::from_secs(120)],
        }
    }
}

/// One message, in plain text and HTML.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Template)]
#[template(path = "mail/reset.txt")]
struct ResetText<'a> {
    name: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/reset.html")]
struct ResetHtml<'a> {
    name: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/verify.txt")]
struct VerifyText<'a> {
    name: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/verify.html")]
struct VerifyHtml<'a> {
    name: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/invitation.txt")]
struct InvitationText<'a> {
    kitchen: &'a str,
    inviter: &'a str,
    role: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/invitation.html")]
struct InvitationHtml<'a> {
    kitchen: &'a str,
    inviter: &'a str,
    role: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/notice.txt")]
struct NoticeText<'a> {
    name: &'a str,
    what: String,
    ended: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/notice.html")]
struct NoticeHtml<'a> {
    name: &'a str,
    what: String,
    ended: &'a str,
    link: &'a str,
}

/// A change to an account that its owner is told of, at the account's address (the old
/// one, for a change of address), in case it was not them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    PasswordChanged,
    PasswordReset,
    AddressChanged,
}

impl Notice {
    fn subject(self) -> &'static str {
        match self {
            Self::PasswordChanged | Self::PasswordReset => "Your Desserts password was changed",
            Self::AddressChanged => "The email address of your Desserts account was changed",
        }
    }

    fn what(self, username: &str, when: &str) -> String {
        match self {
            Self::PasswordChanged => format!("The password of your Desserts account {username} was changed on the account page on {when}."),
            Self::PasswordReset => {
                format!("The password of your Desserts account {username} was set through a link mailed to you on {when}.")
            }
            Self::AddressChanged => format!(
                "The email address of your Desserts account {username} was changed on {when}. Mail for the account no longer comes to this address."
            ),
        }
    }

    fn ended(self) -> &'static str {
        match self {
            Self::PasswordChanged | Self::PasswordReset => {
                "Every other session and every API token of the account has ended, and so has every unused reset link."
            }
            Self::AddressChanged => "Every unused password reset link of the account has ended.",
        }
    }
}

impl Mail {
    /// Tells `to` of `notice`, which happened `when`; `link` leads to setting a new password.
    pub fn notice(to: &str, name: &str, username: &str, notice: Notice, when: &str, link: &str) -> Result<Self, askama::Error> {
        let ended = notice.ended();
        Ok(Self {
            to: to.into(),
            subject: notice.subject().into(),
            text: NoticeText {
                name,
                what: notice.what(username, when),
                ended,
                link,
            }
            .render()?,
            html: NoticeHtml {
                name,
                what: notice.what(username, when),
                ended,
                link,
            }
            .render()?,
        })
    }

    pub fn reset_password(to: &str, name: &str, link: &str) -> Result<Self, askama::Error> {
        Ok(Self {
            to: to.into(),
            subject: "Set a new password for Desserts".into(),
            text: ResetText { name, link }.render()?,
            html: ResetHtml { name, link }.render()?,
        })
    }

    /// Invites `to` into `kitchen` as `role` (`an editor`), from `inviter`.
    pub fn invitation(to: &str, kitchen: &str, inviter: &str, role: &str, link: &str) -> Result<Self, askama::Error> {
        Ok(Self {
            to: to.into(),
            subject: format!("{inviter} invites you to the kitchen {kitchen} on Desserts"),
            text: InvitationText {
                kitchen,
                inviter,
                role,
                link,
            }
            .render()?,
            html: InvitationHtml {
                kitchen,
                inviter,
                role,
                link,
            }
            .render()?,
        })
    }

    pub fn verify_email(to: &str, name: &str, link: &str) -> Result<Self, askama::Error> {
        Ok(Self {
            to: to.into(),
            subject: "Confirm your email address for Desserts".into(),
            text: VerifyText { name, link }.render()?,
            html: VerifyHtml { name, link }.render()?,
        })
    }
}

#[derive(Clone)]
enum Transport {
    Log,
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// Sends mail in the background; clone freely.
#[derive(Clone)]
pub struct Mailer(Arc<Inner>);

struct Inner {
    transport: Transport,
    from: Mailbox,
    public_url: String,
    retry_delays: Vec<Duration>,
    counts: MailCounts,
}

/// What became of the mail handed over so far, for the metrics.
#[derive(Debug, Default)]
pub struct MailCounts {
    /// Accepted by the SMTP server.
    pub sent: AtomicU64,
    /// Given up on after the last retry, or never built.
    pub failed: AtomicU64,
    /// Attempts that failed and were tried again.
    pub retried: AtomicU64,
    /// Written to the log because no SMTP server is set.
    pub logged: AtomicU64,
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> anyhow::Result<Self> {
        let transport = match &settings.smtp_url {
            None => Transport::Log,
            Some(url) => {
                let builder =
                    AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| anyhow::anyhow!("invalid DESSERTS_SMTP_URL: {e}"))?;
                Transport::Smtp(builder.timeout(Some(Duration::from_secs(10))).build())
            }
        };
        let from = settings
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("invalid sender address {:?}: {e}", settings.from))?;
        let public_url = settings.public_url.trim_end_matches('/').to_string();
        url::Url::parse(&public_url).map_err(|e| anyhow::anyhow!("invalid DESSERTS_PUBLIC_URL {public_url:?}: {e}"))?;
        Ok(Self(Arc::new(Inner {
            transport,
            from,
            public_url,
            retry_delays: settings.retry_delays.clone(),
            counts: MailCounts::default(),
        })))
    }

    /// How many messages were sent, failed, retried and logged since the start.
    pub fn counts(&self) -> &MailCounts {
        &self.0.counts
    }

    /// An absolute link to `path` (which starts with `/`), for a message.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.0.public_url)
    }

    /// Hands `mail` to a background task and returns at once.
    pub fn send_later(&self, mail: Mail) {
        let inner = self.0.clone();
        tokio::spawn(async move { inner.deliver(mail).await });
    }
}

impl Inner {
    async fn deliver(&self, mail: Mail) {
        let message = match self.message(&mail) {
            Ok(message) => message,
            Err(error) => {
                self.counts.failed.fetch_add(1, Ordering::Relaxed);
                tracing::error!(%error, subject = %mail.subject, "cannot build a mail message");
                tracing::debug!(to = %mail.to, "the message that could not be built");
                return;
            }
        };
        let smtp = match &self.transport {
            Transport::Smtp(smtp) => smtp,
            Transport::Log => {
                self.counts.logged.fetch_add(1, Ordering::Relaxed);
                // The whole message, so that a fresh install without mail can still follow its links.
                tracing::info!(
                    "no DESSERTS_SMTP_URL: mail to {} not sent: {}\n{}",
                    mail.to,
                    mail.subject,
                    mail.text
                );
                return;
            }
        };
        let mut waits = self.retry_delays.iter();
        loop {
            match smtp.send(message.clone()).await {
                Ok(_) => {
                    self.counts.sent.fetch_add(1, Ordering::Relaxed);
                    // Addresses are personal data: in the log only when asked for (debug).
                    tracing::info!(subject = %mail.subject, "mail sent");
                    tracing::debug!(to = %mail.to, subject = %mail.subject, "mail sent");
                    return;
                }
                Err(error) => match waits.next() {
                    Some(wait) => {
                        self.counts.retried.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!(%error, subject = %mail.subject, retry_in = ?wait, "mail not sent, will try again");
                        tokio::time::sleep(*wait).await;
                    }
                    None => {
                        self.counts.failed.fetch_add(1, Ordering::Relaxed);
                        tracing::error!(%error, subject = %mail.subject, "mail not sent, giving up");
                        tracing::debug!(to = %mail.to, "the mail given up on");
                        return;
                    }
                },
            }
        }
    }

    fn message(&self, mail: &Mail) -> anyhow::Result<Message> {
        Ok(Message::builder()
            .from(self.from.clone())
            .to(mail.to.parse()?)
            .subject(&mail.subject)
            .multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))?)
    }
}
