// A person protects their account with an authenticator app: the key from the QR code's
// page, a first code, the recovery codes; then a login asks for the password and a code.

import assert from "node:assert/strict";
import crypto from "node:crypto";
import { test } from "node:test";

import {
  browserForThisFile,
  BASE_URL,
  PASSWORD,
  assertFlash,
  assertHeading,
  checkPage,
  logOut,
  newVisitor,
  signUp,
  uniqueUsername,
} from "../lib.mjs";

const browser = await browserForThisFile();

/** The bytes of a base32 key (RFC 4648, no padding). */
function base32Bytes(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of text.replace(/\s/g, "")) {
    bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) {
    bytes.push(parseInt(bits.slice(i, i + 8), 2));
  }
  return Buffer.from(bytes);
}

/** The authenticator app's code for the step `offset` steps from now (RFC 6238). */
function totp(key, offset = 0) {
  const step = Math.floor(Date.now() / 1000 / 30) + offset;
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(step));
  const hash = crypto.createHmac("sha1", base32Bytes(key)).update(message).digest();
  const at = hash[hash.length - 1] & 15;
  const number = (((hash[at] & 0x7f) << 24) | (hash[at + 1] << 16) | (hash[at + 2] << 8) | hash[at + 3]) % 1_000_000;
  return String(number).padStart(6, "0");
}

test("a person turns on one-time codes and logs in with one", async (t) => {
  const { context, page } = await newVisitor(browser);
  const username = uniqueUsername("codes");
  let key;
  try {
    await t.test("sets up the app from the account's security page", async () => {
      await signUp(page, username);
      await page.goto("/account");
      await page.getByRole("link", { name: "Set them up or manage them" }).click();
      await assertHeading(page, "Security");
      await checkPage(page, "security-off");
      await page.getByRole("button", { name: "Set up an authenticator app" }).click();
      await assertHeading(page, "Set up an authenticator app");
      assert.equal(await page.locator(".qr-figure svg").count(), 1);
      key = (await page.locator("code.secret").textContent()).trim();
      await checkPage(page, "totp-setup");
      await page.getByLabel("Code from the app").fill("000000" === totp(key) ? "111111" : "000000");
      await page.getByRole("button", { name: "Turn codes on" }).click();
      assert.match(await page.getByRole("alert").textContent(), /not the code your app shows now/);
      await page.getByLabel("Code from the app").fill(totp(key));
      await page.getByRole("button", { name: "Turn codes on" }).click();
      await assertHeading(page, "One-time codes are on");
      assert.equal(await page.locator(".recovery-codes li").count(), 10);
      await checkPage(page, "recovery-codes");
    });

    await t.test("logs in with the password, then a code", async () => {
      await logOut(page);
      await page.getByLabel("Username or email").fill(username);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("main").getByRole("button", { name: "Log in" }).click();
      await page.waitForURL(`${BASE_URL}/login/two-factor`);
      await assertHeading(page, "Enter your code");
      await checkPage(page, "login-code");
      await page.getByLabel("Code").fill(totp(key, 1));
      await page.getByRole("button", { name: "Log in" }).click();
      await page.waitForURL(`${BASE_URL}/`);
      await assertFlash(page, `Welcome back, Person ${username}!`);
      await page.goto("/account/security");
      await checkPage(page, "security-on");
    });
  } finally {
    await context.close();
  }
});
