// `waakhond uninstall-firewall [--nft PATH]`: removes Waakhond's nftables tables (inet and bridge "waakhond"), if any.
import { nftRunner } from './nft.js';
import { removeTables } from './service.js';

export async function uninstallFirewall(args: string[]): Promise<number> {
  let bin = 'nft';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--nft' && args[i + 1]) bin = args[++i];
    else { process.stderr.write(`waakhond uninstall-firewall: unknown option ${args[i]}\nusage: waakhond uninstall-firewall [--nft PATH]\n`); return 2; }
  }
  const r = await removeTables(nftRunner(bin));
  if (!r.ok) {
    process.stderr.write(`waakhond uninstall-firewall: ${r.error}\n(by hand: nft delete table inet waakhond; nft delete table bridge waakhond)\n`);
    return 1;
  }
  process.stdout.write('waakhond: firewall tables removed (inet waakhond, bridge waakhond); quarantined and paused devices are free again\n');
  return 0;
}
