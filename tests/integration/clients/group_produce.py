"""Produces numbered records for the group tests with librdkafka (acks=all)
and waits until every one is acknowledged; prints {"acked", "failed"}.

usage: group_produce.py BOOTSTRAP TOPIC PARTITIONS FIRST COUNT PREFIX
Record i (FIRST <= i < FIRST+COUNT) goes to partition i % PARTITIONS with
value PREFIX-i (i zero-padded to 6 digits), so a test knows from a value
alone which record it is and where it was written.
"""
import json
import sys

from confluent_kafka import Producer

bootstrap, topic = sys.argv[1], sys.argv[2]
partitions, first, count, prefix = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
result = {"acked": 0, "failed": []}


def on_delivery(err, msg):
    if err is not None:
        result["failed"].append(err.name())
    else:
        result["acked"] += 1


producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5})
for i in range(first, first + count):
    while True:
        try:
            producer.produce(topic, value=b"%s-%06d" % (prefix.encode(), i), partition=i % partitions,
                             on_delivery=on_delivery)
            break
        except BufferError:
            producer.poll(0.05)
    producer.poll(0)
left = producer.flush(30)
if left:
    result["failed"].append(f"{left} still in flight")
print(json.dumps(result))
