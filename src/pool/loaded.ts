import type { Worker } from 'node:worker_threads';

/**
 * What a Piscina 4 thread posts on its parentPort once `require` (or `import`) of the worker module
 * has returned, before it takes a task (piscina/dist/common.js READY; not exported).
 */
const PISCINA_READY = '_WORKER_READY';

/**
 * Most a thread is waited for before it is ended anyway: a module that never loads must not hang
 * the process (loading tfjs takes about a second, several under load).
 */
export const LOAD_WAIT_MS = 20_000;

/**
 * Which of a pool's threads have loaded their module, or are gone. A thread ended while it is
 * still loading can abort the whole process on Node 20 (FATAL ERROR v8::Module::IsGraphAsync, from
 * piscina's require of the worker module in a thread being terminated), so the pool ends its
 * threads only once each has settled here. `watch` must see a thread before it could have loaded
 * (the same tick Piscina starts it): the pool calls it when it starts threads, when it hands them a
 * task, and when one of them exits (Piscina starts the replacement in its own exit listener, which
 * runs before this one's).
 */
export class LoadWatch {
  private readonly settled = new Map<Worker, Promise<void>>();

  constructor(private readonly threads: () => Worker[]) {}

  watch(): void {
    for (const worker of this.threads()) {
      if (this.settled.has(worker)) continue;
      this.settled.set(
        worker,
        new Promise<void>((resolve) => {
          const done = () => {
            worker.off('message', onMessage);
            resolve();
          };
          const onMessage = (m: unknown) => {
            if (m instanceof Object && PISCINA_READY in m) done();
          };
          worker.on('message', onMessage);
          worker.once('error', done);
          worker.once('exit', () => {
            done();
            this.settled.delete(worker);
            this.watch();
          });
        }),
      );
    }
  }

  /** Resolves when every thread seen has loaded its module or is gone, or after `ms` at most. */
  async all(ms = LOAD_WAIT_MS): Promise<void> {
    this.watch();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    await Promise.race([Promise.all(this.settled.values()), bound]);
    clearTimeout(timer);
  }
}
