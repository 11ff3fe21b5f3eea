/**
 * An enum value as people read it: "ROLLED_BACK" → "rolled back", "BLUE_GREEN" → "blue green".
 * One function so a status reads the same in a badge, a toast and an error message.
 */
export function humanize(value: string): string {
  return value.toLowerCase().replaceAll("_", " ");
}
