// One person's whole visit, in the order people use the app.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  browserForThisFile,
  BASE_URL,
  addDessert,
  assertFlash,
  assertHeading,
  fillDessertForm,
  listedNames,
  logOut,
  newVisitor,
  signUp,
  uniqueUsername,
} from "../lib.mjs";

const browser = await browserForThisFile();

test("a person keeps a dessert menu from sign-up to log-out", async (t) => {
  const { page } = await newVisitor(browser);
  const ids = {};

  await t.test("signs up and sees an empty list", async () => {
    await signUp(page, uniqueUsername("journey"));
    assert.match(await page.getByRole("main").textContent(), /Your menu is empty/);
  });

  await t.test("adds three desserts, correcting a mistake the form points out", async () => {
    ids.pie = await addDessert(page, { name: "Apple pie", price: "4.50", calories: "300" });

    await page.goto("/add");
    await fillDessertForm(page, { name: "Brownie", price: "three", calories: "420" });
    await page.getByRole("button", { name: "Add dessert" }).click();
    assert.equal(await page.getByRole("alert").textContent(), "Please correct the fields marked below.");
    const price = page.getByLabel("Price ($)");
    assert.equal(await price.getAttribute("aria-invalid"), "true");
    assert.match(await page.locator("#price-note").textContent(), /price/i);
    assert.equal(await page.getByLabel("Name").inputValue(), "Brownie", "what was typed is kept");
    assert.ok(await price.evaluate((el) => el === document.activeElement), "the wrong field has the focus");
    await price.fill("3.25");
    await page.getByRole("button", { name: "Add dessert" }).click();
    await page.waitForURL(/\/desserts\/\d+$/);
    await assertFlash(page, "Dessert Brownie added");
    ids.brownie = Number(new URL(page.url()).pathname.split("/").pop());

    ids.creme = await addDessert(page, {
      name: "Crème brûlée",
      price: "6",
      calories: "450",
      origin: "France",
      liked: true,
    });
    await page.goto("/");
    assert.deepEqual(await listedNames(page), ["Apple pie", "Brownie", "Crème brûlée"]);
    assert.equal((await page.locator("table.desserts caption").textContent()).trim(), "3 desserts");
  });

  await t.test("sorts by price both ways and searches by name", async () => {
    await page.getByRole("link", { name: "Price", exact: true }).click();
    assert.deepEqual(await listedNames(page), ["Brownie", "Apple pie", "Crème brûlée"]);
    assert.equal(await page.locator("th[aria-sort=ascending]").textContent().then((s) => s.trim().slice(0, 5)), "Price");
    await page.getByRole("link", { name: /^Price/ }).click();
    assert.deepEqual(await listedNames(page), ["Crème brûlée", "Apple pie", "Brownie"]);

    await page.getByLabel("Search by name").fill("PIE");
    await page.getByRole("button", { name: "Search" }).click();
    assert.deepEqual(await listedNames(page), ["Apple pie"]);
    await page.getByLabel("Search by name").fill("tiramisu");
    await page.getByRole("button", { name: "Search" }).click();
    assert.match(await page.getByRole("main").textContent(), /None of your desserts has “tiramisu” in its name/);
    await page.getByRole("link", { name: "Clear" }).click();
    assert.equal((await listedNames(page)).length, 3);
  });

  await t.test("opens a dessert and edits it", async () => {
    await page.getByRole("link", { name: "Brownie" }).click();
    await assertHeading(page, "Brownie");
    await page.getByRole("link", { name: "Edit" }).click();
    await page.getByLabel("Name").fill("Fudge brownie");
    await page.getByLabel("Calories").fill("480");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.waitForURL(`${BASE_URL}/desserts/${ids.brownie}`);
    await assertFlash(page, "Dessert Fudge brownie saved");
    await assertHeading(page, "Fudge brownie");
    assert.match(await page.locator("dl.facts").textContent(), /480/);
  });

  await t.test("deletes a dessert after the Are you sure? page", async () => {
    await page.goto(`/desserts/${ids.pie}`);
    await page.getByRole("link", { name: "Delete" }).click();
    await assertHeading(page, "Delete Apple pie?");
    await page.getByRole("link", { name: "No, keep it" }).click();
    await assertHeading(page, "Apple pie");
    await page.getByRole("link", { name: "Delete" }).click();
    await page.getByRole("button", { name: "Yes, delete it" }).click();
    await page.waitForURL(`${BASE_URL}/`);
    await assertFlash(page, "Dessert Apple pie deleted");
    assert.deepEqual(await listedNames(page), ["Crème brûlée", "Fudge brownie"]);
    const gone = await page.goto(`/desserts/${ids.pie}`);
    assert.equal(gone.status(), 404);
  });

  await t.test("makes a menu, fills it, publishes it and a stranger opens the link", async () => {
    await page.goto("/menus");
    await page.getByLabel("Name").fill("Summer");
    await page.getByRole("button", { name: "Create menu" }).click();
    await assertHeading(page, "Summer");
    await assertFlash(page, "Menu Summer created");
    for (const name of ["Fudge brownie", "Crème brûlée"]) {
      await page.getByLabel(name, { exact: true }).check();
      await page.getByRole("button", { name: "Add selected" }).click();
      await assertFlash(page, `${name} added to Summer`);
    }
    assert.match(await page.locator("table.desserts caption").textContent(), /2 desserts: \$9\.25, 930 calories in all/);
    await page.getByRole("button", { name: "Publish" }).click();
    const link = await page.locator("a.public-link").getAttribute("href");
    assert.match(link, /\/m\/[A-Za-z0-9_-]{20,}$/);

    const stranger = await newVisitor(browser);
    try {
      const response = await stranger.page.goto(link);
      assert.equal(response.status(), 200);
      await assertHeading(stranger.page, "Summer");
      const text = await stranger.page.getByRole("main").textContent();
      assert.match(text, /Fudge brownie/);
      assert.match(text, /Crème brûlée/);
      assert.doesNotMatch(text, /calories in all/, "customers see no grand total");
      assert.equal(await stranger.page.getByRole("button", { name: "Log out" }).count(), 0);
      assert.equal((await stranger.context.cookies()).length, 0, "the public page starts no session");
    } finally {
      await stranger.context.close();
    }
  });

  await t.test("logs out, and the list is closed", async () => {
    await page.goto("/");
    await logOut(page);
    await page.goto("/");
    assert.equal(new URL(page.url()).pathname, "/login");
    await assertHeading(page, "Log in");
  });
});

test("a second person never sees the first one's desserts", async () => {
  const first = await newVisitor(browser);
  const second = await newVisitor(browser);
  try {
    await signUp(first.page, uniqueUsername("first"));
    const secret = await addDessert(first.page, { name: "Secret tart", price: "9", calories: "500" });

    await signUp(second.page, uniqueUsername("second"));
    assert.deepEqual(await listedNames(second.page), []);
    await second.page.getByLabel("Search by name").fill("Secret");
    await second.page.getByRole("button", { name: "Search" }).click();
    assert.deepEqual(await listedNames(second.page), []);
    for (const path of [`/desserts/${secret}`, `/desserts/${secret}/edit`, `/delete/${secret}`]) {
      const response = await second.page.goto(path);
      assert.equal(response.status(), 404, path);
      assert.doesNotMatch(await second.page.content(), /Secret tart/, path);
    }

    await first.page.goto("/");
    assert.deepEqual(await listedNames(first.page), ["Secret tart"], "nothing the second person did touched it");
  } finally {
    await first.context.close();
    await second.context.close();
  }
});
