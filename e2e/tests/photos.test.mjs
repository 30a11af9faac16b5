// A photo taken on a phone: chosen with the file input, shown on the list, the dessert's
// page and a published menu, and reachable by nobody else.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  browserForThisFile,
  assertFlash,
  assertHeading,
  checkPage,
  fillDessertForm,
  imagesLoaded,
  newVisitor,
  PHONE,
  photoPng,
  signUp,
  uniqueUsername,
} from "../lib.mjs";

const browser = await browserForThisFile();

test("a person on a phone photographs a dessert and shows it on a published menu", async (t) => {
  const { context, page } = await newVisitor(browser, { viewport: PHONE });
  let id;
  let link;
  try {
    await signUp(page, uniqueUsername("photo"));

    await t.test("the form offers the camera and refuses a file that is not an image", async () => {
      await page.goto("/add");
      const input = page.getByLabel("Photo (optional)");
      assert.equal(await input.getAttribute("type"), "file");
      assert.equal(await input.getAttribute("accept"), "image/*");
      assert.match(await page.locator("#photo-note").textContent(), /JPEG, PNG, WebP or GIF/);
      await fillDessertForm(page, { name: "Lemon tart", price: "5", calories: "350" });
      await input.setInputFiles({ name: "tart.jpg", mimeType: "image/jpeg", buffer: Buffer.from("not a photo at all") });
      await page.getByRole("button", { name: "Add dessert" }).click();
      await page.getByRole("alert").waitFor();
      assert.equal(await page.getByLabel("Photo (optional)").getAttribute("aria-invalid"), "true");
      assert.match(await page.locator("#photo-note").textContent(), /not an image we can use/);
      assert.equal(await page.getByLabel("Name").inputValue(), "Lemon tart", "what was typed is kept");
      await checkPage(page, "add-photo-refused");
    });

    await t.test("uploads a photo and sees it on the dessert's page", async () => {
      await page.getByLabel("Photo (optional)").setInputFiles({
        name: "IMG_2041.png",
        mimeType: "image/png",
        buffer: photoPng(1200, 900),
      });
      await page.getByRole("button", { name: "Add dessert" }).click();
      await page.waitForURL(/\/desserts\/\d+$/);
      await assertFlash(page, "Dessert Lemon tart added");
      id = Number(new URL(page.url()).pathname.split("/").pop());
      const photo = page.getByRole("img", { name: "Lemon tart" });
      assert.equal(await photo.getAttribute("width"), "1200");
      assert.equal(await photo.getAttribute("height"), "900");
      assert.deepEqual(await imagesLoaded(page, "img.photo"), [{ src: `/desserts/${id}/photo`, width: 1200 }]);
      await checkPage(page, "dessert-photo");
    });

    await t.test("sees the thumbnail on the list", async () => {
      await page.goto("/");
      assert.deepEqual(await imagesLoaded(page, "table.desserts img"), [{ src: `/desserts/${id}/photo?size=thumb`, width: 400 }]);
      await checkPage(page, "list-photos");
    });

    await t.test("publishes a menu whose pictures load for a stranger", async () => {
      await page.goto("/menus");
      await page.getByLabel("Name").fill("Tarts");
      await page.getByRole("button", { name: "Create menu" }).click();
      await page.getByLabel("Lemon tart", { exact: true }).check();
      await page.getByRole("button", { name: "Add selected" }).click();
      await page.getByRole("button", { name: "Publish" }).click();
      link = await page.locator("a.public-link").getAttribute("href");
      const stranger = await newVisitor(browser, { viewport: PHONE });
      try {
        await stranger.page.goto(link);
        await assertHeading(stranger.page, "Tarts");
        const slug = new URL(link, "http://x").pathname.split("/").pop();
        assert.deepEqual(await imagesLoaded(stranger.page, ".public-menu img"), [{ src: `/m/${slug}/photos/${id}?size=thumb`, width: 400 }]);
        await checkPage(stranger.page, "public-menu-photos");
        // The owner's own address for it is not the stranger's to open.
        const owners = await stranger.page.goto(`/desserts/${id}/photo`);
        assert.equal(owners.status(), 404);
      } finally {
        await stranger.context.close();
      }
    });

    await t.test("removes the photo", async () => {
      await page.goto(`/desserts/${id}/edit`);
      await page.getByLabel("Remove the photo").check();
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.waitForURL(`**/desserts/${id}`);
      assert.equal(await page.locator("img.photo").count(), 0);
    });
  } finally {
    await context.close();
  }
});
