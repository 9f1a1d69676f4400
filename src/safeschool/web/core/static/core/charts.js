// Render every Vega-Lite spec on the page with the vendored vega-embed (no request leaves this server).
document.addEventListener("DOMContentLoaded", () => {
  for (const figure of document.querySelectorAll("figure.chart")) {
    const spec = JSON.parse(figure.querySelector("script[type='application/json']").textContent);
    const target = figure.querySelector(".vega");
    vegaEmbed(target, spec, { actions: false, renderer: "svg" })
      .then(() => figure.setAttribute("data-rendered", "true"))
      .catch((error) => {
        target.textContent = "This chart could not be drawn: " + error.message;
        figure.setAttribute("data-rendered", "error");
      });
  }
});
