//! The dessert pages: the list, one dessert, add, edit, delete.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::Error;
use super::pages::{FieldMessage, Layout, render, render_with};
use super::visit::{CsrfForm, CsrfUpload, CurrentUser, NoFields, PHOTO_FIELD};
use crate::domain::{
    ACCEPTED_PHOTOS, Allergen, AllergenSet, Dessert, DessertDraft, DessertInput, DessertQuery, FieldErrors, Kitchen, NewPhoto, SortDir,
    SortField,
};
use crate::state::{AppState, UPLOAD_BODY_LIMIT};
use crate::store::desserts::PhotoChange;
use crate::store::{StoreError, desserts, kitchens, menus};

pub const PAGE_SIZE: u32 = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(list))
        .route("/add", get(add_page).post(add.layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT))))
        .route("/desserts/{id}", get(show))
        .route(
            "/desserts/{id}/edit",
            get(edit_page).post(edit.layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT))),
        )
        .route("/delete/{id}", get(delete_page).post(delete))
}

/// A path id that is not a number names nothing: 404, as for a missing dessert.
pub fn parse_id(raw: &str) -> Result<i64, Error> {
    raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or(Error::NotFound)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListParams {
    q: String,
    sort: String,
    dir: String,
    page: String,
    /// Allergen codes, from checkboxes (repeated) or typed (separated by commas).
    free_of: Vec<String>,
    /// Label names, repeated.
    label: Vec<String>,
}

/// The filters of a list, as its links carry them.
#[derive(Debug, Clone, Default)]
struct ListFilters {
    free_of: Option<AllergenSet>,
    labels: Vec<String>,
}

impl ListFilters {
    /// Unknown codes are left out, and shown as not applied.
    fn of(params: &ListParams) -> Self {
        let codes: Vec<&str> = params.free_of.iter().flat_map(|value| value.split(',')).collect();
        let known = codes.iter().filter_map(|code| Allergen::from_code(code.trim()));
        let set = known.fold(AllergenSet::empty(), AllergenSet::with);
        Self {
            free_of: (!set.is_empty()).then_some(set),
            labels: params
                .label
                .iter()
                .map(|label| label.trim().to_string())
                .filter(|label| !label.is_empty())
                .take(DessertQuery::MAX_LABELS)
                .collect(),
        }
    }

    fn append_to(&self, query: &mut url::form_urlencoded::Serializer<'_, String>) {
        if let Some(set) = self.free_of {
            query.append_pair("free_of", &set.codes().join(","));
        }
        for label in &self.labels {
            query.append_pair("label", label);
        }
    }

    /// What the list is narrowed to, in words.
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(set) = self.free_of {
            parts.push(format!("free of {}", set.names()));
        }
        if !self.labels.is_empty() {
            parts.push(format!("labelled {}", self.labels.join(" and ")));
        }
        parts.join(", ")
    }
}

/// A column heading that sorts a table of desserts by that column.
pub(super) struct SortLink {
    pub label: &'static str,
    pub href: String,
    /// `ascending`/`descending` on the column the list is sorted by, else `none`.
    pub aria_sort: &'static str,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage<'a> {
    layout: Layout,
    search: String,
    /// What the filters narrow the list to, in words; empty when none is on.
    filter_text: String,
    /// The list without its filters, searched and sorted as it is.
    clear_filters: String,
    all_allergens: [Allergen; 14],
    free_of: AllergenSet,
    /// The person's labels, and whether each is a filter now.
    labels: Vec<(&'a str, bool)>,
    sort: &'static str,
    dir: &'static str,
    desserts: &'a [Dessert],
    total: u64,
    page: u32,
    pages: u32,
    sort_links: Vec<SortLink>,
    previous: Option<String>,
    next: Option<String>,
}

/// The headings of a dessert table sorted by `sort` and `dir`: a click on the sorted
/// column reverses it, a click on another sorts it the way people expect first.
/// The column headings' links; `current` is the sort in force (`None`: an order of the
/// owner's, by no column).
pub(super) fn sort_links(current: Option<(SortField, SortDir)>, href: impl Fn(SortField, SortDir) -> String) -> Vec<SortLink> {
    [
        ("Name", SortField::Name),
        ("Price", SortField::Price),
        ("Calories", SortField::Calories),
        ("Added", SortField::Created),
    ]
    .into_iter()
    .map(|(label, field)| {
        let active = current.filter(|(sort, _)| *sort == field).map(|(_, dir)| dir);
        let next_dir = active.map_or(field.natural_dir(), SortDir::flipped);
        let aria_sort = match active {
            None => "none",
            Some(SortDir::Asc) => "ascending",
            Some(SortDir::Desc) => "descending",
        };
        SortLink {
            label,
            href: href(field, next_dir),
            aria_sort,
        }
    })
    .collect()
}

fn list_href(search: &str, filters: &ListFilters, sort: SortField, dir: SortDir, page: u32) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if !search.is_empty() {
        query.append_pair("q", search);
    }
    filters.append_to(&mut query);
    query.append_pair("sort", sort.as_str()).append_pair("dir", dir.as_str());
    if page > 1 {
        query.append_pair("page", &page.to_string());
    }
    format!("/?{}", query.finish())
}

async fn list(
    State(state): State<AppState>,
    CurrentUser { kitchen, visit, .. }: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, Error> {
    // A hand-edited query falls back to the defaults rather than failing.
    let params: ListParams = serde_html_form::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let sort = SortField::parse(&params.sort).unwrap_or_default();
    let dir = SortDir::parse(&params.dir).unwrap_or(sort.natural_dir());
    let page = params.page.parse::<u32>().unwrap_or(1).clamp(1, 1_000_000);
    let filters = ListFilters::of(&params);
    let query = DessertQuery::new(&params.q, sort, dir, page, PAGE_SIZE).filtered(filters.free_of, &filters.labels);
    let found = desserts::list_in_kitchen(&state.store, &kitchen, &query).await?;
    let search = params.q.trim().to_string();
    let pages = u32::try_from(found.total.div_ceil(u64::from(PAGE_SIZE))).unwrap_or(u32::MAX).max(1);
    let sort_links = sort_links(Some((sort, dir)), |field, dir| list_href(&search, &filters, field, dir, 1));
    let page_page = ListPage {
        layout: visit.layout(),
        previous: (page > 1).then(|| list_href(&search, &filters, sort, dir, page.min(pages + 1) - 1)),
        next: (page < pages).then(|| list_href(&search, &filters, sort, dir, page + 1)),
        filter_text: filters.describe(),
        clear_filters: list_href(&search, &ListFilters::default(), sort, dir, 1),
        all_allergens: Allergen::ALL,
        free_of: filters.free_of.unwrap_or_default(),
        labels: found
            .kitchen_labels
            .iter()
            .map(|name| (name.as_str(), query.labels.contains(&name.to_lowercase())))
            .collect(),
        sort: sort.as_str(),
        dir: dir.as_str(),
        search,
        desserts: &found.items,
        total: found.total,
        page,
        pages,
        sort_links,
    };
    render(&page_page)
}

#[derive(Template)]
#[template(path = "dessert.html")]
struct DessertPage {
    layout: Layout,
    dessert: Dessert,
    /// Its kitchen, with the person's role there (a viewer sees no buttons).
    kitchen: Kitchen,
    /// The kitchen's menus it is on, as (id, name).
    menus: Vec<(i64, String)>,
    /// The kitchen's other menus, where it can be added.
    other_menus: Vec<(i64, String)>,
}

/// The kitchen of the dessert the path names, with the person's role there: 404 when there
/// is no such dessert or they are not a member of its kitchen.
pub async fn kitchen_of(state: &AppState, user_id: i64, raw_id: &str) -> Result<(Kitchen, i64), Error> {
    let id = parse_id(raw_id)?;
    let kitchen = kitchens::of_dessert(&state.store, user_id, id).await?.ok_or(Error::NotFound)?;
    Ok((kitchen, id))
}

/// The dessert the path names, in a kitchen the person is a member of, with that kitchen.
pub async fn find_reachable(state: &AppState, user_id: i64, raw_id: &str) -> Result<(Dessert, Kitchen), Error> {
    desserts::find_reachable(&state.store, user_id, parse_id(raw_id)?)
        .await?
        .ok_or(Error::NotFound)
}

async fn show(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    let (dessert, kitchen) = find_reachable(&state, user.id, &id).await?;
    let menus = menus::holding(&state.store, kitchen.id, dessert.id).await?;
    let other_menus = menus::not_holding(&state.store, kitchen.id, dessert.id).await?;
    render(&DessertPage {
        layout: visit.layout(),
        dessert,
        kitchen,
        menus,
        other_menus,
    })
}

#[derive(Template)]
#[template(path = "dessert_form.html")]
struct DessertFormPage {
    layout: Layout,
    title: String,
    action: String,
    submit: &'static str,
    cancel: String,
    form: DessertInput,
    errors: FieldErrors,
    /// The dessert being edited, for its current photo.
    editing: Option<Dessert>,
    /// A photo was sent with a form shown again: the file must be chosen again.
    photo_sent: bool,
    accepted_photos: &'static str,
    all_allergens: [Allergen; 14],
}

impl DessertFormPage {
    fn for_add(layout: Layout, form: DessertInput, errors: FieldErrors) -> Self {
        Self {
            layout,
            title: "Add a dessert".into(),
            action: "/add".into(),
            submit: "Add dessert",
            cancel: "/".into(),
            form,
            errors,
            editing: None,
            photo_sent: false,
            accepted_photos: ACCEPTED_PHOTOS,
            all_allergens: Allergen::ALL,
        }
    }

    fn for_edit(layout: Layout, dessert: &Dessert, form: DessertInput, errors: FieldErrors) -> Self {
        Self {
            layout,
            title: format!("Edit {}", dessert.name),
            action: format!("/desserts/{}/edit", dessert.id),
            submit: "Save changes",
            cancel: format!("/desserts/{}", dessert.id),
            form,
            errors,
            editing: Some(dessert.clone()),
            photo_sent: false,
            accepted_photos: ACCEPTED_PHOTOS,
            all_allergens: Allergen::ALL,
        }
    }

    fn with_photo_sent(mut self, sent: bool) -> Self {
        self.photo_sent = sent;
        self
    }
}

/// The dessert's fields and the uploaded photo, each parsed; every error together.
async fn parse_with_photo(
    state: &AppState,
    form: &DessertInput,
    photo: Option<Vec<u8>>,
) -> Result<Result<(DessertDraft, Option<NewPhoto>), FieldErrors>, Error> {
    let mut errors = FieldErrors::new();
    let draft = form.parse().map_err(|field_errors| errors = field_errors).ok();
    let photo = match photo {
        None => None,
        Some(bytes) => match state.photos.process(bytes).await? {
            Ok(photo) => Some(photo),
            Err(refusal) => {
                errors.add(PHOTO_FIELD, refusal.to_string());
                None
            }
        },
    };
    Ok(match draft {
        Some(draft) if errors.is_empty() => Ok((draft, photo)),
        _ => Err(errors),
    })
}

fn duplicate_name(form: &DessertInput) -> FieldErrors {
    FieldErrors::taken("name", &form.name)
}

async fn add_page(CurrentUser { kitchen, visit, .. }: CurrentUser) -> Result<Response, Error> {
    kitchen.editing()?;
    render(&DessertFormPage::for_add(
        visit.layout(),
        DessertInput::default(),
        FieldErrors::new(),
    ))
}

async fn add(
    State(state): State<AppState>,
    CurrentUser { kitchen, visit, .. }: CurrentUser,
    CsrfUpload { form, photo }: CsrfUpload<DessertInput>,
) -> Result<Response, Error> {
    let editing = kitchen.editing()?;
    let photo_sent = photo.is_some();
    let again = |form, errors| {
        render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &DessertFormPage::for_add(visit.layout(), form, errors).with_photo_sent(photo_sent),
        )
    };
    let (draft, photo) = match parse_with_photo(&state, &form, photo).await? {
        Ok(parsed) => parsed,
        Err(errors) => return again(form, errors),
    };
    match desserts::create(&state.store, editing, draft, photo).await {
        Ok(dessert) => {
            visit.flash(format!("Dessert {} added", dessert.name)).await?;
            Ok(Redirect::to(&format!("/desserts/{}", dessert.id)).into_response())
        }
        Err(StoreError::Duplicate(_)) => {
            let errors = duplicate_name(&form);
            again(form, errors)
        }
        Err(error) => Err(error.into()),
    }
}

async fn edit_page(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    let (dessert, kitchen) = find_reachable(&state, user.id, &id).await?;
    kitchen.editing()?;
    let form = DessertInput::from_dessert(&dessert);
    render(&DessertFormPage::for_edit(visit.layout(), &dessert, form, FieldErrors::new()))
}

async fn edit(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
    CsrfUpload { form, photo }: CsrfUpload<DessertInput>,
) -> Result<Response, Error> {
    let (dessert, kitchen) = find_reachable(&state, user.id, &id).await?;
    let editing = kitchen.editing()?;
    let remove_photo = form.remove_photo.clone();
    let photo_sent = photo.is_some();
    let again = |form, errors| {
        render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &DessertFormPage::for_edit(visit.layout(), &dessert, form, errors).with_photo_sent(photo_sent),
        )
    };
    let (draft, photo) = match parse_with_photo(&state, &form, photo).await? {
        Ok(parsed) => parsed,
        Err(errors) => return again(form, errors),
    };
    // A new photo replaces the old one, whether or not "remove" is ticked too.
    let change = match (photo, remove_photo.is_some()) {
        (Some(photo), _) => PhotoChange::Set(photo),
        (None, true) => PhotoChange::Remove,
        (None, false) => PhotoChange::Keep,
    };
    match desserts::update(&state.store, editing, dessert.id, draft, change).await {
        Ok(Some(updated)) => {
            visit.flash(format!("Dessert {} saved", updated.name)).await?;
            Ok(Redirect::to(&format!("/desserts/{}", updated.id)).into_response())
        }
        Ok(None) => Err(Error::NotFound),
        Err(StoreError::Duplicate(_)) => {
            let errors = duplicate_name(&form);
            again(form, errors)
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "delete.html")]
struct DeletePage {
    layout: Layout,
    dessert: Dessert,
    /// The menus it will leave, as (id, name).
    menus: Vec<(i64, String)>,
}

async fn delete_page(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    let (dessert, kitchen) = find_reachable(&state, user.id, &id).await?;
    kitchen.editing()?;
    let menus = menus::holding(&state.store, kitchen.id, dessert.id).await?;
    render(&DeletePage {
        layout: visit.layout(),
        dessert,
        menus,
    })
}

async fn delete(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    let (kitchen, id) = kitchen_of(&state, user.id, &id).await?;
    let name = desserts::delete(&state.store, kitchen.editing()?, id)
        .await?
        .ok_or(Error::NotFound)?;
    visit.flash(format!("Dessert {name} deleted")).await?;
    Ok(Redirect::to("/").into_response())
}
