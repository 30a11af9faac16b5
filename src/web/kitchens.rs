//! Kitchens: the list with switching and making one, a kitchen's members and invitations,
//! and the invitation link's pages.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::Error;
use super::desserts::parse_id;
use super::pages::{ConfirmPage, FieldMessage, Layout, render_with};
use super::visit::{CsrfForm, CurrentUser, NoFields, Visit};
use crate::domain::{Email, FieldErrors, Kitchen, KitchenName, Role};
use crate::mail::Mail;
use crate::state::AppState;
use crate::store::kitchens::{self, Invitation, KitchenEntry, Member, MembershipRefusal, NewInvitation, PendingInvitation};
use crate::tokens::{TOKEN_CHARS, random_token, token_hash};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kitchens", get(list).post(create))
        .route("/kitchens/{id}", get(show))
        .route("/kitchens/{id}/switch", post(switch))
        .route("/kitchens/{id}/invitations", post(invite))
        .route("/kitchens/{id}/members/{user_id}/role", post(change_role))
        .route("/kitchens/{id}/members/{user_id}/remove", post(remove))
        .route("/kitchens/{id}/leave", get(leave_page).post(leave))
        .route("/kitchens/{id}/delete", get(delete_page).post(delete))
        .route("/invitations/{token}", get(invitation))
        .route("/invitations/{token}/accept", post(accept))
}

#[derive(Template)]
#[template(path = "kitchens.html")]
struct KitchensPage {
    layout: Layout,
    kitchens: Vec<KitchenEntry>,
    /// The kitchen this session works in.
    current: i64,
    name: String,
    errors: FieldErrors,
}

async fn kitchens_page(
    state: &AppState,
    user_id: i64,
    current: i64,
    visit: &Visit,
    name: String,
    errors: FieldErrors,
) -> Result<Response, Error> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_with(
        status,
        &KitchensPage {
            layout: visit.layout(),
            kitchens: kitchens::list_for_user(&state.store, user_id).await?,
            current,
            name,
            errors,
        },
    )
}

async fn list(State(state): State<AppState>, CurrentUser { user, kitchen, visit }: CurrentUser) -> Result<Response, Error> {
    kitchens_page(&state, user.id, kitchen.id, &visit, String::new(), FieldErrors::new()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NameForm {
    name: String,
}

async fn create(
    State(state): State<AppState>,
    CurrentUser { user, kitchen, visit }: CurrentUser,
    CsrfForm(form): CsrfForm<NameForm>,
) -> Result<Response, Error> {
    let name = match KitchenName::parse(&form.name) {
        Ok(name) => name,
        Err(message) => return kitchens_page(&state, user.id, kitchen.id, &visit, form.name, FieldErrors::single("name", message)).await,
    };
    let made = kitchens::create(&state.store, user.id, &name).await?;
    visit
        .flash(format!("Kitchen {} made: invite the people you run it with", made.name))
        .await?;
    Ok(Redirect::to(&format!("/kitchens/{}", made.id)).into_response())
}

/// The kitchen the path names, as the person reaches it: 404 to anyone who is not a member.
async fn reachable(state: &AppState, user_id: i64, raw_id: &str) -> Result<Kitchen, Error> {
    kitchens::find(&state.store, user_id, parse_id(raw_id)?)
        .await?
        .ok_or(Error::NotFound)
}

#[derive(Template)]
#[template(path = "kitchen.html")]
struct KitchenPage {
    layout: Layout,
    kitchen: Kitchen,
    /// The person looking.
    user_id: i64,
    members: Vec<Member>,
    /// Shown to owners only.
    invitations: Vec<PendingInvitation>,
    roles: [Role; 3],
    /// The invitation form as typed, and what was wrong with it.
    email: String,
    role: String,
    errors: FieldErrors,
}

#[allow(clippy::too_many_arguments)]
async fn kitchen_page(
    state: &AppState,
    visit: &Visit,
    user_id: i64,
    kitchen: Kitchen,
    email: String,
    role: String,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response, Error> {
    let members = kitchens::members(&state.store, kitchen.id).await?;
    let invitations = if kitchen.can_manage() {
        kitchens::pending(&state.store, kitchen.id, crate::store::now()).await?
    } else {
        Vec::new()
    };
    render_with(
        status,
        &KitchenPage {
            layout: visit.layout(),
            kitchen,
            user_id,
            members,
            invitations,
            roles: Role::ALL,
            email,
            role,
            errors,
        },
    )
}

async fn show(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    let kitchen = reachable(&state, user.id, &id).await?;
    kitchen_page(
        &state,
        &visit,
        user.id,
        kitchen,
        String::new(),
        Role::Editor.code().into(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

async fn switch(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    let kitchen = reachable(&state, user.id, &id).await?;
    let session = visit.session_id_hash().ok_or(Error::NotFound)?;
    if !kitchens::switch(&state.store, &session, kitchen.id).await? {
        return Err(Error::NotFound);
    }
    visit.flash(format!("You are working in {} now", kitchen.name)).await?;
    Ok(Redirect::to("/").into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct InviteForm {
    email: String,
    role: String,
}

async fn invite(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<Response, Error> {
    let kitchen = reachable(&state, user.id, &id).await?;
    let managing = kitchen.managing()?;
    let mut errors = FieldErrors::new();
    let email = Email::parse(&form.email).map_err(|message| errors.add("email", message)).ok();
    let role = Role::parse(&form.role).map_err(|message| errors.add("role", message)).ok();
    let (Some(email), Some(role)) = (email, role) else {
        return kitchen_page(
            &state,
            &visit,
            user.id,
            kitchen,
            form.email,
            form.role,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let token = random_token()?;
    // The mail is made before the invitation is kept, so that none is kept unsent.
    let link = state.mailer.link(&format!("/invitations/{token}"));
    let mail = Mail::invitation(email.as_str(), &kitchen.name, &user.name, role.with_article(), &link)?;
    kitchens::invite(
        &state.store,
        managing,
        NewInvitation {
            token_hash: &token_hash(&token),
            email: &email,
            role,
            invited_by: user.id,
        },
    )
    .await?;
    state.mailer.send_later(mail);
    visit
        .flash(format!("Invitation sent to {}: the link works for 7 days", email.as_str()))
        .await?;
    Ok(Redirect::to(&format!("/kitchens/{}", kitchen.id)).into_response())
}

/// What a refused change of membership answers: 404 for someone who is not a member, else
/// the kitchen's page again with the reason (422).
async fn refused(state: &AppState, visit: &Visit, user_id: i64, kitchen: Kitchen, refusal: MembershipRefusal) -> Result<Response, Error> {
    if refusal == MembershipRefusal::NotAMember {
        return Err(Error::NotFound);
    }
    let errors = FieldErrors::single("members", refusal.message());
    kitchen_page(
        state,
        visit,
        user_id,
        kitchen,
        String::new(),
        Role::Editor.code().into(),
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RoleForm {
    role: String,
}

async fn change_role(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path((id, member)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<Response, Error> {
    let kitchen = reachable(&state, user.id, &id).await?;
    let managing = kitchen.managing()?;
    let member = parse_id(&member)?;
    let role = match Role::parse(&form.role) {
        Ok(role) => role,
        Err(message) => {
            return kitchen_page(
                &state,
                &visit,
                user.id,
                kitchen,
                String::new(),
                Role::Editor.code().into(),
                FieldErrors::single("members", message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match kitchens::set_role(&state.store, managing, member, role).await? {
        Ok(()) => {
            visit.flash(format!("Role changed to {}", role.code())).await?;
            Ok(Redirect::to(&format!("/kitchens/{}", kitchen.id)).into_response())
        }
        Err(refusal) => refused(&state, &visit, user.id, kitchen, refusal).await,
    }
}

async fn remove(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path((id, member)): Path<(String, String)>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    let kitchen = reachable(&state, user.id, &id).await?;
    let managing = kitchen.managing()?;
    match kitchens::remove(&state.store, managing, parse_id(&member)?).await? {
        Ok(()) => {
            visit.flash("Member removed: their access has ended").await?;
            Ok(Redirect::to(&format!("/kitchens/{}", kitchen.id)).into_response())
        }
        Err(refusal) => refused(&state, &visit, user.id, kitchen, refusal).await,
    }
}

async fn leave_page(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    let kitchen = reachable(&state, user.id, &id).await?;
    ConfirmPage::under(
        &visit,
        &format!("/kitchens/{}", kitchen.id),
        "leave",
        format!("Leave {}?", kitchen.name),
        vec![
            "You will no longer see or change its desserts, labels and menus.".into(),
            "To come back, one of its owners has to invite you again.".into(),
        ],
        "Yes, leave the kitchen",
        true,
    )
}

async fn leave(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    let kitchen = reachable(&state, user.id, &id).await?;
    match kitchens::leave(&state.store, &kitchen, user.id).await? {
        Ok(()) => {
            visit.flash(format!("You left {}", kitchen.name)).await?;
            Ok(Redirect::to("/kitchens").into_response())
        }
        Err(refusal) => refused(&state, &visit, user.id, kitchen, refusal).await,
    }
}

async fn delete_page(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    let kitchen = reachable(&state, user.id, &id).await?;
    kitchen.managing()?;
    ConfirmPage::under(
        &visit,
        &format!("/kitchens/{}", kitchen.id),
        "delete",
        format!("Delete the kitchen {}?", kitchen.name),
        vec![
            "Its desserts, labels and menus are deleted for every member, and cannot be brought back.".into(),
            "Its published menus' links stop working, and printed QR codes of them lead nowhere.".into(),
        ],
        "Yes, delete the kitchen",
        true,
    )
}

async fn delete(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    let kitchen = reachable(&state, user.id, &id).await?;
    match kitchens::delete(&state.store, kitchen.managing()?).await? {
        Ok(name) => {
            visit.flash(format!("Kitchen {name} deleted")).await?;
            Ok(Redirect::to("/kitchens").into_response())
        }
        Err(refusal) => refused(&state, &visit, user.id, kitchen, refusal).await,
    }
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    layout: Layout,
    invitation: Invitation,
    token: String,
    /// Why it cannot be accepted by this visitor; empty when it can.
    problem: &'static str,
    logged_in: bool,
}

/// The invitation of the token in the path: 404 for a token of the wrong shape or one
/// that names none.
async fn find_invitation(state: &AppState, token: &str) -> Result<Invitation, Error> {
    if token.len() != TOKEN_CHARS || !token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(Error::NotFound);
    }
    kitchens::find_invitation(&state.store, &token_hash(token), crate::store::now())
        .await?
        .ok_or(Error::NotFound)
}

/// Why `invitation` cannot be accepted by the logged-in `user` (if any), with its status.
fn problem(invitation: &Invitation, email_key: Option<&str>) -> Option<(StatusCode, &'static str)> {
    if invitation.used {
        Some((
            StatusCode::GONE,
            "This invitation has been used. Ask the kitchen's owner for a new one.",
        ))
    } else if invitation.expired {
        Some((
            StatusCode::GONE,
            "This invitation has expired. Ask the kitchen's owner for a new one.",
        ))
    } else if email_key.is_some_and(|key| key != invitation.email_key) {
        Some((
            StatusCode::FORBIDDEN,
            "This invitation is for another email address. Log in with the account at that address, or ask for an invitation to yours.",
        ))
    } else {
        None
    }
}

async fn invitation(State(state): State<AppState>, visit: Visit, Path(token): Path<String>) -> Result<Response, Error> {
    let invitation = find_invitation(&state, &token).await?;
    let user = visit.user();
    let email_key = user
        .as_ref()
        .and_then(|user| Email::parse(&user.email).ok())
        .map(|email| email.key());
    let (status, problem) = problem(&invitation, email_key.as_deref()).unwrap_or((StatusCode::OK, ""));
    let layout = visit.layout_with_form().await?;
    render_with(
        status,
        &InvitationPage {
            layout,
            invitation,
            token,
            problem,
            logged_in: user.is_some(),
        },
    )
}

async fn accept(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(token): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    let invitation = find_invitation(&state, &token).await?;
    let email_key = Email::parse(&user.email).map(|email| email.key()).unwrap_or_default();
    if let Some((status, message)) = problem(&invitation, Some(&email_key)) {
        return Err(match status {
            StatusCode::FORBIDDEN => Error::Forbidden,
            _ => Error::Gone(message),
        });
    }
    if !kitchens::accept(&state.store, &token_hash(&token), user.id, &email_key, crate::store::now()).await? {
        return Err(Error::Gone("This invitation has been used. Ask the kitchen's owner for a new one."));
    }
    if let Some(session) = visit.session_id_hash() {
        kitchens::switch(&state.store, &session, invitation.kitchen_id).await?;
    }
    visit
        .flash(format!(
            "Welcome to {}: you are {} here",
            invitation.kitchen_name,
            invitation.role.with_article()
        ))
        .await?;
    Ok(Redirect::to("/").into_response())
}
