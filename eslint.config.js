// eslint flat config for the browser code in static/js (run by `make lint` when node is present).
// Vendored libraries (static/vendor) are other projects' code and are not linted.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["static/vendor/**", "node_modules/**", ".venv/**"] },
  js.configs.recommended,
  {
    // The rep's PWA: ES modules loaded with <script type="module">.
    files: ["static/js/rep/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser, L: "readonly" },
    },
  },
  {
    // Classic scripts of the server-rendered pages; Leaflet (`L`) comes from static/vendor.
    files: ["static/js/*.js"],
    ignores: ["static/js/sw.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: { ...globals.browser, L: "readonly" },
    },
    // A classic script shares the page's global scope: keep everything inside its IIFE.
    rules: { "no-implicit-globals": "error" },
  },
  {
    files: ["static/js/sw.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: { ...globals.serviceworker },
    },
  },
  {
    files: ["static/js/**/*.js"],
    rules: {
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-var": "error",
      "prefer-const": "error",
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
    },
  },
];
