"""Produce records with one compression codec through confluent-kafka-python
(librdkafka), then read them back group-less (assign, no subscribe) and print
JSON: what was acknowledged and what was consumed, each record as
[partition, offset, key, sha256(value)] (consumed ones also with the
timestamp type: 1 CreateTime, 2 LogAppendTime), so the test can compare them with
what the broker stored on disk.

usage: produce_codec.py BOOTSTRAP TOPIC CODEC COUNT SIZE
Values are SIZE bytes of text that compresses well but differs per record.
"""
import hashlib
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

bootstrap, topic, codec = sys.argv[1], sys.argv[2], sys.argv[3]
count, size = int(sys.argv[4]), int(sys.argv[5])


def value(i):
    text = f"record {i} compressed with {codec}; " + f"the quick brown fox jumps over the lazy dog {i % 7} " * (size // 40 + 1)
    return text[:size].encode()


def sha(b):
    return hashlib.sha256(b).hexdigest()


acked, failed = [], []


def on_delivery(err, msg):
    if err is not None:
        failed.append(str(err))
    else:
        acked.append([msg.partition(), msg.offset(), msg.key().decode(), sha(msg.value())])


producer = Producer({
    "bootstrap.servers": bootstrap,
    "compression.type": codec,
    "linger.ms": 20,
    "batch.num.messages": 25,
    "acks": "all",
    "message.timeout.ms": 20000,
})
for i in range(count):
    producer.produce(topic, key=f"k{i}".encode(), value=value(i), on_delivery=on_delivery)
    producer.poll(0)
left = producer.flush(30)

partitions = sorted({p for p, _, _, _ in acked})
consumer = Consumer({
    # confluent-kafka-python insists on a group id; assign() never joins it.
    "group.id": f"unused-{topic}",
    "bootstrap.servers": bootstrap,
    "enable.auto.commit": False,
    "enable.auto.offset.store": False,
})
consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
consumed, consume_errors = [], []
deadline = time.time() + 30
while len(consumed) < len(acked) and time.time() < deadline:
    msg = consumer.poll(0.5)
    if msg is None:
        continue
    if msg.error():
        if msg.error().code() != KafkaError._PARTITION_EOF:
            consume_errors.append(str(msg.error()))
        continue
    consumed.append([msg.partition(), msg.offset(), msg.key().decode(), sha(msg.value()), msg.timestamp()[0]])
consumer.close()

print(json.dumps({
    "unflushed": left,
    "failed": failed,
    "acked": acked,
    "consumed": consumed,
    "consumeErrors": consume_errors,
}))
