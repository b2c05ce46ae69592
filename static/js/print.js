// A "print" button without inline script (the Content-Security-Policy allows no onclick).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
