// Package version ordering for `installed_software` filters (automation.md §7): dpkg order for
// dpkg rows, rpmvercmp for rpm rows, dotted numeric otherwise (upstream's PEP 440 misordered these).

/** dpkg's character order: `~` sorts before everything, even the end of the string; letters before other symbols. */
function dpkgOrder(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[0-9]/.test(c)) return 0;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp over one part (upstream version or revision). */
function dpkgPart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !/[0-9]/.test(a[i]!)) || (j < b.length && !/[0-9]/.test(b[j]!))) {
      const ac = dpkgOrder(i < a.length && !/[0-9]/.test(a[i]!) ? a[i] : undefined);
      const bc = dpkgOrder(j < b.length && !/[0-9]/.test(b[j]!) ? b[j] : undefined);
      if (ac !== bc) return ac - bc;
      i += 1;
      j += 1;
    }
    while (a[i] === '0') i += 1;
    while (b[j] === '0') j += 1;
    while (i < a.length && /[0-9]/.test(a[i]!) && j < b.length && /[0-9]/.test(b[j]!)) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i += 1;
      j += 1;
    }
    if (i < a.length && /[0-9]/.test(a[i]!)) return 1;
    if (j < b.length && /[0-9]/.test(b[j]!)) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

function splitDpkg(v: string): { epoch: number; upstream: string; revision: string } {
  const colon = v.indexOf(':');
  const epoch = colon > 0 && /^\d+$/.test(v.slice(0, colon)) ? Number(v.slice(0, colon)) : 0;
  const rest = colon > 0 && /^\d+$/.test(v.slice(0, colon)) ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) } : { epoch, upstream: rest, revision: '' };
}

/** Debian policy §5.6.12 ordering: <0, 0 or >0. */
export function compareDpkg(a: string, b: string): number {
  const x = splitDpkg(a.trim());
  const y = splitDpkg(b.trim());
  if (x.epoch !== y.epoch) return x.epoch - y.epoch;
  return dpkgPart(x.upstream, y.upstream) || dpkgPart(x.revision, y.revision);
}

/** rpmvercmp over one segment string (no epoch handling). */
function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  const segs = (s: string) => s.match(/~|\^|[0-9]+|[A-Za-z]+/g) ?? [];
  const x = segs(a);
  const y = segs(b);
  let i = 0;
  for (; i < x.length && i < y.length; i += 1) {
    const p = x[i]!;
    const q = y[i]!;
    if (p === '~' || q === '~') {
      if (p !== q) return p === '~' ? -1 : 1;
      continue;
    }
    if (p === '^' || q === '^') {
      // `^` sorts above the end of the string but below any other segment.
      if (p !== q) return p === '^' ? -1 : 1;
      continue;
    }
    const pNum = /^\d/.test(p);
    const qNum = /^\d/.test(q);
    if (pNum !== qNum) return pNum ? 1 : -1; // numeric segments are newer than alphabetic ones
    if (pNum) {
      const pn = p.replace(/^0+/, '');
      const qn = q.replace(/^0+/, '');
      if (pn.length !== qn.length) return pn.length - qn.length;
      if (pn !== qn) return pn < qn ? -1 : 1;
    } else if (p !== q) {
      return p < q ? -1 : 1;
    }
  }
  const restA = x[i];
  const restB = y[i];
  if (restA === undefined && restB === undefined) return 0;
  // A trailing `~` makes a version older; a trailing `^` newer than the end, anything else newer.
  if (restA === undefined) return restB === '~' ? 1 : -1;
  return restA === '~' ? -1 : 1;
}

function splitRpm(v: string): { epoch: number; version: string; release: string } {
  const colon = v.indexOf(':');
  const epoch = colon > 0 && /^\d+$/.test(v.slice(0, colon)) ? Number(v.slice(0, colon)) : 0;
  const rest = colon > 0 && /^\d+$/.test(v.slice(0, colon)) ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) } : { epoch, version: rest, release: '' };
}

/** rpm's EVR ordering: <0, 0 or >0. */
export function compareRpm(a: string, b: string): number {
  const x = splitRpm(a.trim());
  const y = splitRpm(b.trim());
  if (x.epoch !== y.epoch) return x.epoch - y.epoch;
  const v = rpmvercmp(x.version, y.version);
  if (v !== 0) return v;
  if (!x.release || !y.release) return 0;
  return rpmvercmp(x.release, y.release);
}

/** Dotted numeric: each dot-separated part compared as a number where both are numbers. */
export function compareDotted(a: string, b: string): number {
  const x = a.trim().split(/[.\-+_]/);
  const y = b.trim().split(/[.\-+_]/);
  for (let i = 0; i < Math.max(x.length, y.length); i += 1) {
    const p = x[i] ?? '0';
    const q = y[i] ?? '0';
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) {
      const d = Number(p) - Number(q);
      if (d !== 0) return d;
    } else if (p !== q) {
      return p < q ? -1 : 1;
    }
  }
  return 0;
}

/** The comparison for a software row of `source`. */
export function compareVersions(source: string, a: string, b: string): number {
  if (source === 'dpkg') return compareDpkg(a, b);
  if (source === 'rpm') return compareRpm(a, b);
  return compareDotted(a, b);
}
