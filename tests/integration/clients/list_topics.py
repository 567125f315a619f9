"""Ask a broker for cluster metadata with confluent-kafka-python (librdkafka)
and print it as JSON: what AdminClient.list_topics() returns."""
import json
import sys

from confluent_kafka.admin import AdminClient

bootstrap = sys.argv[1]
topic = sys.argv[2] if len(sys.argv) > 2 else None
admin = AdminClient({"bootstrap.servers": bootstrap, "socket.timeout.ms": 10000})
md = admin.list_topics(topic=topic, timeout=15)
print(json.dumps({
    "cluster_id": md.cluster_id,
    "controller_id": md.controller_id,
    "brokers": [{"id": b.id, "host": b.host, "port": b.port} for b in md.brokers.values()],
    "topics": {
        name: {
            "error": None if t.error is None else t.error.code(),
            "partitions": [
                {"id": p.id, "leader": p.leader, "replicas": list(p.replicas), "isrs": list(p.isrs)}
                for p in sorted(t.partitions.values(), key=lambda p: p.id)
            ],
        }
        for name, t in md.topics.items()
    },
}))
