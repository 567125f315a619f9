"""Read a partition directory's segment files (<base offset>.log) the way a
Kafka broker lays them out, and print JSON: every batch's header facts and
every record's [offset, key, sha256(value)], decompressing gzip, snappy
(raw or xerial-framed), lz4 (frame) and zstd batches. Lets the tests check
what the broker really stored, independently of its own code.

usage: decode_log.py PARTITION_DIR
"""
import gzip
import hashlib
import json
import os
import struct
import sys

import lz4.frame
import snappy
import zstandard

CODECS = {0: "none", 1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd"}


def decompress(codec, data):
    if codec == 0:
        return data
    if codec == 1:
        return gzip.decompress(data)
    if codec == 2:
        if data[:8] == b"\x82SNAPPY\x00":  # xerial framing: 16-byte header, then [int32 len][block]...
            out, pos = bytearray(), 16
            while pos < len(data):
                (n,) = struct.unpack_from(">i", data, pos)
                out += snappy.uncompress(data[pos + 4:pos + 4 + n])
                pos += 4 + n
            return bytes(out)
        return snappy.uncompress(data)
    if codec == 3:
        return lz4.frame.decompress(data)
    if codec == 4:
        return zstandard.ZstdDecompressor().decompressobj().decompress(data)
    raise ValueError(f"unknown codec {codec}")


def varint(buf, pos):
    shift, raw = 0, 0
    while True:
        b = buf[pos]
        pos += 1
        raw |= (b & 0x7F) << shift
        if b < 0x80:
            return (raw >> 1) ^ -(raw & 1), pos
        shift += 7


def records(buf, base_offset, count):
    out, pos = [], 0
    for _ in range(count):
        length, pos = varint(buf, pos)
        end = pos + length
        pos += 1  # attributes
        _, pos = varint(buf, pos)  # timestamp delta
        delta, pos = varint(buf, pos)
        klen, pos = varint(buf, pos)
        key = None if klen < 0 else buf[pos:pos + klen].decode("utf-8", "replace")
        pos += max(klen, 0)
        vlen, pos = varint(buf, pos)
        val = b"" if vlen < 0 else buf[pos:pos + vlen]
        out.append([base_offset + delta, key, hashlib.sha256(val).hexdigest()])
        pos = end
    return out


directory = sys.argv[1]
segments = sorted((f for f in os.listdir(directory) if f.endswith(".log")), key=lambda f: int(f[:-4]))
batches, recs = [], []
for name in segments:
    data = open(os.path.join(directory, name), "rb").read()
    pos = 0
    while pos + 61 <= len(data):
        base_offset, batch_length = struct.unpack_from(">qi", data, pos)
        if batch_length <= 0:
            break
        attributes, last_delta = struct.unpack_from(">hi", data, pos + 21)
        count = struct.unpack_from(">i", data, pos + 57)[0]
        codec = attributes & 7
        size = 12 + batch_length
        batches.append({"segment": name, "baseOffset": base_offset, "lastOffsetDelta": last_delta, "count": count,
                        "codec": CODECS[codec], "size": size})
        if not attributes & 0x20:  # control batches hold no user records
            recs.extend(records(decompress(codec, data[pos + 61:pos + size]), base_offset, count))
        pos += size
print(json.dumps({"segments": segments, "batches": batches, "records": recs}))
