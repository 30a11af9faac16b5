//! Menus through the pages: many desserts on many menus, one owner, and a public link.

use reqwest::StatusCode;

use crate::support::{Browser, TestApp};

/// Creates a menu through its form and returns its id.
async fn create_menu(browser: &Browser, name: &str) -> i64 {
    let made = browser.submit("/menus", "/menus", &[("name", name)]).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "creating {name}: {}", made.body);
    made.location().trim_start_matches("/menus/").parse().expect("menu id")
}

async fn add_to_menu(browser: &Browser, menu: i64, dessert: i64) -> StatusCode {
    let path = format!("/menus/{menu}");
    browser
        .submit(&path, &format!("{path}/desserts"), &[("dessert_id", &dessert.to_string())])
        .await
        .status
}

#[tokio::test]
async fn a_menu_gathers_desserts_with_totals_in_any_order() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let pie = ann.add_dessert("Apple Pie", "4.50", "300").await;
    let brownie = ann.add_dessert("Brownie", "2", "400").await;
    ann.add_dessert("Donut", "1", "200").await;

    let summer = create_menu(&ann, "Summer").await;
    let page = ann.get(&format!("/menus/{summer}")).await;
    page.assert_contains("Menu Summer created")
        .assert_contains("No desserts on this menu yet");
    page.assert_contains(&format!(
        r#"<input type="checkbox" name="dessert_id" value="{pie}"> <span>Apple Pie</span>"#
    ));

    assert_eq!(add_to_menu(&ann, summer, pie).await, StatusCode::SEE_OTHER);
    assert_eq!(add_to_menu(&ann, summer, brownie).await, StatusCode::SEE_OTHER);
    // Adding it again is fine and changes nothing.
    assert_eq!(add_to_menu(&ann, summer, brownie).await, StatusCode::SEE_OTHER);
    let page = ann.get(&format!("/menus/{summer}")).await;
    page.assert_contains("2 desserts: $6.50, 700 calories in all");
    assert_eq!(page.dessert_names(), ["Apple Pie", "Brownie"]);
    assert!(
        !page.body.contains(&format!(r#"name="dessert_id" value="{pie}""#)),
        "what is on the menu is not offered again"
    );
    let by_price = ann.get(&format!("/menus/{summer}?sort=price&dir=desc")).await;
    assert_eq!(by_price.dessert_names(), ["Apple Pie", "Brownie"]);
    let by_price = ann.get(&format!("/menus/{summer}?sort=price&dir=asc")).await;
    assert_eq!(by_price.dessert_names(), ["Brownie", "Apple Pie"]);

    // A dessert can sit on several menus, and its page says which.
    let party = create_menu(&ann, "Kids' party").await;
    add_to_menu(&ann, party, pie).await;
    ann.get(&format!("/desserts/{pie}"))
        .await
        .assert_contains(&format!("<a href=\"/menus/{summer}\">Summer</a>"))
        .assert_contains(&format!("<a href=\"/menus/{party}\">Kids&#39; party</a>"));
    ann.get("/menus")
        .await
        .assert_contains("Kids&#39; party")
        .assert_contains("2 desserts");

    // Taking one off leaves the dessert itself alone.
    let removed = ann
        .submit(
            &format!("/menus/{summer}"),
            &format!("/menus/{summer}/desserts/{brownie}/remove"),
            &[],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(ann.get(&format!("/menus/{summer}")).await.dessert_names(), ["Apple Pie"]);
    assert_eq!(ann.get(&format!("/desserts/{brownie}")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn menu_names_are_checked_and_unique_per_owner() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    create_menu(&ann, "Summer").await;
    for (name, message) in [
        ("", "Menu name must be 1 to 100 characters"),
        (&"x".repeat(101), "Menu name must be 1 to 100 characters"),
        (" SUMMER ", "You already have a menu named SUMMER"),
    ] {
        let refused = ann.submit("/menus", "/menus", &[("name", name)]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{name:?}");
        refused.assert_contains(message);
    }
    // Another person may use the same name.
    let bob = app.signed_up("bob").await;
    create_menu(&bob, "Summer").await;
    let menus = ann.get("/menus").await;
    assert_eq!(menus.body.matches("/menus/").count(), 1);
    menus
        .assert_contains(r#"<a href="/menus" aria-current="page">Menus</a>"#)
        .assert_contains(r##"<a class="skip-link" href="#main">Skip to the content</a>"##)
        .assert_lacks(r#"<a href="/" aria-current"#);
}

#[tokio::test]
async fn another_persons_menu_and_desserts_are_not_found_and_stay_untouched() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let pie = ann.add_dessert("Apple Pie", "4.50", "300").await;
    let menu = create_menu(&ann, "Summer").await;
    add_to_menu(&ann, menu, pie).await;
    let bobs_cake = bob.add_dessert("Bob's Cake", "3", "500").await;
    let bobs_menu = create_menu(&bob, "Bob's").await;

    // Bob cannot reach Ann's menu in any way.
    for page in ["", "/delete", "/unpublish", "/new-link"] {
        assert_eq!(
            bob.get(&format!("/menus/{menu}{page}")).await.status,
            StatusCode::NOT_FOUND,
            "{page}"
        );
    }
    let token = bob.get("/menus").await.csrf_token();
    for action in [
        format!("/menus/{menu}/desserts"),
        format!("/menus/{menu}/desserts/{pie}/remove"),
        format!("/menus/{menu}/desserts/{pie}/move"),
        format!("/menus/{menu}/publish"),
        format!("/menus/{menu}/unpublish"),
        format!("/menus/{menu}/new-link"),
        format!("/menus/{menu}/delete"),
    ] {
        let answer = bob
            .post_raw(&action, &[("csrf_token", &token), ("dessert_id", &bobs_cake.to_string())])
            .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{action}");
    }
    // Nor put Ann's dessert on his own menu; and Ann cannot put Bob's on hers.
    assert_eq!(add_to_menu(&bob, bobs_menu, pie).await, StatusCode::NOT_FOUND);
    assert_eq!(add_to_menu(&ann, menu, bobs_cake).await, StatusCode::NOT_FOUND);
    for not_an_id in ["abc", "0", "-1"] {
        assert_eq!(ann.get(&format!("/menus/{not_an_id}")).await.status, StatusCode::NOT_FOUND);
    }

    let page = ann.get(&format!("/menus/{menu}")).await;
    assert_eq!(page.dessert_names(), ["Apple Pie"]);
    page.assert_contains("Only the kitchen can see this menu");
    assert!(bob.get(&format!("/menus/{bobs_menu}")).await.dessert_names().is_empty());
}

#[tokio::test]
async fn deleting_a_dessert_takes_it_off_menus_and_deleting_a_menu_keeps_desserts() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let pie = ann.add_dessert("Apple Pie", "4.50", "300").await;
    let brownie = ann.add_dessert("Brownie", "2", "400").await;
    let menu = create_menu(&ann, "Summer").await;
    add_to_menu(&ann, menu, pie).await;
    add_to_menu(&ann, menu, brownie).await;

    let deleted = ann.submit(&format!("/delete/{pie}"), &format!("/delete/{pie}"), &[]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let page = ann.get(&format!("/menus/{menu}")).await;
    assert_eq!(page.dessert_names(), ["Brownie"]);
    page.assert_contains("1 dessert: $2.00, 400 calories in all");

    ann.get(&format!("/menus/{menu}/delete"))
        .await
        .assert_contains("Delete the menu Summer?")
        .assert_contains("its 1 dessert stay in your list")
        .assert_lacks("public link");
    let gone = ann
        .submit(&format!("/menus/{menu}/delete"), &format!("/menus/{menu}/delete"), &[])
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert_eq!(gone.location(), "/menus");
    ann.get("/menus").await.assert_contains("Menu Summer deleted");
    assert_eq!(ann.get(&format!("/menus/{menu}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(ann.get(&format!("/desserts/{brownie}")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_published_menu_is_readable_by_anyone_until_unpublished() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let pie = ann.add_dessert("Apple Pie", "4.50", "300").await;
    ann.add_dessert("Secret Fudge", "9", "900").await;
    let menu = create_menu(&ann, "Summer").await;
    add_to_menu(&ann, menu, pie).await;
    let path = format!("/menus/{menu}");

    let publish = |action: &'static str| {
        let ann = &ann;
        let path = path.clone();
        async move { ann.submit(&path, &format!("{path}/{action}"), &[]).await.status }
    };
    let public_link = |page: &crate::support::Page| -> String {
        let marker = "public-link\" href=\"";
        let start = page.body.find(marker).expect("public link") + marker.len();
        let start = start + page.body[start..].find("/m/").expect("a public path");
        let end = page.body[start..].find('"').unwrap() + start;
        page.body[start..end].to_string()
    };
    assert_eq!(publish("publish").await, StatusCode::SEE_OTHER);
    let link = public_link(&ann.get(&path).await);
    let slug = link.trim_start_matches("/m/");
    assert!(slug.len() >= 22, "at least 128 random bits: {slug}");
    assert_eq!(publish("publish").await, StatusCode::SEE_OTHER);
    assert_eq!(public_link(&ann.get(&path).await), link, "publishing again keeps the link");

    let stranger = app.browser();
    let public = stranger.get(&link).await;
    assert_eq!(public.status, StatusCode::OK);
    public
        .assert_contains("Summer")
        .assert_contains("Apple Pie")
        .assert_contains("$4.50")
        .assert_contains("300 calories")
        .assert_lacks("Secret Fudge")
        .assert_lacks("ann@example.com")
        .assert_lacks(">ann<")
        .assert_lacks("Remove");
    assert!(stranger.session_cookie().is_none(), "the public page starts no session");

    // Unpublishing asks first, then takes the page down and keeps the link.
    ann.get(&format!("{path}/unpublish"))
        .await
        .assert_contains("The link is kept: publish again and the same link and printed QR codes work again.");
    assert_eq!(publish("unpublish").await, StatusCode::SEE_OTHER);
    let gone = stranger.get(&link).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    gone.assert_contains("This menu isn't available right now")
        .assert_lacks("<a ")
        .assert_lacks("Log in");
    ann.get(&path).await.assert_contains("Not published").assert_lacks("/m/");
    assert_eq!(publish("publish").await, StatusCode::SEE_OTHER);
    assert_eq!(
        public_link(&ann.get(&path).await),
        link,
        "publishing again brings back the same link"
    );
    assert_eq!(stranger.get(&link).await.status, StatusCode::OK);

    // A new link, after a warning, ends the old one for good.
    ann.get(&format!("{path}/new-link"))
        .await
        .assert_contains("The current link stops working for good");
    assert_eq!(publish("new-link").await, StatusCode::SEE_OTHER);
    let new_link = public_link(&ann.get(&path).await);
    assert_ne!(new_link, link);
    assert_eq!(stranger.get(&new_link).await.status, StatusCode::OK);
    assert_eq!(stranger.get(&link).await.status, StatusCode::NOT_FOUND);
    assert_eq!(publish("unpublish").await, StatusCode::SEE_OTHER);
    assert_eq!(publish("publish").await, StatusCode::SEE_OTHER);
    assert_eq!(
        stranger.get(&link).await.status,
        StatusCode::NOT_FOUND,
        "the old link never comes back"
    );
    assert_eq!(stranger.get(&new_link).await.status, StatusCode::OK);
    for bad in ["/m/", "/m/nope", "/m/..%2F..%2Fetc", &format!("/m/{}", "a".repeat(300))] {
        assert_eq!(stranger.get(bad).await.status, StatusCode::NOT_FOUND, "{bad}");
    }
}

#[tokio::test]
async fn a_menu_page_costs_the_same_queries_for_one_dessert_or_thirty() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let small = create_menu(&ann, "Small").await;
    let large = create_menu(&ann, "Large").await;
    let first = ann.add_dessert("Dessert 0", "1", "10").await;
    add_to_menu(&ann, small, first).await;
    add_to_menu(&ann, large, first).await;
    for i in 1..30 {
        let id = ann.add_dessert(&format!("Dessert {i}"), "1", "10").await;
        add_to_menu(&ann, large, id).await;
    }
    let cost = |path: String| {
        let (ann, store) = (&ann, &app.store);
        async move {
            ann.get(&path).await; // the flash of the last action is shown and cleared here
            let before = store.statements_sent();
            let page = ann.get(&path).await;
            assert_eq!(page.status, StatusCode::OK);
            (store.statements_sent() - before, page.dessert_names().len())
        }
    };
    let (small_cost, small_count) = cost(format!("/menus/{small}")).await;
    let (large_cost, large_count) = cost(format!("/menus/{large}")).await;
    assert_eq!((small_count, large_count), (1, 30));
    assert_eq!(small_cost, large_cost, "queries do not grow with the desserts");
    assert!(large_cost <= 5, "{large_cost} queries");
    ann.get("/menus").await;
    let before = app.store.statements_sent();
    ann.get("/menus").await.assert_contains("30 desserts");
    assert!(app.store.statements_sent() - before <= 3);
}

#[tokio::test]
async fn a_menu_is_filled_from_a_checklist_and_ordered_by_its_owner() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let pie = ann.add_dessert("Apple Pie", "4.50", "300").await;
    let brownie = ann.add_dessert("Brownie", "2", "400").await;
    let cake = ann.add_dessert("Cake", "3", "500").await;
    let bob = app.signed_up("bob").await;
    let bobs = bob.add_dessert("Bob's Fudge", "1", "100").await;
    let menu = create_menu(&ann, "Summer").await;
    let path = format!("/menus/{menu}");
    let add = |ids: Vec<i64>| {
        let (ann, path) = (&ann, path.clone());
        async move {
            let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
            let fields: Vec<(&str, &str)> = ids.iter().map(|id| ("dessert_id", id.as_str())).collect();
            ann.submit(&path, &format!("{path}/desserts"), &fields).await
        }
    };

    // Nothing ticked, or another person's dessert among the ticked: refused, nothing added.
    let none = add(vec![]).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    none.assert_contains("Tick the desserts to add");
    assert_eq!(add(vec![pie, bobs]).await.status, StatusCode::NOT_FOUND);
    assert!(ann.get(&path).await.dessert_names().is_empty());

    // Several at once, in the order ticked, at the end of the menu.
    let added = add(vec![cake, pie]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let page = ann.get(&path).await;
    page.assert_contains("2 desserts added to Summer");
    assert_eq!(page.dessert_names(), ["Cake", "Apple Pie"]);
    add(vec![brownie]).await;
    assert_eq!(ann.get(&path).await.dessert_names(), ["Cake", "Apple Pie", "Brownie"]);

    // Up and down, stopping at the ends; the public page follows.
    let shift = |dessert: i64, to: &'static str| {
        let (ann, path) = (&ann, path.clone());
        async move { ann.submit(&path, &format!("{path}/desserts/{dessert}/move"), &[("to", to)]).await }
    };
    assert_eq!(shift(brownie, "up").await.status, StatusCode::SEE_OTHER);
    assert_eq!(ann.get(&path).await.dessert_names(), ["Cake", "Brownie", "Apple Pie"]);
    shift(cake, "down").await;
    shift(pie, "down").await;
    assert_eq!(ann.get(&path).await.dessert_names(), ["Brownie", "Cake", "Apple Pie"]);
    assert_eq!(shift(pie, "sideways").await.status, StatusCode::BAD_REQUEST);
    let off_menu = ann.add_dessert("Donut", "1", "200").await;
    assert_eq!(shift(off_menu, "up").await.status, StatusCode::NOT_FOUND);
    assert_eq!(ann.get(&path).await.dessert_names(), ["Brownie", "Cake", "Apple Pie"]);
    // Sorted by a column, the page says so and offers no moving.
    let sorted = ann.get(&format!("{path}?sort=name&dir=asc")).await;
    assert_eq!(sorted.dessert_names(), ["Apple Pie", "Brownie", "Cake"]);
    sorted.assert_contains("Show the menu's order").assert_lacks("/move");

    ann.submit(&path, &format!("{path}/publish"), &[]).await;
    let slug = ann.get(&path).await.public_slug();
    let public = app.browser().get(&format!("/m/{slug}")).await;
    let order: Vec<usize> = ["Brownie", "Cake", "Apple Pie"]
        .iter()
        .map(|name| public.body.find(&format!("<h2>{name}")).expect(name))
        .collect();
    assert!(order.windows(2).all(|pair| pair[0] < pair[1]), "{order:?}");

    // Deleting a published menu warns that its link ends.
    ann.get(&format!("{path}/delete"))
        .await
        .assert_contains("Its public link stops working, and printed QR codes of it lead nowhere.");
}

#[tokio::test]
async fn all_desserts_go_on_a_menu_at_once_or_one_from_its_own_page() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let pie = ann.add_dessert("Apple Pie", "4.50", "300").await;
    let brownie = ann.add_dessert("Brownie", "2", "400").await;
    let menu = create_menu(&ann, "Summer").await;
    let party = create_menu(&ann, "Party").await;
    let path = format!("/menus/{menu}");
    ann.get(&path).await.assert_contains("Add all 2");
    let all = ann.submit(&path, &format!("{path}/desserts"), &[("all", "yes")]).await;
    assert_eq!(all.status, StatusCode::SEE_OTHER);
    let page = ann.get(&path).await;
    assert_eq!(page.dessert_names(), ["Apple Pie", "Brownie"]);
    page.assert_contains("2 desserts added to Summer")
        .assert_contains("Every one of your desserts is on this menu");

    // From the dessert's page: only the menus it is not on are offered.
    let dessert_page = ann.get(&format!("/desserts/{pie}")).await;
    dessert_page
        .assert_contains(&format!(r#"<option value="{party}">Party</option>"#))
        .assert_lacks(&format!(r#"<option value="{menu}">"#));
    let added = ann
        .submit(
            &format!("/desserts/{pie}"),
            &format!("/desserts/{pie}/menus"),
            &[("menu_id", &party.to_string())],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    assert_eq!(added.location(), format!("/desserts/{pie}"));
    assert_eq!(ann.get(&format!("/menus/{party}")).await.dessert_names(), ["Apple Pie"]);
    let bob = app.signed_up("bob").await;
    let bobs_menu = create_menu(&bob, "Bob's").await;
    let refused = ann
        .submit(
            &format!("/desserts/{brownie}"),
            &format!("/desserts/{brownie}/menus"),
            &[("menu_id", &bobs_menu.to_string())],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert!(bob.get(&format!("/menus/{bobs_menu}")).await.dessert_names().is_empty());

    // Deleting a dessert names the menus it leaves.
    ann.get(&format!("/delete/{pie}"))
        .await
        .assert_contains("It will leave these menus:")
        .assert_contains("<strong>Party</strong>, <strong>Summer</strong>");
}

#[tokio::test]
async fn a_public_name_heads_the_published_menus_and_shared_links_preview_well() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let pie = ann.add_dessert("Apple Pie", "4.50", "300").await;
    let menu = create_menu(&ann, "Summer").await;
    add_to_menu(&ann, menu, pie).await;
    let path = format!("/menus/{menu}");
    ann.submit(&path, &format!("{path}/publish"), &[]).await;
    let slug = ann.get(&path).await.public_slug();
    let stranger = app.browser();
    let public = stranger.get(&format!("/m/{slug}")).await;
    public
        .assert_lacks(r#"class="publisher""#)
        .assert_contains(r#"<meta property="og:title" content="Summer">"#)
        .assert_contains(r#"<meta property="og:description" content="1 dessert: Apple Pie.">"#)
        .assert_contains(&format!(r#"<meta property="og:url" content="{}/m/{slug}">"#, app.base))
        .assert_lacks("<a ")
        .assert_lacks("<nav")
        .assert_lacks("calories in all");

    for (typed, message) in [
        ("x".repeat(81), "Public name must be at most 80 characters on one line"),
        ("Café\nLee".to_string(), "Public name must be at most 80 characters on one line"),
        ("Caf\u{0}é".to_string(), "Public name must be at most 80 characters on one line"),
    ] {
        let refused = ann.submit("/account", "/account/public-name", &[("public_name", &typed)]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed:?}");
        refused.assert_contains(message);
    }
    let saved = ann
        .submit("/account", "/account/public-name", &[("public_name", "  Café <Lee>  ")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    ann.get("/account").await.assert_contains(r#"value="Café &#60;Lee&#62;""#);
    let public = stranger.get(&format!("/m/{slug}")).await;
    public
        .assert_contains(r#"<p class="publisher">Café &#60;Lee&#62;</p>"#)
        .assert_contains(r#"<meta property="og:title" content="Summer · Café &#60;Lee&#62;">"#);
    // Emptied, it is gone again.
    ann.submit("/account", "/account/public-name", &[("public_name", " ")]).await;
    stranger.get(&format!("/m/{slug}")).await.assert_lacks(r#"class="publisher""#);
}
