/** Snappy, LZ4 and gzip codecs: round trips, format details, malformed input, and interop with python's libs. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { gzipCompress, gzipDecompress } from "../../src/log/codecs/gzip.ts";
import {
  lz4CompressBlock,
  lz4DecompressBlock,
  lz4FrameCompress,
  lz4FrameDecompress,
  xxhash32,
} from "../../src/log/codecs/lz4.ts";
import {
  snappyCompress,
  snappyCompressBlock,
  snappyDecompress,
  snappyDecompressBlock,
} from "../../src/log/codecs/snappy.ts";

const te = new TextEncoder();

/** Deterministic inputs: empty, tiny, text-like (compressible), pseudo-random (not), long runs, > 64 KiB. */
function inputs(): Array<[string, Uint8Array]> {
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
  const random = Uint8Array.from({ length: 5000 }, rnd);
  const words = ["kafka", "broker", "record", "batch", "offset", "partition", "topic", "leader"];
  const text = te.encode(Array.from({ length: 40000 }, () => words[rnd() % words.length]).join(" "));
  const mixed = new Uint8Array(150_000);
  for (let i = 0; i < mixed.length; i++) mixed[i] = i % 3000 < 1500 ? rnd() : (i * 7) & 0xff;
  return [
    ["empty", new Uint8Array(0)],
    ["1 byte", Uint8Array.of(42)],
    ["12 bytes", te.encode("hello world!")],
    ["13 bytes", te.encode("hello world!!")],
    ["run", new Uint8Array(100_000).fill(7)],
    ["random", random],
    ["text", text],
    ["mixed 150k", mixed],
  ];
}

describe("xxhash32", () => {
  test("matches the reference test vectors", () => {
    assert.equal(xxhash32(new Uint8Array(0)), 0x02cc5d05);
    assert.equal(xxhash32(new Uint8Array(0), 1), 0x0b2cb792);
    assert.equal(xxhash32(te.encode("a")), 0x550d7456);
    assert.equal(xxhash32(te.encode("abc")), 0x32d153ff);
    assert.equal(xxhash32(te.encode("Nobody inspects the spammish repetition")), 0xe2293b2f);
  });
});

describe("snappy", () => {
  for (const [name, data] of inputs()) {
    test(`raw block and xerial round trip: ${name}`, () => {
      assert.deepEqual(snappyDecompressBlock(snappyCompressBlock(data)), data);
      assert.deepEqual(snappyDecompress(snappyCompress(data)), data);
      assert.deepEqual(snappyDecompress(snappyCompressBlock(data)), data, "raw blocks are accepted too");
    });
  }

  test("compresses repetitive data", () => {
    const text = inputs()[6][1];
    assert.ok(snappyCompressBlock(text).length < text.length / 2);
    assert.ok(snappyCompressBlock(new Uint8Array(100_000)).length < 5000);
  });

  test("writes xerial framing: magic, versions 1/1, 32 KiB chunks", () => {
    const data = inputs()[7][1];
    const out = snappyCompress(data);
    assert.deepEqual([...out.subarray(0, 16)], [0x82, 83, 78, 65, 80, 80, 89, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
    const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
    let chunks = 0;
    for (let p = 16; p < out.length; p += 4 + v.getInt32(p)) chunks++;
    assert.equal(chunks, Math.ceil(data.length / 32768));
  });

  test("decodes every element kind, including 4-byte offsets and overlapping copies", () => {
    // preamble 12; literal "ab"; copy-1 len 4 off 2 ("abab"); copy-4 len 6 off 1 ("bbbbbb")
    const block = Uint8Array.of(12, 1 << 2, 97, 98, (0 << 2) | 1, 2, ((6 - 1) << 2) | 3, 1, 0, 0, 0);
    assert.deepEqual(snappyDecompressBlock(block), te.encode("ababab" + "bbbbbb"));
    // A 61-byte literal uses the 1-extra-byte length form.
    const lit = new Uint8Array(61).fill(9);
    assert.deepEqual(snappyDecompressBlock(Uint8Array.of(61, 60 << 2, 60, ...lit)), lit);
  });

  test("refuses malformed blocks", () => {
    assert.throws(() => snappyDecompressBlock(Uint8Array.of(5, 4 << 2, 1, 2)), /literal overruns/);
    assert.throws(() => snappyDecompressBlock(Uint8Array.of(8, 0, 97, (4 << 2) | 2, 5, 0)), /copy out of bounds/);
    assert.throws(() => snappyDecompressBlock(Uint8Array.of(3, 0, 97)), /declares 3/);
    assert.throws(() => snappyDecompressBlock(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f, 0)), /impossible/);
    const framed = snappyCompress(te.encode("hello hello hello"));
    assert.throws(() => snappyDecompress(framed.subarray(0, framed.length - 2)), /overruns/);
  });
});

describe("lz4", () => {
  for (const [name, data] of inputs()) {
    test(`block and frame round trip: ${name}`, () => {
      if (data.length <= 65536) assert.deepEqual(lz4DecompressBlock(lz4CompressBlock(data), data.length), data);
      assert.deepEqual(lz4FrameDecompress(lz4FrameCompress(data)), data);
    });
  }

  test("frame header as Kafka writes it, correct header checksum, raw blocks when they do not shrink", () => {
    const random = inputs()[5][1];
    const out = lz4FrameCompress(random);
    assert.deepEqual([...out.subarray(0, 6)], [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40]);
    assert.equal(out[6], (xxhash32(out, 0, 4, 6) >>> 8) & 0xff);
    const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
    assert.equal(v.getUint32(7, true), (0x80000000 | random.length) >>> 0);
    assert.ok(lz4FrameCompress(inputs()[6][1]).length < inputs()[6][1].length / 2);
  });

  test("the KAFKA-1493 header checksum (over magic + descriptor) is accepted only when told to ignore it", () => {
    const frame = lz4FrameCompress(te.encode("legacy magic 0 payload, legacy magic 0 payload"));
    frame[6] = (xxhash32(frame, 0, 0, 6) >>> 8) & 0xff;
    assert.throws(() => lz4FrameDecompress(frame), /header checksum/);
    assert.deepEqual(
      lz4FrameDecompress(frame, { ignoreHeaderChecksum: true }),
      te.encode("legacy magic 0 payload, legacy magic 0 payload"),
    );
  });

  test("refuses malformed frames and blocks", () => {
    const frame = lz4FrameCompress(inputs()[6][1]);
    assert.throws(() => lz4FrameDecompress(frame.subarray(0, frame.length - 10)), /truncated/);
    assert.throws(() => lz4FrameDecompress(Uint8Array.of(1, 2, 3, 4, 5, 6, 7)), /bad frame magic/);
    // A match reaching before the start of the block.
    assert.throws(() => lz4DecompressBlock(Uint8Array.of(0x10, 97, 5, 0, 0x00), 100), /offset out of range/);
    assert.throws(() => lz4DecompressBlock(Uint8Array.of(0x50, 97), 100), /literals overrun/);
  });
});

describe("gzip", () => {
  test("round trip and refusal", () => {
    for (const [, data] of inputs()) assert.deepEqual(gzipDecompress(gzipCompress(data)), data);
    assert.throws(() => gzipDecompress(te.encode("not gzip")));
  });
});

const PY = "/usr/bin/python3";
function hasPython(module: string): boolean {
  try {
    execFileSync(PY, ["-c", `import ${module}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
/** Runs `code` with `data` on stdin and returns its stdout bytes. */
function py(code: string, data: Uint8Array): Uint8Array {
  const out = execFileSync(PY, ["-c", `import sys\n${code}`], { input: data, maxBuffer: 64 << 20 });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
const IN = "sys.stdin.buffer.read()";
const OUT = (expr: string) => `sys.stdout.buffer.write(${expr})`;

describe("interop with python-lz4 and python-snappy", () => {
  const lz4Skip = hasPython("lz4.frame") ? false : "python3 lz4.frame not available";
  const snappySkip = hasPython("snappy") ? false : "python3 snappy not available";

  test("python's lz4.frame reads our frames", { skip: lz4Skip }, () => {
    for (const [name, data] of inputs()) {
      assert.deepEqual(
        py(`import lz4.frame\n${OUT(`lz4.frame.decompress(${IN})`)}`, lz4FrameCompress(data)),
        data,
        name,
      );
    }
  });

  test("we read python's lz4 frames: linked and independent blocks, sizes and checksums", { skip: lz4Skip }, () => {
    const variants = [
      "",
      ", block_linked=False",
      ", block_size=lz4.frame.BLOCKSIZE_MAX256KB, content_checksum=True, block_checksum=True",
      ", store_size=False, block_size=lz4.frame.BLOCKSIZE_MAX4MB",
      ", compression_level=lz4.frame.COMPRESSIONLEVEL_MINHC",
    ];
    for (const opts of variants) {
      for (const [name, data] of inputs()) {
        const frame = py(`import lz4.frame\n${OUT(`lz4.frame.compress(${IN}${opts})`)}`, data);
        assert.deepEqual(lz4FrameDecompress(frame), data, `${name}${opts}`);
      }
    }
  });

  test("python-snappy reads our raw blocks and we read its", { skip: snappySkip }, () => {
    for (const [name, data] of inputs()) {
      assert.deepEqual(py(`import snappy\n${OUT(`snappy.decompress(${IN})`)}`, snappyCompressBlock(data)), data, name);
      const theirs = py(`import snappy\n${OUT(`snappy.compress(${IN})`)}`, data);
      assert.deepEqual(snappyDecompressBlock(theirs), data, name);
      assert.deepEqual(snappyDecompress(theirs), data, name);
    }
  });
});
