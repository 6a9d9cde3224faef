/** Largest number of users one batch or import may add. */
export const MAX_BATCH = 5000;
