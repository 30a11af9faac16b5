//! Shared kitchens: invitations by mail, roles, and who reaches what, on the pages and the API.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Api, Browser, SmtpSink, TestApp, site_path};

/// A form's fields, as names and values.
type Fields<'a> = Vec<(&'a str, &'a str)>;

/// The path of the newest invitation link mailed to `to`, waiting up to 10 s for it.
async fn invitation_to(sink: &SmtpSink, to: &str, nth: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let links: Vec<String> = sink
            .received()
            .into_iter()
            .filter(|mail| mail.to.len() == 1 && mail.to[0].eq_ignore_ascii_case(to))
            .filter_map(|mail| mail.link("/invitations/"))
            .collect();
        if let Some(link) = links.get(nth - 1) {
            return site_path(link);
        }
        assert!(Instant::now() < deadline, "no invitation {nth} to {to}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Makes a kitchen as `owner` and returns its id.
async fn make_kitchen(owner: &Browser, name: &str) -> i64 {
    let made = owner.submit("/kitchens", "/kitchens", &[("name", name)]).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    made.location().trim_start_matches("/kitchens/").parse().expect("kitchen id")
}

/// Invites `username@example.com` as `role` and has `member` (logged in as them) accept.
async fn join(sink: &SmtpSink, owner: &Browser, kitchen: i64, member: &Browser, username: &str, role: &str) {
    let email = format!("{username}@example.com");
    let before = sink
        .received()
        .iter()
        .filter(|mail| mail.to.len() == 1 && mail.to[0].eq_ignore_ascii_case(&email) && mail.link("/invitations/").is_some())
        .count();
    let sent = owner
        .submit(
            &format!("/kitchens/{kitchen}"),
            &format!("/kitchens/{kitchen}/invitations"),
            &[("email", &email), ("role", role)],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let link = invitation_to(sink, &email, before + 1).await;
    let accepted = member.submit("/account", &format!("{link}/accept"), &[]).await;
    assert_eq!(
        (accepted.status, accepted.location()),
        (StatusCode::SEE_OTHER, "/"),
        "{}",
        accepted.body
    );
}

async fn switch_to(browser: &Browser, kitchen: i64) {
    let switched = browser.submit("/account", &format!("/kitchens/{kitchen}/switch"), &[]).await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER, "{}", switched.body);
}

/// A token of `username`'s.
async fn token_of(app: &TestApp, username: &str) -> Api {
    let api = app.api();
    let made = api
        .post("/api/v1/tokens", json!({"username": username, "password": "correct horse battery"}))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    api.with_token(made.body["token"].as_str().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_arrives_by_mail_and_works_once_for_its_address() {
    let sink = SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let dan = app.signed_up("dan").await;
    let cafe = make_kitchen(&ann, "Café Lee").await;

    // Bob's invitation: the mail names the kitchen and the role, and links to one use.
    let sent = ann
        .submit(
            &format!("/kitchens/{cafe}"),
            &format!("/kitchens/{cafe}/invitations"),
            &[("email", "BOB@example.com"), ("role", "editor")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let link = invitation_to(&sink, "bob@example.com", 1).await;
    let mail = sink
        .received()
        .into_iter()
        .find(|mail| mail.link("/invitations/").is_some())
        .unwrap();
    assert!(
        mail.data.contains("Café Lee") || mail.data.contains("Caf=C3=A9 Lee"),
        "{}",
        mail.data
    );
    assert!(mail.data.contains("an editor"), "{}", mail.data);
    let token = link.trim_start_matches("/invitations/");
    assert!(token.len() >= 43, "256 bits: {token}");
    assert_eq!(
        app.db
            .count(&format!("SELECT count(*) FROM invitations WHERE token_hash = '{token}'")),
        0,
        "only the token's digest is stored"
    );
    ann.get(&format!("/kitchens/{cafe}"))
        .await
        .assert_contains("Waiting for an answer")
        .assert_contains("BOB@example.com");

    // Another account cannot use it (403), and it stays usable.
    let refused = dan.get(&link).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.assert_contains("for another email address");
    let refused = dan.submit("/account", &format!("{link}/accept"), &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(dan.get(&format!("/kitchens/{cafe}")).await.status, StatusCode::NOT_FOUND);

    // Anonymous: what is offered, with the ways in that come back here.
    let stranger = app.browser();
    let offer = stranger.get(&link).await;
    assert_eq!(offer.status, StatusCode::OK);
    offer
        .assert_contains("Join Café Lee")
        .assert_contains(&format!("/login?next=/invitations/{token}"))
        .assert_contains(&format!("/signup?next=/invitations/{token}"));

    // Bob accepts: he is an editor and works in the kitchen at once.
    let accepted = bob.submit("/account", &format!("{link}/accept"), &[]).await;
    assert_eq!((accepted.status, accepted.location()), (StatusCode::SEE_OTHER, "/"));
    bob.get("/")
        .await
        .assert_contains("Welcome to Café Lee: you are an editor here")
        .assert_contains("Kitchen: <strong>Café Lee</strong> (editor)");
    assert!(bob.add_dessert("Tarte Tatin", "6", "420").await > 0);
    ann.get(&format!("/kitchens/{cafe}")).await.assert_lacks("Waiting for an answer");

    // Used: it says so, and a second use changes nothing.
    let used = bob.get(&link).await;
    assert_eq!(used.status, StatusCode::GONE);
    used.assert_contains("has been used");
    assert_eq!(
        bob.submit("/account", &format!("{link}/accept"), &[]).await.status,
        StatusCode::GONE
    );

    // Unknown and malformed tokens name nothing.
    for unknown in [
        "/invitations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "/invitations/short",
        "/invitations/%00",
    ] {
        assert_eq!(stranger.get(unknown).await.status, StatusCode::NOT_FOUND, "{unknown}");
    }

    // Expired: a week later it no longer works.
    ann.submit(
        &format!("/kitchens/{cafe}"),
        &format!("/kitchens/{cafe}/invitations"),
        &[("email", "dan@example.com"), ("role", "viewer")],
    )
    .await;
    let dans = invitation_to(&sink, "dan@example.com", 1).await;
    app.db.run_sql("UPDATE invitations SET expires_at = 1000 WHERE used_at IS NULL");
    let expired = dan.get(&dans).await;
    assert_eq!(expired.status, StatusCode::GONE);
    expired.assert_contains("has expired");
    assert_eq!(
        dan.submit("/account", &format!("{dans}/accept"), &[]).await.status,
        StatusCode::GONE
    );
    assert_eq!(dan.get(&format!("/kitchens/{cafe}")).await.status, StatusCode::NOT_FOUND);

    // A bad address or role is refused with a message, and nothing is sent.
    let mails = sink.received().len();
    for (email, role, refused_field) in [
        ("not an address", "viewer", "email"),
        ("eve@example.com", "chef", "role"),
        ("eve\0@example.com", "viewer", "email"),
    ] {
        let refused = ann
            .submit(
                &format!("/kitchens/{cafe}"),
                &format!("/kitchens/{cafe}/invitations"),
                &[("email", email), ("role", role)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{email} {role}");
        refused
            .assert_contains("aria-invalid=\"true\"")
            .assert_contains(&format!("id=\"{refused_field}-note\""));
    }
    // Only an owner invites.
    let by_editor = bob
        .submit(
            "/account",
            &format!("/kitchens/{cafe}/invitations"),
            &[("email", "eve@example.com"), ("role", "owner")],
        )
        .await;
    assert_eq!(by_editor.status, StatusCode::FORBIDDEN);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(sink.received().len(), mails, "no invitation was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_person_accepts_through_sign_up_and_comes_back() {
    let sink = SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    let ann = app.signed_up("ann").await;
    let cafe = make_kitchen(&ann, "Café Lee").await;
    ann.submit(
        &format!("/kitchens/{cafe}"),
        &format!("/kitchens/{cafe}/invitations"),
        &[("email", "cyrus@example.com"), ("role", "viewer")],
    )
    .await;
    let link = invitation_to(&sink, "cyrus@example.com", 1).await;
    let cy = app.browser();
    let signup_path = format!("/signup?next={link}");
    let form = cy.get(&signup_path).await;
    form.assert_contains(&format!("name=\"next\" value=\"{link}\""));
    let signed_up = cy
        .submit(
            &signup_path,
            "/signup",
            &[
                ("username", "cyrus"),
                ("email", "cyrus@example.com"),
                ("name", "Cyrus"),
                ("password", "correct horse battery"),
                ("next", &link),
            ],
        )
        .await;
    assert_eq!((signed_up.status, signed_up.location()), (StatusCode::SEE_OTHER, link.as_str()));
    let accepted = cy.submit("/account", &format!("{link}/accept"), &[]).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    cy.get("/").await.assert_contains("you are a viewer here");
    // A next that leaves the site goes home instead.
    let eve = app.browser();
    let away = eve
        .submit(
            "/signup?next=//evil.example",
            "/signup",
            &[
                ("username", "eve"),
                ("email", "eve@example.com"),
                ("name", "Eve"),
                ("password", "correct horse battery"),
                ("next", "//evil.example"),
            ],
        )
        .await;
    assert_eq!(away.location(), "/");
}

/// The kitchen's data as its owner's API sees it: what a refused request must leave as it was.
async fn snapshot(owner: &Api, kitchen: i64, dessert: i64) -> serde_json::Value {
    let desserts = owner.get(&format!("/api/v1/desserts?kitchen={kitchen}&per_page=100")).await;
    let labels = owner.get(&format!("/api/v1/labels?kitchen={kitchen}")).await;
    let menus = owner.get(&format!("/api/v1/menus?kitchen={kitchen}")).await;
    let menu_ids: Vec<i64> = menus.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    let mut menu_bodies = Vec::new();
    for id in menu_ids {
        menu_bodies.push(owner.get(&format!("/api/v1/menus/{id}")).await.body);
    }
    let photo = owner.get_bytes(&format!("/api/v1/desserts/{dessert}/photo"), &[]).await.2.len();
    json!({"desserts": desserts.body, "labels": labels.body, "menus": menus.body, "menu_bodies": menu_bodies, "photo": photo})
}

/// One request of the matrix: how to make it, by page or by API.
#[derive(Clone, Copy)]
enum Try {
    /// A page's GET.
    Get(&'static str),
    /// A form's POST, its token taken from the page given first.
    Post(&'static str, &'static str, &'static [(&'static str, &'static str)]),
    /// An API call with an optional JSON body.
    Api(&'static str, &'static str, Option<&'static str>),
}

/// Every route of sections 2, 3, 5 and 6 that touches one dessert, label or menu, with `D`
/// for the dessert, `L` the label, `M` the menu and `K` the kitchen; what a viewer and a
/// non-member get is checked, and for a member that may, the success status.
fn matrix() -> Vec<(&'static str, Try, StatusCode)> {
    use Try::*;
    let ok = StatusCode::OK;
    let see_other = StatusCode::SEE_OTHER;
    let no_content = StatusCode::NO_CONTENT;
    vec![
        ("GET /desserts/{id}", Get("/desserts/D"), ok),
        ("GET /desserts/{id}/edit", Get("/desserts/D/edit"), ok),
        ("GET /delete/{id}", Get("/delete/D"), ok),
        ("GET /desserts/{id}/photo", Get("/desserts/D/photo"), ok),
        ("GET /menus/{id}", Get("/menus/M"), ok),
        ("GET /menus/{id}/delete", Get("/menus/M/delete"), ok),
        (
            "POST /desserts/{id}/edit",
            Post(
                "/account",
                "/desserts/D/edit",
                &[("name", "Pie changed"), ("price", "5"), ("calories", "310"), ("labels", "vegan")],
            ),
            see_other,
        ),
        (
            "POST /desserts/{id}/menus",
            Post("/account", "/desserts/D/menus", &[("menu_id", "M2")]),
            see_other,
        ),
        (
            "POST /menus/{id}/desserts",
            Post("/account", "/menus/M/desserts", &[("dessert_id", "D2")]),
            see_other,
        ),
        (
            "POST /menus/{id}/desserts/{d}/move",
            Post("/account", "/menus/M/desserts/D/move", &[("to", "down")]),
            see_other,
        ),
        ("POST /menus/{id}/publish", Post("/account", "/menus/M/publish", &[]), see_other),
        ("POST /menus/{id}/new-link", Post("/account", "/menus/M/new-link", &[]), see_other),
        ("POST /menus/{id}/unpublish", Post("/account", "/menus/M/unpublish", &[]), see_other),
        (
            "POST /labels/{id}/rename",
            Post("/account", "/labels/L/rename", &[("name", "Plant-based")]),
            see_other,
        ),
        ("GET /api/v1/desserts/{id}", Api("GET", "/api/v1/desserts/D", None), ok),
        (
            "PATCH /api/v1/desserts/{id}",
            Api("PATCH", "/api/v1/desserts/D", Some(r#"{"calories": 333}"#)),
            ok,
        ),
        ("GET /api/v1/desserts/{id}/photo", Api("GET", "/api/v1/desserts/D/photo", None), ok),
        ("GET /api/v1/menus/{id}", Api("GET", "/api/v1/menus/M", None), ok),
        (
            "PUT /api/v1/menus/{id}/desserts/{d}",
            Api("PUT", "/api/v1/menus/M2/desserts/D2", None),
            no_content,
        ),
        (
            "PUT /api/v1/menus/{id}/order",
            Api("PUT", "/api/v1/menus/M/order", Some("ORDER")),
            no_content,
        ),
        (
            "DELETE /api/v1/menus/{id}/desserts/{d}",
            Api("DELETE", "/api/v1/menus/M2/desserts/D2", None),
            no_content,
        ),
        (
            "DELETE /api/v1/desserts/{id}/photo",
            Api("DELETE", "/api/v1/desserts/D/photo", None),
            no_content,
        ),
        // The deletions last: what they delete is gone for the rows after.
        (
            "POST /menus/{id}/desserts/{d}/remove",
            Post("/account", "/menus/M/desserts/D2/remove", &[]),
            see_other,
        ),
        ("POST /labels/{id}/delete", Post("/account", "/labels/L/delete", &[]), see_other),
        ("DELETE /api/v1/menus/{id}", Api("DELETE", "/api/v1/menus/M2", None), no_content),
        ("POST /menus/{id}/delete", Post("/account", "/menus/M/delete", &[]), see_other),
        (
            "DELETE /api/v1/desserts/{id}",
            Api("DELETE", "/api/v1/desserts/D2", None),
            no_content,
        ),
        ("POST /delete/{id}", Post("/account", "/delete/D", &[]), see_other),
    ]
}

/// Whether a route only reads (a viewer may make it).
fn reads(route: &str) -> bool {
    route.starts_with("GET ") && !route.contains("/edit") && !route.starts_with("GET /delete") && !route.ends_with("/delete")
}

struct Ids {
    dessert: i64,
    dessert2: i64,
    label: i64,
    menu: i64,
    menu2: i64,
}

impl Ids {
    fn fill(&self, path: &str) -> String {
        // Longest first: M2 before M, D2 before D.
        path.replace("D2", &self.dessert2.to_string())
            .replace("M2", &self.menu2.to_string())
            .replace("/D", &format!("/{}", self.dessert))
            .replace("/M", &format!("/{}", self.menu))
            .replace("/L", &format!("/{}", self.label))
    }
}

async fn attempt(browser: &Browser, api: &Api, ids: &Ids, how: Try) -> StatusCode {
    match how {
        Try::Get(path) => browser.get(&ids.fill(path)).await.status,
        Try::Post(page, action, fields) => {
            let fields: Vec<(String, String)> = fields
                .iter()
                .map(|(k, v)| (k.to_string(), ids.fill(&format!("/{v}"))[1..].to_string()))
                .collect();
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            browser.submit(page, &ids.fill(action), &fields).await.status
        }
        Try::Api(method, path, body) => {
            let body = body.map(|text| {
                if text == "ORDER" {
                    // The menu holds both desserts by then: the second is put first.
                    json!({"dessert_ids": [ids.dessert2, ids.dessert]})
                } else {
                    serde_json::from_str(text).unwrap()
                }
            });
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            if path.ends_with("/photo") && method == reqwest::Method::GET {
                api.get_bytes(&ids.fill(path), &[]).await.0
            } else {
                api.send(method, &ids.fill(path), body).await.status
            }
        }
    }
}

/// Ann's café with a dessert (photo, label), a second dessert, a menu holding the first and
/// a second menu holding nothing.
async fn furnish(app: &TestApp, ann: &Browser, anns_api: &Api, cafe: i64, round: &str) -> Ids {
    switch_to(ann, cafe).await;
    let dessert = ann.add_dessert(&format!("Pie {round}"), "4", "300").await;
    let dessert2 = ann.add_dessert(&format!("Tart {round}"), "3", "200").await;
    let edited = ann
        .submit(
            &format!("/desserts/{dessert}/edit"),
            &format!("/desserts/{dessert}/edit"),
            &[
                ("name", &format!("Pie {round}")),
                ("price", "4"),
                ("calories", "300"),
                ("labels", "vegan"),
            ],
        )
        .await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER);
    let photo = anns_api
        .send_raw(
            reqwest::Method::PUT,
            &format!("/api/v1/desserts/{dessert}/photo"),
            "image/jpeg",
            crate::support::images::jpeg(64, 48),
        )
        .await;
    assert_eq!(photo.status, StatusCode::OK, "{}", photo.text);
    let menu = anns_api
        .post(&format!("/api/v1/menus?kitchen={cafe}"), json!({"name": format!("Summer {round}")}))
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let menu2 = anns_api
        .post(&format!("/api/v1/menus?kitchen={cafe}"), json!({"name": format!("Winter {round}")}))
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        anns_api
            .send(reqwest::Method::PUT, &format!("/api/v1/menus/{menu}/desserts/{dessert}"), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let labels = anns_api.get(&format!("/api/v1/labels?kitchen={cafe}")).await.body;
    let label = labels["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|label| label["name"] == "vegan")
        .and_then(|label| label["id"].as_i64())
        .unwrap();
    let _ = app;
    Ids {
        dessert,
        dessert2,
        label,
        menu,
        menu2,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_each_role_as_the_rules_say_and_refusals_change_nothing() {
    let sink = SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    let ann = app.signed_up("ann").await;
    let cafe = make_kitchen(&ann, "Café Lee").await;
    let mut people = Vec::new();
    for (name, role) in [("eddie", "editor"), ("vicky", "viewer"), ("cora", "owner")] {
        let browser = app.signed_up(name).await;
        join(&sink, &ann, cafe, &browser, name, role).await;
        people.push((name, role, browser));
    }
    let outsider = app.signed_up("outsider").await;
    let anns_api = token_of(&app, "ann").await;
    let mut refused_lines = Vec::new();

    // The viewer and the outsider first: nothing they try may change anything.
    let ids = furnish(&app, &ann, &anns_api, cafe, "refused").await;
    let before = snapshot(&anns_api, cafe, ids.dessert).await;
    let viewer = &people[1].2;
    let viewers_api = token_of(&app, "vicky").await;
    let outsiders_api = token_of(&app, "outsider").await;
    for (route, how, _) in matrix() {
        let as_viewer = attempt(viewer, &viewers_api, &ids, how).await;
        let expected = if reads(route) { StatusCode::OK } else { StatusCode::FORBIDDEN };
        assert_eq!(as_viewer, expected, "{route} as a viewer");
        let as_outsider = attempt(&outsider, &outsiders_api, &ids, how).await;
        assert_eq!(as_outsider, StatusCode::NOT_FOUND, "{route} as a non-member");
        refused_lines.push(format!("{route}: viewer {as_viewer}, non-member {as_outsider}"));
    }
    assert_eq!(snapshot(&anns_api, cafe, ids.dessert).await, before, "refusals changed nothing");
    // A viewer's pages offer no change.
    viewer
        .get(&format!("/desserts/{}", ids.dessert))
        .await
        .assert_lacks("/edit\"")
        .assert_lacks("Delete")
        .assert_contains("your role in Café Lee is viewer");
    switch_to(viewer, cafe).await;
    viewer.get("/").await.assert_lacks("href=\"/add\"").assert_contains("Pie");
    assert_eq!(viewer.get("/add").await.status, StatusCode::FORBIDDEN);
    viewer.get("/menus").await.assert_lacks("Create menu");
    viewer.get("/labels").await.assert_lacks("Rename");
    let made = viewer.submit("/account", "/menus", &[("name", "Viewer's")]).await;
    assert_eq!(made.status, StatusCode::FORBIDDEN);
    let added = viewers_api
        .post(
            &format!("/api/v1/desserts?kitchen={cafe}"),
            json!({"name": "Nope", "price": 1, "calories": 1}),
        )
        .await;
    assert_eq!((added.status, added.error_code()), (StatusCode::FORBIDDEN, "forbidden"));
    assert_eq!(
        outsiders_api
            .post(
                &format!("/api/v1/desserts?kitchen={cafe}"),
                json!({"name": "Nope", "price": 1, "calories": 1})
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        outsiders_api.get(&format!("/api/v1/menus?kitchen={cafe}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(snapshot(&anns_api, cafe, ids.dessert).await, before, "refusals changed nothing");

    // An editor, and a second owner, may do all of it.
    for (member, role) in [("eddie", "editor"), ("cora", "owner")] {
        let browser = &people.iter().find(|(name, _, _)| *name == member).unwrap().2;
        let api = token_of(&app, member).await;
        let ids = furnish(&app, &ann, &anns_api, cafe, role).await;
        for (route, how, success) in matrix() {
            assert_eq!(attempt(browser, &api, &ids, how).await, success, "{route} as {role}");
        }
        assert_eq!(
            app.db.count(&format!(
                "SELECT count(*) FROM desserts WHERE id IN ({}, {})",
                ids.dessert, ids.dessert2
            )),
            0,
            "the {role}'s deletions happened"
        );
    }
    // An editor does not manage members.
    let editor = &people[0].2;
    let ann_id = app.user_id("ann").await;
    for action in [
        format!("/kitchens/{cafe}/members/{ann_id}/remove"),
        format!("/kitchens/{cafe}/delete"),
    ] {
        assert_eq!(
            editor.submit("/account", &action, &[]).await.status,
            StatusCode::FORBIDDEN,
            "{action}"
        );
    }
    assert_eq!(
        editor
            .submit(
                "/account",
                &format!("/kitchens/{cafe}/members/{ann_id}/role"),
                &[("role", "viewer")]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    eprintln!("{}", refused_lines.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_change_or_a_removal_holds_from_the_next_request_for_pages_and_tokens() {
    let sink = SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let cafe = make_kitchen(&ann, "Café Lee").await;
    join(&sink, &ann, cafe, &bob, "bob", "editor").await;
    let bobs_api = token_of(&app, "bob").await;
    let pie = bob.add_dessert("Pie", "4", "300").await;
    let bob_id = app.user_id("bob").await;

    let demoted = ann
        .submit(
            &format!("/kitchens/{cafe}"),
            &format!("/kitchens/{cafe}/members/{bob_id}/role"),
            &[("role", "viewer")],
        )
        .await;
    assert_eq!(demoted.status, StatusCode::SEE_OTHER);
    let edit = bob
        .submit(
            "/account",
            &format!("/desserts/{pie}/edit"),
            &[("name", "Pie"), ("price", "9"), ("calories", "300")],
        )
        .await;
    assert_eq!(edit.status, StatusCode::FORBIDDEN, "the session's next request");
    let patch = bobs_api.patch(&format!("/api/v1/desserts/{pie}"), json!({"price": 9})).await;
    assert_eq!(patch.status, StatusCode::FORBIDDEN, "the token's next request");
    bob.get("/").await.assert_contains("(viewer)");

    let removed = ann
        .submit(
            &format!("/kitchens/{cafe}"),
            &format!("/kitchens/{cafe}/members/{bob_id}/remove"),
            &[],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(bob.get(&format!("/desserts/{pie}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(bobs_api.get(&format!("/api/v1/desserts/{pie}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        bobs_api.get(&format!("/api/v1/desserts?kitchen={cafe}")).await.status,
        StatusCode::NOT_FOUND
    );
    // The session falls back to Bob's own kitchen.
    let home = bob.get("/").await;
    home.assert_contains("Kitchen: <strong>bob</strong>").assert_lacks("Pie");
    let kitchens = bobs_api.get("/api/v1/kitchens").await;
    assert_eq!(kitchens.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(kitchens.body["items"][0]["personal"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kitchen_keeps_an_owner_and_a_personal_kitchen_stays_with_its_account() {
    let sink = SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let cafe = make_kitchen(&ann, "Café Lee").await;
    join(&sink, &ann, cafe, &bob, "bob", "editor").await;
    let (ann_id, bob_id) = (app.user_id("ann").await, app.user_id("bob").await);
    let page = format!("/kitchens/{cafe}");

    // The last owner can neither step down nor leave.
    let demote = ann
        .submit("/account", &format!("{page}/members/{ann_id}/role"), &[("role", "editor")])
        .await;
    assert_eq!(demote.status, StatusCode::UNPROCESSABLE_ENTITY);
    demote.assert_contains("A kitchen needs an owner");
    assert_eq!(
        ann.submit("/account", &format!("{page}/leave"), &[]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        ann.submit("/account", &format!("{page}/members/{ann_id}/remove"), &[]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Her personal kitchen cannot be left, deleted, or given another role for her.
    let personal: i64 = app.db.count(&format!("SELECT id FROM kitchens WHERE personal_of = {ann_id}"));
    let own = format!("/kitchens/{personal}");
    for (action, fields) in [
        (format!("{own}/leave"), vec![]),
        (format!("{own}/delete"), vec![]),
        (format!("{own}/members/{ann_id}/role"), vec![("role", "viewer")]),
        (format!("{own}/members/{ann_id}/remove"), vec![]),
    ] {
        let refused = ann.submit("/account", &action, &fields).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{action}");
    }
    // Nobody else reaches it.
    assert_eq!(bob.get(&own).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        ann.submit("/account", &format!("{page}/members/999999/remove"), &[]).await.status,
        StatusCode::NOT_FOUND
    );

    // With Bob an owner too, Ann may step down and leave.
    let promoted = ann
        .submit("/account", &format!("{page}/members/{bob_id}/role"), &[("role", "owner")])
        .await;
    assert_eq!(promoted.status, StatusCode::SEE_OTHER);
    assert_eq!(
        ann.submit("/account", &format!("{page}/members/{ann_id}/role"), &[("role", "viewer")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        ann.submit("/account", &format!("{page}/leave"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(ann.get(&page).await.status, StatusCode::NOT_FOUND);
    // And now Bob is the last owner.
    assert_eq!(
        bob.submit("/account", &format!("{page}/leave"), &[]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_stepping_down_at_once_leave_the_kitchen_an_owner() {
    let sink = SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let cafe = make_kitchen(&ann, "Café Lee").await;
    join(&sink, &ann, cafe, &bob, "bob", "owner").await;
    let page = format!("/kitchens/{cafe}");
    let leave = format!("{page}/leave");
    for _ in 0..5 {
        let (a, b) = tokio::join!(ann.submit("/account", &leave, &[]), bob.submit("/account", &leave, &[]));
        let owners = app.db.count(&format!(
            "SELECT count(*) FROM memberships WHERE kitchen_id = {cafe} AND role = 'owner'"
        ));
        assert_eq!(owners, 1, "statuses {} and {}", a.status, b.status);
        assert!(
            [a.status, b.status].contains(&StatusCode::UNPROCESSABLE_ENTITY),
            "one of them was refused"
        );
        // Back to two owners for the next round.
        let (stayed, left) = if a.status == StatusCode::SEE_OTHER {
            (&bob, "ann")
        } else {
            (&ann, "bob")
        };
        let left_browser = if left == "ann" { &ann } else { &bob };
        join(&sink, stayed, cafe, left_browser, left, "owner").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_kitchen_ends_its_public_menus() {
    let sink = SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let cafe = make_kitchen(&ann, "Café Lee").await;
    join(&sink, &ann, cafe, &bob, "bob", "editor").await;
    switch_to(&ann, cafe).await;
    let pie = ann.add_dessert("Pie", "4", "300").await;
    let made = ann.submit("/menus", "/menus", &[("name", "Today")]).await;
    let menu = made.location().trim_start_matches("/menus/").to_string();
    ann.submit(
        &format!("/menus/{menu}"),
        &format!("/menus/{menu}/desserts"),
        &[("dessert_id", &pie.to_string())],
    )
    .await;
    ann.submit(&format!("/menus/{menu}"), &format!("/menus/{menu}/publish"), &[]).await;
    let slug = ann.get(&format!("/menus/{menu}")).await.public_slug();
    let public = app.browser().get(&format!("/m/{slug}")).await;
    assert_eq!(public.status, StatusCode::OK);
    public.assert_contains("Café Lee").assert_contains("Pie");

    assert_eq!(
        bob.submit("/account", &format!("/kitchens/{cafe}/delete"), &[]).await.status,
        StatusCode::FORBIDDEN,
        "an editor does not delete the kitchen"
    );
    ann.get(&format!("/kitchens/{cafe}/delete"))
        .await
        .assert_contains("links stop working");
    let deleted = ann.submit("/account", &format!("/kitchens/{cafe}/delete"), &[]).await;
    assert_eq!((deleted.status, deleted.location()), (StatusCode::SEE_OTHER, "/kitchens"));
    assert_eq!(app.browser().get(&format!("/m/{slug}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(bob.get(&format!("/desserts/{pie}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.db.count(&format!("SELECT count(*) FROM desserts WHERE id = {pie}")), 0);
    // Both are back in their own kitchens.
    ann.get("/").await.assert_contains("Kitchen: <strong>ann</strong>");
    bob.get("/").await.assert_contains("Kitchen: <strong>bob</strong>");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_an_account_takes_the_kitchens_only_it_is_in_and_waits_for_another_owner() {
    let sink = SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let cafe = make_kitchen(&ann, "Café Lee").await;
    let solo = make_kitchen(&ann, "Ann's test kitchen").await;
    join(&sink, &ann, cafe, &bob, "bob", "editor").await;
    switch_to(&ann, cafe).await;
    let shared_pie = ann.add_dessert("Shared pie", "4", "300").await;
    switch_to(&ann, solo).await;
    let solo_pie = ann.add_dessert("Solo pie", "4", "300").await;

    let page = ann.get("/account").await;
    page.assert_contains("You are the last owner of Café Lee")
        .assert_contains("menus: ann, Ann&#39;s test kitchen.");
    let refused = ann
        .submit("/account", "/account/delete", &[("password", "correct horse battery")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("make one of them an owner first");
    assert_eq!(
        app.db.count("SELECT count(*) FROM users WHERE username = 'ann'"),
        1,
        "nothing was deleted"
    );

    let bob_id = app.user_id("bob").await;
    ann.submit(
        &format!("/kitchens/{cafe}"),
        &format!("/kitchens/{cafe}/members/{bob_id}/role"),
        &[("role", "owner")],
    )
    .await;
    let deleted = ann
        .submit("/account", "/account/delete", &[("password", "correct horse battery")])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER, "{}", deleted.body);
    assert_eq!(
        app.db.count(&format!("SELECT count(*) FROM desserts WHERE id = {solo_pie}")),
        0,
        "her own kitchens went"
    );
    assert_eq!(app.db.count(&format!("SELECT count(*) FROM kitchens WHERE id = {solo}")), 0);
    assert_eq!(
        bob.get(&format!("/desserts/{shared_pie}")).await.status,
        StatusCode::OK,
        "the shared one stays"
    );
    let members = bob.get(&format!("/kitchens/{cafe}")).await;
    members.assert_lacks("(ann");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_agree_on_memberships_at_once() {
    let sink = SmtpSink::start().await;
    let first = TestApp::mailing_to(&sink).await;
    let second = TestApp::spawn_sharing(&first).await;
    let ann = first.signed_up("ann").await;
    let bob = first.signed_up("bob").await;
    let cafe = make_kitchen(&ann, "Café Lee").await;
    join(&sink, &ann, cafe, &bob, "bob", "editor").await;
    switch_to(&ann, cafe).await;
    let pie = ann.add_dessert("Pie", "4", "300").await;
    let bob_on_second = Browser::with_cookie(&second.base, &bob.session_cookie().unwrap());
    let bobs_api = token_of(&first, "bob").await.on(&second.base);
    assert_eq!(bob_on_second.get(&format!("/desserts/{pie}")).await.status, StatusCode::OK);
    let bob_id = first.user_id("bob").await;
    ann.submit(
        &format!("/kitchens/{cafe}"),
        &format!("/kitchens/{cafe}/members/{bob_id}/role"),
        &[("role", "viewer")],
    )
    .await;
    let patch = bobs_api.patch(&format!("/api/v1/desserts/{pie}"), json!({"price": 9})).await;
    assert_eq!(patch.status, StatusCode::FORBIDDEN, "the other instance sees the new role at once");
    ann.submit(
        &format!("/kitchens/{cafe}"),
        &format!("/kitchens/{cafe}/members/{bob_id}/remove"),
        &[],
    )
    .await;
    assert_eq!(bob_on_second.get(&format!("/desserts/{pie}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(bobs_api.get(&format!("/api/v1/desserts/{pie}")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_lists_kitchens_and_takes_the_kitchen_parameter() {
    let sink = SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let cafe = make_kitchen(&ann, "Café Lee").await;
    join(&sink, &ann, cafe, &bob, "bob", "editor").await;
    let bobs_api = token_of(&app, "bob").await;

    let kitchens = bobs_api.get("/api/v1/kitchens").await;
    assert_eq!(kitchens.status, StatusCode::OK);
    let items = kitchens.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        (items[0]["personal"].clone(), items[0]["role"].clone()),
        (json!(true), json!("owner"))
    );
    assert_eq!(
        (
            items[1]["id"].clone(),
            items[1]["name"].clone(),
            items[1]["role"].clone(),
            items[1]["members"].clone()
        ),
        (json!(cafe), json!("Café Lee"), json!("editor"), json!(2))
    );

    // Without `kitchen`, the personal kitchen; with it, that kitchen.
    let own = bobs_api
        .post("/api/v1/desserts", json!({"name": "Mine", "price": 1, "calories": 1}))
        .await;
    assert_eq!(own.body["kitchen_id"], items[0]["id"]);
    let shared = bobs_api
        .post(
            &format!("/api/v1/desserts?kitchen={cafe}"),
            json!({"name": "Ours", "price": 1, "calories": 1}),
        )
        .await;
    assert_eq!(shared.status, StatusCode::CREATED);
    assert_eq!(shared.body["kitchen_id"], cafe);
    let id = shared.body["id"].as_i64().unwrap();
    // The same name may be in two kitchens.
    let twin = bobs_api
        .post(
            &format!("/api/v1/desserts?kitchen={cafe}"),
            json!({"name": "Mine", "price": 1, "calories": 1}),
        )
        .await;
    assert_eq!(twin.status, StatusCode::CREATED);
    let listed = bobs_api.get(&format!("/api/v1/desserts?kitchen={cafe}")).await;
    assert_eq!(listed.body["total"], 2);
    let menu = bobs_api
        .post(&format!("/api/v1/menus?kitchen={cafe}"), json!({"name": "Today"}))
        .await;
    assert_eq!(menu.body["kitchen_id"], cafe);

    // On an item, `kitchen` is optional and must match when given.
    assert_eq!(bobs_api.get(&format!("/api/v1/desserts/{id}")).await.status, StatusCode::OK);
    assert_eq!(
        bobs_api.get(&format!("/api/v1/desserts/{id}?kitchen={cafe}")).await.status,
        StatusCode::OK
    );
    let other = items[0]["id"].as_i64().unwrap();
    assert_eq!(
        bobs_api.get(&format!("/api/v1/desserts/{id}?kitchen={other}")).await.status,
        StatusCode::NOT_FOUND
    );
    // A kitchen that is not the caller's, or not an id.
    assert_eq!(bobs_api.get("/api/v1/desserts?kitchen=999999").await.status, StatusCode::NOT_FOUND);
    for bad in ["abc", "0", "-1", "1.5", "%00", ""] {
        let answer = bobs_api.get(&format!("/api/v1/desserts?kitchen={bad}")).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "kitchen={bad}");
        assert!(!answer.field_error("kitchen").is_empty());
    }
    // A menu of one kitchen cannot take another kitchen's dessert.
    let menu_id = menu.body["id"].as_i64().unwrap();
    let own_id = own.body["id"].as_i64().unwrap();
    let crossed = bobs_api
        .send(reqwest::Method::PUT, &format!("/api/v1/menus/{menu_id}/desserts/{own_id}"), None)
        .await;
    assert_eq!(crossed.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_of_a_shared_kitchen_costs_the_statements_of_ones_own() {
    let sink = SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let cafe = make_kitchen(&ann, "Café Lee").await;
    join(&sink, &ann, cafe, &bob, "bob", "viewer").await;
    switch_to(&ann, cafe).await;
    for i in 0..25 {
        ann.submit(
            "/add",
            "/add",
            &[
                ("name", &format!("Dessert {i}")),
                ("price", "1"),
                ("calories", "10"),
                ("labels", "vegan, seasonal"),
            ],
        )
        .await;
    }
    switch_to(&bob, cafe).await;
    let (shared, shown) = list_cost(&app, &bob).await;
    assert_eq!(shown, 20);
    let personal: i64 = app
        .db
        .count("SELECT kitchens.id FROM kitchens JOIN users ON users.id = kitchens.personal_of WHERE users.username = 'bob'");
    switch_to(&bob, personal).await;
    let (own, own_shown) = list_cost(&app, &bob).await;
    assert_eq!(own_shown, 0);
    assert_eq!(shared, own, "a shared kitchen's list costs what one's own costs");
    assert!(
        shared <= 4,
        "{shared} statements (session with kitchen and role, count, page, labels)"
    );
}

/// The statements `browser`'s list page filtered by a label costs, and how many desserts it shows.
async fn list_cost(app: &TestApp, browser: &Browser) -> (u64, usize) {
    browser.get("/").await; // the flash of the last action is shown and cleared here
    let before = app.store.statements_sent();
    let page = browser.get("/?label=vegan").await;
    assert_eq!(page.status, StatusCode::OK);
    (app.store.statements_sent() - before, page.dessert_names().len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kitchen_form_needs_the_sessions_token() {
    let sink = SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let cafe = make_kitchen(&ann, "Café Lee").await;
    ann.submit(
        &format!("/kitchens/{cafe}"),
        &format!("/kitchens/{cafe}/invitations"),
        &[("email", "bob@example.com"), ("role", "editor")],
    )
    .await;
    let link = invitation_to(&sink, "bob@example.com", 1).await;
    let bob_id = app.user_id("bob").await;
    let before = app.db.count("SELECT count(*) FROM kitchens") + app.db.count("SELECT count(*) FROM memberships");
    let attempts: Vec<(&Browser, String, Fields)> = vec![
        (&ann, "/kitchens".into(), vec![("name", "Forged")]),
        (&ann, format!("/kitchens/{cafe}/switch"), vec![]),
        (
            &ann,
            format!("/kitchens/{cafe}/invitations"),
            vec![("email", "eve@example.com"), ("role", "owner")],
        ),
        (&ann, format!("/kitchens/{cafe}/members/{bob_id}/role"), vec![("role", "viewer")]),
        (&ann, format!("/kitchens/{cafe}/members/{bob_id}/remove"), vec![]),
        (&ann, format!("/kitchens/{cafe}/leave"), vec![]),
        (&ann, format!("/kitchens/{cafe}/delete"), vec![]),
        (&bob, format!("{link}/accept"), vec![]),
    ];
    for (browser, path, fields) in &attempts {
        for token in [None, Some("wrong-token")] {
            let mut all = fields.clone();
            if let Some(token) = token {
                all.push(("csrf_token", token));
            }
            let page = browser.post_raw(path, &all).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "POST {path} with token {token:?}");
            page.assert_contains("This form has expired");
        }
    }
    let after = app.db.count("SELECT count(*) FROM kitchens") + app.db.count("SELECT count(*) FROM memberships");
    assert_eq!(after, before, "nothing changed");
    assert_eq!(bob.get(&link).await.status, StatusCode::OK, "the invitation is still usable");
    ann.get("/").await.assert_contains("Kitchen: <strong>ann</strong>");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_kitchens_pages_are_headed_by_its_name() {
    let sink = SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    let ann = app.signed_up("ann").await;
    ann.get("/").await.assert_contains("<h1>My desserts</h1>");
    let cafe = make_kitchen(&ann, "Café Lee").await;
    switch_to(&ann, cafe).await;
    ann.get("/").await.assert_contains("<h1>Desserts of Café Lee</h1>");
    ann.get("/menus").await.assert_contains("<h1>Menus of Café Lee</h1>");
    ann.get("/labels").await.assert_contains("<h1>Labels of Café Lee</h1>");
}

/// The server keeps a page of a kitchen's list for its next view; a kitchen made later with
/// the same id (SQLite gives the highest id again once its row is gone) still shows only
/// its own desserts, and a member removed from a kitchen whose list was kept for them sees
/// it no more on their next request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_list_page_goes_with_its_kitchen_and_its_members() {
    let sink = SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let cafe = make_kitchen(&ann, "Café Lee").await;
    join(&sink, &ann, cafe, &bob, "bob", "viewer").await;
    switch_to(&ann, cafe).await;
    switch_to(&bob, cafe).await;
    ann.add_dessert("Secret Tart", "5", "400").await;
    for browser in [&ann, &bob, &bob] {
        browser.get("/").await.assert_contains("Secret Tart");
    }
    let bob_id = app.user_id("bob").await;
    ann.submit(
        &format!("/kitchens/{cafe}"),
        &format!("/kitchens/{cafe}/members/{bob_id}/remove"),
        &[],
    )
    .await;
    bob.get("/").await.assert_lacks("Secret Tart").assert_contains("Your menu is empty");

    ann.get("/").await.assert_contains("Secret Tart");
    assert_eq!(
        ann.submit("/account", &format!("/kitchens/{cafe}/delete"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let again = make_kitchen(&ann, "New Café").await;
    if !app.db.is_postgres() {
        assert_eq!(again, cafe, "SQLite gave the deleted kitchen's id again");
    }
    switch_to(&ann, again).await;
    let page = ann.get("/").await;
    page.assert_contains("New Café").assert_lacks("Secret Tart");
    assert!(page.dessert_names().is_empty());
}
