// Small helps for people with JavaScript on; every page works the same without it.

// A form sent back with mistakes: put the cursor in the first field to correct, so
// keyboard and screen-reader users land where the work is.
const firstMistake = document.querySelector('main [aria-invalid="true"]');
if (firstMistake) {
  firstMistake.focus();
}
