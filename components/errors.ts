/**
 * How the program fails. Refusals (bad configuration, a cluster not shaped as expected:
 * Traefik, IngressClass, address; a connection problem) are UserError, Pulumi's user-facing
 * error type (pulumi.RunError): the Node.js runtime prints the message alone, without
 * "unhandled exception" and without a stack trace. index.ts passes anything else through
 * reportable() once, so a bug is reported as a RunError too, with its own frames in the message.
 *
 * Why no stack leaves the program: for every uncaught error the runtime also formats the error
 * with util.inspect(err, { colors: true }) (a tracing event, even for RunErrors), and Node
 * 20.20's inspect loops, growing a string until it fails (~30 s, gigabytes), on any stack line
 * with a scoped package path that has no further slash, such as the source-mapped SDK frames
 * ".../node_modules/@pulumi/resource.ts:1598:22". That, not the cluster, kept a failed run
 * alive for about 40 s. An error whose stack holds no such line is formatted at once.
 */
import { RunError } from "@pulumi/pulumi/errors";

export class UserError extends RunError {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
    // Pulumi never shows a RunError's stack; keep only the message line (see above).
    this.stack = `${this.name}: ${message}`;
  }
}

/** Stack frames of the project itself (not node_modules, not node internals). */
function ownFrames(stack: string | undefined): string[] {
  return (stack ?? "")
    .split("\n")
    .filter((l) => /^\s+at /.test(l) && !/node_modules|node:internal|\(node:/.test(l));
}

/**
 * The error as the runtime should report it: a UserError (or any RunError) as is; anything else
 * (a bug) as a RunError whose message is the original name, message and the project's own frames.
 */
export function reportable(e: unknown): Error {
  if (RunError.isInstance(e)) return e as Error;
  if (!(e instanceof Error)) return new UserError(`Unexpected failure: ${String(e)}`);
  const frames = ownFrames(e.stack);
  const err = new RunError(
    [
      `${e.name}: ${e.message}`,
      ...frames,
      "This is a bug in dify-nkp: please report it with these lines.",
    ].join("\n"),
  );
  err.stack = `${e.name}: ${e.message}`;
  return err;
}
