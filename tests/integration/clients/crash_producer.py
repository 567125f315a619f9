"""Produce numbered records for as long as it can, printing one line per
acknowledged record, "ack PARTITION OFFSET SEQ", as soon as librdkafka
reports it. The crash test kills the broker in the middle of this run and
afterwards checks that every printed record is still in the log.

usage: crash_producer.py BOOTSTRAP TOPIC PARTITIONS ACKS SECONDS
Value of record SEQ: "SEQ" zero-padded to 10 digits, then 90 bytes of padding.
Stops after SECONDS (or earlier, at the first failed delivery: the broker is
gone), waits for what is in flight, then prints "done SENT ACKED FAILED".
"""
import sys
import time

from confluent_kafka import Producer

bootstrap, topic = sys.argv[1], sys.argv[2]
partitions, acks, seconds = int(sys.argv[3]), sys.argv[4], float(sys.argv[5])
out = sys.stdout
counts = {"acked": 0, "failed": 0}


def on_delivery(err, msg):
    if err is not None:
        counts["failed"] += 1
        return
    counts["acked"] += 1
    out.write(f"ack {msg.partition()} {msg.offset()} {int(msg.value()[:10])}\n")


producer = Producer({
    "bootstrap.servers": bootstrap,
    "acks": acks,
    "linger.ms": 2,
    # Fail fast once the broker is gone: the test waits for this process.
    "message.timeout.ms": 3000,
    "reconnect.backoff.max.ms": 500,
})
pad = b"x" * 90
sent = 0
deadline = time.time() + seconds
last_flush = time.time()
while time.time() < deadline:
    try:
        producer.produce(topic, value=b"%010d" % sent + pad, partition=sent % partitions, on_delivery=on_delivery)
        sent += 1
    except BufferError:
        producer.poll(0.01)
    producer.poll(0)
    if time.time() - last_flush > 0.05:
        out.flush()
        last_flush = time.time()
    if counts["failed"] > 0:
        break  # the broker is gone: stop feeding records that can only time out
producer.flush(10)
out.write(f"done {sent} {counts['acked']} {counts['failed']}\n")
out.flush()
