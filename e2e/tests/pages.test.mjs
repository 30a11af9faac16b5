// Every page, in each state people see it in: accessible, valid HTML, and photographed at
// phone and desktop width.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  browserForThisFile,
  addDessert,
  checkAccessibility,
  checkPage,
  fillDessertForm,
  newVisitor,
  signUp,
  uniqueUsername,
} from "../lib.mjs";

const browser = await browserForThisFile();

test("pages seen before logging in", async (t) => {
  const { context, page } = await newVisitor(browser);
  try {
    await t.test("log in", async () => {
      await page.goto("/login");
      await checkPage(page, "login");
    });
    await t.test("log in, wrong password", async () => {
      await page.getByLabel("Username or email").fill("nobody_here");
      await page.getByLabel("Password").fill("not the password");
      await page.getByRole("main").getByRole("button", { name: "Log in" }).click();
      await page.getByRole("alert").waitFor();
      await checkPage(page, "login-failed");
    });
    await t.test("sign up", async () => {
      await page.goto("/signup");
      await checkPage(page, "signup");
    });
    await t.test("sign up with mistakes", async () => {
      await page.getByLabel("Username").fill("a b");
      await page.getByLabel("Email").fill("not an email");
      await page.getByRole("button", { name: "Sign up" }).click();
      await page.locator("[aria-invalid=true]").first().waitFor();
      await checkPage(page, "signup-errors");
    });
    await t.test("forgot password", async () => {
      await page.goto("/login");
      await page.getByRole("link", { name: "Forgot your password?" }).click();
      await checkPage(page, "forgot");
    });
    await t.test("forgot password, not an address", async () => {
      await page.getByLabel("Email").fill("ann");
      await page.getByRole("button", { name: "Send me a link" }).click();
      await page.getByText("Enter the email address of your account.").waitFor();
      await checkPage(page, "forgot-error");
    });
    await t.test("not found", async () => {
      const response = await page.goto("/no/such/page");
      assert.equal(response.status(), 404);
      await checkPage(page, "not-found");
    });
  } finally {
    await context.close();
  }
});

test("pages of a logged-in person", async (t) => {
  const { context, page } = await newVisitor(browser);
  let pie;
  let menuUrl;
  try {
    await signUp(page, uniqueUsername("pages"));
    await t.test("empty list", async () => {
      await checkPage(page, "list-empty");
    });
    await t.test("add form", async () => {
      await page.goto("/add");
      await checkPage(page, "add");
    });
    await t.test("add form with mistakes", async () => {
      await fillDessertForm(page, { name: "", price: "-1", calories: "many" });
      await page.getByRole("button", { name: "Add dessert" }).click();
      await page.getByRole("alert").waitFor();
      await checkPage(page, "add-errors");
    });
    await t.test("a dessert", async () => {
      pie = await addDessert(page, { name: "Apple pie", price: "4.50", calories: "300", origin: "England", liked: true });
      await addDessert(page, { name: "Brownie", price: "3.25", calories: "420" });
      await page.goto(`/desserts/${pie}`);
      await checkPage(page, "dessert");
    });
    await t.test("list", async () => {
      await page.goto("/");
      await checkPage(page, "list");
    });
    await t.test("search with no match", async () => {
      await page.goto("/?q=tiramisu");
      await checkPage(page, "list-no-match");
    });
    await t.test("edit form", async () => {
      await page.goto(`/desserts/${pie}/edit`);
      await checkPage(page, "edit");
    });
    await t.test("Are you sure?", async () => {
      await page.goto(`/delete/${pie}`);
      await checkPage(page, "delete");
    });
    await t.test("menus, none yet", async () => {
      await page.goto("/menus");
      await checkPage(page, "menus-empty");
    });
    await t.test("a menu", async () => {
      await page.getByLabel("Name").fill("Picnic");
      await page.getByRole("button", { name: "Create menu" }).click();
      await page.getByLabel("Apple pie", { exact: true }).check();
      await page.getByRole("button", { name: "Add selected" }).click();
      await page.getByRole("button", { name: "Publish" }).click();
      menuUrl = page.url();
      await checkPage(page, "menu");
    });
    await t.test("a menu, adding nothing", async () => {
      await page.getByRole("button", { name: "Add selected" }).click();
      await page.getByRole("main").locator(".error").waitFor();
      await checkPage(page, "menu-error");
    });
    await t.test("menus", async () => {
      await page.goto("/menus");
      await checkPage(page, "menus");
    });
    await t.test("public menu", async () => {
      await page.goto(menuUrl);
      const link = await page.locator("a.public-link").getAttribute("href");
      await page.goto(link);
      await checkPage(page, "public-menu");
    });
    await t.test("account", async () => {
      await page.goto("/account");
      await checkPage(page, "account");
    });
  } finally {
    await context.close();
  }
});

test("the page checks catch what they look for", async () => {
  const { context, page } = await newVisitor(browser);
  const served = (html) => (route) => route.fulfill({ status: 200, contentType: "text/html", body: html });
  try {
    await page.route("**/broken-html", served("<!DOCTYPE html><html lang=en><title>x</title><p><div>x</p>"));
    await page.goto("/broken-html");
    await assert.rejects(checkPage(page, "broken-html"), /the HTML is valid/);

    const inaccessible =
      '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>x</title></head>' +
      '<body><main><h1>x</h1><img src="/static/favicon.svg" width="9" height="9"><form><input name="q"></form></main></body></html>';
    await page.route("**/inaccessible", served(inaccessible));
    await page.goto("/inaccessible");
    await assert.rejects(checkAccessibility(page, "inaccessible"), /critical image-alt/);
    await assert.rejects(checkAccessibility(page, "inaccessible"), /critical label/);
  } finally {
    await context.close();
  }
});
