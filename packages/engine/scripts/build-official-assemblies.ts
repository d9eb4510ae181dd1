// Writes assemblies/official/items/<guid>.json and manifest.json from the catalog and the shell
// sources in assemblies/official/src/. Run after editing either: `npm run official:build -w @borealis/engine`.

import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOfficialSet, OFFICIAL_DIR } from '../src/domains/assemblies/official-set';

const { items, manifest } = buildOfficialSet();
const itemsDir = join(OFFICIAL_DIR, 'items');
mkdirSync(itemsDir, { recursive: true });
const keep = new Set(items.map((i) => `${i.assembly_guid}.json`));
for (const file of readdirSync(itemsDir)) if (!keep.has(file)) rmSync(join(itemsDir, file));
for (const item of items) writeFileSync(join(itemsDir, `${item.assembly_guid}.json`), `${JSON.stringify(item, null, 2)}\n`);
writeFileSync(join(OFFICIAL_DIR, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
process.stdout.write(`wrote ${items.length} official assemblies to ${OFFICIAL_DIR}\n`);
