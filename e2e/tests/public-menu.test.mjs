// The menu customers open from a QR code on their phones, and the owner's few taps to it:
// twenty desserts with pictures that load, fail to load, are huge or are missing.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  browserForThisFile,
  checkPage,
  expectFailedResource,
  newVisitor,
  PASSWORD,
  PHONE,
  photoPng,
  signUp,
  uniqueUsername,
} from "../lib.mjs";

const browser = await browserForThisFile();
const NOWHERE = "http://127.0.0.1:9/never-there.jpg";
expectFailedResource(NOWHERE);

/** Twenty desserts through the API: some with photos (one huge), some with a picture URL
 * that cannot load, some with none; allergens, labels, origins and favourites mixed. */
async function twentyDesserts(page, username) {
  const tokenResponse = await page.request.post("/api/v1/tokens", { data: { username, password: PASSWORD } });
  assert.equal(tokenResponse.status(), 201);
  const headers = { authorization: `Bearer ${(await tokenResponse.json()).token}` };
  const ids = [];
  for (let n = 1; n <= 20; n++) {
    const data = {
      name: n === 7 ? "Extraordinarily long-named triple chocolate hazelnut praline layer cake" : `Dessert number ${n}`,
      price: 2 + n / 4,
      calories: 150 + n * 10,
      origin: n % 3 === 0 ? "France" : null,
      liked: n % 4 === 0,
      image_url: n % 5 === 2 ? NOWHERE : null,
      allergens: n % 2 === 0 ? ["milk", "eggs", "gluten"] : null,
      labels: n % 3 === 1 ? ["Seasonal"] : [],
    };
    const made = await page.request.post("/api/v1/desserts", { data, headers });
    assert.equal(made.status(), 201, await made.text());
    ids.push((await made.json()).id);
  }
  for (const [index, [width, height]] of [[0, [1200, 800]], [3, [2400, 1600]], [5, [300, 900]]]) {
    const put = await page.request.put(`/api/v1/desserts/${ids[index]}/photo`, {
      headers: { ...headers, "content-type": "image/png" },
      data: photoPng(width, height),
    });
    assert.equal(put.status(), 200, await put.text());
  }
  return ids;
}

test("a café owner publishes a menu in a few taps and customers read it on their phones", async (t) => {
  const owner = await newVisitor(browser, { viewport: PHONE });
  const page = owner.page;
  const username = uniqueUsername("cafe");
  let menuUrl;
  let link;
  try {
    await signUp(page, username);
    await twentyDesserts(page, username);

    await t.test("from no menu to a published one in at most 12 taps", async () => {
      await page.goto("/");
      let taps = 0;
      const tap = async (locator) => {
        taps += 1;
        await locator.click();
      };
      await tap(page.getByRole("navigation").getByRole("link", { name: "Menus" }));
      await tap(page.getByLabel("Name"));
      await page.keyboard.type("Today");
      await tap(page.getByRole("button", { name: "Create menu" }));
      await tap(page.getByRole("button", { name: "Add all 20" }));
      await tap(page.getByRole("button", { name: "Publish" }));
      assert.ok(taps <= 12, `${taps} taps`);
      console.log(`taps from an empty account with desserts to a published menu: ${taps}`);
      menuUrl = page.url();
      link = await page.locator("a.public-link").getAttribute("href");
      assert.equal(await page.getByLabel("Public link").inputValue(), link);
      await checkPage(page, "menu-published");
    });

    await t.test("the skip link comes first and the navigation marks where the person is", async () => {
      await page.goto("/menus");
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => [document.activeElement.textContent.trim(), document.activeElement.getAttribute("href")]);
      assert.deepEqual(focused, ["Skip to the content", "#main"]);
      assert.equal(await page.locator('nav a[aria-current="page"]').textContent(), "Menus");
      const header = await page.locator(".site-header").boundingBox();
      assert.ok(header.height < 70, `the header is one line on a phone: ${header.height}px`);
      await page.goto(menuUrl);
    });

    await t.test("every tap target on the owner's menu page is at least 44 px", async () => {
      const small = await page.locator("main button:visible, main a.button:visible, main .check").evaluateAll((elements) =>
        elements
          .map((element) => ({ text: element.textContent.trim().slice(0, 30), box: element.getBoundingClientRect() }))
          .filter(({ box }) => box.height < 44 || box.width < 44)
          .map(({ text, box }) => `${text} ${Math.round(box.width)}×${Math.round(box.height)}`),
      );
      assert.deepEqual(small, []);
    });

    let firstOnMenu;
    await t.test("the owner moves a dessert and the customers' page follows", async () => {
      const rows = page.locator("table.desserts tbody td:first-child a");
      const [first, second] = (await rows.allTextContents()).map((name) => name.trim());
      await page.getByRole("button", { name: `Move ${second} up` }).click();
      const names = (await rows.allTextContents()).map((name) => name.trim());
      assert.deepEqual(names.slice(0, 2), [second, first]);
      firstOnMenu = second;
    });

    await t.test("a customer on a phone reads six or more desserts a screen, nothing sideways, no way into the app", async () => {
      const customer = await newVisitor(browser, { viewport: PHONE });
      try {
        const response = await customer.page.goto(link);
        assert.equal(response.status(), 200);
        await customer.page.waitForLoadState("load");
        // The pictures on the first screen load lazily, after the page's load event: on a
        // busy machine some are still on their way then. Wait until each has loaded or
        // failed (and been marked so), rather than counting those in flight. Pictures far
        // below are never asked for until scrolled to, so only the first screen's count.
        await customer.page.waitForFunction(
          () =>
            [...document.querySelectorAll(".public-menu .pic img")]
              .filter((img) => img.getBoundingClientRect().top < window.innerHeight)
              .every((img) => img.classList.contains("failed") || (img.complete && img.naturalWidth > 0)),
          null,
          { timeout: 15_000 },
        );
        const first = await customer.page.locator(".public-menu h2").first().textContent();
        assert.equal(first.trim().split(" ♥")[0], firstOnMenu);
        const shown = await customer.page.evaluate(() => ({
          rowsOnFirstScreen: [...document.querySelectorAll(".public-menu > li")].filter(
            (row) => row.getBoundingClientRect().bottom <= window.innerHeight,
          ).length,
          pageWidth: document.documentElement.scrollWidth,
          links: document.querySelectorAll("a").length,
          pictures: [...document.querySelectorAll(".public-menu .pic")].map((pic) => {
            const box = pic.getBoundingClientRect();
            const img = pic.querySelector("img");
            return {
              width: Math.round(box.width),
              height: Math.round(box.height),
              state: !img ? "none" : img.classList.contains("failed") ? "failed" : img.complete && img.naturalWidth > 0 ? "loaded" : "pending",
              visible: !img || getComputedStyle(img).visibility === "visible",
            };
          }),
        }));
        console.log(`public menu at 390×844: ${shown.rowsOnFirstScreen} desserts on the first screen, page ${shown.pageWidth}px wide`);
        assert.ok(shown.rowsOnFirstScreen >= 6, `${shown.rowsOnFirstScreen} desserts on the first screen`);
        assert.ok(shown.pageWidth <= 390, `${shown.pageWidth}px wide`);
        assert.equal(shown.links, 0, "no link into the app");
        assert.ok(shown.pictures.every((pic) => pic.width === 64 && pic.height === 64), JSON.stringify(shown.pictures));
        const states = shown.pictures.map((pic) => pic.state);
        assert.equal(states.filter((state) => state === "loaded").length, 3, states.join());
        assert.ok(states.filter((state) => state === "failed").length >= 1, states.join());
        assert.ok(
          shown.pictures.every((pic) => pic.state !== "failed" || !pic.visible),
          "a picture that failed leaves the placeholder, not a broken-image icon",
        );
        await checkPage(customer.page, "public-menu-20");
        await customer.page.setViewportSize({ width: 320, height: 640 });
        const narrow = await customer.page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(narrow <= 320, `${narrow}px wide at 320`);
      } finally {
        await customer.context.close();
      }
    });

    await t.test("unpublishing asks, keeps the link, and publishing brings it back; a new link ends the old one", async () => {
      await page.goto(menuUrl);
      await page.getByRole("link", { name: "Unpublish…" }).click();
      await checkPage(page, "menu-unpublish-confirm");
      await page.getByRole("button", { name: "Unpublish" }).click();
      const customer = await newVisitor(browser, { viewport: PHONE });
      try {
        const gone = await customer.page.goto(link);
        assert.equal(gone.status(), 404);
        assert.equal(await customer.page.getByRole("heading", { level: 1 }).textContent(), "This menu isn't available right now");
        assert.equal(await customer.page.locator("a").count(), 0);
        await checkPage(customer.page, "public-menu-unavailable");

        await page.getByRole("button", { name: "Publish" }).click();
        assert.equal(await page.locator("a.public-link").getAttribute("href"), link, "the same link again");
        assert.equal((await customer.page.goto(link)).status(), 200);

        await page.getByRole("link", { name: "Make a new link…" }).click();
        await checkPage(page, "menu-new-link-confirm");
        await page.getByRole("button", { name: "Yes, make a new link" }).click();
        const newLink = await page.locator("a.public-link").getAttribute("href");
        assert.notEqual(newLink, link);
        assert.equal((await customer.page.goto(link)).status(), 404);
        assert.equal((await customer.page.goto(newLink)).status(), 200);
        link = newLink;
      } finally {
        await customer.context.close();
      }
    });

    await t.test("prices in the café's currency, typed with a decimal comma", async () => {
      await page.goto("/account");
      await page.getByLabel("Prices are in").selectOption("EUR");
      await page.getByRole("button", { name: "Save currency" }).click();
      await page.goto("/add");
      await page.getByLabel("Name").fill("Tarte Tatin");
      await page.getByLabel("Price (€)").fill("4,50");
      await page.getByLabel("Calories").fill("320");
      await page.getByRole("button", { name: "Add dessert" }).click();
      assert.match(await page.getByRole("main").textContent(), /€4\.50/);
      const customer = await newVisitor(browser, { viewport: PHONE });
      try {
        await customer.page.goto(link);
        assert.match(await customer.page.locator(".public-menu .price").first().textContent(), /^€\d+\.\d\d$/);
      } finally {
        await customer.context.close();
      }
    });

    await t.test("the menus page shows each menu's state and link; deleting asks first", async () => {
      await page.goto("/menus");
      assert.match(await page.locator(".menu-cards").textContent(), /Published/);
      await checkPage(page, "menus-cards");
      await page.goto(menuUrl);
      await page.getByRole("link", { name: "Delete this menu…" }).click();
      assert.match(await page.getByRole("main").textContent(), /public link stops working/);
      await checkPage(page, "menu-delete-confirm");
    });
  } finally {
    await owner.context.close();
  }
});
