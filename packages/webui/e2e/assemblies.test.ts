// The assemblies area in real Chromium against a real engine: the official set, cloning an official
// assembly, editing its script and saving a new revision (If-Match), the revision history, and a
// delete refused while a scheduled job uses the assembly.

import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Assembly, AssemblyRevision } from '@borealis/protocol';
import { startTestEngine, type TestEngine } from '@borealis/engine/testing';
import { launchBrowser, openSignedInPage } from './browser';
import { bootstrapOverHttp } from './operator';

const SHOTS = 'test-results';
const DISK_USAGE = 'Linux - Disk Usage';
const NEW_SCRIPT = '#!/usr/bin/env bash\n# Edited in the browser\ndf -hP / | tail -n 1\necho "warn at ${WARN_PERCENT}%"\n';

describe('assemblies in Chromium', () => {
  let t: TestEngine;
  let browser: Browser;
  let page: Page;
  let cookies: ReadonlyArray<{ name: string; value: string }> = [];
  const problems: string[] = [];
  const refusals: string[] = [];
  let cloneGuid = '';

  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${t.url}${path}`, { headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') } });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  };
  const shot = async (name: string) => {
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity));
    await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  };

  beforeAll(async () => {
    t = await startTestEngine({ dialect: 'pglite', listen: true });
    cookies = (await bootstrapOverHttp(t.url!, t.home)).cookies;
    browser = await launchBrowser();
    page = await openSignedInPage(browser, t.url!, cookies, { problems, refusals });
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lists the 13 official Linux assemblies, read-only, with their revision and content hash', async () => {
    await page.goto(`${t.url}/assemblies`);
    await page.getByTestId('assemblies-table').waitFor();
    const names = await page.getByTestId('assembly-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')));
    expect(names).toHaveLength(13);
    expect(names.every((n) => n?.startsWith('Linux - '))).toBe(true);
    await page.getByTestId('assemblies-search').fill('disk usage');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="assembly-row"]').length === 1);
    expect(await page.getByTestId('assembly-row').getAttribute('data-name')).toBe(DISK_USAGE);
    await shot('assemblies-library');
  });

  it('opens an official assembly read-only and clones it into My assemblies', async () => {
    await page.locator(`[data-testid="assembly-row"][data-name="${DISK_USAGE}"]`).click();
    await page.getByTestId('assembly-read-only').waitFor();
    expect(await page.getByTestId('assembly-save').count()).toBe(0);
    expect(await page.getByTestId('assembly-script').getAttribute('readonly')).not.toBeNull();
    expect(await page.getByTestId('assembly-script-highlight').locator('[data-token="variable"]').count()).toBeGreaterThan(0);
    const officialGuid = await page.getByTestId('assembly-editor').getAttribute('data-guid');
    await shot('assemblies-official');

    await page.getByTestId('assembly-clone').click();
    await page.waitForFunction((guid) => {
      const el = document.querySelector('[data-testid="assembly-editor"]');
      return el && el.getAttribute('data-guid') && el.getAttribute('data-guid') !== guid && !document.querySelector('[data-testid="assembly-read-only"]');
    }, officialGuid);
    cloneGuid = (await page.getByTestId('assembly-editor').getAttribute('data-guid'))!;
    expect(page.url()).toBe(`${t.url}/assemblies/${cloneGuid}`);
    expect(await page.getByTestId('assembly-revision').textContent()).toBe('revision 1');
    const clone = await api<Assembly>(`/api/assemblies/${cloneGuid}`);
    expect(clone).toMatchObject({ domain: 'user', display_name: DISK_USAGE, revision: 1 });
  });

  it('edits the script of the clone, saves, and shows the new revision', async () => {
    await page.getByTestId('assembly-name').fill('Disk usage (mine)');
    await page.getByTestId('assembly-script').fill(NEW_SCRIPT);
    expect(await page.getByTestId('assembly-script-highlight').locator('[data-token="comment"]').first().textContent()).toBe('#!/usr/bin/env bash');
    await page.getByTestId('assembly-change-note').fill('root filesystem only');
    await page.getByTestId('assembly-save').click();
    await page.getByTestId('assembly-notice').waitFor();
    expect(await page.getByTestId('assembly-notice').textContent()).toContain('Saved as revision 2');
    expect(await page.getByTestId('assembly-revision').textContent()).toBe('revision 2');
    expect(await page.getByTestId('assembly-title').textContent()).toBe('Disk usage (mine)');
    await page.locator('[data-testid="revision-row"][data-revision="1"]').waitFor();
    const revisions = await page.getByTestId('revision-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-revision')));
    expect(revisions).toEqual(['2', '1']);
    expect(await page.locator('[data-testid="revision-row"][data-revision="2"]').textContent()).toContain('root filesystem only');

    const stored = await api<AssemblyRevision>(`/api/assemblies/${cloneGuid}/revisions/2`);
    expect(stored.payload.script).toBe(NEW_SCRIPT);
    expect(stored.payload.variables.map((v) => v.name)).toEqual(['WARN_PERCENT']);
    expect(stored.payload.warning_exit_codes).toEqual([2]);
    expect(await page.getByTestId('assembly-hash').textContent()).toBe(stored.content_hash);
    await shot('assemblies-saved');
  });

  it('restores revision 1 as revision 3', async () => {
    await page.locator('[data-testid="revision-row"][data-revision="1"]').getByTestId('revision-restore').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="assembly-revision"]')?.textContent === 'revision 3');
    const current = await api<Assembly>(`/api/assemblies/${cloneGuid}`);
    expect(current.revision).toBe(3);
    expect(current.payload.script).not.toBe(NEW_SCRIPT);
    expect(await page.getByTestId('assembly-script').inputValue()).toBe(current.payload.script);
  });

  it('refuses to delete while a scheduled job uses it, and says so', async () => {
    const now = new Date();
    const job = await t.engine.ctx.db
      .insertInto('scheduled_jobs')
      .values({
        name: 'Hourly disk check',
        job_kind: 'automation',
        components: JSON.stringify([{ kind: 'script', assembly_guid: cloneGuid, assembly_revision: null, variable_values: {} }]),
        targets: JSON.stringify([{ kind: 'all_devices' }]),
        schedule: JSON.stringify({ type: 'hourly' }),
        execution_context: 'system',
        allowed_site_ids: [],
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await page.getByTestId('assembly-delete').click();
    await page.getByTestId('assembly-delete-dialog-confirm').click();
    await page.getByTestId('api-error').waitFor();
    expect(await page.getByTestId('api-error').textContent()).toContain('Still in use');
    expect(await page.getByTestId('api-error').textContent()).toContain('Hourly disk check');
    await shot('assemblies-in-use');
    expect(refusals).toEqual([`409 /api/assemblies/${cloneGuid}`]);

    await t.engine.ctx.db.deleteFrom('scheduled_jobs').where('id', '=', job.id).execute();
    await page.getByTestId('assembly-delete-dialog-confirm').click();
    await page.waitForURL(`${t.url}/assemblies?tab=user`);
    await page.getByTestId('assemblies-empty').waitFor();
    expect(problems).toEqual([]);
  });
});
