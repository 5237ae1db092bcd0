/** Human byte figures, decimal (SI) units as CloudWatch and EC2 documentation use: 537 MB is 537 × 10^6 bytes. */
const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 ? 0 : value >= 100 ? 1 : value >= 10 ? 2 : 3;
  return `${sign}${value.toFixed(digits)} ${UNITS[unit]}`;
}

export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}
