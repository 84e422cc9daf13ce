// What exports publish of a device's identity: the household's answer (identity 'user'), the MACs it was seen as,
// and Home Assistant discovery's name and kind; every message still validates against waakhond.event/1.
import { describe, expect, it } from 'vitest';
import { deviceMessage } from '../../ui/server/exports/messages.js';
import { haDiscovery, mqttTopics } from '../../ui/server/exports/mqtt.js';
import { Views } from '../../ui/server/views.js';
import { loadAdviceBook } from '../../rules/advice/book.js';
import { device, makeApp } from '../ui/server/fixture.js';
import { assertValid } from './helpers/validate.js';

const NAS = '00:11:32:aa:bb:cc';
const T = mqttTopics('waakhond', 'home');

describe('exported identity', () => {
  it('an answered device exports the answer: name, vendor, kind (as HA model when none is known), identity user', () => {
    const { store } = makeApp();
    store.upsertDevice(device(NAS, { vendor: 'Synology', confidence: 0.35, category: 'other', evidence: [{ source: 'oui', detail: 'OUI 00:11:32 Synology', vendor: 'Synology', weight: 0.35 }] }));
    const views = new Views(store, loadAdviceBook());
    const before = deviceMessage('home', views.exported(NAS)!, 'ok', 'seen');
    assertValid(before);
    expect(before.device).toMatchObject({ identity: 'inferred', category: 'other' });
    expect(JSON.parse(haDiscovery(before, T).status).device.model).toBeUndefined();

    store.setAnswer(NAS, { category: 'nas', vendor: null, name: 'Fotoschijf', at: 1, anchors: { client_id: null, hostname: null } });
    const msg = deviceMessage('home', views.exported(NAS)!, 'ok', 'changed');
    assertValid(msg);
    expect(msg.device).toMatchObject({ identity: 'user', name: 'Fotoschijf', vendor: 'Synology', category: 'nas', confidence: 1 });
    expect(msg.device.evidence[0]).toBe('you said so: nas, "Fotoschijf"');
    const ha = JSON.parse(haDiscovery(msg, T).status);
    expect(ha.device).toMatchObject({ name: 'Fotoschijf', manufacturer: 'Synology', model: 'nas' });
    // A rename still names it first.
    store.setName(NAS, 'NAS op zolder');
    expect(JSON.parse(haDiscovery(deviceMessage('home', views.exported(NAS)!, 'ok', 'changed'), T).status).device.name).toBe('NAS op zolder');
  });

  it('a device seen as several MACs exports them, key first; a single MAC exports no seen_as', () => {
    const { store } = makeApp();
    store.upsertDevice({ ...device('9a:00:00:00:00:01', { private_mac: true }), seen_as: ['9a:00:00:00:00:01', 'd6:00:00:00:00:02'] });
    const views = new Views(store, loadAdviceBook());
    const msg = deviceMessage('home', views.exported('d6:00:00:00:00:02')!, 'ok', 'seen');
    assertValid(msg);
    expect(msg.device.mac).toBe('9a:00:00:00:00:01');
    expect(msg.device.seen_as).toEqual(['9a:00:00:00:00:01', 'd6:00:00:00:00:02']);
    const single = deviceMessage('home', views.exported(NAS) ?? { ...device(NAS) }, 'ok', 'seen');
    expect(single.device.seen_as).toBeUndefined();
  });
});
