/* pmkit: open every timeline that scrolls sideways (a phone) with its "as of" line in view.
   The image carries the line's place as a share of its width (data-asof); the script runs
   before the first paint (at the end of the body) and again once the images have loaded. */
(function () {
  function reveal() {
    document.querySelectorAll("img[data-asof]").forEach(function (img) {
      var box = img.parentElement;
      if (!box || box.scrollWidth <= box.clientWidth + 1 || box.dataset.pmkitScrolled) return;
      var x = img.getBoundingClientRect().width * parseFloat(img.getAttribute("data-asof"));
      box.scrollLeft = Math.max(0, x - box.clientWidth * 0.6);
      box.dataset.pmkitScrolled = "1";
    });
  }
  reveal();
  window.addEventListener("load", reveal);
})();
