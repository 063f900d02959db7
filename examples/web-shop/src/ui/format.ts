/** “1 event”, “2 events”: English plurals for the counts the page shows. */
export const countOf = (n: number, singular: string, plural = `${singular}s`): string => `${n} ${n === 1 ? singular : plural}`;

export const formatPrice = (cents: number): string => new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' }).format(cents / 100);

export const formatBytes = (bytes: number): string => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`);

export const formatTime = (ms: number): string => new Date(ms).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

export const formatEpsilon = (epsilon: number): string => (Number.isFinite(epsilon) ? epsilon.toFixed(2) : '∞');

export const formatClock = (ms: number): string => new Date(ms).toLocaleTimeString('en-GB', { timeStyle: 'medium' });
