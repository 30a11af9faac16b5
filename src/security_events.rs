//! Security events: one log line each, at INFO, with the account's id and the client's
//! address where known, under the target `desserts::security` so they can be routed apart.
//! Never a password, a token, a cookie or a typed login name (people type passwords into
//! the name field).

const TARGET: &str = "desserts::security";

pub fn login_failed(user_id: Option<i64>, client: &str) {
    tracing::info!(target: TARGET, event = "login_failed", user_id, client, "failed login");
}

pub fn login_locked(user_id: Option<i64>, client: &str) {
    tracing::info!(target: TARGET, event = "login_locked", user_id, client, "login refused: too many failures");
}

pub fn csrf_refused(user_id: Option<i64>, client: &str) {
    tracing::info!(target: TARGET, event = "csrf_refused", user_id, client, "form refused: stale token or another site");
}

pub fn password_changed(user_id: i64) {
    tracing::info!(target: TARGET, event = "password_changed", user_id, "password changed");
}

pub fn password_reset(user_id: i64) {
    tracing::info!(target: TARGET, event = "password_reset", user_id, "password reset through a mailed link");
}

pub fn email_changed(user_id: i64) {
    tracing::info!(target: TARGET, event = "email_changed", user_id, "email address changed");
}

pub fn token_created(user_id: i64, client: &str) {
    tracing::info!(target: TARGET, event = "token_created", user_id, client, "API token created");
}

pub fn token_revoked(user_id: i64) {
    tracing::info!(target: TARGET, event = "token_revoked", user_id, "API token revoked");
}

pub fn tokens_revoked(user_id: i64, count: u64) {
    tracing::info!(target: TARGET, event = "tokens_revoked", user_id, count, "API tokens revoked");
}

pub fn sessions_ended(user_id: i64, count: u64) {
    tracing::info!(target: TARGET, event = "sessions_ended", user_id, count, "sessions ended by their owner");
}

pub fn code_refused(user_id: i64) {
    tracing::info!(target: TARGET, event = "code_refused", user_id, "one-time or recovery code refused");
}

pub fn codes_turned_on(user_id: i64) {
    tracing::info!(target: TARGET, event = "codes_on", user_id, "one-time codes turned on");
}

pub fn codes_turned_off(user_id: i64) {
    tracing::info!(target: TARGET, event = "codes_off", user_id, "one-time codes turned off");
}

pub fn passkey_login_failed(client: &str) {
    tracing::info!(target: TARGET, event = "passkey_login_failed", client, "failed login with a passkey");
}

pub fn passkey_added(user_id: i64) {
    tracing::info!(target: TARGET, event = "passkey_added", user_id, "passkey added");
}

pub fn passkey_removed(user_id: i64) {
    tracing::info!(target: TARGET, event = "passkey_removed", user_id, "passkey removed");
}

/// `admin_id` is the admin who did it; `None` from the command line.
pub fn account_disabled(user_id: i64, admin_id: Option<i64>) {
    let by = by_whom(admin_id);
    tracing::info!(target: TARGET, event = "account_disabled", user_id, admin_id, by, "account disabled");
}

pub fn account_enabled(user_id: i64, admin_id: Option<i64>) {
    let by = by_whom(admin_id);
    tracing::info!(target: TARGET, event = "account_enabled", user_id, admin_id, by, "account enabled");
}

/// From the command line, by whoever may run it on the server.
pub fn admin_right_changed(user_id: i64, admin: bool) {
    let event = if admin { "admin_granted" } else { "admin_revoked" };
    tracing::info!(target: TARGET, event, user_id, by = "command line", "admin right changed");
}

fn by_whom(admin_id: Option<i64>) -> &'static str {
    if admin_id.is_some() { "admin" } else { "command line" }
}
