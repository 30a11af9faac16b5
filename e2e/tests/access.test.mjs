// The app without a mouse, and without JavaScript.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  browserForThisFile,
  BASE_URL,
  PASSWORD,
  addDessert,
  assertFlash,
  assertHeading,
  fillDessertForm,
  listedNames,
  logOut,
  newVisitor,
  signUp,
  tabTo,
  uniqueUsername,
} from "../lib.mjs";

const browser = await browserForThisFile();

test("the forms work with the keyboard alone", async () => {
  const { context, page } = await newVisitor(browser);
  const username = uniqueUsername("keys");
  const focusRing = () =>
    page.evaluate(() => {
      const style = getComputedStyle(document.activeElement);
      return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    });
  try {
    await page.goto("/signup");
    await tabTo(page, "#username");
    assert.ok(await focusRing(), "the focused field shows it");
    await page.keyboard.type(username);
    for (const [id, text] of [
      ["email", `${username}@example.com`],
      ["name", "Keyboard Person"],
      ["password", PASSWORD],
    ]) {
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement.id), id, "Tab goes field by field");
      await page.keyboard.type(text);
    }
    await page.keyboard.press("Enter");
    await page.waitForURL(`${BASE_URL}/`);

    // From the list to the add form by its link, then the whole form.
    await tabTo(page, "Add a dessert");
    assert.ok(await focusRing(), "the focused link shows it");
    await page.keyboard.press("Enter");
    await page.waitForURL(`${BASE_URL}/add`);
    await tabTo(page, "#name");
    await page.keyboard.type("Keyboard cake");
    await page.keyboard.press("Tab");
    await page.keyboard.type("2.75");
    await page.keyboard.press("Tab");
    await page.keyboard.type("310");
    await tabTo(page, "#liked");
    assert.ok(await focusRing(), "the focused checkbox shows it");
    await page.keyboard.press("Space");
    await tabTo(page, "Add dessert");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/desserts\/\d+$/);
    await assertFlash(page, "Dessert Keyboard cake added");
    assert.match(await page.getByRole("heading", { level: 1 }).textContent(), /Liked|♥/);

    // The Are you sure? page by keyboard too.
    await tabTo(page, "Delete");
    await page.keyboard.press("Enter");
    await assertHeading(page, "Delete Keyboard cake?");
    await tabTo(page, "Yes, delete it");
    await page.keyboard.press("Enter");
    await page.waitForURL(`${BASE_URL}/`);
    await assertFlash(page, "Dessert Keyboard cake deleted");
  } finally {
    await context.close();
  }
});

test("everything works with JavaScript turned off", async () => {
  const { context, page } = await newVisitor(browser, { javaScriptEnabled: false });
  try {
    await signUp(page, uniqueUsername("nojs"));

    await page.goto("/add");
    await fillDessertForm(page, { name: "Plain scone", price: "1.999", calories: "200" });
    await page.getByRole("button", { name: "Add dessert" }).click();
    assert.equal(await page.getByLabel("Price ($)").getAttribute("aria-invalid"), "true");
    await page.getByLabel("Price ($)").fill("2");
    await page.getByRole("button", { name: "Add dessert" }).click();
    await page.waitForURL(/\/desserts\/\d+$/);
    await assertFlash(page, "Dessert Plain scone added");
    const scone = Number(new URL(page.url()).pathname.split("/").pop());
    await addDessert(page, { name: "Jam tart", price: "1.50", calories: "150" });

    await page.goto("/");
    await page.getByRole("link", { name: "Calories", exact: true }).click();
    assert.deepEqual(await listedNames(page), ["Jam tart", "Plain scone"]);

    await page.goto(`/desserts/${scone}/edit`);
    await page.getByLabel("I like it").check();
    await page.getByRole("button", { name: "Save changes" }).click();
    await assertFlash(page, "Dessert Plain scone saved");

    await page.goto("/menus");
    await page.getByLabel("Name").fill("Tea");
    await page.getByRole("button", { name: "Create menu" }).click();
    await page.getByLabel("Jam tart", { exact: true }).check();
    await page.getByRole("button", { name: "Add selected" }).click();
    await assertFlash(page, "Jam tart added to Tea");
    await page.getByRole("button", { name: "Publish" }).click();
    const link = await page.locator("a.public-link").getAttribute("href");

    const stranger = await newVisitor(browser, { javaScriptEnabled: false });
    try {
      await stranger.page.goto(link);
      await assertHeading(stranger.page, "Tea");
      assert.match(await stranger.page.getByRole("main").textContent(), /Jam tart/);
    } finally {
      await stranger.context.close();
    }

    await page.goto(`/delete/${scone}`);
    await page.getByRole("button", { name: "Yes, delete it" }).click();
    await assertFlash(page, "Dessert Plain scone deleted");
    assert.deepEqual(await listedNames(page), ["Jam tart"]);

    await logOut(page);
    await page.goto("/");
    assert.equal(new URL(page.url()).pathname, "/login");
  } finally {
    await context.close();
  }
});
