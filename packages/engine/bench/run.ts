// `npm run bench -- [scenario] [--agents N] [--duration S] [--database pglite|postgres]`: runs benchmark scenarios against a
// real engine, prints a one-line JSON summary per scenario as its last line, writes it under
// bench-results/ and appends a row to docs/benchmarks.md with the machine's description.

import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { listScenario } from './list';
import { loginScenario } from './login';
import { baselineScenario, closeSharedFleet, enrollScenario, fanoutScenario, holdScenario, restartScenario } from './fleet-scenarios';

export interface ScenarioContext {
  readonly database: 'pglite' | 'postgres';
  /** --agents: fleet size for the fleet scenarios. */
  readonly agents?: number;
  /** --duration: measuring window in seconds. */
  readonly durationS?: number;
}

export interface Figure {
  readonly name: string;
  /** null: not measured in this run (the row says why). */
  readonly value: number | null;
  readonly unit: string;
}

/** A scenario's answer when it has more to say than figures (fleet size, why something is missing). */
export interface ScenarioOutcome {
  readonly figures: Figure[];
  readonly agents?: number;
  readonly note?: string;
}

const SCENARIOS: Record<string, (ctx: ScenarioContext) => Promise<Figure[] | ScenarioOutcome>> = {
  login: loginScenario,
  list: listScenario,
  hold: holdScenario,
  restart: restartScenario,
  enroll: enrollScenario,
  baseline: baselineScenario,
  fanout: fanoutScenario,
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
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { database: { type: 'string', default: 'pglite' }, agents: { type: 'string' }, duration: { type: 'string' } },
  });
  const agents = values.agents === undefined ? undefined : Number(values.agents);
  const durationS = values.duration === undefined ? undefined : Number(values.duration);
  if ((agents !== undefined && !(Number.isInteger(agents) && agents > 0)) || (durationS !== undefined && !(durationS > 0))) {
    console.error('bench: --agents and --duration must be positive numbers');
    process.exit(2);
  }
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
    const result = await run({ database: values.database, agents, durationS });
    const outcome: ScenarioOutcome = Array.isArray(result) ? { figures: result } : result;
    const figures = outcome.figures;
    const summary = {
      scenario: name,
      revision: revision(),
      database: values.database,
      ...(outcome.agents === undefined ? {} : { agents: outcome.agents }),
      ...(outcome.note === undefined ? {} : { note: outcome.note }),
      date: new Date().toISOString(),
      machine: machine(),
      figures: Object.fromEntries(figures.map((f) => [f.name, { value: f.value, unit: f.unit }])),
    };
    const line = JSON.stringify(summary);
    mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench-results', `${name}-${values.database}-${summary.date.replace(/[:.]/g, '-')}.json`), `${line}\n`);
    const doc = join(ROOT, 'docs', 'benchmarks.md');
    if (!existsSync(doc)) writeFileSync(doc, '# Benchmarks\n\n');
    const cells = [
      ...(outcome.agents === undefined ? [] : [`agents ${outcome.agents}`]),
      ...figures.map((f) => `${f.name} ${f.value ?? 'n/a'} ${f.unit}`),
      ...(outcome.note ? [outcome.note] : []),
      ...(process.env.BENCH_NOTE ? [`(${process.env.BENCH_NOTE})`] : []),
    ].join('; ');
    appendFileSync(doc, `| ${summary.date.slice(0, 10)} | ${summary.revision} | ${name} | ${values.database} | ${summary.machine} | ${cells} |\n`);
    console.log(line);
  }
  await closeSharedFleet();
}

await main();
