// `npm run bench -- [scenario] [--database pglite|postgres]`: runs benchmark scenarios against a
// real engine, prints a one-line JSON summary per scenario as its last line, writes it under
// bench-results/ and appends a row to docs/benchmarks.md with the machine's description.

import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { listScenario } from './list';
import { loginScenario } from './login';

export interface ScenarioContext {
  readonly database: 'pglite' | 'postgres';
}

export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

const SCENARIOS: Record<string, (ctx: ScenarioContext) => Promise<Figure[]>> = {
  login: loginScenario,
  list: listScenario,
};

const ROOT = join(import.meta.dirname, '..', '..', '..');

function revision(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function machine(): string {
  const cpu = cpus();
  return `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown cpu'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { database: { type: 'string', default: 'pglite' } } });
  if (values.database !== 'pglite' && values.database !== 'postgres') {
    console.error(`bench: --database must be pglite or postgres (got "${values.database}")`);
    process.exit(2);
  }
  const names = positionals.length ? positionals : Object.keys(SCENARIOS);
  for (const name of names) {
    const run = SCENARIOS[name];
    if (!run) {
      console.error(`bench: unknown scenario "${name}"; known: ${Object.keys(SCENARIOS).join(', ')}`);
      process.exit(2);
    }
    const figures = await run({ database: values.database });
    const summary = {
      scenario: name,
      revision: revision(),
      database: values.database,
      date: new Date().toISOString(),
      machine: machine(),
      figures: Object.fromEntries(figures.map((f) => [f.name, { value: f.value, unit: f.unit }])),
    };
    const line = JSON.stringify(summary);
    mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench-results', `${name}-${values.database}-${summary.date.replace(/[:.]/g, '-')}.json`), `${line}\n`);
    const doc = join(ROOT, 'docs', 'benchmarks.md');
    if (!existsSync(doc)) writeFileSync(doc, '# Benchmarks\n\n');
    const cells = figures.map((f) => `${f.name} ${f.value} ${f.unit}`).join('; ');
    appendFileSync(doc, `| ${summary.date.slice(0, 10)} | ${summary.revision} | ${name} | ${values.database} | ${summary.machine} | ${cells} |\n`);
    console.log(line);
  }
}

await main();
