/** Reads a dotted path ("data.records", "items.0.id") from parsed JSON; undefined when absent. */
export function getPath(obj: unknown, path: string): unknown {
  if (path === '' || path === '.') return obj;
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
