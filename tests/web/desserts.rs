use reqwest::StatusCode;

use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_add_and_list() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    ann.get("/").await.assert_contains("Your menu is empty");

    let page = ann
        .submit(
            "/add",
            "/add",
            &[
                ("name", "Tiramisu"),
                ("price", "4.5"),
                ("calories", "450"),
                ("origin", "Italy"),
                ("liked", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let id: i64 = page.location().trim_start_matches("/desserts/").parse().unwrap();

    let detail = ann.get(page.location()).await;
    assert_eq!(detail.status, StatusCode::OK);
    detail
        .assert_contains("Dessert Tiramisu added")
        .assert_contains("$4.50")
        .assert_contains("100.00")
        .assert_contains("Italy");
    ann.get(&format!("/desserts/{id}")).await.assert_lacks("Dessert Tiramisu added");

    let list = ann.get("/").await;
    assert_eq!(list.dessert_names(), ["Tiramisu"]);
    let stored = desserts::store::desserts::find(&app.store, app.user_id("ann").await, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((stored.price.cents(), stored.calories, stored.liked), (450, 450, true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_shows_only_your_own_desserts() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    ann.add_dessert("Ann's Pie", "3", "300").await;
    bob.add_dessert("Bob's Cake", "4", "400").await;
    assert_eq!(ann.get("/").await.dessert_names(), ["Ann&#39;s Pie"]);
    assert_eq!(bob.get("/").await.dessert_names(), ["Bob&#39;s Cake"]);
    bob.get("/?q=pie").await.assert_contains("None of your desserts has");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_sort_and_pages() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    ann.add_dessert("Banana Split", "5.00", "600").await;
    ann.add_dessert("apple pie", "3.50", "400").await;
    ann.add_dessert("Cherry Cake", "4.25", "350").await;

    assert_eq!(
        ann.get("/").await.dessert_names(),
        ["apple pie", "Banana Split", "Cherry Cake"],
        "default: by name, ignoring case"
    );
    assert_eq!(
        ann.get("/?sort=name&dir=desc").await.dessert_names(),
        ["Cherry Cake", "Banana Split", "apple pie"]
    );
    assert_eq!(
        ann.get("/?sort=price&dir=asc").await.dessert_names(),
        ["apple pie", "Cherry Cake", "Banana Split"]
    );
    assert_eq!(
        ann.get("/?sort=price&dir=desc").await.dessert_names(),
        ["Banana Split", "Cherry Cake", "apple pie"]
    );
    assert_eq!(
        ann.get("/?sort=calories&dir=asc").await.dessert_names(),
        ["Cherry Cake", "apple pie", "Banana Split"]
    );
    assert_eq!(
        ann.get("/?sort=created&dir=desc").await.dessert_names(),
        ["Cherry Cake", "apple pie", "Banana Split"]
    );
    assert_eq!(
        ann.get("/?sort=created&dir=asc").await.dessert_names(),
        ["Banana Split", "apple pie", "Cherry Cake"]
    );
    assert_eq!(
        ann.get("/?sort=bogus&dir=sideways&page=x").await.dessert_names(),
        ["apple pie", "Banana Split", "Cherry Cake"]
    );

    assert_eq!(ann.get("/?q=CAKE").await.dessert_names(), ["Cherry Cake"]);
    assert_eq!(ann.get("/?q=an").await.dessert_names(), ["Banana Split"]);
    assert!(ann.get("/?q=%25").await.dessert_names().is_empty(), "% is a literal character");

    for i in 0..22 {
        ann.add_dessert(&format!("Zz {i:02}"), "1", "1").await;
    }
    let first = ann.get("/").await;
    assert_eq!(first.dessert_names().len(), 20);
    first.assert_contains("Page 1 of 2").assert_contains("25 desserts");
    let second = ann.get("/?sort=name&dir=asc&page=2").await;
    assert_eq!(second.dessert_names(), ["Zz 17", "Zz 18", "Zz 19", "Zz 20", "Zz 21"]);
    second.assert_contains("Page 2 of 2").assert_contains("rel=\"prev\"");
    let past_the_end = ann.get("/?page=9").await;
    assert_eq!(past_the_end.status, StatusCode::OK);
    past_the_end.assert_contains("No desserts on this page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn details_show_calories_per_dollar() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let id = ann.add_dessert("Cookie", "3", "100").await;
    ann.get(&format!("/desserts/{id}"))
        .await
        .assert_contains("33.33")
        .assert_contains("$3.00");
    let free = ann.add_dessert("Free Sample", "0", "50").await;
    ann.get(&format!("/desserts/{free}"))
        .await
        .assert_contains("<dd>—</dd>")
        .assert_contains("$0.00");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_dessert_rule_through_the_form() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let long_url = format!("https://example.com/{}", "a".repeat(500));
    let cases: &[(&str, &str, &str)] = &[
        ("name", "", "Name must be 1 to 100 characters"),
        ("name", "   ", "Name must be 1 to 100 characters"),
        ("name", &"n".repeat(101), "Name must be 1 to 100 characters"),
        ("name", "12345", "Name cannot be only digits"),
        ("price", "", "Price must be a number from 0 to 10000"),
        ("price", "-1", "Price must be a number from 0 to 10000"),
        ("price", "10000.01", "Price must be a number from 0 to 10000"),
        ("price", "3.14159", "Price must be a number from 0 to 10000 with at most 2 decimals"),
        ("price", "cheap", "Price must be a number from 0 to 10000"),
        ("calories", "", "Calories must be a whole number from 0 to 10000"),
        ("calories", "-5", "Calories must be a whole number from 0 to 10000"),
        ("calories", "10001", "Calories must be a whole number from 0 to 10000"),
        ("calories", "2.5", "Calories must be a whole number from 0 to 10000"),
        ("origin", &"o".repeat(101), "Origin must be at most 100 characters"),
        (
            "image_url",
            "ftp://example.com/a.png",
            "Enter a full web address starting with http:// or https://",
        ),
        (
            "image_url",
            "javascript:alert(1)",
            "Enter a full web address starting with http:// or https://",
        ),
        ("image_url", &long_url, "Web address must be at most 500 characters"),
    ];
    for (field, value, message) in cases {
        let mut fields = vec![("name", "Valid"), ("price", "1"), ("calories", "1"), ("origin", "Here")];
        fields.retain(|(name, _)| name != field);
        fields.push((field, value));
        let page = ann.submit("/add", "/add", &fields).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}={value}");
        page.assert_contains(message).assert_contains("aria-invalid=\"true\"");
        assert_eq!(
            page.input_value(field).as_deref(),
            Some(value.replace('&', "&#38;").as_str()),
            "{field} kept"
        );
        if *field != "origin" {
            assert_eq!(page.input_value("origin").as_deref(), Some("Here"), "other fields kept");
        }
    }
    let page = ann
        .submit("/add", "/add", &[("name", "12"), ("price", "x"), ("calories", "y")])
        .await;
    page.assert_contains("Name cannot be only digits")
        .assert_contains("Price must be")
        .assert_contains("Calories must be");
    assert_eq!(
        desserts::store::users::dessert_count(&app.store, app.user_id("ann").await)
            .await
            .unwrap(),
        0,
        "nothing saved"
    );

    for (price, cents) in [("0", 0), ("10000", 1_000_000), ("$2.5", 250), ("0.07", 7)] {
        let id = ann.add_dessert(&format!("Priced {price}"), price, "10000").await;
        let stored = desserts::store::desserts::find(&app.store, app.user_id("ann").await, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.price.cents(), cents, "{price} stored exactly");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_are_unique_per_owner_ignoring_case() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    ann.add_dessert("Flan", "2", "200").await;
    let page = ann
        .submit("/add", "/add", &[("name", " FLAN "), ("price", "3"), ("calories", "300")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("You already have a dessert named FLAN");
    bob.add_dessert("flan", "2", "200").await;

    let other = ann.add_dessert("Tart", "2", "200").await;
    let page = ann
        .submit(
            &format!("/desserts/{other}/edit"),
            &format!("/desserts/{other}/edit"),
            &[("name", "flan"), ("price", "2"), ("calories", "200")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("You already have a dessert named flan");
    assert_eq!(ann.get("/").await.dessert_names(), ["Flan", "Tart"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_is_prefilled_and_saves() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let page = ann
        .submit(
            "/add",
            "/add",
            &[
                ("name", "Eclair"),
                ("price", "2.5"),
                ("calories", "260"),
                ("origin", "France"),
                ("image_url", "https://example.com/e.jpg"),
                ("liked", "on"),
            ],
        )
        .await;
    let path = page.location().to_string();
    let form = ann.get(&format!("{path}/edit")).await;
    assert_eq!(form.status, StatusCode::OK);
    for (field, value) in [
        ("name", "Eclair"),
        ("price", "2.50"),
        ("calories", "260"),
        ("origin", "France"),
        ("image_url", "https://example.com/e.jpg"),
    ] {
        assert_eq!(form.input_value(field).as_deref(), Some(value), "{field}");
    }
    form.assert_contains(" checked");

    let bad = ann
        .submit(
            &format!("{path}/edit"),
            &format!("{path}/edit"),
            &[("name", "Eclair"), ("price", "2.555"), ("calories", "260")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.input_value("price").as_deref(), Some("2.555"));

    let saved = ann
        .submit(
            &format!("{path}/edit"),
            &format!("{path}/edit"),
            &[("name", "Chocolate Eclair"), ("price", "3"), ("calories", "300")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(saved.location(), path);
    let detail = ann.get(&path).await;
    detail
        .assert_contains("Dessert Chocolate Eclair saved")
        .assert_contains("$3.00")
        .assert_lacks("France")
        .assert_lacks("class=\"photo\"");
    detail.assert_lacks("♥");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_asks_first_and_a_get_never_deletes() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let id = ann.add_dessert("Sorbet", "2", "120").await;
    let confirm = ann.get(&format!("/delete/{id}")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    confirm
        .assert_contains("Are you sure?")
        .assert_contains(&format!("action=\"/delete/{id}\""));
    assert_eq!(ann.get("/").await.dessert_names(), ["Sorbet"], "the GET deleted nothing");

    let page = ann.submit(&format!("/delete/{id}"), &format!("/delete/{id}"), &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/");
    let list = ann.get("/").await;
    list.assert_contains("Dessert Sorbet deleted");
    assert!(list.dessert_names().is_empty());
    assert_eq!(ann.get(&format!("/desserts/{id}")).await.status, StatusCode::NOT_FOUND);
    let again = ann.submit("/add", &format!("/delete/{id}"), &[]).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_text_is_escaped_and_pictures_are_shown() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let page = ann
        .submit(
            "/add",
            "/add",
            &[
                ("name", "<script>alert(1)</script>"),
                ("price", "1"),
                ("calories", "1"),
                ("origin", "\"><b>x</b>"),
                ("image_url", "https://example.com/pic.png?a=1&b='2'"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let detail = ann.get(page.location()).await;
    detail
        .assert_lacks("<script>alert(1)</script>")
        .assert_contains("&#60;script&#62;alert(1)&#60;/script&#62;");
    detail.assert_lacks("<b>x</b>");
    detail.assert_contains("<img class=\"photo\" src=\"https://example.com/pic.png?a=1&#38;b=%272%27\"");
    let list = ann.get("/").await;
    list.assert_lacks("<script>alert(1)</script>")
        .assert_contains("<img class=\"thumb\" src=\"https://example.com/pic.png");
}

#[tokio::test]
async fn a_price_may_be_typed_with_a_decimal_comma() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let added = ann
        .submit("/add", "/add", &[("name", "Tarte"), ("price", "4,50"), ("calories", "300")])
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    ann.get(added.location()).await.assert_contains("$4.50");
    let refused = ann
        .submit("/add", "/add", &[("name", "Flan"), ("price", "1,234.50"), ("calories", "300")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused
        .assert_contains("Price must be a number")
        .assert_contains(r#"value="1,234.50""#);
}

/// The desserts `browser`'s list page shows, and how many statements the view cost.
async fn list_view(app: &TestApp, browser: &crate::support::Browser) -> (crate::support::Page, u64) {
    let before = app.store.statements_sent();
    let page = browser.get("/").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    (page, app.store.statements_sent() - before)
}

/// A page of the list read once is used again while the kitchen is unchanged (the view
/// costs the session's statement alone), and every kind of change to what the list shows,
/// made by any path, is on the very next view.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_list_page_never_outlives_a_change_to_the_kitchen() {
    use crate::support::images;

    let first = TestApp::spawn().await;
    let second = TestApp::spawn_sharing(&first).await;
    let ann = first.signed_up("ann").await;
    let pie = ann.add_dessert("Pie", "4", "300").await;
    ann.get("/").await; // the flash of the last action is shown and cleared here
    let (page, _) = list_view(&first, &ann).await;
    assert_eq!(page.dessert_names(), ["Pie"]);
    let (again, cost) = list_view(&first, &ann).await;
    assert_eq!(again.dessert_names(), ["Pie"]);
    assert_eq!(cost, 1, "a view of an unchanged kitchen reads the session only");

    // Each change, then the next view on the first instance.
    let view = async || {
        let (page, cost) = list_view(&first, &ann).await;
        assert!(cost > 1, "a changed kitchen's list is read again");
        page
    };
    ann.add_dessert("Cake", "3", "200").await;
    ann.get("/account").await;
    assert_eq!(view().await.dessert_names(), ["Cake", "Pie"], "an added dessert");

    let edited = ann
        .upload(
            &format!("/desserts/{pie}/edit"),
            &format!("/desserts/{pie}/edit"),
            &[("name", "Apple Pie"), ("price", "4"), ("calories", "300"), ("labels", "vegan")],
            Some(("pie.jpg", images::jpeg(64, 48))),
        )
        .await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER, "{}", edited.body);
    ann.get("/account").await;
    let page = view().await;
    assert_eq!(page.dessert_names(), ["Apple Pie", "Cake"], "a new name");
    page.assert_contains(r#"<span class="label">vegan</span>"#)
        .assert_contains(&format!("/desserts/{pie}/photo?size=thumb"));

    let label: i64 = first.db.count("SELECT id FROM labels WHERE name = 'vegan'");
    ann.submit("/labels", &format!("/labels/{label}/rename"), &[("name", "plant based")])
        .await;
    ann.get("/account").await;
    view()
        .await
        .assert_contains(r#"<span class="label">plant based</span>"#)
        .assert_lacks(">vegan<");

    ann.upload(
        &format!("/desserts/{pie}/edit"),
        &format!("/desserts/{pie}/edit"),
        &[
            ("name", "Apple Pie"),
            ("price", "4"),
            ("calories", "300"),
            ("labels", "plant based"),
            ("remove_photo", "on"),
        ],
        None,
    )
    .await;
    ann.get("/account").await;
    view().await.assert_lacks("photo?size=thumb");

    ann.submit("/labels", &format!("/labels/{label}/delete"), &[]).await;
    ann.get("/account").await;
    view().await.assert_lacks("plant based");

    // Through the API, on the other instance.
    let token = first
        .api()
        .post(
            "/api/v1/tokens",
            serde_json::json!({"username": "ann", "password": "correct horse battery"}),
        )
        .await;
    let anns_api = first.api().with_token(token.body["token"].as_str().unwrap()).on(&second.base);
    let patched = anns_api
        .patch(&format!("/api/v1/desserts/{pie}"), serde_json::json!({"price": 9}))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    view().await.assert_contains("$9.00");

    // Behind the application's back: another program on the same database.
    first.db.run_sql(&format!(
        "UPDATE desserts SET name = 'Plum Pie', name_key = 'plum pie' WHERE id = {pie}"
    ));
    assert_eq!(view().await.dessert_names(), ["Cake", "Plum Pie"]);
    first.db.run_sql(&format!("DELETE FROM desserts WHERE id = {pie}"));
    assert_eq!(view().await.dessert_names(), ["Cake"]);

    let cake: i64 = first.db.count("SELECT id FROM desserts WHERE name = 'Cake'");
    ann.submit(&format!("/delete/{cake}"), &format!("/delete/{cake}"), &[]).await;
    ann.get("/account").await;
    view().await.assert_contains("Your menu is empty");
}
