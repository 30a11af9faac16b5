//! States the parsers' limits in the OpenAPI document from the same constants, so that the
//! document says exactly what the server accepts: a tool that generates data from it (or a
//! client that validates before sending) gets no surprise.

use utoipa::Modify;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{AdditionalProperties, Object, Schema};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

use crate::domain::{
    Calories, DessertName, Email, HttpUrl, MenuName, Origin, Password, PersonName, Price, TokenLifetime, Username, forbidden_in_text_class,
};
use crate::state::BODY_LIMIT;

pub struct Limits;

/// Text on one line that must hold something besides spaces (and, for a dessert's name,
/// besides digits).
fn required_line(also_not_digits: bool) -> String {
    let forbidden = forbidden_in_text_class();
    let digits = if also_not_digits { "\\d" } else { "" };
    format!("^[^{forbidden}]*[^\\s{digits}{forbidden}][^{forbidden}]*$")
}

/// An optional URL: empty (or spaces) means none.
fn optional_url() -> String {
    format!("^\\s*$|{}", HttpUrl::PATTERN)
}

fn optional_line() -> String {
    format!("^[^{}]*$", forbidden_in_text_class())
}

impl Modify for Limits {
    fn modify(&self, openapi: &mut OpenApi) {
        every_body_may_be_too_large(openapi);
        every_operation_may_be_unavailable(openapi);
        a_kitchen_parameter_may_be_malformed(openapi);
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for (schema, property, edit) in rules() {
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(schema) else {
                panic!("the document has no schema {schema}");
            };
            object.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
            let Some(RefOr::T(Schema::Object(field))) = object.properties.get_mut(property) else {
                panic!("the schema {schema} has no property {property}");
            };
            edit(field);
        }
        if let Some(RefOr::T(Schema::Object(codes))) = components.schemas.get_mut("AllergenCode") {
            codes.enum_values = Some(crate::domain::Allergen::ALL.iter().map(|allergen| allergen.code().into()).collect());
        }
        creating_a_dessert_needs_its_main_fields(openapi);
    }
}

/// OpenAPI links from each `201` to the operations that take the new id, so that a client
/// (or a stateful test) can follow create → read → change → delete. Written into the JSON
/// document itself: utoipa 5.5 spells a link's `operationId` as `operation_id`.
pub fn link_what_is_made_to_what_uses_it(document: &mut serde_json::Value) {
    let made: [(&str, &[(&str, &str)]); 2] = [
        (
            "/api/v1/desserts",
            &[
                ("ReadDessert", "read_dessert"),
                ("UpdateDessert", "update_dessert"),
                ("DeleteDessert", "delete_dessert"),
            ],
        ),
        (
            "/api/v1/menus",
            &[
                ("ReadMenu", "read_menu"),
                ("DeleteMenu", "delete_menu"),
                ("AddDessertToMenu", "add_menu_dessert"),
            ],
        ),
    ];
    for (path, links) in made {
        let created = &mut document["paths"][path]["post"]["responses"]["201"];
        assert!(created.is_object(), "POST {path} answers 201");
        created["links"] = links
            .iter()
            .map(|(name, operation_id)| {
                let link = serde_json::json!({"operationId": operation_id, "parameters": {"id": "$response.body#/id"}});
                ((*name).to_string(), link)
            })
            .collect::<serde_json::Map<_, _>>()
            .into();
    }
}

/// One body type serves creating a dessert and changing one, where every field is
/// optional; creating one needs `name`, `price` and `calories`, which the document states
/// as a schema of its own, `NewDessertBody`.
fn creating_a_dessert_needs_its_main_fields(openapi: &mut OpenApi) {
    let Some(components) = openapi.components.as_mut() else {
        return;
    };
    let Some(RefOr::T(Schema::Object(changes))) = components.schemas.get("DessertBody") else {
        panic!("the document has no DessertBody");
    };
    let mut new = changes.clone();
    new.required = vec!["name".into(), "price".into(), "calories".into()];
    new.description = Some("A new dessert: `name`, `price` and `calories` are required.".into());
    components.schemas.insert("NewDessertBody".into(), RefOr::T(Schema::Object(new)));
    // The committed document's test fails if this ever stops finding the operation.
    if let Some(create) = openapi
        .paths
        .paths
        .get_mut("/api/v1/desserts")
        .and_then(|item| item.post.as_mut())
        .and_then(|operation| operation.request_body.as_mut())
        .and_then(|body| body.content.get_mut("application/json"))
    {
        create.schema = Some(RefOr::Ref(Ref::from_schema_name("NewDessertBody")));
    }
}

type Rule = (&'static str, &'static str, Box<dyn Fn(&mut Object)>);

fn text(max_chars: usize, pattern: String) -> Box<dyn Fn(&mut Object)> {
    Box::new(move |field: &mut Object| {
        field.max_length = Some(max_chars);
        field.pattern = Some(pattern.clone());
    })
}

fn rules() -> Vec<Rule> {
    let price = Box::new(|field: &mut Object| {
        field.minimum = Some(0.into());
        field.maximum = Some(((Price::MAX_CENTS / 100) as usize).into());
        field.multiple_of = Some(0.01.into());
    });
    let calories = Box::new(|field: &mut Object| {
        field.minimum = Some(0.into());
        field.maximum = Some((Calories::MAX as usize).into());
    });
    vec![
        ("DessertBody", "name", text(DessertName::MAX_CHARS, required_line(true))),
        ("DessertBody", "origin", text(Origin::MAX_CHARS, optional_line())),
        ("DessertBody", "image_url", text(HttpUrl::MAX_CHARS, optional_url())),
        ("DessertBody", "price", price),
        ("DessertBody", "calories", calories),
        ("DessertBody", "liked", Box::new(|_: &mut Object| {})),
        ("SignupBody", "name", text(PersonName::MAX_CHARS, required_line(false))),
        (
            "SignupBody",
            "username",
            Box::new(|field: &mut Object| {
                field.min_length = Some(Username::MIN_CHARS);
                field.max_length = Some(Username::MAX_CHARS);
                field.pattern = Some(Username::PATTERN.into());
            }),
        ),
        (
            "SignupBody",
            "email",
            Box::new(|field: &mut Object| {
                field.max_length = Some(Email::MAX_CHARS);
                field.pattern = Some(Email::PATTERN.into());
            }),
        ),
        (
            "SignupBody",
            "password",
            Box::new(|field: &mut Object| {
                field.min_length = Some(Password::MIN_CHARS);
                field.max_length = Some(Password::MAX_CHARS);
            }),
        ),
        ("SignupBody", "avatar", text(HttpUrl::MAX_CHARS, optional_url())),
        ("TokenRequest", "username", Box::new(|_: &mut Object| {})),
        (
            "TokenRequest",
            "expires_in_days",
            Box::new(|field: &mut Object| {
                field.minimum = Some(1.into());
                field.maximum = Some((TokenLifetime::MAX_DAYS as usize).into());
                field.default = Some(TokenLifetime::DEFAULT_DAYS.into());
            }),
        ),
        ("MenuBody", "name", text(MenuName::MAX_CHARS, required_line(false))),
    ]
}

/// Any operation that takes a body may be sent one over the limit: `413`.
fn every_body_may_be_too_large(openapi: &mut OpenApi) {
    let description = format!("Body over {} KiB", BODY_LIMIT / 1024);
    add_error_answer(openapi, "413", &description, |operation| operation.request_body.is_some());
}

/// Any operation may find the database away or the password queue full: `503` with
/// `Retry-After`.
fn every_operation_may_be_unavailable(openapi: &mut OpenApi) {
    let description = "The database is unavailable or the server is busy; try again after Retry-After seconds";
    add_error_answer(openapi, "503", description, |_| true);
}

/// Any operation that takes `kitchen` may be sent one that is no kitchen's id at all (not a
/// positive 64-bit integer): `422` with `fields.kitchen`.
fn a_kitchen_parameter_may_be_malformed(openapi: &mut OpenApi) {
    add_error_answer(
        openapi,
        "422",
        "`kitchen` is not a positive whole number, or another parameter or field is not valid",
        |operation| operation.parameters.iter().flatten().any(|parameter| parameter.name == "kitchen"),
    );
}

/// Documents an error answer with `status` on every operation `applies` to that does not
/// document one already.
fn add_error_answer(openapi: &mut OpenApi, status: &str, description: &str, applies: impl Fn(&Operation) -> bool) {
    let answer = ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
        )
        .build();
    for item in openapi.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for operation in operations.into_iter().flatten().filter(|operation| applies(operation)) {
            operation
                .responses
                .responses
                .entry(status.into())
                .or_insert_with(|| RefOr::T(answer.clone()));
        }
    }
}

/// The codes, as a regular expression's alternatives.
fn allergen_codes() -> String {
    crate::domain::Allergen::ALL.map(crate::domain::Allergen::code).join("|")
}

/// The rules of allergens and labels, written into the JSON document: each label name's
/// length and pattern, and `free_of`'s list of codes. "A trace is never an allergen it
/// contains" is said in words: JSON Schema could state it only with a `not` per allergen,
/// from which test generators cannot make data.
pub fn allergen_and_label_rules(document: &mut serde_json::Value) {
    use serde_json::json;
    let label = json!({
        "type": "string",
        "minLength": 1,
        "maxLength": crate::domain::LabelName::MAX_CHARS,
        "pattern": format!("^[^,{forbidden}]*[^\\s,{forbidden}][^,{forbidden}]*$", forbidden = forbidden_in_text_class()),
    });
    for body in ["DessertBody", "NewDessertBody"] {
        let schema = &mut document["components"]["schemas"][body];
        if schema.is_object() {
            schema["properties"]["labels"]["items"] = label.clone();
        }
    }
    let codes = allergen_codes();
    if let Some(parameters) = document["paths"]["/api/v1/desserts"]["get"]["parameters"].as_array_mut() {
        for parameter in parameters {
            if parameter["name"] == "free_of" {
                parameter["schema"]["pattern"] = json!(format!("^({codes})(,({codes}))*$"));
            }
            if parameter["name"] == "label" {
                parameter["schema"]["maxItems"] = json!(crate::domain::DessertQuery::MAX_LABELS);
            }
        }
    }
}
