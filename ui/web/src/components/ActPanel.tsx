// Quarantine / lift and pause 1 h / until tomorrow for one device; disabled with the reason when the router cannot act.
import { lang } from '../models/lang.js';
import type { ActView } from '../models/act.js';

// Kept here, not in i18n/*.json, so this feature touches one component (issue #16); nl and en side by side.
const W = {
  en: {
    title: 'Cut off from the network', quarantine: 'Quarantine', lift: 'Lift quarantine', pause1h: 'Pause internet 1 hour',
    pauseTomorrow: 'Pause until tomorrow 07:00', resume: 'Resume internet', quarantined: 'In quarantine since', by: { household: 'by you', auto: 'automatically (infected)', isp: 'by your internet provider' },
    paused: 'Internet paused until', unavailable: 'Not available here:', off: 'not available here',
    why: {
      off: 'switched off in the settings (act.enabled: false).', 'no-lan': 'Waakhond does not know which network is the home network (act.lan_iface).',
      'no-cap': 'Waakhond has no permission to change the firewall.', 'no-forward': 'this machine is not the home\'s router.',
      'lan-missing': 'the home network\'s interface was not found.', 'lan-no-ipv4': 'the home network\'s interface has no address.',
      'no-route': 'home traffic does not pass through this machine.', 'nft-refused': 'the firewall (nftables) refused the rules.', starting: 'still starting.',
    } as Record<string, string>,
    intro: 'Quarantine blocks the internet and your other devices; the device can still get an address and names from the router, and web pages show why it is blocked.',
  },
  nl: {
    title: 'Afsluiten van het netwerk', quarantine: 'In quarantaine', lift: 'Quarantaine opheffen', pause1h: 'Internet 1 uur pauzeren',
    pauseTomorrow: 'Pauzeren tot morgen 07:00', resume: 'Internet hervatten', quarantined: 'In quarantaine sinds', by: { household: 'door jou', auto: 'automatisch (besmet)', isp: 'door je internetprovider' },
    paused: 'Internet gepauzeerd tot', unavailable: 'Niet beschikbaar hier:', off: 'niet beschikbaar hier',
    why: {
      off: 'uitgezet in de instellingen (act.enabled: false).', 'no-lan': 'Waakhond weet niet welk netwerk het thuisnetwerk is (act.lan_iface).',
      'no-cap': 'Waakhond mag de firewall niet aanpassen.', 'no-forward': 'dit apparaat is niet de router van het huis.',
      'lan-missing': 'de aansluiting van het thuisnetwerk is niet gevonden.', 'lan-no-ipv4': 'de aansluiting van het thuisnetwerk heeft geen adres.',
      'no-route': 'het verkeer van het huis gaat niet via dit apparaat.', 'nft-refused': 'de firewall (nftables) weigerde de regels.', starting: 'nog aan het opstarten.',
    } as Record<string, string>,
    intro: 'Quarantaine blokkeert internet en je andere apparaten; het apparaat krijgt nog wel een adres en namen van de router, en webpagina\'s laten zien waarom het geblokkeerd is.',
  },
} as const;

export interface ActPanelProps {
  view: ActView | null;
  busy: boolean;
  error: string | null;
  onQuarantine: () => void;
  onLift: () => void;
  onPause: (untilMs: number) => void;
  onResume: () => void;
}

/** Tomorrow at 07:00 local time: "until tomorrow" for a child's tablet. */
export function tomorrowMorning(now = new Date()): number {
  const d = new Date(now);
  d.setDate(d.getDate() + 1);
  d.setHours(7, 0, 0, 0);
  return d.getTime();
}

export function ActPanel({ view, busy, error, onQuarantine, onLift, onPause, onResume }: ActPanelProps) {
  const w = W[lang.value];
  if (!view) return null;
  const { capability: cap, device: d } = view;
  const off = !cap.capable || busy;
  const time = (ms: number) => new Date(ms).toLocaleString(lang.value, { dateStyle: 'medium', timeStyle: 'short' });
  // Said in the household's words from the codes; the English reasons (with nft's own message) stay in the log and the API.
  const why = cap.codes.map((c, i) => w.why[c] ?? cap.reasons[i]).join(' ');
  const body = (
    <>
      <p class="muted small">{w.intro}</p>
      {!cap.capable && <p class="act-why" role="note" data-testid="act-why">{w.unavailable} {why}</p>}
      {d.quarantined && <p class="act-state" data-testid="act-quarantined">{w.quarantined} {time(d.quarantined.at)} ({w.by[d.quarantined.by]})</p>}
      {d.paused_until && <p class="act-state" data-testid="act-paused">{w.paused} {time(d.paused_until)}</p>}
      <div class="actions">
        {d.quarantined
          ? <button type="button" class="primary" disabled={off} onClick={onLift}>{w.lift}</button>
          : <button type="button" class="danger" disabled={off} onClick={onQuarantine}>{w.quarantine}</button>}
        {d.paused_until
          ? <button type="button" disabled={off} onClick={onResume}>{w.resume}</button>
          : <>
            <button type="button" disabled={off} onClick={() => onPause(Date.now() + 3600_000)}>{w.pause1h}</button>
            <button type="button" disabled={off} onClick={() => onPause(tomorrowMorning())}>{w.pauseTomorrow}</button>
          </>}
      </div>
      {error && <p class="error" role="alert">{error}</p>}
    </>
  );
  // Where the router cannot act the panel folds to one line: the page stays calm, the reason is one click away.
  if (!cap.capable && !d.quarantined && !d.paused_until) {
    return <details class="card act" data-testid="act-panel"><summary><h2 class="inline">{w.title}</h2> <span class="muted small">({w.off})</span></summary>{body}</details>;
  }
  return <div class="card act" data-testid="act-panel"><h2>{w.title}</h2>{body}</div>;
}
