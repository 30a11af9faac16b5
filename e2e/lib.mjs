// What every browser test shares: the browser, the server's address, the steps people
// repeat (sign up, add a dessert) and the checks every page must pass.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import zlib from "node:zlib";

import { after } from "node:test";

import { HtmlValidate } from "html-validate";
import { chromium } from "playwright-core";

export const BASE_URL = process.env.DESSERTS_E2E_URL ?? "http://127.0.0.1:5000";
export const SCREENSHOTS = process.env.DESSERTS_E2E_SCREENSHOTS ?? path.join(import.meta.dirname, "screenshots");
export const PASSWORD = "correct horse battery";
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const htmlValidator = new HtmlValidate({
  extends: ["html-validate:recommended"],
  rules: {
    // Templates indent by nesting, which leaves trailing spaces where a block closes.
    "no-trailing-whitespace": "off",
    // A group of checkboxes shares one name (allergens, traces, filters): the form sends
    // each ticked value under it, as HTML intends.
    "form-dup-name": ["error", { shared: ["radio", "checkbox", "button", "reset", "submit"] }],
  },
});

/** Debian's Chromium, as installed by `apt-get install chromium`; no browser is downloaded. */
export async function launchBrowser() {
  const executablePath =
    process.env.CHROMIUM_PATH ?? execFileSync("bash", ["-c", "command -v chromium"]).toString().trim();
  return chromium.launch({
    executablePath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** The browser a test file shares: launched once, closed when the file's tests are done. */
export async function browserForThisFile() {
  const browser = await launchBrowser();
  after(() => browser.close());
  return browser;
}

/** A fresh browser profile: its own cookies, so its own person. */
export async function newVisitor(browser, options = {}) {
  const context = await browser.newContext({ baseURL: BASE_URL, viewport: DESKTOP, ...options });
  const page = await context.newPage();
  trackDocuments(page);
  return { context, page };
}

let counter = 0;

/** A username no other test run has used (usernames are 3 to 32 characters). */
export function uniqueUsername(prefix) {
  counter += 1;
  return `${prefix}_${Date.now().toString(36)}${counter}`.slice(0, 32);
}

export async function signUp(page, username) {
  await page.goto("/signup");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Email").fill(`${username}@example.com`);
  await page.getByLabel("Your name").fill(`Person ${username}`);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL((url) => url.pathname === "/");
  await assertHeading(page, "My desserts");
}

export async function logIn(page, username) {
  await page.goto("/login");
  await page.getByLabel("Username or email").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("main").getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => url.pathname === "/");
}

export async function logOut(page) {
  await page.goto("/account");
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL((url) => url.pathname === "/login");
}

/** Fills the add form and submits it; returns the new dessert's id. */
export async function addDessert(page, { name, price, calories, origin = "", liked = false }) {
  await page.goto("/add");
  await fillDessertForm(page, { name, price, calories, origin, liked });
  await page.getByRole("button", { name: "Add dessert" }).click();
  await page.waitForURL(/\/desserts\/\d+$/);
  await assertFlash(page, `Dessert ${name} added`);
  return Number(new URL(page.url()).pathname.split("/").pop());
}

export async function fillDessertForm(page, { name, price, calories, origin = "", liked = false }) {
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Price ($)").fill(price);
  await page.getByLabel("Calories").fill(calories);
  await page.getByLabel("Origin (optional)").fill(origin);
  await page.getByLabel("I like it").setChecked(liked);
}

export async function assertHeading(page, text) {
  assert.equal((await page.getByRole("heading", { level: 1 }).textContent()).trim(), text);
}

export async function assertFlash(page, text) {
  assert.equal((await page.getByRole("status").textContent()).trim(), text);
}

/** The names in the desserts table, top to bottom. */
export async function listedNames(page) {
  const names = await page.locator("table.desserts tbody td[data-label=Name] a").allTextContents();
  return names.map((name) => name.trim());
}

// The HTML of the last page the browser loaded, as the server sent it: what the
// validator reads, rather than the DOM the browser rebuilt from it.
const documents = new WeakMap();
// What the browser complained of: Content-Security-Policy refusals, missing files, script
// errors. The status of the page itself (404, or 422 for a form sent back) is not one.
const complaints = new WeakMap();

// Resources a test makes fail on purpose (a picture whose address leads nowhere): their
// failure to load is what is being tested, not a complaint.
const expectedFailures = new Set();

/** Tells the page checks that `url` fails to load on purpose. */
export function expectFailedResource(url) {
  expectedFailures.add(url);
}

function trackDocuments(page) {
  complaints.set(page, []);
  page.on("console", (message) => {
    const failedToLoad = /^Failed to load resource/.test(message.text());
    const aboutThePage = message.location().url === page.url() && failedToLoad;
    const expected = failedToLoad && expectedFailures.has(message.location().url);
    if (message.type() === "error" && !aboutThePage && !expected) {
      complaints.get(page).push(`${message.text()} (${message.location().url})`);
    }
  });
  page.on("pageerror", (error) => complaints.get(page).push(String(error)));
  page.on("response", (response) => {
    if (response.request().resourceType() === "document" && response.request().frame() === page.mainFrame()) {
      documents.set(page, response.text().catch(() => null));
    }
  });
}

/**
 * The checks every page passes: valid HTML, no serious or critical accessibility
 * violation, no complaint from the browser; then a screenshot at phone and desktop width.
 */
export async function checkPage(page, name) {
  await checkHtml(page, name);
  await checkAccessibility(page, name);
  assert.deepEqual(complaints.get(page), [], `${name}: the browser reported no errors`);
  await screenshot(page, name);
}

/** html-validate on the HTML the server sent for the page now shown. */
export async function checkHtml(page, name) {
  const html = await documents.get(page);
  assert.ok(html, `the HTML of ${name} was captured`);
  const report = await htmlValidator.validateString(html, `${name}.html`);
  const problems = report.results.flatMap((result) =>
    result.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}: ${m.message}`),
  );
  assert.deepEqual(problems, [], `${name}: the HTML is valid`);
}

/** axe-core in the page: no violation of serious or critical impact. */
export async function checkAccessibility(page, name) {
  // Injected through the DevTools protocol, which the page's Content-Security-Policy
  // does not govern; the app's own pages never run inline script.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const results = await globalThis.axe.run(document, { resultTypes: ["violations"] });
    return results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  });
  assert.deepEqual(violations, [], `${name}: no serious or critical accessibility violations`);
}

export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const original = page.viewportSize();
  for (const [label, size] of [
    ["phone", PHONE],
    ["desktop", DESKTOP],
  ]) {
    await page.setViewportSize(size);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name} at ${label} width scrolls sideways by ${overflow}px`);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize(original);
}

/**
 * Presses Tab until the focus is on `target`: `#id`, or else the element's visible text.
 * Fails after `limit` presses.
 */
export async function tabTo(page, target, limit = 40) {
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate((wanted) => {
      const element = document.activeElement;
      return wanted.startsWith("#") ? element?.id === wanted.slice(1) : element?.textContent?.trim() === wanted;
    }, target);
    if (focused) {
      return;
    }
  }
  assert.fail(`${target} never took the focus in ${limit} presses of Tab`);
}

/**
 * The newest link to `pathPrefix` mailed to `email`. With no SMTP server configured the app
 * writes each message to its log, which .ci/e2e names in DESSERTS_E2E_SERVER_LOG.
 */
export async function mailedLink(email, pathPrefix) {
  const logPath = process.env.DESSERTS_E2E_SERVER_LOG;
  assert.ok(logPath, "DESSERTS_E2E_SERVER_LOG names the server's log");
  const deadline = Date.now() + 10_000;
  for (;;) {
    const log = fs.readFileSync(logPath, "utf8");
    const links = [...log.matchAll(/mail to (\S+) not sent: [^\n]*\n[\s\S]*?(http\S+)/g)]
      .filter(([, to, link]) => to === email && new URL(link).pathname.startsWith(pathPrefix))
      .map(([, , link]) => link);
    if (links.length > 0) {
      return links.at(-1);
    }
    assert.ok(Date.now() < deadline, `no mail to ${email} with a ${pathPrefix} link in ${logPath}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A PNG of `width` × `height` pixels, left half a warm red and right half a blue: a real
 * image for the file input, made here so that no picture is committed.
 */
export function photoPng(width, height) {
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      row.set(x < width / 2 ? [210, 60, 50] : [40, 80, 200], 1 + x * 3);
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", zlib.deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Whether every image on the page has loaded and decoded. */
export async function imagesLoaded(page, selector = "img") {
  return page.locator(selector).evaluateAll((images) =>
    Promise.all(images.map((img) => (img.complete ? Promise.resolve() : img.decode().catch(() => {})))).then(() =>
      images.map((img) => ({ src: img.getAttribute("src"), width: img.naturalWidth })),
    ),
  );
}
