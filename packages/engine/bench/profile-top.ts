// `npx tsx packages/engine/bench/profile-top.ts <file.cpuprofile> [N] [fromS toS]`: the functions with
// the most self time in a V8 CPU profile (BENCH_CPU_PROF=<dir> makes the bench write one per engine
// process), the packages/files that time lands in, and which library called the socket writes.

import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg, fromArg, toArg] = process.argv.slice(2);
// A profile covers the engine's whole life; a window (seconds from its start) isolates one phase,
// for example the fan-out of a shared-fleet run, which starts after minutes of enrolment.
const fromS = fromArg === undefined ? 0 : Number(fromArg);
const toS = toArg === undefined ? Infinity : Number(toArg);
if (!file || !(fromS >= 0) || !(toS > fromS)) {
  console.error('usage: profile-top.ts <file.cpuprofile> [N] [fromS toS]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const self = new Map<number, number>();
let elapsedUs = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  elapsedUs += dt;
  if (elapsedUs / 1e6 >= fromS && elapsedUs / 1e6 < toS) self.set(id, (self.get(id) ?? 0) + dt);
});
const total = [...self.values()].reduce((a, b) => a + b, 0);

const fn = new Map<string, number>();
const area = new Map<string, number>();
for (const [id, us] of self) {
  const node = byId.get(id)!;
  const url = node.callFrame.url.replace(/^file:\/\//, '');
  const short = url.replace(/.*\/node_modules\//, 'nm:').replace(/.*\/packages\//, '');
  const key = `${node.callFrame.functionName || '(anonymous)'} ${short}:${node.callFrame.lineNumber + 1}`;
  fn.set(key, (fn.get(key) ?? 0) + us);
  const bucket = !url ? node.callFrame.functionName || '(native)' : url.includes('/node_modules/') ? `nm:${url.split('/node_modules/').pop()!.split('/').slice(0, url.includes('/node_modules/@') ? 2 : 1).join('/')}` : url.startsWith('node:') ? url : short.split('/').slice(0, 4).join('/');
  area.set(bucket, (area.get(bucket) ?? 0) + us);
}
const top = Number(topArg ?? 30);
const pct = (us: number) => `${((us / total) * 100).toFixed(1)}%`.padStart(6);
console.log(`total sampled ${(total / 1e6).toFixed(1)} s of a ${(elapsedUs / 1e6).toFixed(1)} s profile`);
console.log('\n-- by area --');
for (const [k, v] of [...area].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
console.log('\n-- by function (self) --');
for (const [k, v] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);

// writev's self time includes TLS encryption, so who called it tells agent traffic (ws) from
// database traffic (pg).
const writers = new Map<string, number>();
for (const [id, us] of self) {
  if (byId.get(id)!.callFrame.functionName !== 'writev') continue;
  let caller = '(other)';
  for (let cur = parentOf.get(id); cur !== undefined; cur = parentOf.get(cur)) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(byId.get(cur)!.callFrame.url);
    if (m) {
      caller = `nm:${m[1]}`;
      break;
    }
  }
  writers.set(caller, (writers.get(caller) ?? 0) + us);
}
if (writers.size) {
  console.log('\n-- writev (socket writes, TLS included) by calling package --');
  for (const [k, v] of [...writers].sort((a, b) => b[1] - a[1])) console.log(`${pct(v)}  ${k}`);
}
