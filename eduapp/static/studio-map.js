// The scenario map's zoom, pan and fit (studio/_map.html). The map is a server-drawn SVG in a
// scrolling box: zooming sets the drawing's size (its viewBox stays the whole map), panning
// is the box's own scrolling. The page opens at full size with the start in view. Buttons and
// the keys + - 0 (when the map has focus) do the same. No inline script or style (CSP).
"use strict";

(function () {
  const STEP = 1.25;
  const MIN = 0.05;
  const MAX = 4;

  function setUp(figure) {
    const view = figure.querySelector(".map-scroll");
    const svg = view && view.querySelector("svg.map-svg");
    const controls = figure.querySelector(".map-controls");
    if (!svg || !controls) return;
    const box = svg.viewBox.baseVal;
    const said = controls.querySelector(".map-zoom");
    let scale = 1;

    function zoomTo(next, cx, cy) {
      // cx, cy: the map point (in map units) to keep at the centre of the view.
      scale = Math.min(MAX, Math.max(MIN, next));
      svg.setAttribute("width", String(box.width * scale));
      svg.setAttribute("height", String(box.height * scale));
      view.scrollLeft = cx * scale - view.clientWidth / 2;
      view.scrollTop = cy * scale - view.clientHeight / 2;
      said.textContent = "Zoom " + Math.round(scale * 100) + " %";
    }

    function centre() {
      return [
        (view.scrollLeft + view.clientWidth / 2) / scale,
        (view.scrollTop + view.clientHeight / 2) / scale,
      ];
    }

    function fit() {
      const next = Math.min(view.clientWidth / box.width, view.clientHeight / box.height, 1);
      zoomTo(next, box.width / 2, box.height / 2);
    }

    function showStart() {
      const x = Number(figure.dataset.startX);
      const y = Number(figure.dataset.startY);
      if (Number.isFinite(x) && Number.isFinite(y)) {
        // The start near the top of the view, centred across it.
        zoomTo(Math.max(scale, 0.5), x, y + view.clientHeight / 2 / Math.max(scale, 0.5) - 60);
      } else {
        fit();
      }
    }

    const actions = {
      in: () => zoomTo(scale * STEP, ...centre()),
      out: () => zoomTo(scale / STEP, ...centre()),
      fit: fit,
      start: showStart,
    };
    controls.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-map]");
      if (button) actions[button.dataset.map]();
    });
    view.addEventListener("keydown", (event) => {
      if (event.target !== view || event.ctrlKey || event.metaKey || event.altKey) return;
      const action = { "+": "in", "=": "in", "-": "out", 0: "fit" }[event.key];
      if (action) {
        event.preventDefault();
        actions[action]();
      }
    });
    controls.hidden = false;
    scale = 1;
    showStart();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("figure.scenario-map").forEach(setUp);
  });
})();
