// Small helps for people with JavaScript on; every page works the same without it.

// A form sent back with mistakes: put the cursor in the first field to correct, so
// keyboard and screen-reader users land where the work is.
const firstMistake = document.querySelector('main [aria-invalid="true"]');
if (firstMistake) {
  firstMistake.focus();
} else {
  // After a change went through, the message saying so is where the person lands.
  const message = document.querySelector('main .flash');
  if (message) message.focus();
}

// "Print" on a menu's page opens its public page at #print: offer the print dialog there.
if (location.hash === '#print' && document.querySelector('.public-menu, .menu-qr')) {
  window.addEventListener('load', () => window.print(), { once: true });
}

// "Copy" beside a read-only link: shown only where the clipboard can be written; the field
// itself can always be selected and copied by hand.
for (const button of document.querySelectorAll('button[data-copy]')) {
  const field = document.getElementById(button.dataset.copy);
  if (!field || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      button.textContent = 'Copied';
    } catch {
      field.select();
      button.textContent = 'Press Ctrl+C to copy';
    }
  });
}

// A picture that fails to load leaves its tidy placeholder (or its space in a list) rather
// than a broken-image icon.
const PICTURES = '.pic img, img.thumb';
document.addEventListener('error', (event) => {
  if (event.target instanceof HTMLImageElement && event.target.matches(PICTURES)) {
    event.target.classList.add('failed');
  }
}, true);
// This script runs once the page is parsed: a picture that failed before then (a server
// that refuses at once) had no listener yet. One that was asked for (it has a current
// source), is done, and has no pixels failed; a lazy one not yet asked for has no source.
for (const image of document.querySelectorAll(PICTURES)) {
  if (image.currentSrc && image.complete && image.naturalWidth === 0) {
    image.classList.add('failed');
  }
}
