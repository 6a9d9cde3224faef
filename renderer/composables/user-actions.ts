// What the admin can do to one user from its row, and which of it applies to a disabled user.
import type { UserDto } from '../../server/contract/index.js';

/** The actions of a user's row menu, in menu order. */
export const USER_ACTIONS = ['invite', 'newPin', 'resetPassword', 'temporaryPassword', 'toggle', 'delete'] as const;

/** One action of a user's row menu. */
export type UserAction = (typeof USER_ACTIONS)[number];

/** Whether an action applies: a disabled user can only be enabled or deleted (they cannot sign in or enroll). */
export function userActionApplies(user: Pick<UserDto, 'disabled'>, action: UserAction): boolean {
  return !user.disabled || action === 'toggle' || action === 'delete';
}

/** The actions about a local password, which directory users do not have (the server refuses them: DIRECTORY_MANAGED). */
const LOCAL_PASSWORD_ACTIONS: ReadonlySet<UserAction> = new Set(['resetPassword', 'temporaryPassword']);

/** Whether an action is offered at all: directory users sign in with their network password, so none about a local one. */
export function userActionOffered(user: Pick<UserDto, 'source'>, action: UserAction): boolean {
  return user.source !== 'ldap' || !LOCAL_PASSWORD_ACTIONS.has(action);
}

/** The message key of an action's menu label (the toggle names what it will do). */
export function userActionLabel(user: Pick<UserDto, 'disabled'>, action: UserAction): string {
  if (action === 'toggle') return user.disabled ? 'userActions.menu.enable' : 'userActions.menu.disable';
  return `userActions.menu.${action}`;
}
