/**
 * Serializes pushed messages to JSON bytes, each message object once: the live feed hands one frame
 * object to every subscriber at the same line, so fifty subscribers cost one `JSON.stringify`.
 * Entries go with their message object (a WeakMap).
 */
export const createMessageEncoder = (): ((message: unknown) => Buffer) => {
  const encoded = new WeakMap<object, Buffer>();
  return (message) => {
    if (typeof message !== 'object' || message === null) return Buffer.from(JSON.stringify(message));
    let data = encoded.get(message);
    if (!data) {
      data = Buffer.from(JSON.stringify(message));
      encoded.set(message, data);
    }
    return data;
  };
};
