// The English catalogue as the console loads it: the console's messages and the helper window's under `helper`.
// Imported only dynamically (index.ts loadMessages), so it is its own chunk, messages-en-*.js.
import en from './en.js';
import helperEn from './helper.en.js';
import type { AppMessages } from './index.js';

/** Every English message. */
const messagesEn: AppMessages = { ...en, helper: helperEn };

export default messagesEn;
