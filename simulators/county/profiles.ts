/** The county profiles the generator knows, by `--profile` name. */
import { DEMO_PROFILE } from './generate.js';
import type { CountyProfile } from './profile.js';
import { SOUTH_PROFILE } from './south/profile.js';

export const PROFILES: Readonly<Record<string, CountyProfile>> = { demo: DEMO_PROFILE, south: SOUTH_PROFILE };

export function profileByName(name: string): CountyProfile {
  const p = PROFILES[name];
  if (!p) throw new Error(`unknown county profile "${name}" (known: ${Object.keys(PROFILES).join(', ')})`);
  return p;
}
