// Render every Vega-Lite spec with the vendored vega-embed (no request leaves this server), on page load and
// whenever htmx swaps new content in (e.g. an analysis that has just finished).
function renderCharts(root) {
  for (const figure of root.querySelectorAll("figure.chart:not([data-rendered])")) {
    figure.setAttribute("data-rendered", "pending");
    const spec = JSON.parse(figure.querySelector("script[type='application/json']").textContent);
    const target = figure.querySelector(".vega");
    vegaEmbed(target, spec, { actions: false, renderer: "svg" })
      .then(() => figure.setAttribute("data-rendered", "true"))
      .catch((error) => {
        target.textContent = "This chart could not be drawn: " + error.message;
        figure.setAttribute("data-rendered", "error");
      });
  }
}
document.addEventListener("DOMContentLoaded", () => renderCharts(document));
document.addEventListener("htmx:afterSettle", (event) => renderCharts(event.target));
