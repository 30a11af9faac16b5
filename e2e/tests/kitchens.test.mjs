// A café run by three people: the owner makes a kitchen and invites a pastry chef (editor)
// and a waiter (viewer) by mail; each accepts from the mailed link in a browser of their own.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  browserForThisFile,
  BASE_URL,
  PASSWORD,
  PHONE,
  addDessert,
  assertFlash,
  assertHeading,
  checkPage,
  listedNames,
  mailedLink,
  newVisitor,
  signUp,
  uniqueUsername,
} from "../lib.mjs";

const browser = await browserForThisFile();

test("an owner, an editor and a viewer run one café's menu", async (t) => {
  const owner = await newVisitor(browser);
  const chef = await newVisitor(browser, { viewport: PHONE });
  const waiter = await newVisitor(browser);
  const ownerName = uniqueUsername("owner");
  const chefName = uniqueUsername("chef");
  const waiterName = uniqueUsername("waiter");
  const cafe = `Café ${ownerName}`;
  let kitchenUrl;
  let dessertUrl;
  try {
    await t.test("the owner makes a kitchen and invites two people", async () => {
      const { page } = owner;
      await signUp(page, ownerName);
      await page.getByRole("link", { name: "Switch or share" }).click();
      await assertHeading(page, "Kitchens");
      await checkPage(page, "kitchens");
      await page.getByLabel("Name").fill(cafe);
      await page.getByRole("button", { name: "Make the kitchen" }).click();
      await page.waitForURL(/\/kitchens\/\d+$/);
      kitchenUrl = page.url();
      await assertHeading(page, cafe);
      for (const [name, role] of [
        [chefName, "editor"],
        [waiterName, "viewer"],
      ]) {
        await page.getByLabel("Their email address").fill(`${name}@example.com`);
        await page.getByLabel("As").selectOption(role);
        await page.getByRole("button", { name: "Send the invitation" }).click();
        await assertFlash(page, `Invitation sent to ${name}@example.com: the link works for 7 days`);
      }
      assert.match(await page.getByRole("main").textContent(), new RegExp(`${waiterName}@example.com, as a viewer`));
      await checkPage(page, "kitchen-owner");
    });

    await t.test("the chef, new here, signs up from the mailed link and comes back to accept", async () => {
      const { page } = chef;
      const link = await mailedLink(`${chefName}@example.com`, "/invitations/");
      await page.goto(link);
      await assertHeading(page, `Join ${cafe}`);
      await checkPage(page, "invitation");
      await page.getByRole("link", { name: "Sign up to accept" }).click();
      await page.getByLabel("Username").fill(chefName);
      await page.getByLabel("Email").fill(`${chefName}@example.com`);
      await page.getByLabel("Your name").fill("Pastry Chef");
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign up" }).click();
      await page.waitForURL(link);
      await page.getByRole("button", { name: "Accept the invitation" }).click();
      await page.waitForURL(`${BASE_URL}/`);
      await assertFlash(page, `Welcome to ${cafe}: you are an editor here`);
      assert.match(await page.locator(".kitchen-bar").textContent(), new RegExp(`Kitchen: ${cafe} \\(editor\\)`));
    });

    await t.test("the chef adds a dessert to the café, which the owner sees", async () => {
      dessertUrl = `${BASE_URL}/desserts/${await addDessert(chef.page, { name: "Tarte Tatin", price: "6.50", calories: "420" })}`;
      const { page } = owner;
      await page.goto("/kitchens");
      await page.getByRole("button", { name: `Work in ${cafe}` }).click();
      await page.waitForURL(`${BASE_URL}/`);
      assert.deepEqual(await listedNames(page), ["Tarte Tatin"]);
    });

    await t.test("the waiter accepts with an existing account and sees no buttons", async () => {
      const { page } = waiter;
      await signUp(page, waiterName);
      await page.goto(await mailedLink(`${waiterName}@example.com`, "/invitations/"));
      await page.getByRole("button", { name: "Accept the invitation" }).click();
      await page.waitForURL(`${BASE_URL}/`);
      await assertFlash(page, `Welcome to ${cafe}: you are a viewer here`);
      assert.deepEqual(await listedNames(page), ["Tarte Tatin"]);
      assert.equal(await page.getByRole("link", { name: "Add a dessert" }).count(), 0);
      await checkPage(page, "kitchen-viewer-list");
      await page.goto(dessertUrl);
      assert.equal(await page.getByRole("link", { name: "Edit" }).count(), 0);
      assert.equal(await page.getByRole("link", { name: "Delete" }).count(), 0);
      assert.match(await page.getByRole("main").textContent(), /your role in .* is viewer/);
      await checkPage(page, "kitchen-viewer-dessert");
      const response = await page.goto(`${dessertUrl}/edit`);
      assert.equal(response.status(), 403);
    });

    await t.test("the owner makes the waiter an editor, and the waiter can edit at once", async () => {
      const { page } = owner;
      await page.goto(kitchenUrl);
      await page.getByLabel(`Role of ${waiterName}`).selectOption("editor");
      await page.getByRole("button", { name: `Change the role of ${waiterName}` }).click();
      await assertFlash(page, "Role changed to editor");
      await waiter.page.goto(dessertUrl);
      await waiter.page.getByRole("link", { name: "Edit" }).click();
      await waiter.page.waitForURL(`${dessertUrl}/edit`);
    });
  } finally {
    await owner.context.close();
    await chef.context.close();
    await waiter.context.close();
  }
});
