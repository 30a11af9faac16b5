//! Menus: a person's named groups of their own desserts, and the public page of a
//! published one.

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::Error;
use super::desserts::{SortLink, parse_id, sort_links};
use super::pages::{FieldMessage, Layout, ROOT_LAYOUT, render, render_with};
use super::visit::{CsrfForm, CurrentUser, NoFields, Visit};
use crate::domain::{AllergenSet, Dessert, FieldErrors, Menu, MenuName, MenuTotals, SortDir, SortField, StoredImage, menu_name_taken};
use crate::photos::http::{Audience, image_response, known_digests};
use crate::state::{AppState, Site};
use crate::store::{StoreError, desserts, menus};
use crate::tokens::{random_token, sha256_hex};

/// The pages of a logged-in person's menus.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/menus", get(list).post(create))
        .route("/menus/{id}", get(show))
        .route("/menus/{id}/desserts", post(add_dessert))
        .route("/menus/{id}/desserts/{dessert_id}/remove", post(remove_dessert))
        .route("/menus/{id}/delete", post(delete))
        .route("/menus/{id}/publish", post(publish))
        .route("/menus/{id}/unpublish", post(unpublish))
}

/// The page anyone with the link may read, without a session.
pub fn public_router() -> Router<AppState> {
    Router::new()
        .route("/m/{slug}", get(public_menu))
        .route("/m/{slug}/qr.svg", get(public_qr))
}

/// Slugs are URL-safe base64; anything else cannot be one, and is not looked up.
pub fn is_slug(slug: &str) -> bool {
    !slug.is_empty() && slug.len() <= 64 && slug.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub fn public_path(slug: &str) -> String {
    format!("/m/{slug}")
}

pub fn qr_path(slug: &str) -> String {
    format!("/m/{slug}/qr.svg")
}

#[derive(Template)]
#[template(path = "menus.html")]
struct MenusPage {
    layout: Layout,
    menus: Vec<Menu>,
    name: String,
    errors: FieldErrors,
}

async fn list(State(state): State<AppState>, CurrentUser { user, visit }: CurrentUser) -> Result<Response, Error> {
    let menus = menus::list_for_user(&state.store, user.id).await?;
    render(&MenusPage {
        layout: visit.layout(),
        menus,
        name: String::new(),
        errors: FieldErrors::new(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MenuForm {
    name: String,
}

async fn create(
    State(state): State<AppState>,
    CurrentUser { user, visit }: CurrentUser,
    CsrfForm(form): CsrfForm<MenuForm>,
) -> Result<Response, Error> {
    let again = |errors: FieldErrors| async {
        let page = MenusPage {
            layout: visit.layout(),
            menus: menus::list_for_user(&state.store, user.id).await?,
            name: form.name.clone(),
            errors,
        };
        render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    let name = match MenuName::parse(&form.name) {
        Ok(name) => name,
        Err(message) => return again(FieldErrors::single("name", message)).await,
    };
    match menus::create(&state.store, user.id, &name).await {
        Ok(menu) => {
            visit.flash(format!("Menu {} created", menu.name)).await?;
            Ok(Redirect::to(&format!("/menus/{}", menu.id)).into_response())
        }
        Err(StoreError::Duplicate(_)) => again(FieldErrors::single("name", menu_name_taken(&form.name))).await,
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "menu.html")]
struct MenuPage {
    layout: Layout,
    menu: Menu,
    /// The public page's absolute link and its QR code's path, while published.
    public_url: Option<String>,
    qr_url: Option<String>,
    desserts: Vec<Dessert>,
    totals: MenuTotals,
    sort_links: Vec<SortLink>,
    choices: Vec<(i64, String)>,
    error: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SortParams {
    sort: String,
    dir: String,
}

async fn find_own(state: &AppState, owner: i64, raw_id: &str) -> Result<Menu, Error> {
    menus::find(&state.store, owner, parse_id(raw_id)?).await?.ok_or(Error::NotFound)
}

async fn show(
    State(state): State<AppState>,
    CurrentUser { user, visit }: CurrentUser,
    Site(site): Site,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Error> {
    let menu = find_own(&state, user.id, &id).await?;
    let params: SortParams = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let sort = SortField::parse(&params.sort).unwrap_or_default();
    let dir = SortDir::parse(&params.dir).unwrap_or(sort.natural_dir());
    menu_page(&state, &visit, &site, user.id, menu, sort, dir, StatusCode::OK, String::new()).await
}

#[allow(clippy::too_many_arguments)]
async fn menu_page(
    state: &AppState,
    visit: &Visit,
    site: &str,
    owner: i64,
    menu: Menu,
    sort: SortField,
    dir: SortDir,
    status: StatusCode,
    error: String,
) -> Result<Response, Error> {
    let desserts = menus::desserts_on(&state.store, owner, menu.id, sort, dir).await?;
    let choices = menus::addable(&state.store, owner, menu.id).await?;
    let menu_id = menu.id;
    let page = MenuPage {
        layout: visit.layout(),
        public_url: menu.public_slug.as_deref().map(|slug| format!("{site}{}", public_path(slug))),
        qr_url: menu.public_slug.as_deref().map(qr_path),
        totals: MenuTotals::of(&desserts),
        sort_links: sort_links(sort, dir, |field, dir| {
            format!("/menus/{menu_id}?sort={}&dir={}", field.as_str(), dir.as_str())
        }),
        menu,
        desserts,
        choices,
        error,
    };
    render_with(status, &page)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AddDessertForm {
    dessert_id: String,
}

async fn add_dessert(
    State(state): State<AppState>,
    CurrentUser { user, visit }: CurrentUser,
    Site(site): Site,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<AddDessertForm>,
) -> Result<Response, Error> {
    let menu = find_own(&state, user.id, &id).await?;
    if form.dessert_id.trim().is_empty() {
        let error = "Choose a dessert to add".to_string();
        return menu_page(
            &state,
            &visit,
            &site,
            user.id,
            menu,
            SortField::default(),
            SortDir::Asc,
            StatusCode::UNPROCESSABLE_ENTITY,
            error,
        )
        .await;
    }
    // Someone else's dessert is as unknown as one that does not exist.
    let dessert = desserts::find(&state.store, user.id, parse_id(form.dessert_id.trim())?)
        .await?
        .ok_or(Error::NotFound)?;
    if !menus::add_dessert(&state.store, user.id, menu.id, dessert.id).await? {
        return Err(Error::NotFound);
    }
    visit.flash(format!("{} added to {}", dessert.name, menu.name)).await?;
    Ok(Redirect::to(&format!("/menus/{}", menu.id)).into_response())
}

async fn remove_dessert(
    State(state): State<AppState>,
    CurrentUser { user, visit }: CurrentUser,
    Path((id, dessert_id)): Path<(String, String)>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    let menu = find_own(&state, user.id, &id).await?;
    let dessert = desserts::find(&state.store, user.id, parse_id(&dessert_id)?)
        .await?
        .ok_or(Error::NotFound)?;
    if !menus::remove_dessert(&state.store, user.id, menu.id, dessert.id).await? {
        return Err(Error::NotFound);
    }
    visit.flash(format!("{} removed from {}", dessert.name, menu.name)).await?;
    Ok(Redirect::to(&format!("/menus/{}", menu.id)).into_response())
}

async fn delete(
    State(state): State<AppState>,
    CurrentUser { user, visit }: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    let name = menus::delete(&state.store, user.id, parse_id(&id)?).await?.ok_or(Error::NotFound)?;
    visit.flash(format!("Menu {name} deleted")).await?;
    Ok(Redirect::to("/menus").into_response())
}

async fn publish(
    State(state): State<AppState>,
    CurrentUser { user, visit }: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    let id = parse_id(&id)?;
    menus::publish(&state.store, user.id, id, &random_token()?)
        .await?
        .ok_or(Error::NotFound)?;
    visit.flash("Published: anyone with the link can see this menu").await?;
    Ok(Redirect::to(&format!("/menus/{id}")).into_response())
}

async fn unpublish(
    State(state): State<AppState>,
    CurrentUser { user, visit }: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    let id = parse_id(&id)?;
    if !menus::unpublish(&state.store, user.id, id).await? {
        return Err(Error::NotFound);
    }
    visit.flash("Unpublished: the old link no longer works").await?;
    Ok(Redirect::to(&format!("/menus/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "public_menu.html")]
struct PublicMenuPage {
    layout: Layout,
    menu: Menu,
    desserts: Vec<Dessert>,
    totals: MenuTotals,
    slug: String,
    qr_url: String,
    /// Every allergen a dessert on the menu contains or may contain traces of.
    legend: AllergenSet,
}

async fn public_menu(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, Error> {
    if !is_slug(&slug) {
        return Err(Error::NotFound);
    }
    let (menu, desserts) = menus::find_published(&state.store, &slug).await?.ok_or(Error::NotFound)?;
    let legend = desserts.iter().fold(AllergenSet::empty(), |all, dessert| {
        all.union(dessert.allergens.contains.unwrap_or_default())
            .union(dessert.allergens.traces)
    });
    render(&PublicMenuPage {
        layout: ROOT_LAYOUT.clone(),
        legend,
        totals: MenuTotals::of(&desserts),
        menu,
        desserts,
        qr_url: qr_path(&slug),
        slug,
    })
}

/// The QR code of a published menu's absolute link, for a window or a table. Any cache may
/// keep it but must check first, so unpublishing ends it at once, as it ends the page.
async fn public_qr(
    State(state): State<AppState>,
    Site(site): Site,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    if !is_slug(&slug) || !menus::is_published(&state.store, &slug).await? {
        return Err(Error::NotFound);
    }
    let url = format!("{site}{}", public_path(&slug));
    let svg = crate::qr::svg(&url).ok_or_else(|| Error::Internal(format!("no QR code holds a link of {} bytes", url.len())))?;
    let image = StoredImage {
        content_type: "image/svg+xml".into(),
        digest: sha256_hex(svg.as_bytes())[..32].to_string(),
        bytes: Some(svg.into_bytes()),
    };
    Ok(image_response(image, &known_digests(&headers), Audience::Public))
}
