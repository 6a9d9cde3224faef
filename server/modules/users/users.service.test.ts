import { describe, expect, it } from 'vitest';
import { testFoundation, TEST_CTX } from '../../../tests/helpers/foundation.js';

describe('users', () => {
  it('adds a user, normalizes the email for uniqueness, and audits it', async () => {
    const { services } = testFoundation();
    const user = await services.users.create(
      { email: ' Hanako@Example.COM ', displayName: '佐藤 花子', locale: 'ja' },
      TEST_CTX,
    );
    expect(user).toMatchObject({
      email: 'Hanako@Example.COM',
      displayName: '佐藤 花子',
      locale: 'ja',
      source: 'local',
      hasPassword: false,
      disabled: false,
    });
    await expect(
      services.users.create({ email: 'hanako@example.com', displayName: 'x' }, TEST_CTX),
    ).rejects.toMatchObject({ code: 'EMAIL_TAKEN', details: { field: 'email' } });
    expect(services.audit.list({ action: 'user.created' }).items).toHaveLength(1);
  });

  it.each([
    [{ email: 'not-an-email', displayName: 'A' }, 'VALIDATION_FAILED', 'email'],
    [{ email: 'a@example.com', displayName: '   ' }, 'VALIDATION_FAILED', 'displayName'],
    [{ email: 'a@example.com', displayName: 'A\tB' }, 'VALIDATION_FAILED', 'displayName'],
    [{ email: 'a@example.com', displayName: 'A', password: 'short' }, 'PASSWORD_POLICY', 'password'],
    [
      { email: 'longenough@example.com', displayName: 'A', password: 'longenough@example.com' },
      'PASSWORD_POLICY',
      'password',
    ],
    [{ email: 'a@example.com', displayName: 'A', temporaryPassword: true }, 'VALIDATION_FAILED', 'temporaryPassword'],
  ])('refuses %j with %s on %s', async (input, code, field) => {
    const { services } = testFoundation();
    await expect(services.users.create(input, TEST_CTX)).rejects.toMatchObject({ code, details: { field } });
    expect(services.users.list({}).total).toBe(0);
  });

  it('stores SQL- and HTML-looking text literally', async () => {
    const { services } = testFoundation();
    const name = "Robert'); DROP TABLE users;-- <script>alert(1)</script>";
    await services.users.create({ email: "o'brien@example.com", displayName: name }, TEST_CTX);
    const [user] = services.users.list({}).items;
    expect(user?.displayName).toBe(name);
    expect(user?.email).toBe("o'brien@example.com");
  });

  it('adds several users at once, or none when any row is bad', async () => {
    const { services } = testFoundation();
    await expect(
      services.users.createMany(
        [
          { email: 'a@example.com', displayName: 'A' },
          { email: 'bad', displayName: 'B' },
          { email: 'A@example.com', displayName: 'C' },
        ],
        TEST_CTX,
      ),
    ).rejects.toMatchObject({
      code: 'BATCH_INVALID',
      details: {
        errors: [
          expect.objectContaining({ row: 2, field: 'email' }),
          expect.objectContaining({ row: 3, code: 'EMAIL_TAKEN' }),
        ],
      },
    });
    expect(services.users.list({}).total).toBe(0);
    const ok = await services.users.createMany(
      [
        { email: 'a@example.com', displayName: 'A' },
        { email: 'b@example.com', displayName: 'B', password: 'a long password', temporaryPassword: true },
      ],
      TEST_CTX,
    );
    expect(ok.created.map((u) => [u.email, u.hasPassword, u.mustChangePassword])).toEqual([
      ['a@example.com', false, false],
      ['b@example.com', true, true],
    ]);
  });

  it('imports a CSV: one bad row imports nothing and names the line; the fixed file imports all', async () => {
    const { services } = testFoundation();
    const bad =
      'email,display_name,locale\r\nichiro@example.com,鈴木 一郎,ja\r\njiro@example,鈴木 次郎,ja\r\n"saburo@example.com","Saburo, ""3""",en\r\n';
    await expect(services.users.importCsv(bad, { ...TEST_CTX, fileName: 'staff.csv' })).rejects.toMatchObject({
      code: 'CSV_INVALID',
      message: expect.stringContaining('Line 3'),
      details: { errors: [expect.objectContaining({ row: 3, field: 'email' })] },
    });
    expect(services.users.list({}).total).toBe(0);
    expect(services.audit.list({ action: 'user.import_rejected' }).items[0]?.subjectLabel).toBe('staff.csv');
    const result = await services.users.importCsv(bad.replace('jiro@example,', 'jiro@example.com,'), {
      ...TEST_CTX,
      fileName: 'staff.csv',
    });
    expect(result.created.map((u) => u.displayName)).toEqual(['鈴木 一郎', '鈴木 次郎', 'Saburo, "3"']);
    expect(services.audit.list({ action: 'user.imported' }).items[0]?.details).toEqual({ created: 3 });
  });

  it.each([
    ['', /empty/],
    ['email,name\n', /header but no users/],
    ['email,colour\na@example.com,red\n', /"colour" is not known/],
    ['display_name\nA\n', /no email column/],
    ['email,display_name\na@example.com,A,extra\n', /3 values but the header has 2/],
    ['email,display_name\n"a@example.com,A\n', /not closed/],
    ['email,display_name,locale\na@example.com,A,fr\n', /not ja or en/],
    ['email,display_name\na@example.com,A\nA@EXAMPLE.com,B\n', /also appears in row 2/],
  ])('rejects CSV %j', async (csv, message) => {
    const { services } = testFoundation();
    await expect(services.users.importCsv(csv, TEST_CTX)).rejects.toMatchObject({
      code: 'CSV_INVALID',
      details: {
        errors: expect.arrayContaining([expect.objectContaining({ message: expect.stringMatching(message) })]),
      },
    });
    expect(services.users.list({}).total).toBe(0);
  });

  it('edits, disables, sets a temporary password and deletes while keeping the row', async () => {
    const { services, db, clock } = testFoundation();
    const u = await services.users.create({ email: 'k@example.com', displayName: 'K' }, TEST_CTX);
    clock.advance(1000);
    const edited = await services.users.update(
      u.id,
      { displayName: 'Kei', locale: 'en', password: 'temporary pass 1', temporaryPassword: true },
      TEST_CTX,
    );
    expect(edited).toMatchObject({ displayName: 'Kei', locale: 'en', hasPassword: true, mustChangePassword: true });
    expect(edited.updatedAt).not.toBe(u.updatedAt);
    expect((await services.users.update(u.id, { disabled: true }, TEST_CTX)).disabled).toBe(true);
    expect(services.audit.list({ subject: u.id }).items.map((e) => e.action)).toEqual([
      'user.disabled',
      'user.updated',
      'user.created',
    ]);
    services.users.remove(u.id, TEST_CTX);
    expect(services.users.list({}).total).toBe(0);
    expect(() => services.users.get(u.id)).toThrow(expect.objectContaining({ code: 'USER_DELETED' }));
    expect(db.prepare('SELECT count(*) AS n FROM users WHERE id = ?').get(u.id)).toEqual({ n: 1 });
    // The address is free again for a new person.
    await expect(
      services.users.create({ email: 'k@example.com', displayName: 'New K' }, TEST_CTX),
    ).resolves.toMatchObject({ email: 'k@example.com' });
  });

  it('refuses an email change onto another user', async () => {
    const { services } = testFoundation();
    await services.users.create({ email: 'a@example.com', displayName: 'A' }, TEST_CTX);
    const b = await services.users.create({ email: 'b@example.com', displayName: 'B' }, TEST_CTX);
    await expect(services.users.update(b.id, { email: 'A@example.com' }, TEST_CTX)).rejects.toMatchObject({
      code: 'EMAIL_TAKEN',
    });
    await expect(services.users.update('nope', { disabled: true }, TEST_CTX)).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });
  });

  it('lists in email order with search and a cursor', async () => {
    const { services } = testFoundation();
    await services.users.createMany(
      ['d', 'b', 'a', 'c', 'e'].map((x) => ({ email: `${x}@example.com`, displayName: `Name ${x.toUpperCase()}` })),
      TEST_CTX,
    );
    const p1 = services.users.list({ limit: 2 });
    expect(p1.items.map((u) => u.email)).toEqual(['a@example.com', 'b@example.com']);
    expect(p1.total).toBe(5);
    const p2 = services.users.list({ limit: 2, cursor: p1.nextCursor ?? '' });
    expect(p2.items.map((u) => u.email)).toEqual(['c@example.com', 'd@example.com']);
    expect(services.users.list({ q: 'name e' }).items.map((u) => u.email)).toEqual(['e@example.com']);
    expect(services.users.list({ q: '%' }).total).toBe(0);
  });
});
