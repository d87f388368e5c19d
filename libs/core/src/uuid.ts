const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a reference is a UUID (in any case) rather than a slug: the API addresses rows by either. */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}
