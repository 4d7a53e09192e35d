/**
 * Every department adapter the worker knows, found by folder: each `connectors/adapters/<name>/`
 * holding a `manifest.ts` is an adapter. Adding a department edits nothing here.
 *
 * What the folder provides:
 *   - `index.ts` (optional): exports `manifest` and `mapping`, or `adapters` (a list of
 *     { manifest, mapping } when one department platform feeds several connectors);
 *     without an index, `manifest.ts` exports `manifest` and `mapping.ts` exports `mapping`.
 *   - `source.ts` (optional): a custom source for a platform no generic source speaks, exporting
 *     `createSource(settings)` → Source; it receives the manifest's `source` settings with the
 *     county's overrides applied. Without it the manifest's `source.kind` picks a generic source.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../../core/errors.js';
import type { ConnectorManifest, Mapping, Source } from '../sdk/types.js';
import { createSource } from '../sources/index.js';

export interface Adapter {
  manifest: ConnectorManifest;
  mapping: Mapping;
  /** A custom source from the folder's source.ts; absent: the generic source of manifest.source.kind. */
  createSource?: (settings: unknown) => Source;
  /** The folder the adapter was found in. */
  folder?: string;
}

interface AdapterModule {
  manifest?: ConnectorManifest;
  mapping?: Mapping;
  adapters?: Array<{ manifest: ConnectorManifest; mapping: Mapping }>;
}

const ADAPTERS_DIR = import.meta.dirname;

/** The module file `<base>.ts` (or `.js` when compiled) of a folder, if present. */
function moduleFile(folder: string, base: string): string | undefined {
  for (const ext of ['.ts', '.js']) {
    const f = join(folder, `${base}${ext}`);
    if (existsSync(f)) return f;
  }
  return undefined;
}

const load = async (file: string): Promise<Record<string, unknown>> => (await import(pathToFileURL(file).href)) as Record<string, unknown>;

/** The adapters of every folder under `dir` that holds a manifest, in folder-name order. */
export async function discoverAdapters(dir = ADAPTERS_DIR): Promise<Adapter[]> {
  const out: Adapter[] = [];
  const folders = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !e.name.startsWith('_'))
    .map((e) => e.name)
    .sort();
  for (const name of folders) {
    const folder = join(dir, name);
    const manifestFile = moduleFile(folder, 'manifest');
    if (!manifestFile) continue;
    const index = moduleFile(folder, 'index');
    let mod: AdapterModule;
    if (index) {
      mod = (await load(index)) as AdapterModule;
    } else {
      const mappingFile = moduleFile(folder, 'mapping');
      if (!mappingFile) throw new ConfigError(`adapters/${name}`, 'has a manifest.ts but no mapping.ts (exporting `mapping`) and no index.ts');
      mod = { ...((await load(manifestFile)) as AdapterModule), ...((await load(mappingFile)) as AdapterModule) };
    }
    const listed = mod.adapters ?? (mod.manifest && mod.mapping ? [{ manifest: mod.manifest, mapping: mod.mapping }] : []);
    if (listed.length === 0) throw new ConfigError(`adapters/${name}`, 'exports neither `manifest` and `mapping` nor `adapters`');
    const sourceFile = moduleFile(folder, 'source');
    const custom = sourceFile ? ((await load(sourceFile)).createSource as Adapter['createSource']) : undefined;
    if (sourceFile && typeof custom !== 'function') throw new ConfigError(`adapters/${name}/source`, 'must export createSource(settings) returning a Source');
    for (const a of listed) {
      if (typeof a.mapping !== 'function') throw new ConfigError(`adapters/${name}`, `the mapping of ${a.manifest?.id ?? '?'} is not a function`);
      out.push({ manifest: a.manifest, mapping: a.mapping, folder: name, ...(custom ? { createSource: custom } : {}) });
    }
  }
  const ids = new Map<string, string>();
  for (const a of out) {
    const other = ids.get(a.manifest.id);
    if (other) throw new ConfigError('manifest.id', `"${a.manifest.id}" is used by adapters/${other} and adapters/${a.folder}; ids must be unique`);
    ids.set(a.manifest.id, a.folder as string);
  }
  return out;
}

export const ADAPTERS: Adapter[] = await discoverAdapters();

export function findAdapter(id: string): Adapter {
  const a = ADAPTERS.find((x) => x.manifest.id === id);
  if (!a) throw new Error(`no adapter "${id}"; known: ${ADAPTERS.map((x) => x.manifest.id).join(', ')}`);
  return a;
}

/** The source of a connector: its folder's custom source when it has one, else the generic kind the manifest names. */
export function sourceFor(manifest: ConnectorManifest, adapter: Adapter | undefined = ADAPTERS.find((x) => x.manifest.id === manifest.id)): Source {
  if (adapter?.createSource) return adapter.createSource(manifest.source);
  return createSource(manifest.source as never);
}
