// The reader worker of `file-reader.js`: reads the asked slice of a File and transfers its bytes back.
self.onmessage = async ({ data: { id, file, from, to } }) => {
  try {
    const buf = await file.slice(from, to).arrayBuffer();
    self.postMessage({ id, buf }, [buf]);
  } catch (err) {
    self.postMessage({ id, error: String(err?.message ?? err) });
  }
};
