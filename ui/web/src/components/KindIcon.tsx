// A line icon per kind of device (decorative: the kind is also written out beside it).
const PATHS: Record<string, string> = {
  camera: 'M3 8a2 2 0 0 1 2-2h10a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2zM17 10.5l4-2.5v8l-4-2.5',
  'smart-plug': 'M9 3v5M15 3v5M6 8h12v4a6 6 0 0 1-12 0zM12 18v3',
  hub: 'M12 9a3 3 0 1 1 0 6a3 3 0 1 1 0-6M6.3 5.7a9 9 0 0 0 0 12.6M17.7 5.7a9 9 0 0 1 0 12.6',
  sensor: 'M12 4a8 8 0 1 1 0 16a8 8 0 1 1 0-16M12 10a2 2 0 1 1 0 4a2 2 0 1 1 0-4',
  lighting: 'M9 18h6M10 21h4M12 3a6 6 0 0 0-4 10.5c.7.7 1 1.5 1 2.5h6c0-1 .3-1.8 1-2.5A6 6 0 0 0 12 3z',
  appliance: 'M7 3h10a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2M12 9a4 4 0 1 1 0 8a4 4 0 1 1 0-8',
  health: 'M12 20s-7-4.5-7-10a4 4 0 0 1 7-2.5A4 4 0 0 1 19 10c0 5.5-7 10-7 10z',
  media: 'M5 5h14a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2M8 21h8',
  speaker: 'M8 3h8a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2M12 11a3 3 0 1 1 0 6a3 3 0 1 1 0-6M12 7h.01',
  printer: 'M7 9V3h10v6M7 17H5a2 2 0 0 1-2-2v-4a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2v4a2 2 0 0 1-2 2h-2M7 14h10v7H7z',
  nas: 'M4 3h16v8H4zM4 13h16v8H4zM8 7h.01M8 17h.01',
  router: 'M5 13h14a2 2 0 0 1 2 2v3a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-3a2 2 0 0 1 2-2M7 13V8M17 13V8M7 16.5h.01',
  phone: 'M9 2h6a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H9a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2M11 18h2',
  computer: 'M4 4h16a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1M2 20h20',
  lock: 'M7 11V7a5 5 0 0 1 10 0v4M5 11h14v10H5zM12 15v2',
  doorbell: 'M8 2h8a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2M12 6a2 2 0 1 1 0 4a2 2 0 1 1 0-4M12 14a2 2 0 1 1 0 4a2 2 0 1 1 0-4',
  thermostat: 'M12 3a9 9 0 1 1 0 18a9 9 0 1 1 0-18M12 12l3-3M12 7v1M7 12h1M16 12h1',
  energy: 'M13 2L4 14h7l-1 8l9-12h-7z',
  vacuum: 'M12 3a9 9 0 1 1 0 18a9 9 0 1 1 0-18M12 7a2 2 0 1 1 0 4a2 2 0 1 1 0-4M6 15h12',
  tv: 'M3 6h18v12H3zM8 21h8M9 3l3 3l3-3',
  'game-console': 'M6 8h12a4 4 0 0 1 4 4v2a3 3 0 0 1-5.2 2L15 14H9l-1.8 2A3 3 0 0 1 2 14v-2a4 4 0 0 1 4-4M7 10v3M5.5 11.5h3M16 11h.01M18 13h.01',
  'voice-assistant': 'M12 3a3 3 0 0 1 3 3v6a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3M5 11a7 7 0 0 0 14 0M12 18v3',
  other: 'M12 3a9 9 0 1 1 0 18a9 9 0 1 1 0-18M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6v.6M12 17h.01',
};

export function KindIcon({ category, size = 28 }: { category: string; size?: number }) {
  return (
    <svg class="icon" width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false"
      fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">
      <path d={PATHS[category] ?? PATHS.other} />
    </svg>
  );
}
