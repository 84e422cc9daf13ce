// Server-sent events: a session gets "hello", then coalesced change batches.
import { describe, expect, it } from 'vitest';
import { CAMERA, login, makeApp } from './fixture.js';

describe('GET /api/events', () => {
  it('streams hello, then one batch per interval with each change once', async () => {
    const { app, hub } = makeApp();
    const { cookie } = await login(app);
    const res = await app.request('/api/events', { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let text = '';
    const readUntil = async (re: RegExp) => {
      while (!re.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += dec.decode(value);
      }
    };
    await readUntil(/event: hello/);
    for (let i = 0; i < 5; i++) hub.emit({ type: 'device', mac: CAMERA });
    hub.emit({ type: 'alert', id: 'a1', device: CAMERA, change: 'raised' });
    hub.flush();
    await readUntil(/event: changes\ndata: .*\n\n/);
    const data = JSON.parse(/event: changes\ndata: (.*)\n/.exec(text)![1]) as { type: string }[];
    expect(data).toEqual([{ type: 'device', mac: CAMERA }, { type: 'alert', id: 'a1', device: CAMERA, change: 'raised' }]);
    await reader.cancel();
  });
});
