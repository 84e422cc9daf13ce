// Household text for rules written inside tests: every rule needs nl and en (load.ts), and a test about
// something else should not have to spell them out. Appended at the end, so line numbers stay.
export const TEXT_YAML = 'text: { nl: { title: "Testregel", summary: "{device} doet iets" }, en: { title: "Test rule", summary: "{device} does something" } }\n';

/** The rule's YAML with a household text added when it has none. */
export function withText(yaml: string): string {
  if (/^text:/m.test(yaml)) return yaml;
  return yaml.endsWith('\n') ? yaml + TEXT_YAML : `${yaml}\n${TEXT_YAML}`;
}

/** The same for a rule written as a JSON object. */
export const TEXT_JSON = {
  nl: { title: 'Testregel', summary: '{device} doet iets' },
  en: { title: 'Test rule', summary: '{device} does something' },
};
