//! Black-box tests: the real server over real HTTP, a fresh database each.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that cannot go on should stop where it is"
)]

mod account;
mod admin;
mod allergens;
mod api;
mod auth;
mod backups;
mod cli;
mod compression;
mod connections;
mod credentials;
mod desserts;
mod durability;
mod hostile;
mod instances;
mod kitchens;
mod layers;
mod legacy;
mod log_secrets;
mod mail;
mod menus;
mod metrics;
mod outage;
mod ownership;
mod passkeys;
mod photos;
mod print;
mod security;
mod support;
mod transfer;
mod two_factor;
