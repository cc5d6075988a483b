/**
 * The largest MQTT packet the embedded broker takes, checked before the packet is buffered: the
 * MQTT parser keeps a packet's bytes until it is whole, so without this a 100 MiB publish (or an
 * unfinished 64 MiB CONNECT, before any login) sits in memory. AWS IoT Core refuses messages over
 * 128 KB; so does the local broker.
 */
export const MAX_PACKET_BYTES = 128 * 1024;

/**
 * Follows the packets of one connection's byte stream (MQTT 3.1.1 section 2.2: one type byte,
 * then the remaining length in one to four bytes of 7 bits each, then that many bytes) and says
 * at the first chunk that declares a packet over `maxBytes`, or a malformed length. It skips the
 * bodies without looking at them, so it costs a few operations per packet.
 */
export function packetSizeGuard(maxBytes: number = MAX_PACKET_BYTES): (chunk: Uint8Array) => string | undefined {
  let phase: "type" | "length" | "body" = "type";
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let bodyLeft = 0;
  return (chunk) => {
    let at = 0;
    while (at < chunk.length) {
      if (phase === "body") {
        const skipped = Math.min(bodyLeft, chunk.length - at);
        bodyLeft -= skipped;
        at += skipped;
        if (bodyLeft === 0) phase = "type";
        continue;
      }
      const byte = chunk[at] ?? 0;
      at += 1;
      if (phase === "type") {
        phase = "length";
        length = 0;
        multiplier = 1;
        lengthBytes = 0;
        continue;
      }
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      lengthBytes += 1;
      if ((byte & 0x80) !== 0) {
        if (lengthBytes === 4) return "a remaining length longer than four bytes";
        continue;
      }
      // The fixed header is at most 5 bytes: the packet is its length plus them.
      if (length + 1 + lengthBytes > maxBytes) {
        return `a packet of ${length + 1 + lengthBytes} bytes (at most ${maxBytes})`;
      }
      bodyLeft = length;
      phase = length === 0 ? "type" : "body";
    }
    return undefined;
  };
}
