// The data snapshot's file in the Origin Private File System, used by the engine worker only (a dedicated worker
// may open a synchronous access handle, the fastest way to write a large file there). The bytes are the core's
// versioned snapshot (src/engine/snapshot.rs); this module only stores them, and writes them only when the data
// changed since the last snapshot (the worker calls `dataChanged` for every request that changes it).

/** Requests that change the loaded data. */
export const CHANGES_DATA = new Set(['load', 'loadSample', 'reset', 'setIdentityRule']);
let dataStamp = 0;
let savedStamp = 0;

/** Marks the loaded data as changed. */
export function dataChanged() {
  dataStamp += 1;
}

/** The worker's snapshot requests over the workspace `ws()`. */
export function snapshotHandlers(ws) {
  return {
    /** Writes the snapshot when the data changed since the last one: `{ saved, bytes }`. */
    async saveSnapshot() {
      if (savedStamp === dataStamp) return { saved: false };
      const out = await writeSnapshot(ws().dataSnapshot());
      savedStamp = dataStamp;
      return out;
    },
    /** Restores the data from the snapshot: `{ bytes }`, or `null` when there is none. */
    async restoreSnapshot() {
      const bytes = await readSnapshot();
      if (!bytes) return null;
      ws().restoreSnapshot(bytes);
      dataStamp += 1;
      savedStamp = dataStamp;
      return { bytes: bytes.length };
    },
    /** Removes the snapshot. */
    async dropSnapshot() {
      await removeSnapshot();
      savedStamp = -1;
      return null;
    },
  };
}

/** The snapshot's file name in the origin's private file system. */
export const SNAPSHOT_FILE = 'workspace.hxsnap';

const root = () => navigator.storage.getDirectory();

/** Writes the snapshot bytes, replacing the previous snapshot; resolves to `{ saved, bytes }`. */
export async function writeSnapshot(bytes) {
  const handle = await (await root()).getFileHandle(SNAPSHOT_FILE, { create: true });
  const access = await handle.createSyncAccessHandle();
  try {
    access.truncate(0);
    access.write(bytes, { at: 0 });
    access.flush();
  } finally {
    access.close();
  }
  return { saved: true, bytes: bytes.length };
}

/** The snapshot bytes, or `null` when there is none. */
export async function readSnapshot() {
  let handle;
  try {
    handle = await (await root()).getFileHandle(SNAPSHOT_FILE);
  } catch {
    return null;
  }
  return new Uint8Array(await (await handle.getFile()).arrayBuffer());
}

/** Removes the snapshot (nothing happens when there is none). */
export async function removeSnapshot() {
  try {
    await (await root()).removeEntry(SNAPSHOT_FILE);
  } catch {
    // There was none.
  }
}
