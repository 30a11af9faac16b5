//! Black-box tests: the real server over real HTTP, a fresh database each.

mod account;
mod api;
mod auth;
mod cli;
mod connections;
mod credentials;
mod desserts;
mod durability;
mod hostile;
mod instances;
mod layers;
mod legacy;
mod log_secrets;
mod mail;
mod menus;
mod outage;
mod ownership;
mod security;
mod support;
mod transfer;
