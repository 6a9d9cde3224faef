import type { InjectionKey } from 'vue';

/**
 * Provided as true by a page that shows other pages inside itself (the setup wizard's steps): their PageHeader is then
 * a second-level heading under the host page's own h1, so the document keeps one h1.
 */
export const EMBEDDED_PAGE: InjectionKey<boolean> = Symbol('embedded-page');
