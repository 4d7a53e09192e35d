import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_STATUSES } from './native.js';
import { describeFixtures } from '../../sdk/fixture-test.js';
import { mapAlarm } from './alarms-mapping.js';
import { COMPLAINT_STATUS, mapComplaint } from './complaints-mapping.js';
import { alarmsManifest, complaintsManifest } from './manifest.js';

describeFixtures(alarmsManifest, mapAlarm, new URL('./fixtures/alarms', import.meta.url).pathname);
describeFixtures(complaintsManifest, mapComplaint, new URL('./fixtures/complaints', import.meta.url).pathname);

describe('12369 complaint statuses', () => {
  it('maps every 办理状态 of the dataset contract and nothing else', () => {
    expect(Object.keys(COMPLAINT_STATUS).sort()).toEqual([...ENVIRONMENT_STATUSES].sort());
  });
});
