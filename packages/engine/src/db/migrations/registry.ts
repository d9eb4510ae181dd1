// Every migration in order. A static list (not a directory scan) so bundled builds work;
// a test checks that every file in this folder is listed here.

import type { Migration } from 'kysely/migration';
import * as m0001 from './0001-core';
import * as m0002 from './0002-operator-trust';
import * as m0003 from './0003-device-trust';
import * as m0004 from './0004-inventory';
import * as m0005 from './0005-automation';

export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '0001-core': m0001,
  '0002-operator-trust': m0002,
  '0003-device-trust': m0003,
  '0004-inventory': m0004,
  '0005-automation': m0005,
});

export const LATEST_MIGRATION = Object.keys(MIGRATIONS).at(-1) ?? '';
