// Reading `File` slices off the engine's thread. Reading a File copies its bytes on the thread that reads it, and
// only while that thread is free; a reader worker (`file-reader-worker.js`) does it while the engine parses, and
// hands each chunk over without a copy (a transferred ArrayBuffer). The app's engine worker and the benchmark's
// use this one module, so the benchmark measures what the app does.

/** The chunk size files are read in. */
export const CHUNK = 4 << 20;
/** How many chunks are being read while the engine parses. */
export const AHEAD = 2;

let reader = null;
let seq = 0;
const waits = new Map();

/** The bytes `from`..`to` of `file`, read on this thread. */
const direct = (file, from, to) => file.slice(from, to).arrayBuffer().then((b) => new Uint8Array(b));

/** The bytes `from`..`to` of `file` as a Uint8Array, read by the reader worker (or here, where one cannot start). */
export function readSlice(file, from, to) {
  if (reader === null) {
    try {
      reader = new Worker(new URL('./file-reader-worker.js', import.meta.url), { type: 'module' });
      reader.onmessage = ({ data: { id, buf, error } }) => {
        const wait = waits.get(id);
        waits.delete(id);
        if (error === undefined) wait.resolve(new Uint8Array(buf));
        else wait.reject(new Error(error));
      };
      // A reader that fails to start (or dies) leaves its reads to this thread, the slow way, rather than unanswered.
      reader.onerror = (event) => {
        event.preventDefault();
        reader.terminate();
        reader = false;
        for (const [id, { file, from, to, resolve, reject }] of waits) {
          waits.delete(id);
          direct(file, from, to).then(resolve, reject);
        }
      };
    } catch {
      reader = false;
    }
  }
  if (!reader) return direct(file, from, to);
  const id = ++seq;
  return new Promise((resolve, reject) => {
    waits.set(id, { file, from, to, resolve, reject });
    reader.postMessage({ id, file, from, to });
  });
}
