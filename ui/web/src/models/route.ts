// Hash routing: #/ overview, #/devices list, #/device/<mac> device page, #/device/<mac>/alert/<id> one alert.
import { signal } from '@preact/signals';

export type Route = { page: 'overview' } | { page: 'devices' } | { page: 'device'; mac: string } | { page: 'alert'; mac: string; id: string };

function parse(hash: string): Route {
  const a = /^#\/device\/([0-9a-f:]{17})\/alert\/([^/]+)$/.exec(hash);
  if (a) {
    try { return { page: 'alert', mac: a[1], id: decodeURIComponent(a[2]) }; } catch { return { page: 'device', mac: a[1] }; }
  }
  const m = /^#\/device\/([0-9a-f:]{17})$/.exec(hash);
  if (m) return { page: 'device', mac: m[1] };
  if (hash === '#/devices') return { page: 'devices' };
  return { page: 'overview' };
}

export const route = signal<Route>(parse(location.hash));

export function startRouter(): void {
  addEventListener('hashchange', () => {
    route.value = parse(location.hash);
    window.scrollTo(0, 0);
  });
}

export const hrefDevice = (mac: string) => `#/device/${mac}`;
export const hrefAlert = (mac: string, id: string) => `#/device/${mac}/alert/${encodeURIComponent(id)}`;
