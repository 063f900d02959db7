/** What a shop's IndexedDB holds, as a curious shopper with devtools would see it: every event, and the key of every record. */
export interface StoredContents {
  readonly events: { item: number; type: string; time: number }[];
  readonly records: string[];
}

/**
 * Reads the shopper database `name` directly. Self-contained (it uses no
 * imports or outer variables), so it runs both bundled into a test page and
 * passed to `page.evaluate`.
 */
export function readStoredContents(name: string): Promise<StoredContents> {
  return new Promise<StoredContents>((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const db = request.result;
      const tx = db.transaction(['events', 'records'], 'readonly');
      const events = tx.objectStore('events').getAll();
      const records = tx.objectStore('records').getAllKeys();
      tx.oncomplete = () => {
        db.close();
        resolve({ events: events.result as StoredContents['events'], records: records.result.map(String) });
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}
