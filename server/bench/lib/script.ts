/** Stops what a bench started, newest first. */
export type Stops = (() => Promise<void>)[];

/**
 * Runs a bench script's `main` with a list where it registers how to stop each process it
 * starts; everything is stopped by pid at the end, on failure, and on Ctrl-C.
 */
export async function runBench(main: (stops: Stops) => Promise<void>): Promise<void> {
  const stops: Stops = [];
  const stopAll = async () => {
    while (stops.length > 0) await stops.pop()?.().catch((err: unknown) => console.error('while stopping:', err));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stopAll().finally(() => process.exit(130)));
  }
  try {
    await main(stops);
  } catch (err) {
    console.error(err);
    process.exitCode = 1;
  } finally {
    await stopAll();
  }
}

/** Each call's duration in ms, one call at a time, so no call waits behind another. */
export async function timeEach(count: number, run: (i: number) => Promise<void>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await run(i);
    times.push(performance.now() - start);
  }
  return times;
}
