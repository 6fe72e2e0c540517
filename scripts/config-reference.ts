/**
 * Writes the generated parts of Pulumi.yaml (the `config:` block) and docs/config.md (the key
 * tables) from the config catalogue (components/config-catalogue.ts). test/unit/config.test.ts
 * fails when either is out of date.
 *   npm run config-reference
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigKey, configCatalogue, ConfigSection, sectionTitles } from "../components/config-catalogue";

export const repoRoot = path.resolve(__dirname, "..");
export const pulumiYaml = path.join(repoRoot, "Pulumi.yaml");
export const configDoc = path.join(repoRoot, "docs", "config.md");

const sections = (): [ConfigSection, ConfigKey[]][] => {
  const out = new Map<ConfigSection, ConfigKey[]>();
  for (const k of configCatalogue) out.set(k.section, [...(out.get(k.section) ?? []), k]);
  return [...out];
};

/** Pulumi.yaml's `config:` block (the last block of the file). */
export function pulumiConfigBlock(): string {
  const lines = ["config:"];
  for (const [name, keys] of sections()) {
    lines.push(`  # ${sectionTitles[name].en}`);
    for (const k of keys) {
      const def = typeof k.default === "string" ? JSON.stringify(k.default) : String(k.default);
      lines.push(`  ${k.key}:`, `    type: ${k.type}`, `    description: ${JSON.stringify(k.doc)}`);
      lines.push(`    default: ${def}`);
    }
  }
  return lines.join("\n") + "\n";
}

export const docBegin = "<!-- generated from components/config-catalogue.ts by npm run config-reference -->";
export const docEnd = "<!-- end of generated key tables -->";

/** docs/config.md's key tables, between docBegin and docEnd. */
export function configTables(): string {
  const out: string[] = [];
  for (const [name, keys] of sections()) {
    out.push(`### ${sectionTitles[name].en} / ${sectionTitles[name].ja}`, "");
    out.push("| key (`dify:`) | type | default | description | 説明 |", "|---|---|---|---|---|");
    for (const k of keys) {
      const def = k.default === "" ? "—" : `\`${k.default}\``;
      out.push(`| \`${k.key}\` | ${k.type} | ${def} | ${k.doc} | ${k.ja} |`);
    }
    out.push("");
  }
  return out.join("\n") + "\n";
}

/** A file's text with its generated part replaced. */
export function withGenerated(file: "pulumi" | "doc", text: string): string {
  if (file === "pulumi") {
    const at = text.indexOf("\nconfig:\n");
    if (at < 0) throw new Error("Pulumi.yaml has no config: block");
    return text.slice(0, at + 1) + pulumiConfigBlock();
  }
  const a = text.indexOf(docBegin);
  const b = text.indexOf(docEnd);
  if (a < 0 || b < a) throw new Error(`docs/config.md lacks the markers ${docBegin} ... ${docEnd}`);
  return `${text.slice(0, a + docBegin.length)}\n\n${configTables()}${text.slice(b)}`;
}

if (require.main === module) {
  fs.writeFileSync(pulumiYaml, withGenerated("pulumi", fs.readFileSync(pulumiYaml, "utf8")));
  fs.writeFileSync(configDoc, withGenerated("doc", fs.readFileSync(configDoc, "utf8")));
}
