"""Dynamic broker configs through confluent-kafka-python's AdminClient
(librdkafka, needs confluent-kafka 2.x): IncrementalAlterConfigs on this
broker's resource, then DescribeConfigs of it. (The client refuses an empty
resource name, so it cannot address the cluster-wide default, and has no
BROKER_LOGGER resource type.)
Prints one JSON object: each step's result, {"ok": false, "code", "name",
"message"} on a Kafka error.

usage: broker_configs.py BOOTSTRAP NODE_ID
"""
import json
import sys

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource

bootstrap, node = sys.argv[1], sys.argv[2]
admin = AdminClient({"bootstrap.servers": bootstrap, "socket.timeout.ms": 10000})


def step(fn):
    try:
        return {"ok": True, **fn()}
    except KafkaException as e:
        err = e.args[0]
        return {"ok": False, "code": err.code(), "name": err.name(), "message": err.str()}


def alter(resource):
    admin.incremental_alter_configs([resource], request_timeout=20)[resource].result(timeout=30)
    return {}


def describe(resource, keys):
    entries = admin.describe_configs([resource], request_timeout=20)[resource].result(timeout=30)
    return {"configs": {
        name: {"value": e.value, "source": str(e.source), "readOnly": e.is_read_only}
        for name, e in entries.items() if name in keys
    }}


mine = ConfigResource(ConfigResource.Type.BROKER, node, incremental_configs=[
    ConfigEntry("log.roll.ms", "3600000", incremental_operation=AlterConfigOpType.SET),
])
static = ConfigResource(ConfigResource.Type.BROKER, node, incremental_configs=[
    ConfigEntry("num.partitions", "5", incremental_operation=AlterConfigOpType.SET),
])
print(json.dumps({
    "alterBroker": step(lambda: alter(mine)),
    "alterStatic": step(lambda: alter(static)),
    "describeBroker": step(lambda: describe(ConfigResource(ConfigResource.Type.BROKER, node), ["log.roll.ms"])),
}))
