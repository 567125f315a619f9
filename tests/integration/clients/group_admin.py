"""Group administration as librdkafka's users see it: AdminClient.list_groups
(rd_kafka_list_groups: ListGroups, then DescribeGroups of each group) and a
group's committed offsets (Consumer.committed, i.e. OffsetFetch, from a
consumer that never joins). Runs a JSON list of operations and prints one
JSON result per operation.

usage: group_admin.py BOOTSTRAP 'JSON_OPS'
ops: {"op": "list", "group"?}  -> {"ok", "groups": [{"id", "error", "state",
         "protocolType", "protocol", "members": [{"id", "clientId",
         "clientHost", "topics" (decoded subscription), "assignment"
         (decoded: [[topic, [partitions]], ..])}]}]}
     {"op": "committed", "group", "topic", "partitions"}
         -> {"ok", "offsets": [offset of partition 0, 1, ..] (-1001 = none)}
On failure: {"ok": false, "code", "name", "message"}.
"""
import json
import struct
import sys

from confluent_kafka import Consumer, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient


class Bytes:
    """Reads the consumer protocol's big-endian fields."""

    def __init__(self, data):
        self.data, self.at = data or b"", 0

    def int(self, fmt, size):
        value = struct.unpack_from(fmt, self.data, self.at)[0]
        self.at += size
        return value

    def string(self):
        n = self.int(">h", 2)
        value = self.data[self.at:self.at + n].decode()
        self.at += n
        return value


def subscription_topics(data):
    if not data:
        return []
    b = Bytes(data)
    b.int(">h", 2)  # version
    return [b.string() for _ in range(b.int(">i", 4))]


def assignment(data):
    if not data:
        return []
    b = Bytes(data)
    b.int(">h", 2)  # version
    out = []
    for _ in range(b.int(">i", 4)):
        topic = b.string()
        out.append([topic, sorted(b.int(">i", 4) for _ in range(b.int(">i", 4)))])
    return sorted(out)


bootstrap = sys.argv[1]
ops = json.loads(sys.argv[2])
admin = AdminClient({"bootstrap.servers": bootstrap, "socket.timeout.ms": 10000})
results = []
for op in ops:
    try:
        if op["op"] == "list":
            groups = admin.list_groups(op["group"], timeout=15) if "group" in op else admin.list_groups(timeout=15)
            results.append({"ok": True, "groups": [{
                "id": g.id,
                "error": None if g.error is None else g.error.code(),
                "state": g.state,
                "protocolType": g.protocol_type,
                "protocol": g.protocol,
                "members": [{
                    "id": m.id,
                    "clientId": m.client_id,
                    "clientHost": m.client_host,
                    "topics": subscription_topics(m.metadata),
                    "assignment": assignment(m.assignment),
                } for m in g.members],
            } for g in groups]})
        elif op["op"] == "committed":
            consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": op["group"],
                                 "enable.auto.commit": False})
            try:
                tps = [TopicPartition(op["topic"], p) for p in range(op["partitions"])]
                got = consumer.committed(tps, timeout=15)
                results.append({"ok": True, "offsets": [tp.offset for tp in got]})
            finally:
                consumer.close()
        else:
            raise ValueError(f"unknown op {op['op']}")
    except KafkaException as e:
        err = e.args[0]
        results.append({"ok": False, "code": err.code(), "name": err.name(), "message": err.str()})
print(json.dumps(results))
