//! The JSON API under /api/v1, over HTTP.

mod accounts;
mod desserts;
mod errors;
mod menus;
