import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/helpers/temp-dir.js';
import { createReminder, decideReminder, REMINDER_ARGS } from './reminder.js';

const dir = tempDir('reminder');
afterAll(() => dir.remove());

const SERVER = 'https://mdm.office.lan:8443';
const ENROLLED_HERE =
  'Enrolled via DEP: No\nMDM enrollment: Yes (User Approved)\nMDM server: https://mdm.office.lan:8443/mdm/connect\n';
const ENROLLED_ELSEWHERE =
  'Enrolled via DEP: No\nMDM enrollment: Yes (User Approved)\nMDM server: https://other.example/mdm\n';
const NOT_ENROLLED = 'Enrolled via DEP: No\nMDM enrollment: No\n';

describe('the login-item reminder', () => {
  it('registers the login item with the pending server, and removes both once cleared', () => {
    const calls: [boolean, readonly string[]][] = [];
    const reminder = createReminder({
      loginItem: { set: (open, args) => calls.push([open, args]) },
      file: `${dir.path}/pending.json`,
      now: () => new Date('2026-12-06T09:00:00Z'),
    });
    expect(reminder.pending()).toBeNull();
    reminder.schedule(SERVER);
    expect(reminder.pending()).toEqual({ serverUrl: SERVER, since: '2026-12-06T09:00:00.000Z' });
    reminder.clear();
    expect(reminder.pending()).toBeNull();
    expect(calls).toEqual([
      [true, REMINDER_ARGS],
      [false, REMINDER_ARGS],
    ]);
  });

  const pending = { serverUrl: SERVER, since: '2026-12-06T09:00:00Z' };
  it.each([
    ['nothing pending', null, { exitCode: 0, stdout: NOT_ENROLLED }, { action: 'clear' }],
    ['enrolled with the pending server', pending, { exitCode: 0, stdout: ENROLLED_HERE }, { action: 'clear' }],
    ['not enrolled yet', pending, { exitCode: 0, stdout: NOT_ENROLLED }, { action: 'notify', serverUrl: SERVER }],
    [
      'enrolled elsewhere',
      pending,
      { exitCode: 0, stdout: ENROLLED_ELSEWHERE },
      { action: 'notify', serverUrl: SERVER },
    ],
    ['profiles failing', pending, { exitCode: 1, stdout: '' }, { action: 'keep' }],
    ['profiles not run', pending, null, { action: 'keep' }],
  ] as const)('%s', (_name, p, status, decision) => {
    expect(decideReminder(p, status)).toEqual(decision);
  });
});
