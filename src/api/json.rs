//! What the API sends: the JSON shapes of SPEC section 3, with their OpenAPI schemas.

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{AllergenSet, Dessert, Menu, Timestamp, User};
use crate::store::api_tokens::TokenSummary;

/// An account, as anyone holding its token sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserJson {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub name: String,
    /// A picture URL (http or https), or null.
    pub avatar: Option<String>,
}

impl From<User> for UserJson {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            username: user.username,
            email: user.email,
            name: user.name,
            avatar: user.avatar,
        }
    }
}

/// The caller's own account, with how many desserts it holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeJson {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub name: String,
    pub avatar: Option<String>,
    pub dessert_count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignedUp {
    pub user: UserJson,
}

/// A new API token. This is the only time it is shown: only its hash is kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewToken {
    pub token: String,
    /// Names the token in `GET /api/v1/tokens` and `DELETE /api/v1/tokens/{id}`.
    pub id: i64,
    pub created_at: String,
    /// When the token stops working; null: it works until it is revoked.
    pub expires_at: Option<String>,
    pub user: UserJson,
}

/// One of the caller's API tokens (never the token itself).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenJson {
    pub id: i64,
    pub created_at: String,
    /// When the token was last used, to the hour; null: never.
    pub last_used_at: Option<String>,
    /// When the token stops working; null: it works until it is revoked.
    pub expires_at: Option<String>,
    /// The client that asked for the token, described briefly ("curl", "Firefox on Linux").
    pub client: String,
    /// The address it asked from (an IPv6 address by its /64).
    pub client_address: String,
    /// Whether this request was made with this token.
    pub current: bool,
}

impl From<TokenSummary> for TokenJson {
    fn from(token: TokenSummary) -> Self {
        Self {
            id: token.id,
            created_at: token.created_at.rfc3339(),
            last_used_at: token.last_used_at.map(Timestamp::rfc3339),
            expires_at: token.expires_at.map(Timestamp::rfc3339),
            client: token.client,
            client_address: token.client_addr,
            current: token.current,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    /// The caller's live tokens, the newest first.
    pub tokens: Vec<TokenJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DessertJson {
    pub id: i64,
    /// The kitchen it belongs to.
    pub kitchen_id: i64,
    pub name: String,
    /// In dollars, with at most two decimals.
    #[schema(minimum = 0, maximum = 10000)]
    pub price: f64,
    #[schema(minimum = 0, maximum = 10000)]
    pub calories: i64,
    /// Calories divided by price, rounded to two decimals; null when the price is 0.
    pub calories_per_dollar: Option<f64>,
    pub origin: Option<String>,
    pub image_url: Option<String>,
    pub liked: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// The uploaded photo; null when there is none (`image_url` may still name a picture).
    pub photo: Option<PhotoJson>,
    /// The allergens it contains, by code; null while not declared.
    #[schema(value_type = Option<Vec<super::desserts::AllergenCode>>)]
    pub allergens: Option<Vec<&'static str>>,
    /// The allergens it may contain traces of.
    #[schema(value_type = Vec<super::desserts::AllergenCode>)]
    pub traces: Vec<&'static str>,
    /// Its labels' names, alphabetically.
    pub labels: Vec<String>,
}

/// Where a dessert's photo is, and its size.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhotoJson {
    /// Root-relative: `GET` it with the same token.
    pub url: String,
    /// The thumbnail, 400 px wide.
    pub thumbnail_url: String,
    pub width: u32,
    pub height: u32,
}

impl From<Dessert> for DessertJson {
    fn from(dessert: Dessert) -> Self {
        Self {
            id: dessert.id,
            kitchen_id: dessert.kitchen_id,
            price: dessert.price.cents() as f64 / 100.0,
            calories_per_dollar: dessert.calories_per_dollar(),
            calories: dessert.calories,
            name: dessert.name,
            origin: dessert.origin,
            image_url: dessert.image_url,
            liked: dessert.liked,
            created_at: dessert.created_at.rfc3339(),
            updated_at: dessert.updated_at.rfc3339(),
            allergens: dessert.allergens.contains.map(AllergenSet::codes),
            traces: dessert.allergens.traces.codes(),
            labels: dessert.labels,
            photo: dessert.photo.map(|photo| PhotoJson {
                url: format!("/api/v1/desserts/{}/photo", dessert.id),
                thumbnail_url: format!("/api/v1/desserts/{}/photo?size=thumb", dessert.id),
                width: photo.width,
                height: photo.height,
            }),
        }
    }
}

/// One page of a kitchen's desserts; `total` counts every page.
#[derive(Debug, Serialize, ToSchema)]
pub struct DessertList {
    pub items: Vec<DessertJson>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

/// A menu of one of the caller's kitchens.
#[derive(Debug, Serialize, ToSchema)]
pub struct MenuJson {
    pub id: i64,
    /// The kitchen it belongs to.
    pub kitchen_id: i64,
    pub name: String,
    pub dessert_count: i64,
    /// Where anyone can read the menu; null unless it is published.
    pub public_url: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl MenuJson {
    /// `site` is the scheme and host the caller reached us by, for the public link.
    pub fn new(menu: Menu, site: &str) -> Self {
        Self {
            id: menu.id,
            kitchen_id: menu.kitchen_id,
            public_url: menu.public_slug.map(|slug| format!("{site}/m/{slug}")),
            name: menu.name,
            dessert_count: menu.dessert_count,
            created_at: menu.created_at.rfc3339(),
        }
    }
}

/// A menu with its desserts, in the menu's order.
#[derive(Debug, Serialize, ToSchema)]
pub struct MenuWithDesserts {
    pub id: i64,
    /// The kitchen it belongs to.
    pub kitchen_id: i64,
    pub name: String,
    pub dessert_count: i64,
    pub public_url: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub desserts: Vec<MenuDessertJson>,
}

/// A dessert on a menu, with where it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct MenuDessertJson {
    /// 1 for the first dessert of the menu, then 2, ...
    pub position: i64,
    #[serde(flatten)]
    pub dessert: DessertJson,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MenuList {
    pub items: Vec<MenuJson>,
}
