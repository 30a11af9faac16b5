// Small helps for people with JavaScript on; every page works the same without it.

// A form sent back with mistakes: put the cursor in the first field to correct, so
// keyboard and screen-reader users land where the work is.
const firstMistake = document.querySelector('main [aria-invalid="true"]');
if (firstMistake) {
  firstMistake.focus();
}

// "Print" on a menu's page opens its public page at #print: offer the print dialog there.
if (location.hash === '#print' && document.querySelector('.public-menu, .menu-qr')) {
  window.addEventListener('load', () => window.print(), { once: true });
}
