// The API's shapes as the dashboard sees them: device, alert and advice shapes are the server's own types
// (type-only imports: nothing of the server is bundled).
import type { ActionView, AlertView, DeviceDetail, DeviceSummary } from '../../../server/views.js';
import type { AdviceCard, VendorCard } from '../../../../rules/advice/book.js';
import type { HistoryView } from '../../../server/store/history.js';

export type { AdviceCard, AlertView, DeviceDetail, DeviceSummary, HistoryView, VendorCard };
export type Status = 'ok' | 'check' | 'update-advised' | 'exposed' | 'infected';
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export type Answer = 'yes' | 'no' | 'partly' | 'setting' | 'unknown';

export type Action = ActionView;

export interface Evidence { source: string; detail: string; vendor: string | null; model: string | null; category: string | null; weight: number | null }

export type TrafficPoint = [number, number, number, number, number];


/** What the household says a device is (PUT /api/devices/:mac/answer). */
export interface AnswerInput { category: string | null; vendor: string | null; name: string | null }
