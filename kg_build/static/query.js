// The query page: YASGUI on this server's SPARQL endpoint, one tab per catalogue query.
// With ?run=NAME the tab of that query is selected and run as the page opens.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("catalogue").textContent);
  var endpoint = new URL(data.endpoint, window.location.href).href;
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    autoAddOnInit: false,
    populateFromUrl: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } }
  });
  var run = new URLSearchParams(window.location.search).get("run");
  var chosen = null;
  data.tabs.forEach(function (tab, i) {
    var made = yasgui.addTab(run ? tab.name === run : i === 0,
                             { name: tab.name, yasqe: { value: tab.query }, requestConfig: { endpoint: endpoint } });
    if (tab.name === run) { chosen = made; }
  });
  if (chosen) { chosen.query(); }
  window.ntrkYasgui = yasgui;
})();
