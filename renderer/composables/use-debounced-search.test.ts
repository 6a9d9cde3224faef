import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope, nextTick } from 'vue';
import { SEARCH_DELAY_MS, useDebouncedSearch } from './use-debounced-search.js';

describe('useDebouncedSearch', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(initial = '', delay?: number) {
    const search = vi.fn();
    const scope = effectScope();
    const text = scope.run(() => useDebouncedSearch(initial, search, delay));
    if (!text) throw new Error('no scope');
    return { search, scope, text };
  }

  it('starts from the text it is given without searching', async () => {
    const { search, text } = setup('sn1');
    expect(text.value).toBe('sn1');
    await nextTick();
    vi.advanceTimersByTime(SEARCH_DELAY_MS * 2);
    expect(search).not.toHaveBeenCalled();
  });

  it('searches once typing has paused, with the last text only', async () => {
    const { search, text } = setup();
    text.value = 'y';
    await nextTick();
    vi.advanceTimersByTime(SEARCH_DELAY_MS - 1);
    text.value = 'ya';
    await nextTick();
    vi.advanceTimersByTime(SEARCH_DELAY_MS - 1);
    text.value = 'yam';
    await nextTick();
    vi.advanceTimersByTime(SEARCH_DELAY_MS - 1);
    expect(search).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(search).toHaveBeenCalledTimes(1);
    expect(search).toHaveBeenCalledWith('yam');
  });

  it('searches again after each pause, including for a cleared box', async () => {
    const { search, text } = setup('', 100);
    text.value = 'a';
    await nextTick();
    vi.advanceTimersByTime(100);
    text.value = '';
    await nextTick();
    vi.advanceTimersByTime(100);
    expect(search.mock.calls).toEqual([['a'], ['']]);
  });

  it('drops a waiting search when its view goes away', async () => {
    const { search, scope, text } = setup();
    text.value = 'late';
    await nextTick();
    scope.stop();
    vi.advanceTimersByTime(SEARCH_DELAY_MS * 2);
    expect(search).not.toHaveBeenCalled();
  });
});
