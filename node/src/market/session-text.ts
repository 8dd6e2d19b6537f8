/** SES-5: a refusal's `message` is text of at most 512 UTF-8 bytes. */
const MAX_MESSAGE_BYTES = 512;
const encoder = new TextEncoder();

/** Cuts `message` to what a refusal can carry (whole code points, at most 512 UTF-8 bytes). */
export function refusalText(message: string): string {
  if (encoder.encode(message).length <= MAX_MESSAGE_BYTES) return message;
  const points = Array.from(message).slice(0, MAX_MESSAGE_BYTES);
  while (points.length > 0 && encoder.encode(`${points.join('')}…`).length > MAX_MESSAGE_BYTES) points.length -= 1;
  return `${points.join('')}…`;
}
