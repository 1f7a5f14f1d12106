// Observable Framework configuration of the relintel dashboard.
// Built offline: no global stylesheet (the default links web fonts from a
// CDN), no search (its index is fine, but keep the site minimal), and every
// library imported by package name from node_modules, never `npm:`.
export default {
  title: "relintel",
  root: "src",
  output: "dist",
  globalStylesheets: [],
  // No favicon request (Chromium asks for /favicon.ico otherwise).
  head: `<link rel="icon" href="data:,"><style>#observablehq-main table { max-width: none; } .scroll { max-height: 520px; overflow: auto; }</style>`,
  theme: ["air", "wide"],
  pages: [
    {name: "Pipeline", path: "/"},
    {name: "Account", path: "/account"},
    {name: "Who knows a lead", path: "/who-knows"}
  ],
  pager: false,
  search: false,
  footer: "relintel dashboard: data read from relintel's public views and functions at build time."
};
