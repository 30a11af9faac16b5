// An admin looks through the accounts on a phone and a desktop, finds one by searching and
// disables it; its owner's browser is logged out on the next click and cannot log in again
// until the admin enables it.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";

import {
  browserForThisFile,
  PASSWORD,
  PHONE,
  assertFlash,
  assertHeading,
  checkPage,
  logIn,
  newVisitor,
  signUp,
  uniqueUsername,
} from "../lib.mjs";

const browser = await browserForThisFile();
const DATABASE_URL = process.env.DESSERTS_E2E_DATABASE_URL;
const BINARY = process.env.DESSERTS_E2E_BIN;

test("an admin disables and enables an account", { skip: !DATABASE_URL && "DESSERTS_E2E_DATABASE_URL is not set" }, async () => {
  const admin = await newVisitor(browser);
  const member = await newVisitor(browser, { viewport: PHONE });
  const adminName = uniqueUsername("admin");
  const memberName = uniqueUsername("member");
  try {
    await signUp(admin.page, adminName);
    await signUp(member.page, memberName);
    // Before the right is given, /admin is an unknown page.
    const before = await admin.page.goto("/admin");
    assert.equal(before.status(), 404);
    execFileSync(BINARY, ["user", "admin", adminName], { env: { ...process.env, DATABASE_URL, RUST_LOG: "warn" } });

    const { page } = admin;
    await page.goto("/admin");
    await assertHeading(page, "Accounts");
    await checkPage(page, "admin");
    await page.getByLabel("Search by username, address or name").fill(memberName);
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL((url) => url.pathname === "/admin" && url.searchParams.get("q") === memberName);
    assert.match(await page.locator("caption").innerText(), /^1 account matching/);
    await page.getByRole("button", { name: `Disable ${memberName}` }).click();
    await page.waitForURL((url) => url.pathname === "/admin" && url.searchParams.get("q") === memberName);
    await assertFlash(page, "The account is disabled: its sessions and API tokens have ended.");
    await checkPage(page, "admin-disabled");

    // The member's next click finds them logged out, and their password no longer works.
    await member.page.goto("/");
    await member.page.waitForURL((url) => url.pathname === "/login");
    await member.page.getByLabel("Username or email").fill(memberName);
    await member.page.getByLabel("Password").fill(PASSWORD);
    await member.page.getByRole("main").getByRole("button", { name: "Log in" }).click();
    await member.page.getByText("Incorrect username or password.").waitFor();

    await page.getByRole("button", { name: `Enable ${memberName}` }).click();
    await assertFlash(page, "The account may log in again.");
    await logIn(member.page, memberName);
    await assertHeading(member.page, "My desserts");
  } finally {
    await admin.context.close();
    await member.context.close();
  }
});

test("the admin pages are unknown to people who are not admins", async () => {
  const { context, page } = await newVisitor(browser);
  try {
    assert.equal((await page.goto("/admin")).status(), 404);
    await signUp(page, uniqueUsername("plain"));
    const answer = await page.goto("/admin");
    assert.equal(answer.status(), 404);
    await assertHeading(page, "Not found");
  } finally {
    await context.close();
  }
});
