// The console by keyboard alone (Tab, Shift+Tab, Enter, Escape, the arrow keys), in Chromium against an in-process
// server: signing in, the skip link, the navigation, a dialog opened and closed with the focus back on its trigger, a
// form submitted, a row menu operated, a drawer opened and closed. No click and no fill: keys only.
import { expect, test, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { HARNESS_ADMIN, startHarness, type Harness } from '../helpers/server-harness.js';
import { guardPage, type PageGuard } from './page-guard.js';

/** More Tab presses than any walk below needs: a control that is not reached by then is not reachable. */
const MAX_TABS = 60;

let h: Harness;

test.beforeAll(async () => {
  h = await startHarness();
  for (const [email, displayName] of [
    ['ito@example.com', 'Ito Aoi'],
    ['mori@example.com', 'Mori Yumi'],
  ] as const) {
    const res = await h.admin.call('POST', '/api/users', { email, displayName, locale: 'en' });
    expect(res.status, res.text).toBe(201);
  }
});

test.afterAll(async () => {
  await h?.stop();
});

/** Whether the focus is on `target` or inside it (element-plus puts the focus on an inner <input>). */
function holdsFocus(target: Locator): Promise<boolean> {
  return target.evaluate((el) => el === document.activeElement || el.contains(document.activeElement));
}

/** Presses Tab (Shift+Tab with `back`) until `target` has the focus; fails naming it if it is never reached. */
async function tabTo(page: Page, target: Locator, what: string, back = false): Promise<void> {
  for (let i = 0; i < MAX_TABS; i++) {
    if ((await target.count()) > 0 && (await holdsFocus(target))) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  const focused = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 200) ?? 'nothing');
  throw new Error(
    `${what} was not reached with ${MAX_TABS} ${back ? 'Shift+Tab' : 'Tab'} presses; focus is on ${focused}`,
  );
}

/** Types into the focused field, key by key. */
async function typeKeys(page: Page, text: string): Promise<void> {
  await page.keyboard.type(text);
}

/**
 * A desktop console signed in by keyboard alone: Tab to the email field, type, Tab to the password, type, Enter
 * submits; it lands on the Users page.
 */
async function signedIn(browser: Browser): Promise<{ context: BrowserContext; page: Page; guard: PageGuard }> {
  const context = await browser.newContext({
    baseURL: h.server.adminUrl,
    locale: 'en-US',
    viewport: { width: 1280, height: 800 },
  });
  const page = await context.newPage();
  const guard = guardPage(page);
  await page.goto('/login?redirect=/users');
  await tabTo(page, page.locator('[data-testid=login-email]'), 'the email field');
  await typeKeys(page, HARNESS_ADMIN.email);
  await tabTo(page, page.locator('[data-testid=login-password]'), 'the password field');
  await typeKeys(page, HARNESS_ADMIN.password);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/:\d+\/users$/);
  return { context, page, guard };
}

test('the console by keyboard alone', async ({ browser }) => {
  test.setTimeout(120_000);
  const { context, page, guard } = await signedIn(browser);
  await expect(page.getByTestId('user-table')).toContainText('ito@example.com');

  // The first Tab of a page reaches the skip link, shown while it has the focus; Enter moves the focus to the page
  // itself, and the next Tab lands in the page, past the header and the navigation.
  await page.locator('body').evaluate((body) => {
    (document.activeElement as HTMLElement | null)?.blur();
    body.focus();
  });
  await page.keyboard.press('Tab');
  const skip = page.getByTestId('skip-link');
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.querySelector('main')?.contains(document.activeElement))).toBe(true);

  // The navigation: Shift+Tab back out of the page to the Invitations link, Enter follows it; then Tab on to Users.
  const nav = page.getByRole('navigation', { name: 'Main navigation' });
  await tabTo(page, nav.getByRole('link', { name: 'Invitations' }), 'the Invitations link', true);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/invitations$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Invitations');
  await tabTo(page, nav.getByRole('link', { name: 'Users', exact: true }), 'the Users link', true);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/:\d+\/users$/);

  // A dialog: Enter on Add user opens it with the focus inside; Escape closes it and gives the focus back to the button.
  const addUser = page.getByTestId('add-user');
  await tabTo(page, addUser, 'Add user');
  await page.keyboard.press('Enter');
  const dialog = page.getByTestId('user-dialog');
  await expect(dialog).toBeVisible();
  await expect.poll(() => holdsFocus(dialog)).toBe(true);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(addUser).toBeFocused();

  // A form submitted: the same dialog again, its fields typed in, Tab to the primary button, Enter.
  await page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  await tabTo(page, dialog.locator('[data-testid=user-email]'), 'the email field of the dialog');
  await typeKeys(page, 'keys@example.com');
  await tabTo(page, dialog.locator('[data-testid=user-display-name]'), 'the name field of the dialog');
  await typeKeys(page, 'Key Board');
  await tabTo(page, dialog.getByTestId('user-submit'), 'the dialog’s Add button');
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  const row = page.getByTestId('user-table').locator('.el-table__body tr').filter({ hasText: 'keys@example.com' });
  await expect(row).toBeVisible();

  // A row menu: Tab to the row's Actions button, Enter opens the menu on its first item, the arrow keys move, Escape
  // closes the menu and the focus goes back to the button; then Enter on Temporary password opens its confirmation, Escape
  // closes that, and the focus is again on the button.
  const trigger = row.getByTestId('user-actions');
  await tabTo(page, trigger, 'the row’s Actions button');
  await page.keyboard.press('Enter');
  const item = (action: string) => page.locator(`.el-dropdown-menu__item[data-testid="user-action-${action}"]:visible`);
  await expect(item('invite')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(item('invite')).not.toBeFocused();
  await page.keyboard.press('Escape');
  await expect(item('invite')).toBeHidden();
  await expect(trigger).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(item('invite')).toBeFocused();
  for (
    let i = 0;
    i < MAX_TABS && !(await item('temporaryPassword').evaluate((el) => el === document.activeElement));
    i++
  )
    await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const confirm = page.getByTestId('user-action-confirm');
  await expect(confirm).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
  await expect(trigger).toBeFocused();

  // The audit trail's long details scroll in their box: it takes the focus, and the arrow keys scroll it.
  await tabTo(page, nav.getByRole('link', { name: 'Audit trail' }), 'the Audit trail link', true);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/audit$/);
  const details = page.getByTestId('audit-table').locator('code.details').first();
  await tabTo(page, details, 'the first event’s details');
  await expect(details).toHaveAttribute('role', 'group');

  guard.assertClean();
  await context.close();
});

/** Every page of the signed-in console (the wizard shows its first step). */
const CONSOLE_PAGES = [
  '/',
  '/users',
  '/invitations',
  '/devices',
  '/configurations',
  '/audit',
  '/settings/users',
  '/settings/directory',
  '/settings/mail',
  '/settings/enrollment-url',
  '/settings/push',
  '/settings/tls',
  '/settings/admins',
  '/password',
  '/wizard',
] as const;

test('every control of every console page is reached by Tab', async ({ browser }) => {
  test.setTimeout(180_000);
  const { context, page, guard } = await signedIn(browser);

  const missed: string[] = [];
  for (const path of CONSOLE_PAGES) {
    await page.goto(path);
    await expect(page.locator('h1')).toHaveCount(1);
    await expect(page.locator('.el-loading-mask')).toHaveCount(0);
    // Every control a mouse user can operate on the page now: visible, enabled, not taken out of the Tab order.
    // Radio buttons count once per group (Tab enters a group once; the arrow keys move inside it).
    const wanted = await page.evaluate(() => {
      const seenGroups = new Set<string>();
      const out: string[] = [];
      const selector = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])';
      document.querySelectorAll<HTMLElement>(selector).forEach((el, i) => {
        if (el.tabIndex < 0 || (el as HTMLButtonElement).disabled || el.closest('[inert], [aria-hidden="true"]'))
          return;
        if (el instanceof HTMLInputElement && el.type === 'hidden') return;
        const box = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        // Inputs element-plus draws over (checkboxes, switches, radios) are transparent but on screen.
        if ((box.width === 0 && box.height === 0) || style.visibility === 'hidden' || style.display === 'none') return;
        if (el instanceof HTMLInputElement && el.type === 'radio') {
          if (seenGroups.has(el.name)) return;
          seenGroups.add(el.name);
          el.dataset.kbGroup = el.name;
        }
        el.dataset.kb = String(i);
        out.push(String(i));
      });
      return out;
    });
    // Tab from the top of the page until the focus comes round again (or leaves the page); every stop is recorded.
    await page.locator('body').evaluate((body) => {
      (document.activeElement as HTMLElement | null)?.blur();
      body.focus();
    });
    const reached = new Set<string>();
    let first: string | null = null;
    for (let i = 0; i < wanted.length * 2 + 40; i++) {
      await page.keyboard.press('Tab');
      const at = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        if (el instanceof HTMLInputElement && el.type === 'radio' && el.name) {
          const group = document.querySelector<HTMLElement>(`input[data-kb-group="${CSS.escape(el.name)}"]`);
          if (group?.dataset.kb) return group.dataset.kb;
        }
        return el.dataset.kb ?? el.closest<HTMLElement>('[data-kb]')?.dataset.kb ?? `other:${el.tagName}`;
      });
      if (at === null || at === first) break;
      first ??= at;
      reached.add(at);
    }
    const notReached = wanted.filter((id) => !reached.has(id));
    if (notReached.length > 0) {
      const names = await page.evaluate(
        (ids) => ids.map((id) => (document.querySelector(`[data-kb="${id}"]`)?.outerHTML ?? id).slice(0, 160)),
        notReached,
      );
      missed.push(
        `${path}: ${notReached.length} of ${wanted.length} controls not reached by Tab:\n  ${names.join('\n  ')}`,
      );
    }
  }
  expect(missed, missed.join('\n')).toEqual([]);
  guard.assertClean();
  await context.close();
});
