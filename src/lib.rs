//! desserts: keep a dessert menu of your own.

pub mod accounts;
pub mod api;
pub mod app;
pub mod backups;
pub mod cli;
pub mod config;
pub mod domain;
pub mod failure;
pub mod files;
pub mod legacy;
pub mod logging;
pub mod mail;
pub mod metrics;
pub mod passkeys;
pub mod passwords;
pub mod photos;
pub mod qr;
pub mod security_events;
pub mod state;
pub mod store;
pub mod tokens;
pub mod totp;
pub mod transfer;
pub mod web;
pub mod workers;
