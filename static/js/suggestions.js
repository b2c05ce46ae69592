// While suggestions are computed in the background, reload just that part of the page until ready.
(function () {
  function poll(box) {
    if (!box || box.dataset.state !== "computing") return;
    setTimeout(function () {
      fetch(box.dataset.url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector("#suggesties");
          if (fresh) { box.replaceWith(fresh); poll(fresh); }
        })
        .catch(function () { poll(box); });
    }, 1500);
  }
  poll(document.getElementById("suggesties"));

  // Batch assignment progress: follow the run until it is done, then show the result.
  var progress = document.getElementById("batch-voortgang");
  if (progress && progress.dataset.done !== "true") {
    var timer = setInterval(function () {
      fetch(progress.dataset.url, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          progress.value = data.progress;
          progress.textContent = data.progress + "%";
          if (data.done) { clearInterval(timer); window.location.reload(); }
        });
    }, 1000);
  }
})();
