// A fixed order for names from the network and the data files, without the ICU collator.
//
// String.prototype.localeCompare pages ICU's collation data into the process (~2.6 MB resident in
// the daemon, issue #14) the first time it runs. Where an order only has to be stable and readable
// (a tie-break between vendors, the device page's destinations), case-folded code-unit order does.

/** Negative, zero or positive like localeCompare: ignoring case first ("ecobee" before "Google"), then by code unit. */
export function compareText(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
