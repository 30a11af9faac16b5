// The links the app mails, followed in the browser: a forgotten password, a new address.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  browserForThisFile,
  BASE_URL,
  PASSWORD,
  assertFlash,
  assertHeading,
  checkPage,
  logOut,
  mailedLink,
  newVisitor,
  signUp,
  uniqueUsername,
} from "../lib.mjs";

const browser = await browserForThisFile();

test("a person confirms their address and resets a forgotten password", async (t) => {
  const { context, page } = await newVisitor(browser);
  const username = uniqueUsername("mail");
  const email = `${username}@example.com`;
  try {
    await t.test("confirms the address from the sign-up mail", async () => {
      await signUp(page, username);
      await page.goto("/account");
      assert.match(await page.getByRole("main").textContent(), /not confirmed yet/);
      await page.goto(await mailedLink(email, "/verify/"));
      await page.waitForURL(`${BASE_URL}/account`);
      await assertFlash(page, "Thank you: your email address is confirmed.");
      assert.doesNotMatch(await page.getByRole("main").textContent(), /not confirmed yet/);
    });

    await t.test("asks for a link from the login page", async () => {
      await logOut(page);
      await page.getByRole("link", { name: "Forgot your password?" }).click();
      await assertHeading(page, "Forgot your password?");
      await page.getByLabel("Email").fill(email);
      await page.getByRole("button", { name: "Send me a link" }).click();
      await page.waitForURL(`${BASE_URL}/login`);
      assert.match(await page.getByRole("status").textContent(), /an email with a link to set a new password is on its way/);
    });

    const newPassword = "a much better password";
    await t.test("sets a new password through the mailed link", async () => {
      const link = await mailedLink(email, "/password/reset/");
      await page.goto(link);
      await checkPage(page, "reset-password");
      await page.getByLabel("New password").fill("short");
      await page.getByRole("button", { name: "Set my new password" }).click();
      assert.equal(await page.getByLabel("New password").getAttribute("aria-invalid"), "true");
      await checkPage(page, "reset-password-error");
      await page.getByLabel("New password").fill(newPassword);
      await page.getByRole("button", { name: "Set my new password" }).click();
      await page.waitForURL(`${BASE_URL}/`);
      await assertFlash(page, "Your new password is set. Every other session and every API token of your account has ended; this browser is logged in.");
      const again = await page.goto(link);
      assert.equal(again.status(), 404, "the link works once");
      assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "This link no longer works");
      assert.equal(await page.getByRole("link", { name: "Send me a new reset link" }).count(), 1);
      await checkPage(page, "reset-link-ended");
    });

    await t.test("logs in with the new password only", async () => {
      await page.goto("/");
      await logOut(page);
      await page.getByLabel("Username or email").fill(username);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("main").getByRole("button", { name: "Log in" }).click();
      assert.equal(await page.getByRole("alert").textContent(), "Incorrect username or password.");
      await page.getByLabel("Password").fill(newPassword);
      await page.getByRole("main").getByRole("button", { name: "Log in" }).click();
      await page.waitForURL(`${BASE_URL}/`);
    });
  } finally {
    await context.close();
  }
});
