/**
 * The benchmark harness runs the server under test in a child process (its own event loop and
 * heap, like production) and steers it over IPC; load generators run in the parent.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Child {
  call<T = any>(method: string, ...args: unknown[]): Promise<T>;
  pid: number;
  close(): Promise<void>;
}

export function spawnChild(): Child {
  const entry = fileURLToPath(new URL('../child.ts', import.meta.url));
  const proc: ChildProcess = fork(entry, [], {
    execArgv: ['--import', 'tsx', '--conditions=source', ...(process.env.BENCH_CHILD_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CHILD_PROF}`] : [])],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 0;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  proc.on('message', (m: any) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error) p.reject(new Error(`child ${m.method}: ${m.error}`));
    else p.resolve(m.result);
  });
  proc.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`bench child exited with ${code}`));
    pending.clear();
  });
  return {
    pid: proc.pid!,
    call(method, ...args) {
      const id = ++next;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        proc.send({ id, method, args });
      });
    },
    async close() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      await this.call('exit').catch(() => undefined);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
