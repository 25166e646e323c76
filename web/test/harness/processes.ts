import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';

/*
 * Child processes for the end-to-end stack: started on 127.0.0.1, stopped by pid, their output
 * kept for the error message when one fails to start or dies.
 */

export interface Running {
  readonly name: string;
  readonly pid: number;
  /** The last few kilobytes the process wrote, for error messages. */
  output(): string;
  /** True once the process has exited. */
  exited(): boolean;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. Resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_LIMIT = 16 * 1024;

export type ChildEnv = Record<string, string | undefined>;
// Next's types make NODE_ENV required on every ProcessEnv; children get none (stack.ts).
const asProcessEnv = (env: ChildEnv) => env as NodeJS.ProcessEnv;

/** Sends `name` to `pid`; a process that has exited meanwhile is no error. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // ESRCH: already gone.
  }
}

/** Pids of every process the harness started and has not seen exit. */
const running = new Set<number>();

/** Has `pid` killed if this process ends first (for processes started elsewhere, e.g. Redis). */
export function killOnExit(pid: number): { forget(): void } {
  running.add(pid);
  return { forget: () => running.delete(pid) };
}

// If the test runner itself ends or is ended, nothing it started may outlive it.
function killAll(): void {
  for (const pid of running) signal(pid, 'SIGKILL');
}
process.once('exit', killAll);
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.once(name, () => {
    killAll();
    // The handler is gone now: the same signal ends this process as it would have.
    process.kill(process.pid, name);
  });
}

export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: { cwd: string; env: ChildEnv },
): Running {
  const child = spawn(command, args, { cwd: options.cwd, env: asProcessEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const pid = child.pid;
  const tracked = killOnExit(pid);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      tracked.forget();
      resolve();
    }),
  );
  return {
    name,
    pid,
    output: () => output,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signal(pid, 'SIGTERM');
      const forced = setTimeout(() => signal(pid, 'SIGKILL'), graceMs);
      await exit;
      clearTimeout(forced);
    },
  };
}

/**
 * Polls `probe` until it returns something other than `undefined`, at most `timeoutMs`. Fails
 * at once if `process` exits meanwhile, with what it printed.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs?: number; process?: Running } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (options.process?.exited()) {
      throw new Error(`${options.process.name} exited while waiting for ${what}:\n${options.process.output()}`);
    }
    if (Date.now() > deadline) {
      const output = options.process ? `\n${options.process.name} said:\n${options.process.output()}` : '';
      throw new Error(`timed out waiting for ${what}${output}`);
    }
    await delay(100);
  }
}

/** The status of `GET url`, or `undefined` when nothing answers (yet). */
export async function statusOf(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return undefined;
  }
}

/** Runs a command to completion with its output shown; rejects when it fails. */
export function runToCompletion(command: string, args: readonly string[], options: { cwd: string; env: ChildEnv }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: asProcessEnv(options.env), stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? code})`)),
    );
  });
}
