/**
 * A QR code drawn as one SVG path of its dark modules, so an authenticator app can scan the otpauth
 * URI instead of someone typing the secret. Built from data, never from an HTML string.
 */
import { encode } from 'uqr';

/** Light modules around the code, as scanners expect. */
const QUIET_ZONE = 4;

export function QrCode({ value, label, testId }: { value: string; label: string; testId?: string }) {
  const { data, size } = encode(value, { border: 0, ecc: 'M' });
  let d = '';
  data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) d += `M${x + QUIET_ZONE} ${y + QUIET_ZONE}h1v1h-1z`;
    });
  });
  const side = size + 2 * QUIET_ZONE;
  return (
    <svg
      class="qr-code"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${side} ${side}`}
      width={side * 5}
      height={side * 5}
      shape-rendering="crispEdges"
      data-testid={testId}
      data-modules={size}
    >
      <rect width={side} height={side} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
