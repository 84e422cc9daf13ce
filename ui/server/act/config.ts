// The `act:` section of the config (quarantine, pause, only-known devices, ISP commands), validated with zod; off by default.
import { z } from 'zod';

/** Interface names as the kernel allows them (IFNAMSIZ 16 incl. NUL): they are written into the nft script. */
const Iface = z.string().regex(/^[A-Za-z0-9_.@-]{1,15}$/, 'not an interface name');

export const ActConfigSchema = z.object({
  /** Waakhond may change the router's firewall at all (the household's consent). */
  enabled: z.boolean().default(false),
  /** The home side: the LAN bridge or interfaces (default: the capture interface of `run --iface`). */
  lan_iface: z.array(Iface).min(1).max(8).nullable().default(null),
  /** Put a device in quarantine when it is `infected` (default off: a person decides). */
  auto_quarantine: z.boolean().default(false),
  /** New devices get the guest treatment (internet only, no other home devices) until approved. */
  only_known_devices: z.boolean().default(false),
  /** The explanation page quarantined devices' plain HTTP is redirected to (on the router's LAN address). */
  portal_port: z.number().int().min(1).max(65535).default(8089),
  /** The nft binary. */
  nft: z.string().min(1).default('nft'),
  /** Also write the applied ruleset here (OpenWrt: the fw4 include restores it at boot before Waakhond starts). */
  ruleset_file: z.string().min(1).nullable().default(null),
  /** ISP mode: signed quarantine/release commands over the fleet MQTT topic <prefix>/<site>/act/command. */
  mqtt_commands: z.object({
    enabled: z.boolean().default(false),
    /** HMAC-SHA256 shared key (at least 32 characters); env WAAKHOND_ACT_KEY wins. */
    key: z.string().min(32).nullable().default(null),
    /** Commands older or newer than this (clock skew) are refused. */
    max_skew_s: z.number().int().min(5).max(3600).default(300),
  }).strict().default({}),
}).strict();

export type ActConfig = z.infer<typeof ActConfigSchema>;

export function parseActConfig(raw: unknown): ActConfig {
  const r = ActConfigSchema.safeParse(raw ?? {});
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`config act: ${i.path.join('.') || '(top)'}: ${i.message}`);
  }
  return r.data;
}
