import { describe, expect, it } from 'vitest';
import { createEventBus } from './events.js';

describe('the domain event bus', () => {
  it('calls every handler of an event in order, with its payload, and none of other events', () => {
    const bus = createEventBus();
    const seen: string[] = [];
    bus.on('mail.sent', (e) => seen.push(`first ${e.refId}`));
    bus.on('mail.sent', (e) => seen.push(`second ${e.kind}`));
    bus.on('push.token_gone', () => seen.push('wrong event'));
    bus.emit('mail.sent', { outboxId: 'o1', kind: 'invitation', refId: 'inv-1' });
    expect(seen).toEqual(['first inv-1', 'second invitation']);
  });

  it('emits to nobody without handlers', () => {
    expect(() =>
      createEventBus().emit('enrollment.abandoned', { enrollmentId: 'e', userId: 'u', deviceId: null }),
    ).not.toThrow();
  });

  it('lets a handler error reach the emitter, so a transaction around the emit rolls back', () => {
    const bus = createEventBus();
    bus.on('push.token_gone', () => {
      throw new Error('handler failed');
    });
    expect(() => bus.emit('push.token_gone', { deviceId: 'd', channel: 'device', reason: 'Unregistered' })).toThrow(
      'handler failed',
    );
  });
});
