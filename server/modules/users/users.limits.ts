/** Largest number of users one batch or import may add. */
export const MAX_BATCH = 5000;

/** Largest number of users one bulk action (disable, enable, delete) may change. */
export const MAX_BULK = 500;
