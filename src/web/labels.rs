//! Labels: a person's own words for grouping desserts, with how many carry each; rename and
//! delete. Labels are made where desserts are written, by naming them.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::Error;
use super::desserts::parse_id;
use super::pages::{Layout, render, render_with};
use super::visit::{CsrfForm, CurrentUser, NoFields};
use crate::domain::{Kitchen, Label, LabelName, label_name_taken};
use crate::state::AppState;
use crate::store::{StoreError, kitchens, labels};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/labels", get(list))
        .route("/labels/{id}/rename", post(rename))
        .route("/labels/{id}/delete", post(delete))
}

/// A rename that was refused: which label, what was typed, and why.
struct Refused {
    id: i64,
    typed: String,
    message: String,
}

#[derive(Template)]
#[template(path = "labels.html")]
struct LabelsPage {
    layout: Layout,
    labels: Vec<Label>,
    refused: Option<Refused>,
}

impl LabelsPage {
    /// What the rename field of `label` shows: its name, or what was typed into it.
    fn value_for<'a>(&'a self, label: &'a Label) -> &'a str {
        match &self.refused {
            Some(refused) if refused.id == label.id => &refused.typed,
            _ => &label.name,
        }
    }

    fn error_for(&self, label: &Label) -> &str {
        match &self.refused {
            Some(refused) if refused.id == label.id => &refused.message,
            _ => "",
        }
    }

    /// `/?label=…`: the list of desserts carrying `label`.
    fn filter_href(&self, label: &Label) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("label", &label.name);
        format!("/?{}", query.finish())
    }
}

async fn list(State(state): State<AppState>, CurrentUser { kitchen, visit, .. }: CurrentUser) -> Result<Response, Error> {
    render(&LabelsPage {
        layout: visit.layout(),
        labels: labels::list_in_kitchen(&state.store, kitchen.id).await?,
        refused: None,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RenameForm {
    name: String,
}

async fn rename(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<RenameForm>,
) -> Result<Response, Error> {
    let (kitchen, id) = kitchen_of(&state, user.id, &id).await?;
    let editing = kitchen.editing()?;
    let refuse = |message: String| async {
        let labels = labels::list_in_kitchen(&state.store, kitchen.id).await?;
        // A label deleted meanwhile is not there to rename.
        if !labels.iter().any(|label| label.id == id) {
            return Err(Error::NotFound);
        }
        let page = LabelsPage {
            layout: visit.layout(),
            labels,
            refused: Some(Refused {
                id,
                typed: form.name.clone(),
                message,
            }),
        };
        render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    let name = match LabelName::parse(&form.name) {
        Ok(name) => name,
        Err(message) => return refuse(message).await,
    };
    match labels::rename(&state.store, editing, id, &name).await {
        Ok(true) => {
            visit.flash(format!("Label renamed to {}", name.as_str())).await?;
            Ok(Redirect::to("/labels").into_response())
        }
        Ok(false) => Err(Error::NotFound),
        Err(StoreError::Duplicate(_)) => refuse(label_name_taken(name.as_str())).await,
        Err(error) => Err(error.into()),
    }
}

/// The kitchen of the label the path names, with the person's role there: 404 when there is
/// no such label or they are not a member of its kitchen.
async fn kitchen_of(state: &AppState, user_id: i64, raw_id: &str) -> Result<(Kitchen, i64), Error> {
    let id = parse_id(raw_id)?;
    let kitchen = kitchens::of_label(&state.store, user_id, id).await?.ok_or(Error::NotFound)?;
    Ok((kitchen, id))
}

async fn delete(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    let (kitchen, id) = kitchen_of(&state, user.id, &id).await?;
    let name = labels::delete(&state.store, kitchen.editing()?, id).await?.ok_or(Error::NotFound)?;
    visit.flash(format!("Label {name} deleted; its desserts stay")).await?;
    Ok(Redirect::to("/labels").into_response())
}
