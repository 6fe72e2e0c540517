/**
 * Faults in the middle of a change, on the simulated NKP with the real engine and providers:
 * an interrupted up (while Helm installs, while it upgrades), two runs at once, a failed
 * migration, pods that never get Ready, lost pods and a node coming back, the credentials
 * Secret deleted by hand (with and without the stack's state). One cluster and one stack run
 * through the cases in order; each case asserts on what is in the cluster.
 * The faults of the simulation are test-only image tags (sim/stages/faults.yaml).
 */
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { defaultImageTag, versionMatrix } from "../../components/config";
import { CliRun, Pulumi, PulumiStack } from "../../scripts/lib/pulumi";
import { assertAllReady, deploymentImage, helmHistory, podUids, pvcs, secretData } from "../lib/cluster";
import { tool } from "../lib/paths";
import { Sim, startSim, waitFor } from "../lib/sim";

const webImage = "registry.example.local/dify/dify-web:1.11.4-dify";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** dify:imageTag=<tag> with the companion tags a tag outside the version matrix needs (the 1.11.4 row). */
// A tag outside the version matrix needs its companion images: 1.11.4's, from the matrix.
const tag = (t: string): Record<string, string> => ({ imageTag: t, ...versionMatrix[defaultImageTag] });

function ok(run: CliRun): CliRun {
  assert.strictEqual(run.status, 0, `pulumi ${run.args.join(" ")} failed:\n${run.output.slice(-4000)}`);
  return run;
}

/** The output of a run that must fail. */
function failed(run: CliRun): string {
  assert.notStrictEqual(run.status, 0, `pulumi ${run.args.join(" ")} succeeded`);
  return run.output;
}

interface Running {
  child: ChildProcess;
  done: Promise<{ status: number | null; output: string }>;
}

/**
 * `pulumi up --yes` of the stack (as PulumiStack.up runs it) started in its own process group,
 * as a terminal runs a foreground command. The CLI starts its plugins (language host, providers)
 * in process groups of their own, so a terminal's Ctrl-C (SIGINT to the foreground group) reaches
 * the CLI only.
 */
function startUp(p: Pulumi, stack: string): Running {
  const configFile = path.join(p.opts.stateDir, `Pulumi.${stack}.yaml`);
  const args = ["up", "--yes", "--non-interactive", "--config-file", configFile, "--stack", stack];
  const child = spawn(tool("pulumi"), args, {
    cwd: p.projectDir,
    env: p.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const done = new Promise<{ status: number | null; output: string }>((resolve) =>
    child.on("close", (status) => resolve({ status, output })),
  );
  return { child, done };
}

/** Ctrl-C in the terminal: SIGINT to the run's foreground process group. */
function ctrlC(run: Running): void {
  process.kill(-(run.child.pid as number), "SIGINT");
}

/** Processes whose parent chain leads to pid (from /proc). */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of fs.readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      /* exited meanwhile */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) {
      if (pp === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

/**
 * A CI runner's timeout or a lost machine: the CLI and every process it started (language host,
 * program, provider plugins) killed at once, so no Helm operation goes on.
 */
function killTree(run: Running): void {
  const pids = [run.child.pid as number, ...descendants(run.child.pid as number)];
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }
}

/** The newest revision number of the release. */
function lastRevision(sim: Sim): number {
  return Number(helmHistory(sim).slice(-1)[0]?.split(" ")[0] ?? 0);
}

/** CONSOLE_API_URL of the api Deployment (it follows dify:externalHost). */
function consoleUrl(sim: Sim): string {
  const env = sim.getJson(["-n", "dify", "get", "deployment", "dify-api"]).spec.template.spec.containers[0]
    .env;
  return env.find((e: any) => e.name === "CONSOLE_API_URL").value;
}

describe("e2e: faults in the middle of a change (simulated NKP)", function () {
  this.timeout(900000);
  let sim: Sim;
  let p: Pulumi;
  let stack: PulumiStack;
  /** `pulumi config set` of the entries (they stay, as a user's do), then `pulumi up --yes`. */
  const up = (config: Record<string, string> = {}) => {
    stack.setConfig(config);
    return stack.up();
  };
  const noChange = () => ok(stack.preview({ expectNoChanges: true }));
  const cancel = () => ok(p.run(["cancel", "--yes", "--stack", stack.name]));

  before(() => {
    sim = startSim("faults");
    const state = fs.mkdtempSync(path.join(os.tmpdir(), "dify-faults-state-"));
    const env = { KUBECONFIG: sim.kubeconfig };
    p = new Pulumi({ stateDir: state, passphrase: "e2e-test-passphrase", env, configInState: true });
    p.login();
    stack = p.stack("faults");
    stack.init();
    // 60 s (the minimum) keeps the waits of the interrupted and the timed-out runs short.
    stack.setConfig({ webImage, helmTimeoutSeconds: "60" });
  });
  after(() => sim?.down());

  let creds: Record<string, string>;
  let volumes: Record<string, string>;

  it("1. up killed (runner timeout) while Helm installs: pending-install; cancel, then up resumes it", async () => {
    const run = startUp(p, stack.name);
    await waitFor(
      "revision 1 pending-install",
      () => helmHistory(sim).includes("1 pending-install"),
      240000,
      200,
    );
    killTree(run);
    await run.done;
    await sleep(2000);
    assert.deepStrictEqual(
      helmHistory(sim),
      ["1 pending-install"],
      "the kill did not leave the release pending",
    );

    assert.match(failed(stack.up()), /the stack is currently locked by 1 lock\(s\).*pulumi cancel/s);
    cancel();
    // Within 2 x dify:helmTimeoutSeconds + 60 s its Helm operation might still run: refused, unchanged.
    const early = failed(stack.up());
    assert.match(
      early,
      /revision 1 has been pending-install for \d+s: its operation may still be running.*Nothing was changed/s,
    );
    assert.deepStrictEqual(helmHistory(sim), ["1 pending-install"]);
    const wait = Number(/after (\d+)s more/.exec(early)?.[1]);
    await sleep((wait + 2) * 1000);

    const next = ok(stack.up());
    assert.match(
      next.output,
      /revision 1 was left pending-install .*by an interrupted run; it is marked failed and this run installs over/s,
    );
    assert.deepStrictEqual(helmHistory(sim), ["1 failed", "2 deployed"]);
    assertAllReady(sim);
    assert.strictEqual(sim.getJson(["-n", "dify", "get", "job", "dify-migrate"]).status.succeeded, 1);
    creds = secretData(sim, "dify", "dify-credentials");
    volumes = pvcs(sim);
    assert.deepStrictEqual(Object.keys(volumes).sort(), [
      "data-dify-postgresql-0",
      "data-dify-redis-0",
      "data-dify-weaviate-0",
      "dify-files",
      "dify-plugin-daemon",
    ]);
    // The state keeps the killed run's pending create (every up warns about it) until a refresh clears it.
    const pendingOps = () =>
      JSON.parse(ok(p.run(["stack", "export", "--stack", stack.name])).stdout).deployment
        .pending_operations ?? [];
    assert.deepStrictEqual(
      pendingOps().map((o: any) => o.type),
      ["creating"],
    );
    const configFile = path.join(p.opts.stateDir, `Pulumi.${stack.name}.yaml`);
    ok(
      p.run([
        "refresh",
        "--clear-pending-creates",
        "--yes",
        "--non-interactive",
        "--config-file",
        configFile,
        "--stack",
        stack.name,
      ]),
    );
    assert.deepStrictEqual(pendingOps(), []);
    noChange();
  });

  it("1. up interrupted by Ctrl-C while Helm upgrades: the next up converges with the same config", async () => {
    stack.setConfig({ externalHost: "dify.example.com" });
    const run = startUp(p, stack.name);
    await waitFor(
      "revision 3 pending-upgrade",
      () => helmHistory(sim).includes("3 pending-upgrade"),
      240000,
      200,
    );
    ctrlC(run);
    const exit = await run.done;
    assert.notStrictEqual(exit.status, 0, "the interrupted run succeeded");
    // The CLI cancels gracefully: the provider cancels Helm, which marks the revision failed.
    assert.deepStrictEqual(helmHistory(sim).slice(-2), ["2 deployed", "3 failed"]);

    const next = ok(stack.up());
    assert.strictEqual(helmHistory(sim).slice(-1)[0].split(" ")[1], "deployed", next.output.slice(-3000));
    assert.strictEqual(consoleUrl(sim), "https://dify.example.com/dify");
    assertAllReady(sim);
    assert.deepStrictEqual(pvcs(sim), volumes);
    assert.deepStrictEqual(secretData(sim, "dify", "dify-credentials"), creds);
    noChange();
  });

  it("6. a second up while one runs fails fast with Pulumi's lock message and changes nothing", async () => {
    stack.setConfig({ externalHost: "dify2.example.com" });
    const n = lastRevision(sim);
    const first = startUp(p, stack.name);
    const pending = `${n + 1} pending-upgrade`;
    await waitFor(`revision ${pending}`, () => helmHistory(sim).includes(pending), 240000, 200);
    const second = stack.up();
    assert.match(failed(second), /the stack is currently locked by 1 lock\(s\)/);
    assert.ok(second.seconds < 30, `the second run took ${second.seconds}s to fail`);
    const exit = await first.done;
    assert.strictEqual(exit.status, 0, exit.output.slice(-3000));
    assert.deepStrictEqual(
      helmHistory(sim).slice(-2),
      [`${n} superseded`, `${n + 1} deployed`],
      "the second run touched the release",
    );
    assert.strictEqual(consoleUrl(sim), "https://dify2.example.com/dify");
    noChange();
  });

  it("2. a failed migration fails up naming the Job and its log; old pods keep serving; going back converges", () => {
    const before = podUids(sim);
    const oldImage = deploymentImage(sim, "dify-api");
    const n = lastRevision(sim);
    assert.match(
      failed(up(tag("1.11.5-sim-fail-migration"))),
      /job dify-migrate failed: BackoffLimitExceeded/,
    );
    // The explanation: as it happens with error hooks, else (older language host) from the next run on.
    const err = stack.preview().output;
    assert.match(
      err,
      new RegExp(
        "The database migration failed: Job dify/dify-migrate " +
          "\\(image langgenius/dify-api:1\\.11\\.5-sim-fail-migration\\) stopped with BackoffLimitExceeded",
      ),
    );
    assert.match(err, /kubectl -n dify logs job\/dify-migrate --all-containers/);
    assert.match(err, /pulumi config set dify:imageTag 1\.11\.4/);
    const job = sim.getJson(["-n", "dify", "get", "job", "dify-migrate"]);
    const jobFailed = job.status.conditions.some((c: any) => c.type === "Failed" && c.status === "True");
    assert.ok(jobFailed, "the Job did not fail");
    assert.deepStrictEqual(helmHistory(sim).slice(-2), [`${n} deployed`, `${n + 1} failed`]);
    assert.strictEqual(deploymentImage(sim, "dify-api"), oldImage);
    assert.deepStrictEqual(podUids(sim), before, "pods were replaced");
    assertAllReady(sim);

    ok(up(tag("1.11.4")));
    assert.deepStrictEqual(helmHistory(sim).slice(-1), [`${n + 2} deployed`]);
    assert.strictEqual(sim.getJson(["-n", "dify", "get", "job", "dify-migrate"]).status.succeeded, 1);
    assert.strictEqual(deploymentImage(sim, "dify-api"), oldImage);
    noChange();
  });

  it("3. pods that never get Ready: up fails naming the workloads; once they are Ready the same up converges", () => {
    const n = lastRevision(sim);
    const before = podUids(sim);
    assert.match(failed(up(tag("1.11.5-sim-never-ready"))), /context deadline exceeded/);
    const err = stack.preview().output;
    assert.match(err, /Helm gave up after dify:helmTimeoutSeconds=60s; not Ready: /);
    for (const d of ["dify-api", "dify-worker", "dify-worker-beat"]) {
      assert.match(err, new RegExp(`Deployment dify/${d} \\(`));
    }
    assert.ok(!/Deployment dify\/dify-web \(/.test(err), "dify-web was reported although it is Ready");
    assert.deepStrictEqual(helmHistory(sim).slice(-1), [`${n + 1} failed`]);
    // What the new tag does not touch keeps running: the web (rolling update) and the data stores.
    const web = sim.getJson(["-n", "dify", "get", "deployment", "dify-web"]);
    assert.strictEqual(web.status.availableReplicas, 1, "dify-web is not available");
    for (const c of ["postgresql", "redis", "weaviate"]) {
      assert.strictEqual(podUids(sim)[c], before[c], `${c} was restarted`);
    }

    // The cause goes away: a kubelet would now report the image pulled and running; the test does.
    for (const pod of sim.getJson(["-n", "dify", "get", "pods"]).items) {
      if (pod.status.phase !== "Pending" || !pod.spec.containers[0].image.endsWith("-sim-never-ready"))
        continue;
      const status = {
        phase: "Running",
        conditions: [
          { type: "Ready", status: "True" },
          { type: "ContainersReady", status: "True" },
        ],
        containerStatuses: pod.spec.containers.map((c: any) => ({
          name: c.name,
          image: c.image,
          imageID: "",
          ready: true,
          restartCount: 0,
          started: true,
          state: { running: { startedAt: new Date().toISOString() } },
        })),
      };
      sim.kubectl([
        "-n",
        "dify",
        "patch",
        "pod",
        pod.metadata.name,
        "--subresource=status",
        "--type=merge",
        "-p",
        JSON.stringify({ status }),
      ]);
    }
    ok(stack.up());
    assert.deepStrictEqual(helmHistory(sim).slice(-1), [`${n + 2} deployed`]);
    assertAllReady(sim);
    noChange();
  });

  it("4. data store pods lost, the node back: no PVC or credential lost, preview shows no change", async () => {
    const before = podUids(sim);
    const stores = ["postgresql", "redis", "weaviate", "plugin-daemon"];
    for (const c of stores) {
      sim.kubectl(["-n", "dify", "delete", "pod", "-l", `app.kubernetes.io/component=${c}`, "--wait=false"]);
    }
    // The node goes away and comes back under its name (a rebooted VM): its pods are re-created.
    const node = sim.getJson(["get", "node", "nkp-worker-0"]);
    sim.kubectl(["delete", "node", "nkp-worker-0"]);
    sim.kubectl(
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name: node.metadata.name,
          labels: node.metadata.labels,
          annotations: node.metadata.annotations,
        },
        spec: {},
        status: { allocatable: node.status.allocatable, capacity: node.status.capacity },
      }),
    );
    await waitFor(
      "every pod re-created and Ready",
      () => {
        const now = podUids(sim);
        try {
          assertAllReady(sim);
        } catch {
          return false;
        }
        return stores.every((c) => now[c] && now[c] !== before[c]);
      },
      240000,
      1000,
    );
    assert.deepStrictEqual(pvcs(sim), volumes);
    assert.deepStrictEqual(secretData(sim, "dify", "dify-credentials"), creds);
    noChange();
  });

  it("5. the credentials Secret deleted by hand: the next up puts back the same values", () => {
    const n = lastRevision(sim);
    sim.kubectl(["-n", "dify", "delete", "secret", "dify-credentials"]);
    const run = ok(stack.up());
    assert.match(
      run.output,
      new RegExp(
        "The Secret dify/dify-credentials is missing: this run puts it back " +
          `with the credentials of Helm release dify/dify revision ${n}`,
      ),
    );
    assert.deepStrictEqual(secretData(sim, "dify", "dify-credentials"), creds);
    assert.deepStrictEqual(pvcs(sim), volumes);
    noChange();
  });

  it("5. deleted with the state lost: up refuses new credentials against retained volumes; restoring converges", () => {
    const backup = sim.getJson(["-n", "dify", "get", "secret", "dify-credentials"]);
    ok(stack.destroy());
    sim.kubectl(["-n", "dify", "delete", "secret", "dify-credentials"]);
    ok(stack.rm());
    stack = p.stack("faults-again");
    stack.init();
    stack.setConfig({ webImage });

    const err = failed(stack.up());
    assert.match(
      err,
      new RegExp(
        "retained data of this release \\(PersistentVolumeClaims data-dify-postgresql-0, " +
          "data-dify-redis-0, data-dify-weaviate-0, dify-files, dify-plugin-daemon\\)",
      ),
    );
    assert.match(err, /kubectl -n dify apply -f dify-credentials\.yaml/);
    assert.deepStrictEqual(helmHistory(sim), [], "a release was installed");
    const secretNow = sim.tryKubectl(["-n", "dify", "get", "secret", "dify-credentials"]);
    assert.strictEqual(secretNow.status, 1, "a Secret was created");
    assert.deepStrictEqual(pvcs(sim), volumes);

    // The operator restores the Secret from the backup, as the message says, and runs up again.
    const { name, namespace, labels, annotations } = backup.metadata;
    sim.kubectl(
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "v1",
        kind: "Secret",
        type: backup.type,
        metadata: { name, namespace, labels, annotations },
        data: backup.data,
      }),
    );
    ok(stack.up());
    assert.deepStrictEqual(secretData(sim, "dify", "dify-credentials"), creds);
    assert.deepStrictEqual(pvcs(sim), volumes);
    assertAllReady(sim);
    noChange();
  });
});
