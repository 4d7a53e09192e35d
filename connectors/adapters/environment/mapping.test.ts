import { describeFixtures } from '../../sdk/fixture-test.js';
import { mapAlarm } from './alarms-mapping.js';
import { mapComplaint } from './complaints-mapping.js';
import { alarmsManifest, complaintsManifest } from './manifest.js';

describeFixtures(alarmsManifest, mapAlarm, new URL('./fixtures/alarms', import.meta.url).pathname);
describeFixtures(complaintsManifest, mapComplaint, new URL('./fixtures/complaints', import.meta.url).pathname);
