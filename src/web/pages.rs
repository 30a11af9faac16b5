//! What every page shares: the layout data and rendering.

use crate::domain::Currency;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::Error;
use super::assets;
use crate::domain::{FieldErrors, Kitchen, User};

/// The base layout's data: who is logged in, the form token, a one-time message.
#[derive(Debug, Clone)]
pub struct Layout {
    pub user: Option<User>,
    /// The kitchen the person works in, which the header names.
    pub kitchen: Option<Kitchen>,
    pub csrf_token: String,
    pub flash: Option<String>,
    /// Error pages show only a link home: they cannot know who is asking.
    pub minimal_nav: bool,
    /// The navigation's entry for this page (`aria-current`): `desserts`, `menus`,
    /// `labels`, `account`, or empty.
    pub section: &'static str,
}

pub static ROOT_LAYOUT: Layout = Layout {
    user: None,
    kitchen: None,
    csrf_token: String::new(),
    flash: None,
    minimal_nav: true,
    section: "",
};

/// The navigation's entry for a request path.
pub fn section_of(path: &str) -> &'static str {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    match first {
        "" | "add" | "desserts" | "delete" => "desserts",
        "menus" => "menus",
        "labels" => "labels",
        "account" => "account",
        "kitchens" => "kitchens",
        _ => "",
    }
}

impl Layout {
    /// The heading of a page of the kitchen the person works in: "My desserts" in their own,
    /// "Desserts of Café Lee" in a shared one.
    pub fn kitchen_heading(&self, what: &str) -> String {
        match &self.kitchen {
            Some(kitchen) if !kitchen.personal => {
                let mut what = what.to_string();
                if let Some(first) = what.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                format!("{what} of {}", kitchen.name)
            }
            _ => format!("My {what}"),
        }
    }

    /// Whether the person may change what is in the kitchen they work in (a viewer may not,
    /// and sees no buttons for it).
    pub fn can_edit(&self) -> bool {
        self.kitchen.as_ref().is_some_and(Kitchen::can_edit)
    }

    /// What the prices of the kitchen the person works in are in (US dollars for a visitor).
    pub fn currency(&self) -> Currency {
        self.kitchen.as_ref().map(|kitchen| kitchen.currency).unwrap_or_default()
    }

    pub fn style_url(&self) -> &'static str {
        assets::style_url()
    }

    pub fn script_url(&self) -> &'static str {
        assets::script_url()
    }

    pub fn passkeys_script_url(&self) -> &'static str {
        assets::passkeys_script_url()
    }

    pub fn print_style_url(&self) -> &'static str {
        assets::print_style_url()
    }
}

pub fn render(page: &impl Template) -> Result<Response, Error> {
    render_with(StatusCode::OK, page)
}

pub fn render_with(status: StatusCode, page: &impl Template) -> Result<Response, Error> {
    Ok((status, Html(page.render()?)).into_response())
}

/// The message for one field, or nothing: templates show it beside the input.
pub trait FieldMessage {
    fn message(&self, field: &str) -> &str;
}

impl FieldMessage for FieldErrors {
    fn message(&self, field: &str) -> &str {
        self.get(field).unwrap_or("")
    }
}

/// `1 minute`, `15 minutes`: a wait rounded up to whole minutes.
pub fn minutes(seconds: i64) -> String {
    let minutes = (seconds + 59) / 60;
    if minutes == 1 {
        "1 minute".into()
    } else {
        format!("{minutes} minutes")
    }
}

/// A question before something that cannot be taken back: what happens, a button that does
/// it and a way out.
#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    layout: Layout,
    title: String,
    consequences: Vec<String>,
    action: String,
    button: &'static str,
    danger: bool,
    back: String,
}

impl ConfirmPage {
    /// The question before `action` (the last part of a path under `page`, the page of what
    /// it changes), with the way back to that page.
    pub fn under(
        visit: &super::visit::Visit,
        page: &str,
        action: &str,
        title: String,
        consequences: Vec<String>,
        button: &'static str,
        danger: bool,
    ) -> Result<Response, Error> {
        render(&Self {
            layout: visit.layout(),
            title,
            consequences,
            action: format!("{page}/{action}"),
            button,
            danger,
            back: page.to_string(),
        })
    }
}
