// Argument parsing shared by the dev commands (`pnpm webhook:send`, `pnpm sso:event`): misuse
// exits 2 with the usage, `--help` (an option each command declares) prints it and exits 0.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Parses `process.argv` with `config`; also returns `fail`, which prints a problem and the usage, and exits 2. */
export function parseCommandLine<const T extends ParseArgsConfig>(
  usage: string,
  config: T,
): ReturnType<typeof parseArgs<T>> & { fail: (message: string) => never } {
  const fail = (message: string): never => {
    console.error(`${message}\n\n${usage}`);
    process.exit(2);
  };
  const parsed = (() => {
    try {
      return parseArgs<T>(config);
    } catch (err) {
      return fail(err instanceof Error ? err.message : String(err));
    }
  })();
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    process.exit(0);
  }
  return { ...parsed, fail };
}
