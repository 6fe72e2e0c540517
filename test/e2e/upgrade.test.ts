/**
 * Upgrade from the first release: stacks created by v0.1.0 (commit 56ac0bc) with the real
 * `pulumi` CLI, then `git pull` to the current program in the same folder and `pulumi up`.
 *
 * v0.1.0 registered every Kubernetes resource on the engine's default provider and read the
 * Traefik Service into the stack (`Service.get`); the current program uses one explicit provider
 * aliased to that default one (components/kube-provider.ts) and reads nothing into the stack.
 * The upgrade must be in place: the helm Release, the credentials Secret, the namespace, the
 * PVCs and the random resources are kept, a data-store pod restarts only when this version
 * changed its pod template (Postgres: server flags), the credentials are unchanged, and a
 * second preview shows no change. Two stacks, one per way of naming the cluster a v0.1.0 user
 * had (README: KUBECONFIG; or the stack's kubernetes:kubeconfig).
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { credentialsSecretName } from "../../components/chart-contract";
import * as kubeProvider from "../../components/kube-provider";
import { CliRun, Pulumi, PulumiStack, registerPlugins } from "../../scripts/lib/pulumi";
import { repoRoot } from "../lib/paths";
import { Sim, startSim } from "../lib/sim";

/** The first released version. */
// The commit, not a tag: a CI clone of main carries the history but not necessarily tags.
const previousTag = "56ac0bc265bf48e97888ce7d39a418b3c816cb47";
const webImage = "registry.example.local/dify/dify-web:1.11.4-dify";
const releaseName = "dify";
const dataStores = ["postgresql", "redis", "weaviate"];

function ok(run: CliRun): CliRun {
  assert.strictEqual(run.status, 0, `pulumi ${run.args.join(" ")} failed:\n${run.output.slice(-4000)}`);
  return run;
}

/** The project folder a v0.1.0 user has: that tag's files, and node_modules as `npm ci` makes them. */
function checkoutPrevious(dir: string): void {
  const tar = execFileSync("git", ["-C", repoRoot, "archive", previousTag], { maxBuffer: 256 * 1024 * 1024 });
  execFileSync("tar", ["-x", "-C", dir], { input: tar });
  linkNodeModules(dir);
}

/**
 * node_modules of the project folder: this checkout's, linked, when the lockfiles are equal, else
 * `npm ci --prefer-offline` there (v0.1.0's lockfile lacks the lint tools added since).
 */
function linkNodeModules(dir: string): void {
  const lock = (d: string) => fs.readFileSync(path.join(d, "package-lock.json"), "utf8");
  if (fs.existsSync(path.join(dir, "node_modules"))) return;
  if (lock(dir) === lock(repoRoot))
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"));
  else
    execFileSync("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: dir, stdio: "ignore" });
}

/**
 * What `git pull` does to the user's folder: the files of the previous release replaced by this
 * checkout's (tracked and new, as in the working tree), node_modules kept (`npm ci` after a
 * lockfile change).
 */
function checkoutCurrent(dir: string): void {
  for (const e of fs.readdirSync(dir))
    if (e !== "node_modules") fs.rmSync(path.join(dir, e), { recursive: true });
  const files = execFileSync("git", [
    "-C",
    repoRoot,
    "ls-files",
    "-z",
    "--cached",
    "--others",
    "--exclude-standard",
  ])
    .toString()
    .split("\0")
    .filter(
      (f) => f && fs.existsSync(path.join(repoRoot, f)) && fs.statSync(path.join(repoRoot, f)).isFile(),
    );
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, f), path.join(dir, f));
  }
  // The previous release's node_modules (a link, or its own `npm ci` when the lockfiles differ)
  // gives way to this checkout's.
  fs.rmSync(path.join(dir, "node_modules"), { recursive: true, force: true });
  linkNodeModules(dir);
}

/** sha256 of each value: compared, never printed. */
function hashes(data: Record<string, string>): Record<string, string> {
  const sha256 = (v: string) => crypto.createHash("sha256").update(v).digest("hex");
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, sha256(v)]));
}

/** What must survive the upgrade, read from the cluster and the stack. */
interface Snapshot {
  namespace: string;
  secret: { uid: string; data: Record<string, string> };
  pvcs: Record<string, string>;
  /** Per data store (component label): its StatefulSet's uid and pod template, its pod's uid. */
  dataStores: Record<string, { statefulSet: string; template: string; pod: string }>;
  /** Helm's release records: revision -> uid and status. */
  helmRevisions: Record<string, { uid: string; status: string }>;
  traefikService: string;
  /** The stack's outputs, secrets shown and hashed. */
  outputs: Record<string, string>;
  /** URN -> id, creation time and provider of every resource in the stack's state but the stack. */
  state: Record<string, { id?: string; created?: string; provider?: string }>;
}

function snapshot(sim: Sim, stack: PulumiStack, ns: string): Snapshot {
  const uid = (o: any) => o.metadata.uid as string;
  const secret = sim.getJson(["-n", ns, "get", "secret", credentialsSecretName(releaseName)]);
  const decoded = Object.entries<string>(secret.data).map(([k, v]) => [
    k,
    Buffer.from(v, "base64").toString(),
  ]);
  const data = Object.fromEntries(decoded);
  const pods = sim.getJson(["-n", ns, "get", "pods"]).items.filter((p: any) => !p.metadata.deletionTimestamp);
  const component = (o: any) => o.metadata.labels["app.kubernetes.io/component"] as string;
  const sets = sim
    .getJson(["-n", ns, "get", "statefulsets"])
    .items.filter((s: any) => dataStores.includes(component(s)));
  const dataStorePods = Object.fromEntries(
    sets.map((s: any) => {
      const pod = pods.find((p: any) => component(p) === component(s));
      return [
        component(s),
        { statefulSet: uid(s), template: JSON.stringify(s.spec.template), pod: pod && uid(pod) },
      ];
    }),
  );
  const records = sim.getJson(["-n", ns, "get", "secrets", "-l", `owner=helm,name=${releaseName}`]).items;
  const shown = stack.outputs({ showSecrets: true });
  ok(shown.run);
  const exported = ok(stack.pulumi.run(["stack", "export", "--stack", stack.name]));
  const resources = JSON.parse(exported.stdout).deployment.resources.filter(
    (r: any) => r.type !== "pulumi:pulumi:Stack",
  );
  return {
    namespace: uid(sim.getJson(["get", "namespace", ns])),
    secret: { uid: uid(secret), data: hashes(data) },
    pvcs: Object.fromEntries(
      sim.getJson(["-n", ns, "get", "pvc"]).items.map((p: any) => [p.metadata.name, uid(p)]),
    ),
    dataStores: dataStorePods,
    helmRevisions: Object.fromEntries(
      records.map((s: any) => [s.metadata.labels.version, { uid: uid(s), status: s.metadata.labels.status }]),
    ),
    traefikService: uid(sim.getJson(["-n", "kommander", "get", "service", "kommander-traefik"])),
    outputs: hashes(Object.fromEntries(Object.entries(shown.outputs).map(([k, v]) => [k, String(v)]))),
    state: Object.fromEntries(
      resources.map((r: any) => [r.urn, { id: r.id, created: r.created, provider: r.provider }]),
    ),
  };
}

/** A step of `pulumi preview --json`. */
interface Step {
  op: string;
  urn: string;
  replaceReasons?: string[];
}

const type = (urn: string) => urn.split("::")[2].split("$").pop() as string;
const isProvider = (urn: string) => type(urn).startsWith("pulumi:providers:");
/** Type and name of the current program's Kubernetes provider in a URN. */
const explicitProvider = `pulumi:providers:kubernetes::${kubeProvider.kubernetesProviderName}`;

/** One way a v0.1.0 user named the cluster, on its own stack and namespace. */
interface Route {
  title: string;
  stack: string;
  namespace: string;
  /** Extra stack config of that user. */
  config(sim: Sim, stateDir: string): Record<string, string>;
  /** Environment of that user's runs. */
  env(sim: Sim): Record<string, string>;
  /** Whether the explicit provider is replaced (state only: a provider holds nothing in the cluster). */
  providerReplaced: boolean;
}

const routes: Route[] = [
  {
    title: "KUBECONFIG in the environment (the README's route)",
    stack: "prod",
    namespace: "dify",
    config: () => ({}),
    env: (sim) => ({ KUBECONFIG: sim.kubeconfig }),
    providerReplaced: false,
  },
  {
    // The old default provider got this path; the explicit one gets the reader's re-serialised
    // config, which has no `extensions` (as minikube or vendor tools write them): pulumi-kubernetes'
    // DiffConfig sees another cluster. Only the alias keeps that from replacing the Release.
    title: "kubernetes:kubeconfig in the stack, a kubeconfig whose cluster carries extensions",
    stack: "edge",
    namespace: "dify-edge",
    config: (sim, stateDir) => {
      const kc = YAML.parse(fs.readFileSync(sim.kubeconfig, "utf8"));
      const extension = { provider: "nkp.example", version: "v2.17" };
      kc.clusters[0].cluster.extensions = [{ name: "cluster_info", extension }];
      const file = path.join(stateDir, "kubeconfig-with-extensions.yaml");
      fs.writeFileSync(file, YAML.stringify(kc), { mode: 0o600 });
      return { "kubernetes:kubeconfig": file };
    },
    env: () => ({ KUBECONFIG: "/nonexistent/kubeconfig" }),
    providerReplaced: true,
  },
];

describe("e2e: upgrade from v0.1.0 (default provider, Service.get) with pulumi up", function () {
  this.timeout(600000);
  let sim: Sim;
  let projectDir: string;
  let stateDir: string;
  const installed: Record<string, Snapshot> = {};

  /** The CLI in the project folder as it is now (Pulumi.yaml read at construction). */
  const cli = (route: Route, env: Record<string, string> = {}) => {
    const passphrase = "upgrade-test-passphrase";
    return new Pulumi({
      projectDir,
      stateDir,
      passphrase,
      env: { ...route.env(sim), ...env },
      configInState: true,
    });
  };

  before(() => {
    sim = startSim("upgrade");
    projectDir = fs.mkdtempSync(path.join(os.tmpdir(), "dify-upgrade-project-"));
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "dify-upgrade-state-"));
    checkoutPrevious(projectDir);
    registerPlugins(projectDir);
  });
  after(() => {
    sim?.down();
    if (projectDir) fs.rmSync(projectDir, { recursive: true, force: true });
  });

  for (const route of routes) {
    it(`v0.1.0 installs with the CLI: ${route.title}`, () => {
      // That release was type-checked when it was made; here it only has to run.
      const p = cli(route, { PULUMI_NODEJS_TRANSPILE_ONLY: "true" });
      p.login();
      const s = p.stack(route.stack);
      s.init();
      s.setConfig({ webImage, namespace: route.namespace, ...route.config(sim, stateDir) });
      ok(s.up());
      const snap = snapshot(sim, s, route.namespace);
      // What the old program looked like in the state: the default provider and the read Service.
      const urns = Object.keys(snap.state);
      const project = YAML.parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")).name;
      assert.ok(urns.includes(kubeProvider.v010DefaultProviderUrn(route.stack, project)), urns.join("\n"));
      assert.ok(
        urns.some((u) => type(u) === "kubernetes:core/v1:Service"),
        "v0.1.0 read the Traefik Service",
      );
      assert.deepStrictEqual(
        Object.values(snap.helmRevisions).map((r) => r.status),
        ["deployed"],
      );
      assert.deepStrictEqual(Object.keys(snap.dataStores).sort(), dataStores);
      installed[route.stack] = snap;
    });
  }

  it("git pull: the same folder now holds the current program", () => {
    checkoutCurrent(projectDir);
    assert.ok(fs.existsSync(path.join(projectDir, "components", "kube-provider.ts")));
  });

  for (const route of routes) {
    describe(route.title, () => {
      let releaseStep: Step | undefined;

      it("preview with the current program plans no replacement and no deletion", () => {
        const s = cli(route).stack(route.stack);
        const steps: Step[] = JSON.parse(ok(s.preview({ json: true })).stdout).steps;
        const ops = steps.map((st) =>
          `${st.op} ${type(st.urn)} ${(st.replaceReasons ?? []).join(",")}`.trim(),
        );
        for (const st of steps) {
          const t = type(st.urn);
          if (st.op === "discard") {
            // A read resource leaves the state; the Service itself is not touched (checked after up).
            assert.strictEqual(t, "kubernetes:core/v1:Service", ops.join("\n"));
          } else if (isProvider(st.urn) && route.providerReplaced && st.op === "replace") {
            assert.strictEqual(t, "pulumi:providers:kubernetes");
            assert.deepStrictEqual(st.replaceReasons, ["kubeconfig"]);
          } else {
            assert.ok(
              ["same", "update"].includes(st.op),
              `unexpected step: ${st.op} ${st.urn}\n${ops.join("\n")}`,
            );
          }
        }
        const release = steps.find((st) => type(st.urn) === "kubernetes:helm.sh/v3:Release");
        // A preview lists a "same" Release only with --show-sames: absent means nothing to do.
        releaseStep = release ?? { op: "same", urn: "" };
        const provider = steps.find((st) => st.urn.endsWith(`::${explicitProvider}`));
        assert.ok(provider, `the explicit provider is not in the plan:\n${ops.join("\n")}`);
        assert.strictEqual(provider.op, route.providerReplaced ? "replace" : "update", ops.join("\n"));
      });

      it("up keeps Release, Secret, namespace, PVCs, random values; data stores roll only on a new template", () => {
        const s = cli(route).stack(route.stack);
        ok(s.up());
        assert.ok(releaseStep, "the preview before failed");
        const was = installed[route.stack];
        const now = snapshot(sim, s, route.namespace);
        assert.strictEqual(now.namespace, was.namespace, "namespace re-created");
        assert.deepStrictEqual(now.secret, was.secret, "credentials Secret re-created or changed");
        assert.deepStrictEqual(now.pvcs, was.pvcs, "a PVC was replaced");
        // A data store keeps its StatefulSet, and its pod unless this version changed that pod's
        // template (a restart the new settings need, e.g. Postgres server flags): never otherwise.
        const rolled: string[] = [];
        for (const c of dataStores) {
          const [a, b] = [now.dataStores[c], was.dataStores[c]];
          assert.strictEqual(a.statefulSet, b.statefulSet, `StatefulSet of ${c} re-created`);
          if (a.template === b.template)
            assert.strictEqual(a.pod, b.pod, `${c} restarted, its pod template unchanged`);
          else {
            assert.notStrictEqual(a.pod, b.pod, `${c} has a new pod template but its old pod`);
            rolled.push(c);
          }
        }
        console.log(`      data stores rolled by a new pod template: ${rolled.join(", ") || "none"}`);
        assert.strictEqual(now.traefikService, was.traefikService, "the Traefik Service was touched");
        assert.deepStrictEqual(
          now.outputs,
          was.outputs,
          "the stack outputs (URL, setup password, ...) changed",
        );
        // Helm: an upgrade to the next revision when the Release had a diff, else nothing.
        const revisions = Object.keys(was.helmRevisions).map(Number);
        const last = String(Math.max(...revisions));
        assert.strictEqual(
          now.helmRevisions[last].uid,
          was.helmRevisions[last].uid,
          "helm release history lost",
        );
        if (releaseStep.op === "update") {
          assert.strictEqual(now.helmRevisions[last].status, "superseded");
          const next = now.helmRevisions[String(Number(last) + 1)];
          assert.strictEqual(next?.status, "deployed", JSON.stringify(now.helmRevisions));
        } else {
          assert.deepStrictEqual(now.helmRevisions, was.helmRevisions);
        }
        // The state: every resource kept as it was created (a replacement gets a new creation
        // time), the explicit provider in place of the default one.
        const kept = Object.keys(was.state).filter(
          (u) => !isProvider(u) && type(u) !== "kubernetes:core/v1:Service",
        );
        assert.ok(kept.length >= 11, kept.join("\n"));
        for (const urn of kept) {
          const [a, b] = [now.state[urn], was.state[urn]];
          assert.deepStrictEqual([a?.id, a?.created], [b.id, b.created], urn);
        }
        const urns = Object.keys(now.state);
        assert.ok(
          !urns.some((u) => u.endsWith(`::${kubeProvider.v010DefaultProviderName}`)),
          "v0.1.0's provider kept",
        );
        assert.ok(!urns.some((u) => type(u) === "kubernetes:core/v1:Service"), "the read Service stayed");
        const release = urns.find((u) => type(u) === "kubernetes:helm.sh/v3:Release") as string;
        assert.ok(
          (now.state[release].provider ?? "").includes(`::${explicitProvider}::`),
          now.state[release].provider,
        );
        for (const kind of ["deployments", "statefulsets"]) {
          for (const d of sim.getJson(["-n", route.namespace, "get", kind]).items) {
            assert.strictEqual(
              d.status.readyReplicas ?? 0,
              d.spec.replicas,
              `${kind}/${d.metadata.name} not ready`,
            );
          }
        }
      });

      it("then preview --expect-no-changes passes", () => {
        ok(cli(route).stack(route.stack).preview({ expectNoChanges: true }));
      });
    });
  }
});
