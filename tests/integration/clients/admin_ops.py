"""Topic administration through confluent-kafka-python's AdminClient
(librdkafka: CreateTopics ≤4, DeleteTopics ≤1, CreatePartitions 0): runs a
JSON list of operations in order and prints one JSON result per operation,
{"ok": true, ...} or {"ok": false, "code": KAFKA_ERROR_CODE, "name", "message"}.

usage: admin_ops.py BOOTSTRAP 'JSON_OPS'
ops: {"op": "create", "topic", "partitions"?, "replicationFactor"?, "config"?, "validateOnly"?}
     {"op": "delete", "topic"}
     {"op": "partitions", "topic", "count", "validateOnly"?}
     {"op": "describe", "topic"}  -> {"ok", "error", "partitions"} from Metadata
"""
import json
import sys

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewPartitions, NewTopic

bootstrap = sys.argv[1]
ops = json.loads(sys.argv[2])
admin = AdminClient({"bootstrap.servers": bootstrap, "socket.timeout.ms": 10000, "allow.auto.create.topics": False})
results = []
for op in ops:
    kind, topic = op["op"], op["topic"]
    try:
        if kind == "create":
            new = NewTopic(topic, num_partitions=op.get("partitions", 1),
                           replication_factor=op.get("replicationFactor", 1), config=op.get("config", {}))
            admin.create_topics([new], validate_only=op.get("validateOnly", False),
                                operation_timeout=10, request_timeout=20)[topic].result(timeout=30)
            results.append({"ok": True})
        elif kind == "delete":
            admin.delete_topics([topic], operation_timeout=10, request_timeout=20)[topic].result(timeout=30)
            results.append({"ok": True})
        elif kind == "partitions":
            admin.create_partitions([NewPartitions(topic, op["count"])], validate_only=op.get("validateOnly", False),
                                    operation_timeout=10, request_timeout=20)[topic].result(timeout=30)
            results.append({"ok": True})
        elif kind == "describe":
            md = admin.list_topics(topic=topic, timeout=15).topics.get(topic)
            results.append({
                "ok": md is not None and md.error is None,
                "error": None if md is None or md.error is None else md.error.code(),
                "partitions": [] if md is None else sorted(md.partitions.keys()),
            })
        else:
            raise ValueError(f"unknown op {kind}")
    except KafkaException as e:
        err = e.args[0]
        results.append({"ok": False, "code": err.code(), "name": err.name(), "message": err.str()})
print(json.dumps(results))
