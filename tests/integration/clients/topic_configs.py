"""Topic configs through confluent-kafka-python's AdminClient (librdkafka):
creates topics with configs, then describes them (DescribeConfigs), and
prints one JSON result per operation: {"ok": true, ...} or
{"ok": false, "code": KAFKA_ERROR_CODE, "name", "message"}.

usage: topic_configs.py BOOTSTRAP 'JSON_OPS'
ops: {"op": "create", "topic", "config"}
     {"op": "describe", "topic"} -> {"ok", "configs": {name: {"value", "source", "default", "readOnly"}}}
"""
import json
import sys

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

bootstrap = sys.argv[1]
ops = json.loads(sys.argv[2])
admin = AdminClient({"bootstrap.servers": bootstrap, "socket.timeout.ms": 10000})
results = []
for op in ops:
    kind, topic = op["op"], op["topic"]
    try:
        if kind == "create":
            new = NewTopic(topic, num_partitions=1, replication_factor=1, config=op.get("config", {}))
            admin.create_topics([new], operation_timeout=10, request_timeout=20)[topic].result(timeout=30)
            results.append({"ok": True})
        elif kind == "describe":
            resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
            entries = admin.describe_configs([resource], request_timeout=20)[resource].result(timeout=30)
            results.append({"ok": True, "configs": {
                name: {"value": e.value, "source": e.source, "default": e.is_default, "readOnly": e.is_read_only}
                for name, e in entries.items()
            }})
        else:
            raise ValueError(f"unknown op {kind}")
    except KafkaException as e:
        err = e.args[0]
        results.append({"ok": False, "code": err.code(), "name": err.name(), "message": err.str()})
print(json.dumps(results))
