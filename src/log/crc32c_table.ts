/**
 * The byte table of CRC-32C (Castagnoli, reflected polynomial 0x82f63b78):
 * entry n is the register after byte n from a zero register. Shared by the
 * table loop (crc32c.ts) and the SIMD lanes (crc32c_simd.ts). An Int32Array
 * for the reason crc32c.ts gives.
 */
const POLY = 0x82f63b78;

export const CRC32C_TABLE: Int32Array = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c;
  }
  return t;
})();
