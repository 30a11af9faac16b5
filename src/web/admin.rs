//! `/admin`: the accounts, for the people who run the server. To anyone who is not an admin
//! every address here is an unknown page, so that it is not even found.

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::Error;
use super::desserts::parse_id;
use super::pages::{Layout, render};
use super::visit::{CsrfForm, Visit};
use crate::domain::{AccountQuery, User};
use crate::security_events;
use crate::state::AppState;
use crate::store::admin::{self, AccountSummary, Disabling};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(accounts))
        .route("/admin/users/{id}/disable", post(disable))
        .route("/admin/users/{id}/enable", post(enable))
}

/// A logged-in admin; to anyone else (logged out included) a 404, before any form is read.
struct Admin {
    user: User,
    visit: Visit,
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let visit = Visit::from_request_parts(parts, state).await?;
        let Some(user) = visit.user() else {
            return Err(Error::NotFound);
        };
        if !admin::is_admin(&state.store, user.id).await? {
            return Err(Error::NotFound);
        }
        Ok(Self { user, visit })
    }
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AccountsPage {
    layout: Layout,
    search: String,
    accounts: Vec<AccountSummary>,
    total: i64,
    page: u32,
    pages: u32,
    previous: Option<String>,
    next: Option<String>,
    /// Where a disable or enable form brings the admin back to: this page as it is.
    here: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AccountParams {
    q: String,
    page: String,
}

fn accounts_href(search: &str, page: u32) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if !search.is_empty() {
        query.append_pair("q", search);
    }
    if page > 1 {
        query.append_pair("page", &page.to_string());
    }
    let query = query.finish();
    if query.is_empty() {
        "/admin".into()
    } else {
        format!("/admin?{query}")
    }
}

async fn accounts(State(state): State<AppState>, Admin { visit, .. }: Admin, RawQuery(raw): RawQuery) -> Result<Response, Error> {
    let params: AccountParams = serde_html_form::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let page = params.page.parse::<u32>().unwrap_or(1).clamp(1, 1_000_000);
    let query = AccountQuery::new(&params.q, page);
    let (accounts, total) = admin::accounts(&state.store, &query).await?;
    let per_page = i64::from(AccountQuery::PER_PAGE);
    let pages = u32::try_from((total.max(1) + per_page - 1) / per_page).unwrap_or(u32::MAX);
    let search = params.q.trim().to_string();
    render(&AccountsPage {
        layout: Layout {
            section: "admin",
            ..visit.layout()
        },
        previous: (page > 1).then(|| accounts_href(&search, page - 1)),
        next: (page < pages).then(|| accounts_href(&search, page + 1)),
        here: accounts_href(&search, page),
        search,
        accounts,
        total,
        page,
        pages,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BackForm {
    /// The page of the list the form was on.
    back: String,
}

/// Back to the list the admin was on; only a path of `/admin`.
fn back_to(back: &str) -> String {
    // `safe_next` first: a control character would make no valid Location header.
    let back = super::safe_next(back);
    if back == "/admin" || back.starts_with("/admin?") {
        back.to_string()
    } else {
        "/admin".to_string()
    }
}

async fn disable(
    State(state): State<AppState>,
    Admin { user, visit }: Admin,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<BackForm>,
) -> Result<Response, Error> {
    let id = parse_id(&id)?;
    if id == user.id {
        visit.flash("You cannot disable your own account.").await?;
        return Ok(Redirect::to(&back_to(&form.back)).into_response());
    }
    match admin::disable(&state.store, id, crate::store::now()).await? {
        Disabling::Done => {
            security_events::account_disabled(id, Some(user.id));
            visit
                .flash("The account is disabled: its sessions and API tokens have ended.")
                .await?;
        }
        Disabling::IsAdmin => {
            visit
                .flash("An admin cannot be disabled here: take the admin right away on the server first.")
                .await?;
        }
        Disabling::NoSuchAccount => return Err(Error::NotFound),
    }
    Ok(Redirect::to(&back_to(&form.back)).into_response())
}

async fn enable(
    State(state): State<AppState>,
    Admin { user, visit }: Admin,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<BackForm>,
) -> Result<Response, Error> {
    let id = parse_id(&id)?;
    match admin::enable(&state.store, id).await? {
        Disabling::NoSuchAccount => return Err(Error::NotFound),
        Disabling::Done | Disabling::IsAdmin => {
            security_events::account_enabled(id, Some(user.id));
            visit.flash("The account may log in again.").await?;
        }
    }
    Ok(Redirect::to(&back_to(&form.back)).into_response())
}
