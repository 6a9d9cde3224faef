// What element-plus's dialogs and drawers leave out for assistive technology.
import { nextTick } from 'vue';

/**
 * Takes the banner role off the <header> element-plus renders a dialog's or drawer's title in. A <header> outside
 * article, aside, main, nav and section is the page's banner landmark, and a dialog is none of those: every open
 * dialog would add a second banner to the page (axe: landmark-no-duplicate-banner, landmark-banner-is-top-level).
 * The title keeps its heading role and still names the dialog. Call it from the dialog's or drawer's `open` event:
 * the header is in the document from the next tick on.
 */
export function unbannerDialogHeaders(): void {
  void nextTick(() => {
    for (const header of document.querySelectorAll(
      'header.el-dialog__header:not([role]), header.el-drawer__header:not([role])',
    ))
      header.setAttribute('role', 'none');
  });
}
