/**
 * The one Kubernetes provider every Kubernetes resource of the program uses, on the cluster the
 * reader resolved (components/cluster.ts), and what it takes over from the stacks of v0.1.0.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KubeAccess } from "./cluster";

/** Resource name of the explicit provider in the stack. */
export const kubernetesProviderName = "kubernetes";

/**
 * The provider v0.1.0 (commit 56ac0bc) used: it registered its resources without a provider,
 * so the engine made a default one named after the @pulumi/kubernetes SDK of that release's
 * lockfile (4.25.0). A fact of that release: it stays 4_25_0 when the SDK here moves on.
 */
export const v010DefaultProviderName = "default_4_25_0";

/**
 * URN of the v0.1.0 default provider in this stack. Default providers have no parent, so the
 * URN is `urn:pulumi:<stack>::<project>::pulumi:providers:kubernetes::default_4_25_0`.
 */
export function v010DefaultProviderUrn(stack: string, project: string): string {
  return `urn:pulumi:${stack}::${project}::pulumi:providers:kubernetes::${v010DefaultProviderName}`;
}

/**
 * The explicit provider, aliased to the v0.1.0 default provider so a stack of that release
 * upgrades in place.
 *
 * Why the alias: when a resource's provider reference changes, the engine (pulumi
 * pkg/resource/deploy/step_generator.go, providerChanged) asks the new provider's DiffConfig,
 * and pulumi-kubernetes (provider/pkg/provider/provider.go, DiffConfig) reports a replacement
 * when the active cluster of the old and new kubeconfig differ by reflect.DeepEqual. The old
 * default provider got `kubernetes:kubeconfig` as the user wrote it (a path or the file's
 * text); this one gets the reader's re-serialised config, which drops fields such as a
 * cluster's `extensions`. Without the alias such a stack would replace the helm Release
 * (uninstall, reinstall: every pod restarted). With it, the engine treats the old provider as
 * this one (`sg.aliased`) and skips that check for every resource; only the provider itself
 * is diffed. With KUBECONFIG from the environment (the documented route) the old provider had
 * no kubeconfig at all and nothing was ever replaced; the alias changes nothing there, nor on
 * a new stack (an alias to a URN not in the state is ignored). test/e2e/upgrade.test.ts runs
 * both routes from a real v0.1.0 stack.
 */
export function kubernetesProvider(kube: KubeAccess): k8s.Provider {
  const legacy = v010DefaultProviderUrn(pulumi.getStack(), pulumi.getProject());
  return new k8s.Provider(
    kubernetesProviderName,
    { kubeconfig: kube.kubeconfig && pulumi.secret(kube.kubeconfig) },
    { aliases: [legacy] },
  );
}
