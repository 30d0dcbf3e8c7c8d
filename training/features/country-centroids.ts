// Approximate country centroids (degrees) for implied travel speed between logins.

// [alpha-2, latitude, longitude]; rough centroids are enough to tell a commute from a transatlantic hop.
const CENTROIDS: readonly [string, number, number][] = [
  ['US', 39.8, -98.6],
  ['CA', 56.1, -106.3],
  ['MX', 23.6, -102.6],
  ['BR', -14.2, -51.9],
  ['AR', -38.4, -63.6],
  ['CL', -35.7, -71.5],
  ['CO', 4.6, -74.3],
  ['PE', -9.2, -75.0],
  ['VE', 6.4, -66.6],
  ['GB', 55.4, -3.4],
  ['IE', 53.4, -8.2],
  ['FR', 46.2, 2.2],
  ['DE', 51.2, 10.5],
  ['NL', 52.1, 5.3],
  ['BE', 50.5, 4.5],
  ['ES', 40.5, -3.7],
  ['PT', 39.4, -8.2],
  ['IT', 41.9, 12.6],
  ['CH', 46.8, 8.2],
  ['AT', 47.5, 14.6],
  ['PL', 51.9, 19.1],
  ['CZ', 49.8, 15.5],
  ['SE', 60.1, 18.6],
  ['NO', 60.5, 8.5],
  ['FI', 61.9, 25.7],
  ['DK', 56.3, 9.5],
  ['UA', 48.4, 31.2],
  ['RO', 45.9, 25.0],
  ['HU', 47.2, 19.5],
  ['GR', 39.1, 21.8],
  ['TR', 38.96, 35.2],
  ['RU', 61.5, 105.3],
  ['KZ', 48.0, 66.9],
  ['IL', 31.0, 34.9],
  ['SA', 23.9, 45.1],
  ['AE', 23.4, 53.8],
  ['EG', 26.8, 30.8],
  ['MA', 31.8, -7.1],
  ['NG', 9.1, 8.7],
  ['GH', 7.9, -1.0],
  ['KE', -0.02, 37.9],
  ['UG', 1.4, 32.3],
  ['ZA', -30.6, 22.9],
  ['ET', 9.1, 40.5],
  ['IN', 20.6, 79.0],
  ['PK', 30.4, 69.3],
  ['BD', 23.7, 90.4],
  ['LK', 7.9, 80.8],
  ['NP', 28.4, 84.1],
  ['CN', 35.9, 104.2],
  ['JP', 36.2, 138.3],
  ['KR', 35.9, 127.8],
  ['VN', 14.1, 108.3],
  ['TH', 15.9, 100.99],
  ['PH', 12.9, 121.8],
  ['ID', -0.8, 113.9],
  ['MY', 4.2, 102.0],
  ['SG', 1.35, 103.8],
  ['AU', -25.3, 133.8],
  ['NZ', -40.9, 174.9],
];
const BY_CODE = new Map(CENTROIDS.map(([code, lat, lon]) => [code, { lat, lon }]));

/** Great-circle distance in km between two countries' centroids, or null when either is not in the table. */
export function countryDistanceKm(a: string, b: string): number | null {
  if (a === b) return 0;
  const p = BY_CODE.get(a);
  const q = BY_CODE.get(b);
  if (!p || !q) return null;
  const rad = Math.PI / 180;
  const dLat = (q.lat - p.lat) * rad;
  const dLon = (q.lon - p.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(p.lat * rad) * Math.cos(q.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Distance assumed for a pair of countries missing from the table: a medium-haul flight. */
export const UNKNOWN_COUNTRY_DISTANCE_KM = 2000;
