// While suggestions are computed in the background, reload just that part of the page until ready.
(function () {
  var failures = 0;
  function poll(box) {
    // Give up after a minute of errors (logged out, server gone); the page still has a reload link.
    if (!box || box.dataset.state !== "computing" || failures > 40) return;
    setTimeout(function () {
      fetch(box.dataset.url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector("#suggesties");
          // Still computing: leave the page alone, or a screen reader would hear it again each time.
          if (!fresh || fresh.dataset.state === "computing") return poll(box);
          // Swap the contents, not the box: the box is the live region, and a screen reader only
          // announces changes inside a live region that was already on the page.
          box.dataset.state = fresh.dataset.state;
          box.replaceChildren.apply(box, Array.prototype.slice.call(fresh.childNodes));
          poll(box);
        })
        .catch(function () { failures += 1; poll(box); });
    }, 1500);
  }
  poll(document.getElementById("suggesties"));

  // Batch assignment progress: follow the run until it is done, then show the result.
  var progress = document.getElementById("batch-voortgang");
  if (progress && progress.dataset.done !== "true") {
    var timer = setInterval(function () {
      fetch(progress.dataset.url, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
        .then(function (data) {
          progress.value = data.progress;
          progress.textContent = data.progress + "%";
          if (data.done) { clearInterval(timer); window.location.reload(); }
        })
        .catch(function () {});  // try again on the next tick
    }, 1000);
  }
})();
