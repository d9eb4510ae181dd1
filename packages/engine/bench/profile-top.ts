// `npx tsx packages/engine/bench/profile-top.ts <file.cpuprofile> [N]`: the functions with the most
// self time in a V8 CPU profile (node --cpu-prof; BENCH_CPU_PROF=<dir> makes the bench write one for
// the engine process), and the packages/files that time lands in.

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

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-top.ts <file.cpuprofile> [N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
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
console.log(`total sampled ${(total / 1e6).toFixed(1)} s`);
console.log('\n-- by area --');
for (const [k, v] of [...area].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
console.log('\n-- by function (self) --');
for (const [k, v] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
