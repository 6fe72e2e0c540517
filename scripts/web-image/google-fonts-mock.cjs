/**
 * Answers next/font/google's requests at image build time from @fontsource npm packages, so
 * `next build` of the Dify web needs no access to fonts.googleapis.com / fonts.gstatic.com.
 *
 * How Next.js (15.x, packages/font/src/google/) uses this module:
 * - fetch-css-from-google-fonts.ts: when NEXT_FONT_GOOGLE_MOCKED_RESPONSES names a module, it
 *   requires it and uses `module[url]` as the stylesheet of that css2 URL (missing: build error
 *   "Missing mocked response for URL: ...");
 * - find-font-files-in-css.ts: a `/* <subset> *\/` comment names the subset of the next
 *   @font-face (for preloading), its file is the first `src: url(...)` of a line;
 * - fetch-font-file.ts: under the mock, a font URL starting with "/" is read from disk.
 *
 * The stylesheet is built from the package's own CSS (`<weight>.css`, `<weight>-italic.css`,
 * one @font-face per subset, each preceded by a `/* <family>-<subset>-<weight>-<style> *\/`
 * comment) with the woff2 files as absolute paths. Packages live under $DIFY_NKP_FONTS_DIR as
 * node_modules would hold them (`@fontsource/<family-in-kebab-case>/`). Variable-axis ranges
 * (`wght@100..900`) are not served by these packages: such a URL gets no answer.
 * Used by scripts/build-web-image.sh only; plain CommonJS because it runs under the plain node
 * of the web image's build stage.
 */
"use strict";
const fs = require("fs");
const path = require("path");

/** "Instrument Serif" -> "instrument-serif" (fontsource's package and file names). */
function kebab(family) {
  return family
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** The (style, weight) pairs a css2 family parameter asks for, or undefined if unsupported. */
function variants(spec) {
  const [, axes] = spec.split(":");
  if (axes === undefined) return [{ style: "normal", weight: "400" }];
  const m = /^([a-z,]+)@(.+)$/i.exec(axes);
  if (!m) return undefined;
  const tags = m[1].split(",");
  const out = [];
  for (const tuple of m[2].split(";")) {
    const values = tuple.split(",");
    if (values.length !== tags.length || values.some((v) => !/^\d+$/.test(v))) return undefined;
    const axis = Object.fromEntries(tags.map((t, i) => [t, values[i]]));
    out.push({ style: axis.ital === "1" ? "italic" : "normal", weight: axis.wght ?? "400" });
  }
  return out;
}

/** The @font-face rules of one variant, Google-style, or undefined when the package lacks it. */
function faces(pkgDir, family, { style, weight }, display) {
  const cssFile = path.join(pkgDir, style === "italic" ? `${weight}-italic.css` : `${weight}.css`);
  if (!fs.existsSync(cssFile)) return undefined;
  const css = fs.readFileSync(cssFile, "utf8");
  const prefix = `${kebab(family)}-`;
  const suffix = `-${weight}-${style}`;
  const rules = [];
  for (const m of css.matchAll(/\/\*\s*([^*]+?)\s*\*\/\s*@font-face\s*{([^}]*)}/g)) {
    const [, name, body] = m;
    if (!name.startsWith(prefix) || !name.endsWith(suffix)) continue;
    const subset = name.slice(prefix.length, name.length - suffix.length);
    const file = /url\(\.\/([^)]+\.woff2)\)/.exec(body);
    const range = /unicode-range:\s*([^;]+);/.exec(body);
    if (!file) continue;
    const src = path.join(pkgDir, file[1]);
    if (!fs.existsSync(src)) continue;
    rules.push(
      [
        `/* ${subset} */`,
        "@font-face {",
        `  font-family: '${family}';`,
        `  font-style: ${style};`,
        `  font-weight: ${weight};`,
        `  font-display: ${display};`,
        `  src: url(${src}) format('woff2');`,
        ...(range ? [`  unicode-range: ${range[1].trim()};`] : []),
        "}",
      ].join("\n"),
    );
  }
  return rules.length > 0 ? rules.join("\n") : undefined;
}

/** The stylesheet Google Fonts would return for a css2 URL, from local packages; else undefined. */
function stylesheet(url, fontsDir) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.hostname !== "fonts.googleapis.com" || u.pathname !== "/css2" || !fontsDir) return undefined;
  const display = u.searchParams.get("display") || "swap";
  const out = [];
  for (const spec of u.searchParams.getAll("family")) {
    const family = spec.split(":")[0];
    const pkgDir = path.join(fontsDir, "@fontsource", kebab(family));
    const wanted = variants(spec);
    if (!wanted || !fs.existsSync(pkgDir)) return undefined;
    for (const v of wanted) {
      const css = faces(pkgDir, family, v, display);
      if (css === undefined) return undefined;
      out.push(css);
    }
  }
  return out.length > 0 ? `${out.join("\n")}\n` : undefined;
}

// Any property read is a URL lookup; `stylesheet` itself is exported for tests.
module.exports = new Proxy(
  {},
  {
    get: (_target, key) => {
      if (key === "stylesheet") return stylesheet;
      return typeof key === "string" ? stylesheet(key, process.env.DIFY_NKP_FONTS_DIR) : undefined;
    },
  },
);
