import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "../lib/paths";

const script = path.join(repoRoot, "scripts", "build-web-image.sh");
const run = (...args: string[]) => spawnSync("bash", [script, ...args], { encoding: "utf8" });
/** The commands a dry run would execute, each as its argument list. */
const commands = (out: string) => out.split("\n").filter((l) => l.startsWith("+ ")).map((l) => l.slice(2).split(" "));

describe("build-web-image.sh", () => {
  it("builds from the release tag with the base path as build argument and pushes", () => {
    const r = run("--base-path", "/dify", "--image", "registry.example.local/dify/dify-web:1.11.4-dify", "--version", "1.11.4", "--tool", "docker", "--push", "--dry-run");
    assert.strictEqual(r.status, 0, r.stderr);
    const [clone, build, push] = commands(r.stdout);
    assert.deepStrictEqual(clone.slice(0, 6), ["git", "clone", "--depth", "1", "--branch", "1.11.4"]);
    assert.deepStrictEqual(build.slice(0, 6), ["docker", "build", "--build-arg", "NEXT_PUBLIC_BASE_PATH=/dify", "--tag", "registry.example.local/dify/dify-web:1.11.4-dify"]);
    // The fonts come from npm by default: the build runs on a copy of web/ with the adapted Dockerfile.
    assert.deepStrictEqual(build.slice(6, 7), ["--file"]);
    assert.ok(build[7].endsWith("/web/.dify-nkp/Dockerfile"), build[7]);
    assert.strictEqual(build[8], path.dirname(path.dirname(build[7])));
    assert.deepStrictEqual(push, ["docker", "push", "registry.example.local/dify/dify-web:1.11.4-dify"]);
    assert.match(r.stdout, /pulumi config set dify:webImage registry.example.local\/dify\/dify-web:1.11.4-dify/);
    assert.ok(r.stdout.includes("--set expose.path=/dify --set images.web.repository=registry.example.local/dify/dify-web --set images.web.tag=1.11.4-dify --set images.web.basePath=/dify"), r.stdout);
  });

  it("builds a provided source checkout as it is with --google-fonts and no mirror", () => {
    const r = run("--base-path", "/dify", "--image", "r/dify-web:x", "--source", "/srv/dify", "--tool", "buildah", "--google-fonts", "--dry-run");
    assert.strictEqual(r.status, 0, r.stderr);
    const cmds = commands(r.stdout);
    assert.strictEqual(cmds.length, 1);
    assert.deepStrictEqual(cmds[0], ["buildah", "bud", "--build-arg", "NEXT_PUBLIC_BASE_PATH=/dify", "--tag", "r/dify-web:x", "--file", "/srv/dify/web/Dockerfile", "/srv/dify/web"]);
  });

  describe("adapted Dockerfile (--print-dockerfile)", () => {
    // Only the lines of upstream's web/Dockerfile (Dify 1.11.4) the script anchors on, in their order.
    const anchors = [
      "FROM node:24-alpine AS base", "RUN apk add --no-cache tzdata", "RUN corepack enable",
      "FROM base AS builder", "COPY . .", "RUN pnpm build:docker",
      "FROM base AS production", "RUN pnpm add -g pm2",
    ];
    const made: string[] = [];
    after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
    const checkout = (lines: string[]) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dify-web-src-"));
      made.push(dir);
      fs.mkdirSync(path.join(dir, "web"));
      fs.writeFileSync(path.join(dir, "web", "Dockerfile"), `${lines.join("\n")}\n`);
      return dir;
    };
    const print = (src: string, ...args: string[]) =>
      run("--base-path", "/dify", "--image", "r/w:1", "--source", src, "--print-dockerfile", ...args);

    it("points base image, Alpine and npm (corepack's pnpm, packages, pm2) at the given mirrors", () => {
      const r = print(checkout(anchors), "--google-fonts",
        "--node-image", "registry.example.local/library/node:24-alpine",
        "--alpine-mirror", "https://mirror.example.local/alpine/", "--npm-registry", "https://npm.example.local/repo/");
      assert.strictEqual(r.status, 0, r.stderr);
      assert.deepStrictEqual(r.stdout.trimEnd().split("\n"), [
        "FROM registry.example.local/library/node:24-alpine AS base",
        "ENV NEXT_TELEMETRY_DISABLED=1",
        "RUN sed -i -E 's#^https?://dl-cdn.alpinelinux.org/alpine#https://mirror.example.local/alpine#'" +
          " /etc/apk/repositories",
        "ENV npm_config_registry=https://npm.example.local/repo/ COREPACK_NPM_REGISTRY=https://npm.example.local/repo",
        ...anchors.slice(1),
      ]);
    });

    it("by default serves next/font/google from the pinned npm font package, before next build", () => {
      const r = print(checkout(anchors));
      assert.strictEqual(r.status, 0, r.stderr);
      const lines = r.stdout.trimEnd().split("\n");
      const at = lines.indexOf("RUN pnpm build:docker");
      assert.deepStrictEqual(lines.slice(at - 2, at), [
        "RUN mkdir -p /tmp/dify-nkp-fonts && cd /tmp/dify-nkp-fonts" +
          " && npm pack --silent @fontsource/instrument-serif@5.3.0 && mkdir -p @fontsource/instrument-serif" +
          " && tar -xzf fontsource-instrument-serif-5.3.0.tgz -C @fontsource/instrument-serif --strip-components 1",
        "ENV DIFY_NKP_FONTS_DIR=/tmp/dify-nkp-fonts" +
          " NEXT_FONT_GOOGLE_MOCKED_RESPONSES=/app/web/.dify-nkp/google-fonts-mock.cjs",
      ]);
      assert.deepStrictEqual(lines.filter((l) => !l.includes("dify-nkp-fonts")),
        [anchors[0], "ENV NEXT_TELEMETRY_DISABLED=1", ...anchors.slice(1)], "nothing else changes");
    });

    it("with --google-fonts and no mirror, the Dockerfile is upstream's unchanged", () => {
      const r = print(checkout(anchors), "--google-fonts");
      assert.strictEqual(r.status, 0, r.stderr);
      assert.deepStrictEqual(r.stdout.trimEnd().split("\n"), anchors);
    });

    it("refuses a Dockerfile without its anchors instead of building something else", () => {
      const r = print(checkout(anchors.filter((l) => l !== "RUN pnpm build:docker")));
      assert.strictEqual(r.status, 2);
      assert.match(r.stderr, /no 'RUN pnpm build:docker' line: cannot add the local fonts; build with --google-fonts/);
      const noBase = print(checkout(["FROM node:24-alpine", ...anchors.slice(1)]),
        "--npm-registry", "https://npm.example.local/");
      assert.strictEqual(noBase.status, 2);
      assert.match(noBase.stderr, /has no 'FROM <image> AS base' line/);
    });

    it("a Dify version without a known font package needs --google-fonts", () => {
      const r = print(checkout(anchors), "--version", "1.12.0");
      assert.strictEqual(r.status, 2);
      assert.match(r.stderr, /no font package known for Dify 1.12.0: pass --google-fonts/);
      assert.match(r.stderr, /the build host then needs fonts.googleapis.com and fonts.gstatic.com/);
    });
  });

  for (const [args, message] of [
    [["--base-path", "/dify", "--image", "r/w:1", "--npm-registry", "npm.example.local"],
      "--npm-registry must be an http(s) URL"],
    [["--base-path", "/dify", "--image", "r/w:1", "--alpine-mirror", "https://m.example/a'b"],
      "--alpine-mirror must be an http(s) URL"],
    [["--image", "r/w:1"], "--base-path is required"],
    [["--base-path", "dify", "--image", "r/w:1"], "must start with /"],
    [["--base-path", "/dify/", "--image", "r/w:1"], "must not end with /"],
    [["--base-path", "/dify"], "--image is required"],
    [["--base-path", "/dify", "--image", "r/w"], "needs an explicit tag"],
    [["--base-path", "/dify", "--image", "r/w:1", "--version", "latest"], "--version must be a Dify release"],
    [["--base-path", "/dify", "--image", "r/w:1", "--tool", "kaniko"], "--tool must be"],
  ] as [string[], string][]) {
    it(`refuses ${args.join(" ")}`, () => {
      const r = run(...args, "--dry-run");
      assert.strictEqual(r.status, 2);
      assert.ok(r.stderr.includes(message), r.stderr);
    });
  }
});

describe("google-fonts-mock.cjs (next/font/google answered from npm font packages)", () => {
   
  const mock = require(path.join(repoRoot, "scripts", "web-image", "google-fonts-mock.cjs"));
  // The URL Next.js 15.5.9 requests for the web's Instrument_Serif({weight: ["400"], style: ["normal", "italic"]})
  // (its get-google-fonts-url.ts, computed with the real package).
  const url = "https://fonts.googleapis.com/css2?family=Instrument+Serif:ital,wght@0,400;1,400&display=swap";
  let dir: string;
  before(() => {
    // A package laid out like @fontsource/instrument-serif 5.x (our own text; same comment,
    // url and unicode-range shapes as its 400.css / 400-italic.css).
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "dify-fonts-"));
    const pkg = path.join(dir, "@fontsource", "instrument-serif");
    fs.mkdirSync(path.join(pkg, "files"), { recursive: true });
    for (const style of ["normal", "italic"]) {
      const css = ["latin-ext", "latin"].map((subset) => {
        const file = `instrument-serif-${subset}-400-${style}`;
        fs.writeFileSync(path.join(pkg, "files", `${file}.woff2`), `woff2 ${subset} ${style}`);
        return `/* ${file} */\n@font-face {\n  font-family: 'Instrument Serif';\n  font-style: ${style};\n` +
          `  font-display: swap;\n  font-weight: 400;\n` +
          `  src: url(./files/${file}.woff2) format('woff2'), url(./files/${file}.woff) format('woff');\n` +
          `  unicode-range: U+${subset === "latin" ? "0000-00FF" : "0100-02BA"};\n}\n`;
      });
      fs.writeFileSync(path.join(pkg, style === "italic" ? "400-italic.css" : "400.css"), css.join("\n"));
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("answers the URL Next.js requests with one @font-face per style and subset, files as absolute paths", () => {
    const css: string = mock.stylesheet(url, dir);
    // How Next.js reads it (find-font-files-in-css.ts): a "/* subset */" comment, then "src: url(...)" lines.
    const files: { subset: string; file: string }[] = [];
    let subset = "";
    for (const line of css.split("\n")) {
      const s = /\/\* (.+?) \*\//.exec(line)?.[1];
      if (s) subset = s;
      const f = /src: url\((.+?)\)/.exec(line)?.[1];
      if (f) files.push({ subset, file: f });
    }
    assert.deepStrictEqual(files.map((f) => f.subset), ["latin-ext", "latin", "latin-ext", "latin"]);
    for (const f of files) {
      assert.ok(path.isAbsolute(f.file) && f.file.endsWith(".woff2"), f.file);
      assert.ok(fs.existsSync(f.file), f.file);
    }
    assert.strictEqual(fs.readFileSync(files[3].file, "utf8"), "woff2 latin italic");
    assert.strictEqual((css.match(/font-display: swap;/g) ?? []).length, 4);
    assert.strictEqual((css.match(/font-style: italic;/g) ?? []).length, 2);
    assert.match(css, /font-family: 'Instrument Serif';\n/);
    assert.match(css, /unicode-range: U\+0000-00FF;/);
  });

  it("is read as a map keyed by URL, the directory coming from DIFY_NKP_FONTS_DIR", () => {
    const before = process.env.DIFY_NKP_FONTS_DIR;
    process.env.DIFY_NKP_FONTS_DIR = dir;
    try {
      assert.strictEqual(mock[url], mock.stylesheet(url, dir));
    } finally {
      if (before === undefined) delete process.env.DIFY_NKP_FONTS_DIR;
      else process.env.DIFY_NKP_FONTS_DIR = before;
    }
  });

  it("has no answer for fonts it does not have (Next.js then fails with 'Missing mocked response')", () => {
    const css2 = "https://fonts.googleapis.com/css2?family=";
    assert.strictEqual(mock.stylesheet(`${css2}Inter:wght@400&display=swap`, dir), undefined);
    assert.strictEqual(mock.stylesheet(`${css2}Instrument+Serif:wght@100..900`, dir), undefined);
    assert.strictEqual(mock.stylesheet(`${css2}Instrument+Serif:wght@700`, dir), undefined);
    assert.strictEqual(mock.stylesheet("https://example.com/css2?family=Instrument+Serif", dir), undefined);
  });
});
