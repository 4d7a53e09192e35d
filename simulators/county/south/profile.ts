/**
 * The "south" profile: a second test county written independently of the demo county's wording and
 * noise, to check that the merge engine is general (issue 13). See docs/test-county-south.md.
 */
import { CHANNELS, type Channel, type IncidentType } from '../incidents.js';
import type { CountyProfile } from '../profile.js';
import type { Rng } from '../random.js';
import { SOUTH_BUILDERS } from './channels.js';
import { SOUTH_INCIDENT_TYPES } from './incidents.js';
import { buildSouthWorld } from './world.js';

/** How many different platforms hear of one incident (before same-platform repeats). */
const PLATFORMS: Array<[number, number]> = [
  [1, 30],
  [2, 36],
  [3, 22],
  [4, 9],
  [5, 3],
];

/**
 * Platforms for one incident, then same-platform repeats: a second 12345 caller (20 %, a third 6 %),
 * a grid worker re-reporting the same door (12 % of grid reports), a second 12369 complaint (15 %),
 * enforcement registering the same case twice (3 %).
 */
function chooseChannels(rng: Rng, type: IncidentType): Channel[] {
  const available = CHANNELS.filter((c) => type[c] !== undefined).map((c) => [c, (type[c] as { weight: number }).weight] as [Channel, number]);
  const k = Math.min(rng.weighted(PLATFORMS), available.length);
  const chosen: Channel[] = [];
  const pool = [...available];
  for (let i = 0; i < k; i++) {
    const c = rng.weighted(pool);
    chosen.push(c);
    pool.splice(
      pool.findIndex(([x]) => x === c),
      1,
    );
  }
  const repeats: Array<[Channel, number]> = [
    ['hotline', 0.2],
    ['hotline', 0.06],
    ['grid', 0.12],
    ['environment', 0.15],
    ['enforcement', 0.03],
  ];
  const extra: Channel[] = [];
  for (const [c, p] of repeats) if (chosen.includes(c) && rng.chance(p)) extra.push(c);
  const order = rng.shuffle(chosen);
  return [...order, ...extra];
}

/**
 * Repeat complaints about one problem at one door come over hours and days: 45 % within 2 h,
 * 30 % 2–8 h, 15 % 8–30 h, 10 % 1–3 days later (dropped when after the period).
 */
function followUpMinutes(rng: Rng): number {
  return rng.weighted<number>([
    [rng.float(5, 120), 45],
    [rng.float(120, 480), 30],
    [rng.float(480, 1800), 15],
    [rng.float(1440, 4320), 10],
  ]);
}

export const SOUTH_PROFILE: CountyProfile = {
  name: 'south',
  buildWorld: buildSouthWorld,
  incidentTypes: SOUTH_INCIDENT_TYPES,
  builders: SOUTH_BUILDERS,
  departments: ['hotline', 'grid', 'market', 'environment', 'enforcement', 'natural_resources', 'emergency', 'approval'],
  chooseChannels,
  followUpMinutes,
  decoyRate: 0.25,
};
