// Render every Vega-Lite spec with the vendored vega-embed (no request leaves this server), on page load and
// whenever htmx swaps new content in (e.g. an analysis that has just finished). Numbers and dates on axes and in
// tooltips follow the page's language (<html lang>), with the same decimal mark and thousands separator as the
// figures the server writes (web/core/formatting.py; tests/web/core/test_chart_locales.py compares them).

/* locales */
const CHART_LOCALES = {
  "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["€", ""], "percent": "\u00a0%",
         "dateTime": "%a %e %b %Y %X", "date": "%d/%m/%Y", "time": "%H:%M:%S", "periods": ["AM", "PM"],
         "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
         "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
         "months": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                    "November", "December"],
         "shortMonths": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]},
  "es": {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", "\u00a0€"], "percent": "\u00a0%",
         "dateTime": "%A, %e de %B de %Y, %X", "date": "%d/%m/%Y", "time": "%H:%M:%S", "periods": ["", ""],
         "days": ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"],
         "shortDays": ["dom", "lun", "mar", "mié", "jue", "vie", "sáb"],
         "months": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
                    "noviembre", "diciembre"],
         "shortMonths": ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"]},
  "it": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", "\u00a0€"], "percent": "\u00a0%",
         "dateTime": "%A %e %B %Y, %X", "date": "%d/%m/%Y", "time": "%H:%M:%S", "periods": ["", ""],
         "days": ["domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"],
         "shortDays": ["dom", "lun", "mar", "mer", "gio", "ven", "sab"],
         "months": ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
                    "ottobre", "novembre", "dicembre"],
         "shortMonths": ["gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"]},
  "pt": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", "\u00a0€"], "percent": "\u00a0%",
         "dateTime": "%A, %e de %B de %Y, %X", "date": "%d/%m/%Y", "time": "%H:%M:%S", "periods": ["", ""],
         "days": ["domingo", "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado"],
         "shortDays": ["dom", "seg", "ter", "qua", "qui", "sex", "sáb"],
         "months": ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
                    "novembro", "dezembro"],
         "shortMonths": ["jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"]},
  "el": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", "\u00a0€"], "percent": "\u00a0%",
         "dateTime": "%A, %e %B %Y, %X", "date": "%d/%m/%Y", "time": "%H:%M:%S", "periods": ["π.μ.", "μ.μ."],
         "days": ["Κυριακή", "Δευτέρα", "Τρίτη", "Τετάρτη", "Πέμπτη", "Παρασκευή", "Σάββατο"],
         "shortDays": ["Κυρ", "Δευ", "Τρί", "Τετ", "Πέμ", "Παρ", "Σάβ"],
         "months": ["Ιανουάριος", "Φεβρουάριος", "Μάρτιος", "Απρίλιος", "Μάιος", "Ιούνιος", "Ιούλιος", "Αύγουστος",
                    "Σεπτέμβριος", "Οκτώβριος", "Νοέμβριος", "Δεκέμβριος"],
         "shortMonths": ["Ιαν", "Φεβ", "Μαρ", "Απρ", "Μάι", "Ιουν", "Ιουλ", "Αυγ", "Σεπ", "Οκτ", "Νοέ", "Δεκ"]},
  "ro": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", "\u00a0lei"], "percent": "\u00a0%",
         "dateTime": "%A, %e %B %Y, %X", "date": "%d.%m.%Y", "time": "%H:%M:%S", "periods": ["", ""],
         "days": ["duminică", "luni", "marți", "miercuri", "joi", "vineri", "sâmbătă"],
         "shortDays": ["dum", "lun", "mar", "mie", "joi", "vin", "sâm"],
         "months": ["ianuarie", "februarie", "martie", "aprilie", "mai", "iunie", "iulie", "august", "septembrie",
                    "octombrie", "noiembrie", "decembrie"],
         "shortMonths": ["ian", "feb", "mar", "apr", "mai", "iun", "iul", "aug", "sep", "oct", "nov", "dec"]},
  "pl": {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", "\u00a0zł"], "percent": "\u00a0%",
         "dateTime": "%A, %e %B %Y, %X", "date": "%d.%m.%Y", "time": "%H:%M:%S", "periods": ["", ""],
         "days": ["niedziela", "poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota"],
         "shortDays": ["niedz.", "pon.", "wt.", "śr.", "czw.", "pt.", "sob."],
         "months": ["styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec", "lipiec", "sierpień", "wrzesień",
                    "październik", "listopad", "grudzień"],
         "shortMonths": ["sty", "lut", "mar", "kwi", "maj", "cze", "lip", "sie", "wrz", "paź", "lis", "gru"]}
};
/* end locales */

function chartLocale(element) {
  // the language of the chart's own content (a report written in another language than the page's) or the page's
  const owner = (element && element.closest("[lang]")) || document.documentElement;
  const lang = (owner.lang || "en").toLowerCase().split("-")[0];
  const locale = CHART_LOCALES[lang] || CHART_LOCALES.en;
  const number = {decimal: locale.decimal, thousands: locale.thousands, grouping: locale.grouping,
                  currency: locale.currency, percent: locale.percent, minus: "-"};
  const time = {dateTime: locale.dateTime, date: locale.date, time: locale.time, periods: locale.periods,
                days: locale.days, shortDays: locale.shortDays, months: locale.months,
                shortMonths: locale.shortMonths};
  return {number, time};
}

function renderCharts(root) {
  for (const figure of root.querySelectorAll("figure.chart:not([data-rendered])")) {
    const locale = chartLocale(figure);
    figure.setAttribute("data-rendered", "pending");
    const spec = JSON.parse(figure.querySelector("script[type='application/json']").textContent);
    const target = figure.querySelector(".vega");
    vegaEmbed(target, spec, {actions: false, renderer: "svg", formatLocale: locale.number,
                             timeFormatLocale: locale.time})
      .then(() => figure.setAttribute("data-rendered", "true"))
      .catch((error) => {
        // the message is written by the server in the page's language (data-error)
        target.textContent = (target.dataset.error || "") + " " + error.message;
        figure.setAttribute("data-rendered", "error");
      });
  }
}
document.addEventListener("DOMContentLoaded", () => renderCharts(document));
document.addEventListener("htmx:afterSettle", (event) => renderCharts(event.target));
