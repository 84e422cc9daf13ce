// Hash routing: #/ overview, #/devices list, #/device/<mac> device page.
import { signal } from '@preact/signals';

export type Route = { page: 'overview' } | { page: 'devices' } | { page: 'device'; mac: string };

function parse(hash: string): Route {
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
