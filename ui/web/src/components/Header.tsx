// The top bar: name, navigation, live indicator, language switch, log out.
import { t } from '../models/lang.js';
import type { Lang } from '../models/lang.js';

export interface HeaderProps {
  lang: Lang;
  page: string;
  authed: boolean;
  connected: boolean;
  /** running | ended | failed (GET /api/health); null until known. */
  capture?: string | null;
  captureError?: string | null;
  onLang: (l: Lang) => void;
  onLogout: () => void;
}

export function Header({ lang, page, authed, connected, capture = null, captureError = null, onLang, onLogout }: HeaderProps) {
  // "Live" only while the capture runs: a finished file or stdin stream says "ended", a broken one "failed".
  const state = !connected ? 'offline' : capture === 'ended' ? 'ended' : capture === 'failed' ? 'failed' : 'live';
  return (
    <header class="top">
      <a class="skip" href="#main">{t('nav.skip')}</a>
      <div class="brand">
        <svg width="30" height="30" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">
          <path d="M12 3l8 3v6c0 4.5-3.4 8.2-8 9c-4.6-.8-8-4.5-8-9V6z" /><path d="M8.5 12l2.5 2.5l4.5-5" />
        </svg>
        <div class="brand-text"><strong>{t('app.title')}</strong><span class="tagline">{t('app.tagline')}</span></div>
      </div>
      {authed && (
        <nav aria-label="main">
          <a href="#/" aria-current={page === 'overview' ? 'page' : undefined}>{t('nav.overview')}</a>
          <a href="#/devices" aria-current={page !== 'overview' ? 'page' : undefined}>{t('nav.devices')}</a>
        </nav>
      )}
      <div class="tools">
        {authed && (
          <span class={state === 'live' ? 'live on' : state === 'failed' ? 'live failed' : 'live'} role="status" data-capture={state}
            title={state === 'failed' && captureError ? captureError : undefined}><span class="long">{t(`overview.${state}`)}</span></span>
        )}
        {/* On a phone the header stays one row: short labels, the long ones stay the accessible names. */}
        <button type="button" class="link" lang={lang === 'nl' ? 'en' : 'nl'} aria-label={t('lang.switch.label')} onClick={() => onLang(lang === 'nl' ? 'en' : 'nl')}>
          <span class="long">{t('lang.switch')}</span><span class="short" aria-hidden="true">{lang === 'nl' ? 'EN' : 'NL'}</span>
        </button>
        {authed && (
          <button type="button" class="link" aria-label={t('logout')} onClick={onLogout}>
            <span class="long">{t('logout')}</span>
            <svg class="short" width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M15 4h3a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-3M10 17l-5-5l5-5M5 12h11" /></svg>
          </button>
        )}
      </div>
    </header>
  );
}
