// A café owner on a phone states allergens and labels, filters the list by them, publishes
// a menu that says what is in each dessert, and prints it with its QR code.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  browserForThisFile,
  assertFlash,
  assertHeading,
  checkPage,
  fillDessertForm,
  imagesLoaded,
  listedNames,
  newVisitor,
  PHONE,
  screenshot,
  signUp,
  uniqueUsername,
} from "../lib.mjs";

const browser = await browserForThisFile();

/** Adds a dessert, declaring `contains` and `traces` (allergen names) unless `declared` is false. */
async function addWithAllergens(page, dessert, { declared = true, contains = [], traces = [], labels = "" }) {
  await page.goto("/add");
  await fillDessertForm(page, dessert);
  if (declared) {
    await page.getByLabel("The allergen information below is complete").check();
  }
  const containsGroup = page.getByRole("group", { name: "Contains" });
  for (const name of contains) {
    await containsGroup.getByLabel(name, { exact: true }).check();
  }
  const tracesGroup = page.getByRole("group", { name: "May contain traces of" });
  for (const name of traces) {
    await tracesGroup.getByLabel(name, { exact: true }).check();
  }
  await page.getByLabel("Labels (optional)").fill(labels);
  await page.getByRole("button", { name: "Add dessert" }).click();
  await page.waitForURL(/\/desserts\/\d+$/);
  await assertFlash(page, `Dessert ${dessert.name} added`);
}

test("a café owner declares allergens, filters by them and prints a menu with its QR code", async (t) => {
  const { context, page } = await newVisitor(browser, { viewport: PHONE });
  try {
    await signUp(page, uniqueUsername("cafe"));

    await t.test("declares allergens, traces and labels in the form", async () => {
      await page.goto("/add");
      await checkPage(page, "add-allergens");
      await addWithAllergens(
        page,
        { name: "Crème caramel", price: "4", calories: "280" },
        { contains: ["Milk", "Eggs"], traces: ["Nuts"], labels: "classic, Seasonal" },
      );
      const facts = page.locator("dl.facts");
      assert.match(await facts.textContent(), /Eggs, Milk/);
      assert.match(await facts.textContent(), /Nuts/);
      assert.match(await facts.textContent(), /classic, Seasonal/);
      await checkPage(page, "dessert-allergens");
      await addWithAllergens(page, { name: "Mango sorbet", price: "3", calories: "120" }, { labels: "vegan, seasonal" });
      await addWithAllergens(page, { name: "Mystery fudge", price: "2", calories: "400" }, { declared: false });
    });

    await t.test("a trace it also contains is refused, with everything kept", async () => {
      await page.goto("/add");
      await fillDessertForm(page, { name: "Flan", price: "3", calories: "250" });
      await page.getByLabel("The allergen information below is complete").check();
      await page.getByRole("group", { name: "Contains" }).getByLabel("Milk", { exact: true }).check();
      await page.getByRole("group", { name: "May contain traces of" }).getByLabel("Milk", { exact: true }).check();
      await page.getByRole("button", { name: "Add dessert" }).click();
      await page.getByRole("alert").waitFor();
      assert.equal(await page.getByLabel("Name").inputValue(), "Flan");
      assert.ok(await page.getByRole("group", { name: "Contains" }).getByLabel("Milk", { exact: true }).isChecked());
      await checkPage(page, "add-allergens-refused");
    });

    await t.test("filters the list by allergen and label without JavaScript's help", async () => {
      await page.goto("/");
      await page.getByText("Filter by allergens and labels").click();
      await page.getByRole("group", { name: "Free of" }).getByLabel("Milk", { exact: true }).check();
      await page.getByRole("button", { name: "Apply filters" }).click();
      await page.waitForURL(/free_of=milk/);
      assert.deepEqual(await listedNames(page), ["Mango sorbet"]);
      assert.match(await page.getByRole("status").last().textContent(), /Showing desserts free of Milk/);
      await checkPage(page, "list-filtered");
      await page.getByRole("link", { name: "Clear filters" }).click();
      assert.deepEqual(await listedNames(page), ["Crème caramel", "Mango sorbet", "Mystery fudge"]);
      await page.goto("/?label=seasonal");
      assert.deepEqual(await listedNames(page), ["Crème caramel", "Mango sorbet"]);
    });

    await t.test("sees and renames labels", async () => {
      await page.getByRole("link", { name: "Labels" }).click();
      await assertHeading(page, "My labels");
      await checkPage(page, "labels");
      await page.getByLabel("New name for classic").fill("SEASONAL");
      await page.getByRole("button", { name: "Rename" }).first().click();
      await page.getByRole("alert").waitFor();
      assert.match(await page.locator("p.error:not(.banner)").textContent(), /already have a label named SEASONAL/);
      await checkPage(page, "labels-clash");
      await page.getByLabel("New name for classic").fill("Classics");
      await page.getByRole("button", { name: "Rename" }).first().click();
      await assertFlash(page, "Label renamed to Classics");
    });

    let link;
    await t.test("publishes a menu and sees its QR code with print and download", async () => {
      await page.goto("/menus");
      await page.getByLabel("Name").fill("Window");
      await page.getByRole("button", { name: "Create menu" }).click();
      for (const name of ["Crème caramel", "Mango sorbet", "Mystery fudge"]) {
        await page.getByLabel(name, { exact: true }).check();
        await page.getByRole("button", { name: "Add selected" }).click();
      }
      await page.getByRole("button", { name: "Publish" }).click();
      link = await page.locator("a.public-link").getAttribute("href");
      assert.match(link, /^http:\/\/[^/]+\/m\/[A-Za-z0-9_-]+$/);
      const [qr] = await imagesLoaded(page, "img.qr");
      assert.ok(qr.src.endsWith("/qr.svg") && qr.width > 0, JSON.stringify(qr));
      assert.equal(await page.getByRole("link", { name: "Print", exact: true }).getAttribute("href"), `${link}#print`);
      await checkPage(page, "menu-published-qr");
    });

    await t.test("a customer reads the allergens in words, and the menu prints cleanly", async () => {
      const customer = await newVisitor(browser, { viewport: PHONE });
      try {
        await customer.page.goto(link);
        await assertHeading(customer.page, "Window");
        const text = await customer.page.locator("main").textContent();
        assert.match(text, /Allergens: Eggs, Milk\. May contain traces of: Nuts/);
        assert.match(text, /Allergens: None of the 14 allergens/);
        assert.match(text, /Allergens not declared/);
        assert.match(text, /Allergens on this menu: Eggs, Milk, Nuts\./);
        assert.equal(await customer.page.locator(".menu-qr").isVisible(), false, "the QR code is for paper");
        await checkPage(customer.page, "public-menu-allergens");

        await customer.page.emulateMedia({ media: "print" });
        assert.equal(await customer.page.locator(".site-header").isVisible(), false, "no navigation on paper");
        assert.equal(await customer.page.locator("nav").isVisible(), false);
        assert.equal(await customer.page.locator("main button, main form").count(), 0);
        assert.ok(await customer.page.locator(".menu-qr").isVisible(), "the QR code is printed");
        const [printedQr] = await imagesLoaded(customer.page, ".menu-qr img");
        assert.ok(printedQr.width > 0, "the printed QR code loaded");
        const breaks = await customer.page
          .locator(".public-menu > li")
          .evaluateAll((items) => items.map((item) => getComputedStyle(item).breakInside));
        assert.ok(breaks.length === 3 && breaks.every((value) => value === "avoid"), breaks.join());
        const colors = await customer.page.evaluate(() => [getComputedStyle(document.body).color, getComputedStyle(document.body).backgroundColor]);
        assert.deepEqual(colors, ["rgb(0, 0, 0)", "rgb(255, 255, 255)"]);
        const pdf = await customer.page.pdf({ format: "A4" });
        assert.ok(pdf.length > 1000, "Chromium prints it to A4");
        await screenshot(customer.page, "public-menu-print");
      } finally {
        await customer.context.close();
      }
    });
  } finally {
    await context.close();
  }
});
