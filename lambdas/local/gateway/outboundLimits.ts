import type { WebSocket } from 'ws';

/**
 * How much may wait in one connection's send buffer (`bufferedAmount`: queued in `ws` and in the
 * socket) before pushes to it are refused. Keeps a client that reads slowly from growing the
 * gateway's memory: the sender is told (429) and the subscriber is moved on, instead of queueing.
 */
export const OutboundLimits = {
  maxBufferedBytes: 1024 * 1024,
  /** Messages up to this size (status and lagging notices) may still pass... */
  smallMessageBytes: 1024,
  /** ...while the buffer is under the cap plus this much. */
  headroomBytes: 64 * 1024,
} as const;

/** Whether the connection can take `bytes` more now without breaking the buffer cap. */
export const hasRoomFor = (socket: WebSocket, bytes: number): boolean => {
  const buffered = socket.bufferedAmount;
  if (buffered + bytes <= OutboundLimits.maxBufferedBytes) return true;
  return bytes <= OutboundLimits.smallMessageBytes && buffered + bytes <= OutboundLimits.maxBufferedBytes + OutboundLimits.headroomBytes;
};
