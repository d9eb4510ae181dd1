// Saves a JSON document as a file through a temporary object URL (exports).
export function downloadJson(fileName: string, value: unknown): void {
  const url = URL.createObjectURL(new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A file name from a display name: letters, digits and dashes. */
export function fileNameOf(displayName: string, revision: number): string {
  const slug = displayName.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase() || 'assembly';
  return `${slug}.r${revision}.json`;
}
