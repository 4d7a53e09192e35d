/**
 * A county profile: what makes one generated county differ from another — its world (vocabulary),
 * its incidents and their wording, how each department files them (channel builders, noise), how
 * many platforms hear of one incident and how far apart. The dataset writer (generate.ts) is shared,
 * so every profile writes the same documented format (docs/dataset-format.md).
 */
import type { ChannelContext, DepartmentId, Emission, Incident } from './channels.js';
import type { Channel, IncidentType } from './incidents.js';
import type { Rng } from './random.js';
import type { World, WorldOptions } from './world.js';

export type ChannelBuilder = (ctx: ChannelContext, inc: Incident, at: number) => Emission;

export interface CountyProfile {
  /** As given to `--profile` and written to the manifest's `generator`. */
  name: string;
  buildWorld(opts: WorldOptions): World;
  incidentTypes: IncidentType[];
  /** How each channel the profile's incidents reach files its record. */
  builders: Partial<Record<Channel, ChannelBuilder>>;
  /** The departments it files with (their files and manifest entries); default all of DEPARTMENT_SOURCES. */
  departments?: DepartmentId[];
  /** The channels (platforms) one incident reaches, in report order; a platform may repeat. */
  chooseChannels(rng: Rng, type: IncidentType): Channel[];
  /** Minutes from the first report to a later one about the same incident. */
  followUpMinutes(rng: Rng): number;
  /** Share of incidents made as look-alikes (decoyOf) of a recent incident of the same kind. */
  decoyRate: number;
}
