/**
 * What the hub needs to route matters, loaded once and injected: the catalogue (to classify text
 * that came without a category), the responsibility rules (reloadable), the working-day calendar
 * and the county's divisions (for address matching).
 */
import { PositionSpread } from '../merge/position-spread.js';
import { loadGazetteer } from '../gazetteer/load.js';
import { TextWeights } from '../merge/text-weights.js';
import type { Gazetteer } from '../gazetteer/geocode.js';
import { readFileSync } from 'node:fs';
import { EMPTY_REGIONS, RegionIndex, type Division } from '../merge/index.js';
import { loadCalendar, type WorkingCalendar } from '../routing/calendar.js';
import { loadCatalogue, type Catalogue } from '../../core/catalogue.js';
import { computeDeadlines, RulesStore, type Deadlines, type Route } from '../routing/rules.js';

/**
 * A division table as a list of {code, name}, or `{divisions: […]}`, or the dataset layout
 * (docs/dataset-format.md: `{county: {code, name, province?, prefecture?}, towns: […], villages: […]}`).
 */
type DivisionFile =
  | Division[]
  | { divisions: Division[] }
  | { county?: Division & { province?: string; prefecture?: string }; towns?: Division[]; villages?: Division[] };

export function divisionList(file: DivisionFile): Division[] {
  if (Array.isArray(file)) return file;
  if ('divisions' in file) return file.divisions;
  const out: Division[] = [];
  const c = file.county;
  if (c) {
    out.push({ code: c.code, name: c.name });
    // the province is built into RegionIndex; the prefecture is named, its code is the county's first 4 digits
    if (c.prefecture && /^\d{6}$/.test(c.code)) out.push({ code: `${c.code.slice(0, 4)}00`, name: c.prefecture });
  }
  for (const d of [...(file.towns ?? []), ...(file.villages ?? [])]) out.push({ code: d.code, name: d.name });
  if (out.length === 0) throw new Error('division file has no divisions (expected a list, {divisions}, or {county, towns, villages})');
  return out;
}

export class HubRouting {
  constructor(
    readonly catalogue: Catalogue,
    readonly rules: RulesStore,
    readonly calendar: WorkingCalendar,
    readonly regions: RegionIndex = EMPTY_REGIONS,
    /** The county gazetteer (标准地址库): address keys and geocoding of reports without coordinates. */
    readonly gazetteer: Gazetteer | null = null,
    /** The county's text weights (hub/merge/text-weights.ts): rare phrases two reports share. */
    readonly textWeights: TextWeights | null = null,
    /** How far apart each pair of platforms places one door (hub/merge/position-spread.ts), estimated from the county's reports. */
    readonly positionSpread: PositionSpread | null = null,
  ) {}

  /**
   * `gazetteerFile` (docs/gazetteer-format.md) is optional: without it reports find each other by
   * position, division and grid only. Its villages' and towns' centres come from the divisions file.
   */
  static load(opts: { catalogueDir?: string; rulesPath?: string; divisionsFile?: string; gazetteerFile?: string; textWeightsFile?: string; textWeights?: TextWeights; positionSpreadFile?: string; positionSpread?: PositionSpread } = {}): HubRouting {
    const catalogue = loadCatalogue(opts.catalogueDir);
    const list = opts.divisionsFile ? divisionList(JSON.parse(readFileSync(opts.divisionsFile, 'utf8')) as DivisionFile) : undefined;
    const gazetteer = opts.gazetteerFile ? loadGazetteer(opts.gazetteerFile, opts.divisionsFile) : null;
    return new HubRouting(catalogue, new RulesStore({ catalogue, path: opts.rulesPath }), loadCalendar(opts.catalogueDir), list ? new RegionIndex(list) : EMPTY_REGIONS, gazetteer, opts.textWeights ?? (opts.textWeightsFile ? TextWeights.load(opts.textWeightsFile) : null), opts.positionSpread ?? (opts.positionSpreadFile ? PositionSpread.load(opts.positionSpreadFile) : null));
  }

  /** The county category of free text, when the keywords say so clearly enough. */
  classify(text: string): string | null {
    const c = this.catalogue.classifyText(text);
    return c && c.confidence >= 0.6 ? c.category : null;
  }

  /** The route for a category; the placeholder department `town` becomes the town of the matter. */
  route(category: string, divisionCode: string | null): Route | undefined {
    let route: Route;
    try {
      route = this.rules.resolveRoute(category);
    } catch {
      return undefined;
    }
    const town = divisionCode ? `town:${divisionCode.slice(0, 9)}` : 'town';
    const sub = (d: string) => (d === 'town' ? town : d);
    return { ...route, lead: sub(route.lead), cooperating: route.cooperating.map(sub).filter((d) => d !== sub(route.lead)) };
  }

  deadlines(route: Pick<Route, 'sla'>, reportedAt: Date): Deadlines {
    return computeDeadlines(route, reportedAt, this.calendar);
  }
}
