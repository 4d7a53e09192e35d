/**
 * Replays a JSON Lines export of a department's records ({"sourceSystem","sourceRecordId","record"}
 * per line, the dataset format of docs/dataset-format.md): for evaluations, and for loading a
 * platform's bulk export before switching a connector to live polling. The cursor is the line
 * number; the file must only grow.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Source, SourcePage, SourceRecord } from '../sdk/types.js';

export interface JsonlReplayCursor {
  line: number;
}

export class JsonlReplaySource implements Source<JsonlReplayCursor> {
  readonly readAhead = false;
  private lines: string[] | undefined;

  constructor(
    private readonly file: string,
    private readonly pageSize = 1000,
  ) {}

  private async load(): Promise<string[]> {
    if (!this.lines) {
      const out: string[] = [];
      for await (const l of createInterface({ input: createReadStream(this.file, 'utf8'), crlfDelay: Infinity })) if (l.trim()) out.push(l);
      this.lines = out;
    }
    return this.lines;
  }

  async nextPage(cursor: JsonlReplayCursor | undefined): Promise<SourcePage<JsonlReplayCursor>> {
    const lines = await this.load();
    const from = cursor?.line ?? 0;
    const slice = lines.slice(from, from + this.pageSize);
    const records: SourceRecord[] = slice.map((raw, i) => {
      try {
        const l = JSON.parse(raw) as { sourceRecordId?: string; record?: unknown };
        return { id: l.sourceRecordId, payload: l.record, raw };
      } catch {
        // not JSON: the mapping receives the text, rejects it as "not an object", and it is dead-lettered whole
        return { id: `line ${from + i + 1}`, payload: raw, raw };
      }
    });
    const line = from + slice.length;
    return { records, cursor: { line }, hasMore: line < lines.length };
  }

  position(cursor: JsonlReplayCursor): number | undefined {
    return cursor.line;
  }
}
