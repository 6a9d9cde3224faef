// The Japanese catalogue as the console loads it: the console's messages and the helper window's under `helper`.
// Imported only dynamically (index.ts loadMessages), so it is its own chunk, messages-ja-*.js.
import helperJa from './helper.ja.js';
import ja from './ja.js';
import type { AppMessages } from './index.js';

/** Every Japanese message. */
const messagesJa: AppMessages = { ...ja, helper: helperJa };

export default messagesJa;
