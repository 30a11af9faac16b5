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
use super::pages::{ConfirmPage, FieldMessage, Layout, ROOT_LAYOUT, render, render_with};
use super::visit::{CsrfForm, CurrentUser, NoFields, Visit};
use crate::domain::{
    AllergenSet, Currency, Dessert, Editing, FieldErrors, Kitchen, MAX_ADDED_AT_ONCE, Menu, MenuName, MenuTotals, SortDir, SortField,
    StoredImage, menu_name_taken, moved,
};
use crate::photos::http::{Audience, image_response, known_digests};
use crate::state::{AppState, Site};
use crate::store::{StoreError, desserts, kitchens, menus};
use crate::tokens::{random_token, sha256_hex};

/// The pages of a logged-in person's menus.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/menus", get(list).post(create))
        .route("/menus/{id}", get(show))
        .route("/menus/{id}/desserts", post(add_desserts))
        .route("/menus/{id}/desserts/{dessert_id}/move", post(move_dessert))
        .route("/menus/{id}/desserts/{dessert_id}/remove", post(remove_dessert))
        .route("/menus/{id}/delete", get(delete_page).post(delete))
        .route("/menus/{id}/publish", post(publish))
        .route("/menus/{id}/unpublish", get(unpublish_page).post(unpublish))
        .route("/menus/{id}/new-link", get(new_link_page).post(new_link))
        .route("/desserts/{id}/menus", post(add_from_dessert))
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
    /// The scheme and host of the menus' share links.
    site: String,
    menus: Vec<Menu>,
    name: String,
    errors: FieldErrors,
}

async fn list(State(state): State<AppState>, CurrentUser { kitchen, visit, .. }: CurrentUser, Site(site): Site) -> Result<Response, Error> {
    let menus = menus::list_in_kitchen(&state.store, kitchen.id).await?;
    render(&MenusPage {
        layout: visit.layout(),
        site,
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
    CurrentUser { kitchen, visit, .. }: CurrentUser,
    Site(site): Site,
    CsrfForm(form): CsrfForm<MenuForm>,
) -> Result<Response, Error> {
    let editing = kitchen.editing()?;
    let again = |errors: FieldErrors| async {
        let page = MenusPage {
            layout: visit.layout(),
            site: site.clone(),
            menus: menus::list_in_kitchen(&state.store, kitchen.id).await?,
            name: form.name.clone(),
            errors,
        };
        render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    let name = match MenuName::parse(&form.name) {
        Ok(name) => name,
        Err(message) => return again(FieldErrors::single("name", message)).await,
    };
    match menus::create(&state.store, editing, &name).await {
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
    /// Its kitchen, with the person's role there (a viewer sees no buttons).
    kitchen: Kitchen,
    /// The public page's absolute link and its QR code's path, while published.
    public_url: Option<String>,
    qr_url: Option<String>,
    desserts: Vec<Dessert>,
    totals: MenuTotals,
    sort_links: Vec<SortLink>,
    /// Whether the desserts show in the menu's own order (and can be moved).
    in_menu_order: bool,
    choices: Vec<(i64, String)>,
    error: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SortParams {
    sort: String,
    dir: String,
}

/// The menu the path names, in a kitchen the person is a member of, with that kitchen.
async fn find_reachable(state: &AppState, user_id: i64, raw_id: &str) -> Result<(Menu, Kitchen), Error> {
    menus::find_reachable(&state.store, user_id, parse_id(raw_id)?)
        .await?
        .ok_or(Error::NotFound)
}

/// The kitchen of the menu the path names, where the person may change it: 404 when there
/// is no such menu or they are not a member of its kitchen, 403 for a viewer.
async fn editing_menu(state: &AppState, user_id: i64, raw_id: &str) -> Result<(Editing, i64), Error> {
    let id = parse_id(raw_id)?;
    let kitchen = kitchens::of_menu(&state.store, user_id, id).await?.ok_or(Error::NotFound)?;
    Ok((kitchen.editing()?, id))
}

async fn show(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Site(site): Site,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Error> {
    let (menu, kitchen) = find_reachable(&state, user.id, &id).await?;
    let params: SortParams = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    // Without a column to sort by, the menu shows in its own order.
    let sorted = SortField::parse(&params.sort).map(|sort| (sort, SortDir::parse(&params.dir).unwrap_or(sort.natural_dir())));
    menu_page(&state, &visit, &site, kitchen, menu, sorted, StatusCode::OK, String::new()).await
}

#[allow(clippy::too_many_arguments)]
async fn menu_page(
    state: &AppState,
    visit: &Visit,
    site: &str,
    kitchen: Kitchen,
    menu: Menu,
    sorted: Option<(SortField, SortDir)>,
    status: StatusCode,
    error: String,
) -> Result<Response, Error> {
    let desserts = menus::desserts_on(&state.store, kitchen.id, menu.id, sorted).await?;
    // A viewer is offered nothing to add.
    let choices = if kitchen.can_edit() {
        menus::addable(&state.store, kitchen.id, menu.id).await?
    } else {
        Vec::new()
    };
    let menu_id = menu.id;
    let page = MenuPage {
        layout: visit.layout(),
        public_url: menu.public_slug.as_deref().map(|slug| format!("{site}{}", public_path(slug))),
        qr_url: menu.public_slug.as_deref().map(qr_path),
        totals: MenuTotals::of(&desserts),
        sort_links: sort_links(sorted, |field, dir| {
            format!("/menus/{menu_id}?sort={}&dir={}", field.as_str(), dir.as_str())
        }),
        in_menu_order: sorted.is_none(),
        menu,
        kitchen,
        desserts,
        choices,
        error,
    };
    render_with(status, &page)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AddDessertsForm {
    /// Ticked in the checklist: any number, one at least.
    dessert_id: Vec<String>,
    /// `yes` from the "Add all" button: every dessert not on the menu yet, ticked or not.
    all: String,
}

async fn add_desserts(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Site(site): Site,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<AddDessertsForm>,
) -> Result<Response, Error> {
    let (menu, kitchen) = find_reachable(&state, user.id, &id).await?;
    let editing = kitchen.editing()?;
    let chosen: Vec<String> = if form.all == "yes" {
        let every_other = menus::addable(&state.store, kitchen.id, menu.id).await?;
        every_other.into_iter().map(|(id, _)| id.to_string()).collect()
    } else {
        form.dessert_id
            .iter()
            .map(|id| id.trim())
            .filter(|id| !id.is_empty())
            .map(str::to_string)
            .collect()
    };
    let refusal = if chosen.is_empty() {
        Some("Tick the desserts to add".to_string())
    } else if chosen.len() > MAX_ADDED_AT_ONCE {
        Some(format!("Add at most {MAX_ADDED_AT_ONCE} desserts at once"))
    } else {
        None
    };
    if let Some(error) = refusal {
        return menu_page(&state, &visit, &site, kitchen, menu, None, StatusCode::UNPROCESSABLE_ENTITY, error).await;
    }
    let ids = chosen.iter().map(|id| parse_id(id)).collect::<Result<Vec<i64>, Error>>()?;
    // Another kitchen's dessert is as unknown as one that does not exist: nothing is added.
    let names = desserts::names_of(&state.store, kitchen.id, &ids).await?;
    if names.len() != ids.iter().collect::<std::collections::HashSet<_>>().len() {
        return Err(Error::NotFound);
    }
    menus::add_desserts(&state.store, editing, menu.id, &ids).await?;
    let message = match names.as_slice() {
        [one] => format!("{one} added to {}", menu.name),
        many => format!("{} desserts added to {}", many.len(), menu.name),
    };
    visit.flash(message).await?;
    Ok(Redirect::to(&format!("/menus/{}", menu.id)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MenuChoice {
    menu_id: String,
}

/// "Add to menu…" on a dessert's page: the dessert goes to the end of the chosen menu.
async fn add_from_dessert(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(dessert_id): Path<String>,
    CsrfForm(form): CsrfForm<MenuChoice>,
) -> Result<Response, Error> {
    let (dessert, kitchen) = super::desserts::find_reachable(&state, user.id, &dessert_id).await?;
    let editing = kitchen.editing()?;
    let (menu, _) = find_reachable(&state, user.id, form.menu_id.trim()).await?;
    // A menu of another kitchen cannot hold the dessert: as unknown as a missing one.
    if menu.kitchen_id != dessert.kitchen_id {
        return Err(Error::NotFound);
    }
    menus::add_desserts(&state.store, editing, menu.id, &[dessert.id]).await?;
    visit.flash(format!("{} added to {}", dessert.name, menu.name)).await?;
    Ok(Redirect::to(&format!("/desserts/{}", dessert.id)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MoveForm {
    /// `up` (one place earlier) or `down`.
    to: String,
}

async fn move_dessert(
    State(state): State<AppState>,
    CurrentUser { user, .. }: CurrentUser,
    Path((id, dessert_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<Response, Error> {
    let (menu, kitchen) = find_reachable(&state, user.id, &id).await?;
    let editing = kitchen.editing()?;
    let dessert_id = parse_id(&dessert_id)?;
    let up = match form.to.as_str() {
        "up" => true,
        "down" => false,
        _ => return Err(Error::BadRequest("Move a dessert up or down.".into())),
    };
    let on_menu = menus::dessert_ids_on(&state.store, kitchen.id, menu.id).await?;
    let order = moved(&on_menu, dessert_id, up).ok_or(Error::NotFound)?;
    menus::set_order(&state.store, editing, menu.id, &order).await?;
    Ok(Redirect::to(&format!("/menus/{}#dessert-{dessert_id}", menu.id)).into_response())
}

async fn remove_dessert(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path((id, dessert_id)): Path<(String, String)>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    let (menu, kitchen) = find_reachable(&state, user.id, &id).await?;
    let editing = kitchen.editing()?;
    let dessert = desserts::find(&state.store, kitchen.id, parse_id(&dessert_id)?)
        .await?
        .ok_or(Error::NotFound)?;
    if !menus::remove_dessert(&state.store, editing, menu.id, dessert.id).await? {
        return Err(Error::NotFound);
    }
    visit.flash(format!("{} removed from {}", dessert.name, menu.name)).await?;
    Ok(Redirect::to(&format!("/menus/{}", menu.id)).into_response())
}

async fn delete_page(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    let (menu, kitchen) = find_reachable(&state, user.id, &id).await?;
    kitchen.editing()?;
    let mut consequences = vec![format!(
        "The menu goes; its {} dessert{} stay in your list.",
        menu.dessert_count,
        if menu.dessert_count == 1 { "" } else { "s" }
    )];
    if menu.public_slug.is_some() {
        consequences.push("Its public link stops working, and printed QR codes of it lead nowhere.".into());
    }
    ConfirmPage::under(
        &visit,
        &format!("/menus/{}", menu.id),
        "delete",
        format!("Delete the menu {}?", menu.name),
        consequences,
        "Yes, delete the menu",
        true,
    )
}

async fn delete(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    let (editing, id) = editing_menu(&state, user.id, &id).await?;
    let name = menus::delete(&state.store, editing, id).await?.ok_or(Error::NotFound)?;
    visit.flash(format!("Menu {name} deleted")).await?;
    Ok(Redirect::to("/menus").into_response())
}

async fn publish(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    let (editing, id) = editing_menu(&state, user.id, &id).await?;
    menus::publish(&state.store, editing, id, &random_token()?)
        .await?
        .ok_or(Error::NotFound)?;
    visit.flash("Published: anyone with the link can see this menu").await?;
    Ok(Redirect::to(&format!("/menus/{id}")).into_response())
}

async fn unpublish_page(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    let (menu, kitchen) = find_reachable(&state, user.id, &id).await?;
    kitchen.editing()?;
    ConfirmPage::under(
        &visit,
        &format!("/menus/{}", menu.id),
        "unpublish",
        format!("Unpublish {}?", menu.name),
        vec![
            "Customers who open its link or scan its QR code will read that the menu isn't available right now.".into(),
            "The link is kept: publish again and the same link and printed QR codes work again.".into(),
        ],
        "Unpublish",
        false,
    )
}

async fn unpublish(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    let (editing, id) = editing_menu(&state, user.id, &id).await?;
    if !menus::unpublish(&state.store, editing, id).await? {
        return Err(Error::NotFound);
    }
    visit.flash("Unpublished: the link shows nothing until you publish again").await?;
    Ok(Redirect::to(&format!("/menus/{id}")).into_response())
}

async fn new_link_page(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    let (menu, kitchen) = find_reachable(&state, user.id, &id).await?;
    kitchen.editing()?;
    ConfirmPage::under(
        &visit,
        &format!("/menus/{}", menu.id),
        "new-link",
        format!("Give {} a new link?", menu.name),
        vec![
            "Do this when the link reached people it should not have.".into(),
            "The current link stops working for good: printed QR codes and shared links lead nowhere, and you will need to print the new QR code.".into(),
        ],
        "Yes, make a new link",
        true,
    )
}

async fn new_link(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    let (editing, id) = editing_menu(&state, user.id, &id).await?;
    if !menus::replace_link(&state.store, editing, id, &random_token()?).await? {
        return Err(Error::NotFound);
    }
    visit.flash("New link made: the old one no longer works").await?;
    Ok(Redirect::to(&format!("/menus/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "public_menu.html")]
struct PublicMenuPage {
    layout: Layout,
    menu: Menu,
    publisher: Option<String>,
    currency: Currency,
    desserts: Vec<Dessert>,
    slug: String,
    qr_url: String,
    /// Every allergen a dessert on the menu contains or may contain traces of.
    legend: AllergenSet,
    /// For a link shared in a message: what the preview says and shows.
    description: String,
    page_url: String,
    share_image: Option<String>,
}

/// What a shared link's preview says: how many desserts and the first names.
fn share_description(desserts: &[Dessert]) -> String {
    const MAX_CHARS: usize = 160;
    let mut text = match desserts.len() {
        0 => return "A dessert menu, empty for now.".into(),
        1 => "1 dessert: ".to_string(),
        n => format!("{n} desserts: "),
    };
    for (n, dessert) in desserts.iter().enumerate() {
        let next = if n == 0 {
            dessert.name.clone()
        } else {
            format!(", {}", dessert.name)
        };
        if text.chars().count() + next.chars().count() > MAX_CHARS - 1 {
            text.push('…');
            return text;
        }
        text.push_str(&next);
    }
    text.push('.');
    text
}

/// The page a customer sees when a menu is not (or no longer) published: nothing of the
/// app, nothing about why.
#[derive(Template)]
#[template(path = "public_missing.html")]
struct PublicMissingPage {
    layout: Layout,
}

fn public_missing() -> Result<Response, Error> {
    render_with(
        StatusCode::NOT_FOUND,
        &PublicMissingPage {
            layout: ROOT_LAYOUT.clone(),
        },
    )
}

async fn public_menu(State(state): State<AppState>, Site(site): Site, Path(slug): Path<String>) -> Result<Response, Error> {
    if !is_slug(&slug) {
        return public_missing();
    }
    let Some(published) = menus::find_published(&state.store, &slug).await? else {
        return public_missing();
    };
    let desserts = published.desserts;
    let legend = desserts.iter().fold(AllergenSet::empty(), |all, dessert| {
        all.union(dessert.allergens.contains.unwrap_or_default())
            .union(dessert.allergens.traces)
    });
    let share_image = desserts
        .iter()
        .find(|dessert| dessert.photo.is_some())
        .map(|dessert| format!("{site}/m/{slug}/photos/{}?size=thumb", dessert.id));
    render(&PublicMenuPage {
        layout: ROOT_LAYOUT.clone(),
        legend,
        description: share_description(&desserts),
        page_url: format!("{site}{}", public_path(&slug)),
        share_image,
        menu: published.menu,
        publisher: published.publisher,
        currency: published.currency,
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
