import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';

/**
 * Runs src/main.ts as operators run the built server: its own process, configured by
 * environment. Metrics on any free port: 9464 may be taken by another server on the machine.
 */
export function startMain(env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', '--conditions=@porter/source', 'src/main.ts'], {
    env: { PATH: process.env.PATH, METRICS_PORT: '0', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** A Porter server process, its output kept for the test to read. */
export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  /** Where it listens, from its "listening" log line. */
  url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/** Starts src/main.ts and resolves once it logs that it listens. */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = startMain(env);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /"url":"(http:[^"]+)".*Porter server listening/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`the server exited (${code}) before listening:\n${stderr}`)));
  });
  return { child, url, stdout: () => stdout, stderr: () => stderr, exited };
}
