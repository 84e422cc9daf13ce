// The dashboard shell: reads the models' signals and hands plain props to the components.
import { useEffect } from 'preact/hooks';
import { authed, networkError } from './models/api.js';
import { lang, setLang, t } from './models/lang.js';
import { route } from './models/route.js';
import { login, logout } from './models/session.js';
import { devices, detail, detailMissing, filtered, loadDetail, loadDevices, needAttention, rename, search, setAdvice, statusFilter, tipDevices, todo } from './models/devices.js';
import { history, loadHistory } from './models/history.js';
import { connected, startLive, stopLive } from './models/live.js';
import { health, saving, watchHealth } from './models/health.js';
import { answerError, clearAnswer, saveAnswer, undoAnswer, undoable } from './models/answers.js';
import { Header } from './components/Header.js';
import { Login } from './components/Login.js';
import { Overview } from './components/Overview.js';
import { DeviceList } from './components/DeviceList.js';
import { DevicePage } from './components/DevicePage.js';
import { AlertPage } from './components/AlertPage.js';

export function App() {
  const r = route.value;
  const isAuthed = authed.value === true;
  const l = lang.value;

  useEffect(() => {
    if (!isAuthed) { stopLive(); return; }
    void loadDevices().catch(() => {});
    startLive();
    watchHealth();
  }, [isAuthed, l]);

  const mac = r.page === 'device' || r.page === 'alert' ? r.mac : null;
  useEffect(() => {
    if (isAuthed && mac) void loadDetail(mac);
    if (isAuthed && mac && r.page === 'device') void loadHistory(mac);
  }, [isAuthed, mac, r.page, l]);

  if (authed.value === null) return null;
  return (
    <>
      <Header lang={l} page={r.page} authed={isAuthed} connected={connected.value}
        capture={health.value?.capture ?? null} captureError={health.value?.capture_error ?? null} onLang={setLang} onLogout={() => void logout()} />
      {networkError.value && <p class="banner" role="alert">{t('error.network')}</p>}
      {isAuthed && saving.value && !saving.value.ok && (
        <p class="banner" role="alert">{t('saving.banner')
          .replace('{reason}', t(`saving.${saving.value.code ?? 'other'}`).startsWith('saving.') ? t('saving.other') : t(`saving.${saving.value.code}`))
          .replace('{since}', saving.value.since ? new Date(saving.value.since).toLocaleString(l) : '?')}</p>
      )}
      {!isAuthed ? <Login onSubmit={login} /> : (
        <main id="main" tabIndex={-1}>
          {r.page === 'overview' && (
            <Overview total={devices.value.length} attention={needAttention.value.length}
              infected={devices.value.filter((d) => d.status === 'infected').length} todo={todo.value} tips={tipDevices.value} />
          )}
          {r.page === 'devices' && (
            <DeviceList devices={filtered.value} search={search.value} filter={statusFilter.value}
              onSearch={(q) => { search.value = q; }} onFilter={(f) => { statusFilter.value = f; }} />
          )}
          {r.page === 'device' && (
            <DevicePage device={detail.value?.mac === r.mac ? detail.value : null} missing={detailMissing.value}
              history={history.value?.mac === r.mac ? history.value.view : null}
              onRename={(m, n) => void rename(m, n)} onAdvice={(k, a) => void setAdvice(k, a)}
              answer={{
                canUndo: undoable.value?.mac === r.mac, error: answerError.value,
                onSave: (m, a) => void saveAnswer(m, a), onClear: (m) => void clearAnswer(m), onUndo: (m) => void undoAnswer(m),
              }} />
          )}
          {r.page === 'alert' && (
            <AlertPage device={detail.value?.mac === r.mac ? detail.value : null} id={r.id} missing={detailMissing.value}
              onAdvice={(k, a) => void setAdvice(k, a)} />
          )}
        </main>
      )}
    </>
  );
}
