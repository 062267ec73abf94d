import { spawnChild } from './lib/rpc.js';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seeder = spawnChild();
await seeder.call('init', 'sqlite');
const seeded = await seeder.call('seed', { applications: 200, channels: 10, services: 50, state: 'converged', chain: true, spreadMs: 30_000 });
console.log('seeded', seeded.instances);
const { dataDir } = await seeder.call('detach');
const child = spawnChild();
await child.call('attach', dataDir);
await child.call('primeFake');
const m = await child.call('rss');
console.log('before start', Math.round(m.rss / 2 ** 20), 'heap', Math.round(m.heapUsed / 2 ** 20), 'ext', Math.round(m.external / 2 ** 20), 'ab', Math.round(m.arrayBuffers / 2 ** 20));
await child.call('start', {});
for (let i = 0; i < 25; i++) {
  await sleep(2000);
  const s = await child.call('rss');
  const st = await child.call('stats');
  console.log(`${(i + 1) * 2}s rss ${Math.round(s.rss / 2 ** 20)} heap ${Math.round(s.heapUsed / 2 ** 20)} ext ${Math.round(s.external / 2 ** 20)} ab ${Math.round(s.arrayBuffers / 2 ** 20)}`, JSON.stringify(st));
}
await child.call('stop');
await child.call('exit').catch(() => {});
await seeder.call('exit').catch(() => {});
process.exit(0);
