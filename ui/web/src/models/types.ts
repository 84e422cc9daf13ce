// The API's shapes as the dashboard sees them. Alert and advice shapes are the server's own types
// (type-only imports: nothing of the server is bundled); the rest are the dashboard's views of them.
import type { AlertView } from '../../../server/views.js';
import type { AdviceCard, VendorCard } from '../../../../rules/advice/book.js';

export type { AdviceCard, AlertView, VendorCard };
export type Status = 'ok' | 'check' | 'update-advised' | 'exposed' | 'infected';
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export type Answer = 'yes' | 'no' | 'partly' | 'setting' | 'unknown';

export interface Action { key: string; advice: string; title: string; priority: number; status: Exclude<Status, 'ok'> }

export interface DeviceSummary {
  mac: string;
  label: string;
  user_name: string | null;
  name: string | null;
  hostname: string | null;
  vendor: string | null;
  model: string | null;
  category: string;
  confidence: number;
  private_mac: boolean;
  ips: string[];
  ipv6: string[];
  status: Status;
  first_seen_ms: number;
  last_seen_ms: number;
  alert_count: number;
  actions: Action[];
}

export interface Evidence { source: string; detail: string; vendor: string | null; model: string | null; category: string | null; weight: number | null }

export type TrafficPoint = [number, number, number, number, number];

export interface DeviceDetail extends DeviceSummary {
  evidence: Evidence[];
  alerts: AlertView[];
  advice: AdviceCard[];
  traffic: TrafficPoint[];
}
