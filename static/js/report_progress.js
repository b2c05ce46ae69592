// While a funder report is built in the background, follow its progress; reload when it is done or failed.
(function () {
  var bar = document.getElementById("rapport-voortgang");
  if (!bar) return;
  var step = document.getElementById("rapport-stap");
  var failures = 0;
  var timer = setInterval(function () {
    fetch(bar.dataset.url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) {
        bar.value = data.progress;
        bar.textContent = data.progress + "%";
        if (step && data.step) step.textContent = data.step + "…";
        if (data.status === "klaar" || data.status === "mislukt") {
          clearInterval(timer);
          window.location.reload();
        }
      })
      .catch(function () {
        // Logged out or the server gone: stop after a minute; the page keeps its reload link.
        failures += 1;
        if (failures > 30) clearInterval(timer);
      });
  }, 2000);
})();
