// People log in with passkeys: Chromium's virtual authenticator (DevTools protocol) stands
// in for a phone's or laptop's, with discoverable credentials and user verification, so the
// page's script, the browser's WebAuthn and the server's checks all run for real.
//
// WebAuthn refuses IP addresses, so these pages are opened by the host name `localhost`.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";

import {
  browserForThisFile,
  BASE_URL,
  assertHeading,
  checkPage,
  logOut,
  newVisitor,
  signUp,
  uniqueUsername,
  addDessert,
  listedNames,
  PHONE,
} from "../lib.mjs";

const browser = await browserForThisFile();
const DATABASE_URL = process.env.DESSERTS_E2E_DATABASE_URL;
const BINARY = process.env.DESSERTS_E2E_BIN;
const SITE = BASE_URL.replace("127.0.0.1", "localhost");

/** A visitor whose browser has an authenticator that keeps passkeys and verifies its user. */
async function visitorWithAuthenticator(options = {}) {
  const { context, page } = await newVisitor(browser, { baseURL: SITE, ...options });
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  const credentials = async () => (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials;
  return { context, page, credentials };
}

/** Waits for the page's one-time message to say `text`. */
async function flashSays(page, text) {
  await page.locator(".flash").filter({ hasText: text }).waitFor();
}

async function addPasskey(page, name) {
  await page.goto("/account/security");
  await page.getByLabel("Name for the new passkey").fill(name);
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await flashSays(page, `Passkey “${name}” added`);
}

async function logInWithPasskey(page) {
  await page.goto("/login");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
}

/** The username the account page shows. */
async function loggedInAs(page) {
  await page.goto("/account");
  return (await page.locator(".facts").textContent()).replace(/\s+/g, " ");
}

test("people log in with passkeys, each to their own account", async (t) => {
  const ann = { name: uniqueUsername("pkann"), ...(await visitorWithAuthenticator({ viewport: PHONE })) };
  const bob = { name: uniqueUsername("pkbob"), ...(await visitorWithAuthenticator()) };
  let annPasskeyId;
  try {
    await t.test("a person adds a passkey from the security page", async () => {
      await signUp(ann.page, ann.name);
      await addDessert(ann.page, { name: "Ann's Tart", price: "4.00", calories: "300" });
      await ann.page.goto("/account/security");
      await assertHeading(ann.page, "Security");
      assert.equal(await ann.page.getByText("You have no passkeys yet.").count(), 1);
      await addPasskey(ann.page, "Ann's phone");
      const listed = ann.page.locator(".credentials li");
      assert.equal(await listed.count(), 1);
      assert.match(await listed.textContent(), /not used yet/);
      const action = await listed.locator("form.inline").getAttribute("action");
      annPasskeyId = action.match(/passkeys\/(\d+)\/delete/)[1];
      const kept = await ann.credentials();
      assert.equal(kept.length, 1, "the authenticator keeps one passkey");
      assert.equal(kept[0].isResidentCredential, true, "a discoverable passkey");
      await checkPage(ann.page, "security-passkeys");
    });

    await t.test("logs out and back in with the passkey, typing no username", async () => {
      await logOut(ann.page);
      await checkPage(ann.page, "login-passkey");
      const before = (await ann.context.cookies()).find((c) => c.name.endsWith("desserts_session"))?.value;
      await logInWithPasskey(ann.page);
      await ann.page.waitForURL((url) => url.pathname === "/");
      await flashSays(ann.page, "Welcome back");
      assert.deepEqual(await listedNames(ann.page), ["Ann's Tart"]);
      const after = (await ann.context.cookies()).find((c) => c.name.endsWith("desserts_session"))?.value;
      assert.notEqual(after, before, "the session id changed at login");
      assert.match(await loggedInAs(ann.page), new RegExp(ann.name));
      await ann.page.goto("/account/security");
      assert.match(await ann.page.locator(".credentials li").textContent(), /last used/);
    });

    await t.test("a second account's passkey opens only that account", async () => {
      await signUp(bob.page, bob.name);
      await addPasskey(bob.page, "Bob's laptop");
      await logOut(bob.page);
      await logInWithPasskey(bob.page);
      await bob.page.waitForURL((url) => url.pathname === "/");
      assert.match(await loggedInAs(bob.page), new RegExp(bob.name));
      assert.doesNotMatch(await loggedInAs(bob.page), new RegExp(ann.name));
      await bob.page.goto("/");
      assert.deepEqual(await listedNames(bob.page), []);
    });

    await t.test("a disabled account's passkey no longer logs in, until it is enabled", { skip: !DATABASE_URL && "DESSERTS_E2E_DATABASE_URL is not set" }, async () => {
      const run = (...args) => execFileSync(BINARY, args, { env: { ...process.env, DATABASE_URL, RUST_LOG: "warn" } });
      run("user", "disable", bob.name);
      await bob.page.goto("/account");
      assert.equal(new URL(bob.page.url()).pathname, "/login", "the session ended");
      await logInWithPasskey(bob.page);
      await bob.page.locator(".passkey-login [data-passkey-message]").filter({ hasText: "not accepted" }).waitFor();
      assert.equal(new URL(bob.page.url()).pathname, "/login");
      run("user", "enable", bob.name);
      await logInWithPasskey(bob.page);
      await bob.page.waitForURL((url) => url.pathname === "/");
      assert.match(await loggedInAs(bob.page), new RegExp(bob.name));
    });

    await t.test("another account cannot remove or rename your passkey", async () => {
      await bob.page.goto("/account/security");
      const token = await bob.page.locator('input[name="csrf_token"]').first().inputValue();
      for (const [path, form] of [
        [`/account/security/passkeys/${annPasskeyId}/delete`, { csrf_token: token }],
        [`/account/security/passkeys/${annPasskeyId}/rename`, { csrf_token: token, name: "Mine now" }],
      ]) {
        const response = await bob.page.request.post(path, { form, maxRedirects: 0 });
        assert.equal(response.status(), 404, path);
      }
      await ann.page.goto("/account/security");
      assert.match(await ann.page.locator(".credentials li").textContent(), /Ann's phone/);
    });

    await t.test("a removed passkey no longer logs in", async () => {
      await ann.page.goto("/account/security");
      await ann.page.getByRole("button", { name: "Remove Ann's phone" }).click();
      await flashSays(ann.page, "Passkey removed");
      assert.equal(await ann.page.getByText("You have no passkeys yet.").count(), 1);
      await logOut(ann.page);
      // The authenticator still offers it; the server no longer knows it.
      assert.equal((await ann.credentials()).length, 1);
      await logInWithPasskey(ann.page);
      const message = ann.page.locator(".passkey-login [data-passkey-message]");
      await message.filter({ hasText: "not accepted" }).waitFor();
      assert.equal(new URL(ann.page.url()).pathname, "/login");
      await ann.page.goto("/account");
      assert.equal(new URL(ann.page.url()).pathname, "/login", "still logged out");
    });
  } finally {
    await ann.context.close();
    await bob.context.close();
  }
});

const byAddress = /^[\d.]+$|^\[/.test(new URL(BASE_URL).hostname);

test("pages reached by an IP address say passkeys need the site's name", { skip: !byAddress }, async () => {
  const { context, page } = await newVisitor(browser);
  try {
    await signUp(page, uniqueUsername("pkip"));
    await page.goto("/account/security");
    assert.equal(await page.getByRole("button", { name: "Add a passkey" }).count(), 0);
    assert.equal(await page.getByText("Passkeys need this site to be reached by its name").count(), 1);
    await logOut(page);
    assert.equal(await page.getByRole("button", { name: "Sign in with a passkey" }).count(), 0);
  } finally {
    await context.close();
  }
});
